"""``personabot serve``: one aiohttp server for every platform.

Routes: ``POST /slack/events`` (Slack Events API, interactivity and slash commands, all
signature-verified by bolt), ``POST /api/messages`` (Teams, JWT-validated by botbuilder
when ``MicrosoftAppId`` is set; mounted in local mode when no platform is configured) and
``GET /healthz`` (alive) and ``GET /readyz`` (database at the current schema, a pack
live). With ``SLACK_APP_TOKEN`` Slack is
served over Socket Mode instead of HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.app import App
from bot.settings import Settings

log = logging.getLogger(__name__)

CORE = web.AppKey("core", App)
# How often queued writes (the question log) are committed.
FLUSH_EVERY = 0.05
MAX_FLUSH_BACKOFF = 5.0
# How long the readiness check waits for the database.
READY_TIMEOUT = 3.0


def build_web_app(core: App, settings: Settings) -> web.Application:
    """The aiohttp application with the routes of every configured platform."""
    web_app = web.Application(client_max_size=1024**2)
    web_app[CORE] = core
    web_app.router.add_get("/healthz", _healthz)
    web_app.router.add_get("/readyz", _readyz)
    web_app.cleanup_ctx.append(_flushing)
    enabled = []
    if settings.slack_enabled:
        from bot.adapters.slack.server import mount_slack

        mount_slack(web_app, core=core, settings=settings)
        enabled.append("Slack (Socket Mode)" if settings.slack_app_token else "Slack")
    if settings.teams_served:
        # Without a Microsoft app id Teams runs in local mode (see Settings.teams_local).
        from bot.adapters.teams.server import mount_teams

        mount_teams(web_app, core=core, settings=settings)
        enabled.append("Teams" if settings.teams_enabled else "Teams (local mode, no auth)")
    log.warning(
        "personabot serving %s on %s:%s: %s",
        core.catalog.pack_name,
        settings.host,
        settings.port,
        ", ".join(enabled) or "no platform configured (set SLACK_BOT_TOKEN or MicrosoftAppId …)",
    )
    return web_app


async def _flushing(web_app: web.Application) -> AsyncIterator[None]:
    """Commit the queued question log every few milliseconds, and at shutdown."""
    core = web_app[CORE]

    async def flush_forever() -> None:
        delay = FLUSH_EVERY
        while True:
            await asyncio.sleep(delay)
            try:
                # In a thread: a slow or unreachable database must not stall the loop.
                await asyncio.to_thread(core.turns.flush)
                delay = FLUSH_EVERY
            except Exception:  # noqa: BLE001 - the queue is kept; retried with backoff
                if delay == FLUSH_EVERY:
                    log.exception("could not write the question log; will retry")
                delay = min(delay * 2, MAX_FLUSH_BACKOFF)

    task = asyncio.ensure_future(flush_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    core.close()


async def _readyz(request: web.Request) -> web.Response:
    """Ready to answer: the database answers at the current schema and a pack is live."""
    core = request.app[CORE]
    checks: dict[str, str] = {}
    try:
        stale = await asyncio.wait_for(asyncio.to_thread(core.db.needs_upgrade), READY_TIMEOUT)
        checks["database"] = "migrations pending" if stale else "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; say which kind
        checks["database"] = f"unreachable ({type(exc).__name__})"
    checks["content"] = "ok" if core.catalog.personas else "no personas"
    ready = all(value == "ok" for value in checks.values())
    return web.json_response(
        {"status": "ok" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def serve(core: App, settings: Settings) -> None:
    """Run the server until interrupted."""
    # Everything built so far (pack, index, SDKs) lives as long as the server: keep the
    # garbage collector from walking it again and again under load.
    gc.collect()
    gc.freeze()
    web.run_app(
        build_web_app(core, settings),
        host=settings.host,
        port=settings.port,
        print=None,
        access_log=None,
    )
