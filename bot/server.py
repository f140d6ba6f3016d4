"""``personabot serve``: one aiohttp server for every platform.

Routes: ``POST /slack/events`` (Slack Events API, interactivity and slash commands, all
signature-verified by bolt), ``POST /api/messages`` (Teams, JWT-validated by botbuilder
when ``MicrosoftAppId`` is set; mounted in local mode when no platform is configured) and
``GET /healthz`` (alive), ``GET /readyz`` (database at the current schema, a pack
live), ``GET /metrics`` (Prometheus) and ``GET /privacy``, ``GET /terms`` (the pages the
Teams app package links to). With ``SLACK_APP_TOKEN`` Slack is served over Socket Mode
instead of HTTP. That the server is serving is logged once it listens, not before.

Every request gets a request id (the caller's ``X-Request-Id`` if sane, else a new one),
echoed in the response's ``X-Request-Id`` and carried by every log line written while
answering it, including the turn worked out after the acknowledgement.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from bot.app import App
from bot.console import ConsoleInbox
from bot.dashboard.routes import mount_dashboard
from bot.logs import REQUEST_ID, REQUEST_ID_HEADER, accept_request_id
from bot.metrics import CONTENT_TYPE
from bot.pages import Page, legal_page
from bot.people import PersonPort
from bot.redelivery import Redeliver, Redelivery
from bot.scheduler import build_scheduler
from bot.settings import Settings
from bot.timers import Sender

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger(__name__)
access_log = logging.getLogger("bot.http")

CORE = web.AppKey("core", App)
SETTINGS = web.AppKey("settings", Settings)
# What is served, for the line logged once the server listens.
SERVING = web.AppKey("serving", str)
REDELIVERY = web.AppKey("redelivery", Redelivery)
SENDERS = web.AppKey("senders", dict)
PEOPLE: web.AppKey[list[PersonPort]] = web.AppKey("people")
WARMING = web.AppKey("warming", asyncio.Future)
# How often queued writes (the question log) are committed.
FLUSH_EVERY = 0.05
MAX_FLUSH_BACKOFF = 5.0
# How long the readiness check waits for the database.
READY_TIMEOUT = 3.0
# At SIGTERM, the share of PERSONABOT_SHUTDOWN_TIMEOUT spent sending answers already
# acknowledged; requests still being handled get the rest (they ran meanwhile too).
DRAIN_SHARE = 0.75
# How long the scheduler may take to stop (finish a job, hand its lease over).
SCHEDULER_STOP_SECONDS = 1.0
REQUEST_ID_KEY = web.RequestKey("request_id", str)
# Probes and scrapes are logged at DEBUG, everything else at INFO.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def build_web_app(core: App, settings: Settings) -> web.Application:
    """The aiohttp application with the routes of every configured platform."""
    web_app = web.Application(client_max_size=1024**2, middlewares=[_observed])
    web_app[CORE] = core
    web_app[SETTINGS] = settings
    web_app.on_response_prepare.append(_echo_request_id)
    web_app.router.add_get("/healthz", _healthz)
    web_app.router.add_get("/readyz", _readyz)
    web_app.router.add_get("/metrics", _metrics)
    web_app.router.add_get("/privacy", _privacy)
    web_app.router.add_get("/terms", _terms)
    mount_dashboard(web_app, core=core, settings=settings)  # /admin (bot/dashboard/routes.py)
    web_app.on_startup.append(_warming)
    web_app.cleanup_ctx.append(_flushing)
    # After _flushing, so it stops (and hands the lease over) before the database closes.
    web_app.cleanup_ctx.append(_scheduling)
    enabled = []
    drains: list[Callable[[float], Awaitable[None]]] = []
    late: dict[str, Redeliver] = {}
    senders: dict[str, Sender] = {}
    web_app[SENDERS] = senders
    people: list[PersonPort] = []  # who reaches a person by email, in the order tried
    web_app[PEOPLE] = people
    if settings.slack_enabled:
        from bot.adapters.slack.server import mount_slack

        slack = mount_slack(web_app, core=core, settings=settings)
        drains.append(slack.drain)
        late["slack"] = slack.redeliver
        senders["slack"] = slack.send
        people.append(slack)
        enabled.append("Slack (Socket Mode)" if settings.slack_app_token else "Slack")
    if settings.teams_served:
        # Without a Microsoft app id Teams runs in local mode (see Settings.teams_local).
        from bot.adapters.teams.server import mount_teams

        teams = mount_teams(web_app, core=core, settings=settings)
        drains.append(teams.drain)
        late["teams"] = teams.redeliver
        senders["teams"] = teams.send
        people.append(teams)
        enabled.append("Teams" if settings.teams_enabled else "Teams (local mode, no auth)")
    if not (settings.slack_enabled or settings.teams_enabled):
        people.append(ConsoleInbox())  # no chat platform: prompts wait for the next `chat`
    redelivery = Redelivery(
        db=core.db,
        clock=core.clock,
        stale_after=dt.timedelta(seconds=settings.redeliver_after),
        adapters=late,
    )
    web_app[REDELIVERY] = redelivery

    async def redelivering(_: web.Application) -> AsyncIterator[None]:
        async with redelivery.running():
            yield

    # Before the flushing context in cleanup order: stopped first, the database still open.
    web_app.cleanup_ctx.append(redelivering)

    async def drain(_: web.Application) -> None:
        # Nothing new is taken over; acknowledged answers go out, all platforms at once,
        # within the drain budget.
        await redelivery.stop()
        budget = settings.shutdown_timeout * DRAIN_SHARE
        await asyncio.gather(*(platform_drain(budget) for platform_drain in drains))

    web_app.on_shutdown.append(drain)
    web_app[SERVING] = (
        f"personabot serving {core.catalog.pack_name} on {settings.host}:{settings.port}: "
        + (", ".join(enabled) or "no platform configured (set SLACK_BOT_TOKEN or MicrosoftAppId …)")
    )
    return web_app


def announce(web_app: web.Application) -> None:
    """Log, in one line, what the server serves and where; call it once it listens."""
    log.warning("%s", web_app[SERVING])


async def _warming(web_app: web.Application) -> None:
    """Start slow first-use work (the quiz bank) in a thread, so no answer waits for it."""
    core = web_app[CORE]

    def warm() -> None:
        for work in core.warm_up:
            try:
                work()
            except Exception:  # noqa: BLE001 - it is done again on first use
                log.exception("warming up failed")

    web_app[WARMING] = asyncio.ensure_future(asyncio.to_thread(warm))


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
                core.metrics.error(platform="all", kind="question_log")
                if delay == FLUSH_EVERY:
                    log.exception("could not write the question log; will retry")
                delay = min(delay * 2, MAX_FLUSH_BACKOFF)

    task = asyncio.ensure_future(flush_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    core.close()


async def _scheduling(web_app: web.Application) -> AsyncIterator[None]:
    """Periodic jobs, run only on the replica holding the scheduler lease."""
    # A running job is waited for at shutdown, but not past Docker's grace period.
    people: list[PersonPort] = web_app[PEOPLE]
    scheduler = build_scheduler(web_app[CORE], senders=web_app[SENDERS], people=people)
    async with scheduler.running(stop_within=SCHEDULER_STOP_SECONDS):
        yield


@web.middleware
async def _observed(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, request count by route and status, an access line; 500s are logged."""
    request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
    request[REQUEST_ID_KEY] = request_id
    token = REQUEST_ID.set(request_id)
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "other"
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except Exception:
        log.exception("request failed: %s %s", request.method, route)
        request.app[CORE].metrics.error(platform=_platform(route), kind="http")
        return web.Response(status=500, text="internal server error")
    finally:
        request.app[CORE].metrics.http_request(route=route, status=status)
        access_log.log(
            logging.DEBUG if route in QUIET_ROUTES else logging.INFO,
            "%s %s %d",
            request.method,
            route,
            status,
            extra={
                "method": request.method,
                "route": route,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        REQUEST_ID.reset(token)


async def _echo_request_id(request: web.Request, response: web.StreamResponse) -> None:
    request_id = request.get(REQUEST_ID_KEY)
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id


def _platform(route: str) -> str:
    if route.startswith("/slack/"):
        return "slack"
    if route == "/api/messages":
        return "teams"
    return "server"


async def _metrics(request: web.Request) -> web.Response:
    """Prometheus scrape: every metric in the text exposition format."""
    body = request.app[CORE].metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


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


async def _privacy(request: web.Request) -> web.Response:
    return _page(request, "privacy")


async def _terms(request: web.Request) -> web.Response:
    return _page(request, "terms")


def _page(request: web.Request, kind: Page) -> web.Response:
    core = request.app[CORE]
    body = legal_page(kind, settings=request.app[SETTINGS], texts=core.texts)
    return web.Response(text=body, content_type="text/html", charset="utf-8")


def serve(core: App, settings: Settings) -> None:
    """Run the server until interrupted."""
    # Everything built so far (pack, index, SDKs) lives as long as the server: keep the
    # garbage collector from walking it again and again under load.
    gc.collect()
    gc.freeze()
    web_app = build_web_app(core, settings)
    web.run_app(
        web_app,
        host=settings.host,
        port=settings.port,
        # run_app calls this once every site listens (a port in use raises OSError before).
        print=lambda *_: announce(web_app),
        access_log=None,
        # SIGTERM: stop accepting, drain the acknowledged answers, then give requests
        # still in flight the rest of the shutdown budget, and exit.
        shutdown_timeout=settings.shutdown_timeout * (1 - DRAIN_SHARE),
    )
