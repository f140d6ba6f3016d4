# personabot: one container, `personabot serve` on port 3978.
# Build: docker build -t personabot .   Run: docker run -p 3978:3978 --env-file .env personabot
# The example pack is inside the package; mount your own at /content and set
# PERSONABOT_CONTENT=/content. Data (the default SQLite file) lives in /data.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY content ./content
COPY storage ./storage
RUN python -m venv /opt/personabot \
    && /opt/personabot/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 personabot \
    && mkdir /data /content \
    && chown personabot:personabot /data /content
COPY --from=build /opt/personabot /opt/personabot
ENV PATH="/opt/personabot/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PERSONABOT_DATABASE_URL=sqlite:////data/personabot.db \
    PERSONABOT_HOST=0.0.0.0 \
    PERSONABOT_PORT=3978
USER personabot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["personabot"]
CMD ["serve"]
