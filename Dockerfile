# personabot: one container, `personabot serve` on port 3978.
# Build: docker build -t personabot .   Run: docker run -p 3978:3978 --env-file .env personabot
# With PostgreSQL: docker compose up --build (compose.yaml).
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
# Liveness from inside the container, on whatever port PERSONABOT_PORT says.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PERSONABOT_PORT', '3978'), timeout=4)"
# `serve` finishes in-flight work within PERSONABOT_SHUTDOWN_TIMEOUT (8 s) of SIGTERM,
# inside Docker's default 10 s stop grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["personabot"]
CMD ["serve"]
