"""``personabot serve``: one aiohttp server for every platform.

Routes: ``POST /slack/events`` (Slack Events API, interactivity and slash commands, all
signature-verified by bolt) and ``GET /healthz``. With ``SLACK_APP_TOKEN`` Slack is
served over Socket Mode instead of HTTP.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.app import App
from bot.settings import Settings

log = logging.getLogger(__name__)

CORE = web.AppKey("core", App)


def build_web_app(core: App, settings: Settings) -> web.Application:
    """The aiohttp application with the routes of every configured platform."""
    web_app = web.Application(client_max_size=1024**2)
    web_app[CORE] = core
    web_app.router.add_get("/healthz", _healthz)
    web_app.on_cleanup.append(_close_core)
    enabled = []
    if settings.slack_enabled:
        from bot.adapters.slack.server import mount_slack

        mount_slack(web_app, core=core, settings=settings)
        enabled.append("Slack (Socket Mode)" if settings.slack_app_token else "Slack")
    log.warning(
        "personabot serving %s on %s:%s: %s",
        core.catalog.pack_name,
        settings.host,
        settings.port,
        ", ".join(enabled) or "no platform configured (set SLACK_BOT_TOKEN …)",
    )
    return web_app


async def _close_core(web_app: web.Application) -> None:
    web_app[CORE].close()  # commits queued writes


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def serve(core: App, settings: Settings) -> None:
    """Run the server until interrupted."""
    web.run_app(
        build_web_app(core, settings),
        host=settings.host,
        port=settings.port,
        print=None,
        access_log=None,
    )
