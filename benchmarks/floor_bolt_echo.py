"""The floor for ``bench_slack.py``: a minimal slack-bolt app that acks and echoes mentions.

A plain ``AsyncApp`` served by aiohttp at ``POST /slack/events`` through slack-bolt's own
aiohttp adapter; each ``app_mention`` is acked and echoed back with ``chat.postMessage``
(in the mention's thread). Nothing else: no database, no answering.

Usage::

    SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... \\
    PERSONABOT_SLACK_API_URL=http://127.0.0.1:PORT/api/ \\
        python benchmarks/floor_bolt_echo.py [--host 127.0.0.1] [--port 3979]

Host and port default to ``PERSONABOT_HOST`` / ``PERSONABOT_PORT`` (else 127.0.0.1:3979),
so the benchmark can start it with the same environment as ``personabot serve``.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build_app(*, token: str, signing_secret: str, api_url: str | None) -> web.Application:
    """The aiohttp application serving the echo bot at ``POST /slack/events``."""
    client = AsyncWebClient(token=token, base_url=api_url or AsyncWebClient.BASE_URL)
    # The client carries the token: bolt uses the client's token when both are given.
    bolt = AsyncApp(signing_secret=signing_secret, client=client)

    @bolt.event("app_mention")
    async def echo(event: dict[str, Any], say: Any) -> None:
        await say(text=event.get("text") or "", thread_ts=event.get("thread_ts") or event["ts"])

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("PERSONABOT_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PERSONABOT_PORT", "3979")))
    args = parser.parse_args(argv)
    app = build_app(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        api_url=os.environ.get("PERSONABOT_SLACK_API_URL"),
    )
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
