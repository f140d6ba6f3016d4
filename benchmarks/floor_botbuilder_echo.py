"""The floor for ``bench_teams.py``: a minimal botbuilder echo bot.

botbuilder's own aiohttp integration, as Microsoft's samples set it up: a ``CloudAdapter``
with ``ConfigurationBotFrameworkAuthentication`` and no app id (anonymous: requests without
an ``Authorization`` header are accepted, replies go out without a token), serving
``POST /api/messages``; an ``ActivityHandler`` replies to each message with its text.
Nothing else: no database, no answering. Like botbuilder bots do, it sends the reply to the
activity's ``serviceUrl`` before it answers the request.

Usage::

    python benchmarks/floor_botbuilder_echo.py [--host 127.0.0.1] [--port 3978]

Host and port default to ``PERSONABOT_HOST`` / ``PERSONABOT_PORT`` (else 127.0.0.1:3978),
so the benchmark can start it with the same environment as ``personabot serve``.
Needs ``botbuilder-integration-aiohttp``.
"""

from __future__ import annotations

import argparse
import os

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)


class AnonymousConfig:
    """No Microsoft app credentials: botbuilder's local (anonymous) mode."""

    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):
    """Replies to every message with its text."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(turn_context.activity.text or ""))


def build_app() -> web.Application:
    """The aiohttp application serving the echo bot at ``POST /api/messages``."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(AnonymousConfig()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("PERSONABOT_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PERSONABOT_PORT", "3978")))
    args = parser.parse_args(argv)
    web.run_app(build_app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
