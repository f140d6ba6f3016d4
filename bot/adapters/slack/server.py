"""Mount the Slack adapter on the aiohttp server (HTTP mode) or start Socket Mode."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.inbox import REDELIVERY_HEADER
from bot.app import App
from bot.settings import Settings

log = logging.getLogger(__name__)

SLACK = web.AppKey("slack", SlackAdapter)
# Slack signs each request with its time; an older one is a replay.
SIGNATURE_AGE_SECONDS = 300


def mount_slack(web_app: web.Application, *, core: App, settings: Settings) -> SlackAdapter:
    """Serve Slack at ``POST /slack/events`` (or over Socket Mode with an app token).

    The server drains the adapter (:meth:`SlackAdapter.drain`) at shutdown.

    With ``SLACK_CLIENT_ID`` also the multi-workspace install: ``GET /slack/install`` (the
    "Add to Slack" page) and ``GET /slack/oauth_redirect`` (where Slack sends the
    installer back), both handled by bolt's OAuth flow.
    """
    # One connection pool for every Web API call; created inside the server's loop.
    session_holder: dict[str, aiohttp.ClientSession] = {}

    async def open_session(_: web.Application) -> None:
        session_holder["session"] = aiohttp.ClientSession()
        adapter.client.session = session_holder["session"]

    async def close_session(_: web.Application) -> None:
        await session_holder["session"].close()

    adapter = SlackAdapter(core=core, settings=settings)
    web_app[SLACK] = adapter
    web_app.on_startup.append(open_session)
    web_app.on_cleanup.append(close_session)

    async def events(request: web.Request) -> web.Response:
        try:
            bolt_request = await to_bolt_request(request)
        except web.HTTPException:
            raise  # too large: 413
        except Exception:  # noqa: BLE001 - bolt parses as it builds: any error is the body's
            return await _unreadable(request, secret)
        # Only our own late answers carry it (see inbox.redeliver), never a request from outside.
        bolt_request.headers.pop(REDELIVERY_HEADER, None)
        return await to_aiohttp_response(await adapter.bolt.async_dispatch(bolt_request))

    if settings.slack_signing_secret:
        # Without a secret (Socket Mode only) nothing could be verified: no HTTP route.
        secret = settings.slack_signing_secret.get_secret_value()
        web_app.router.add_post("/slack/events", events)
    flow = adapter.bolt.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            bolt_request = await to_bolt_request(request)
            return await to_aiohttp_response(await flow.handle_installation(bolt_request))

        async def oauth_redirect(request: web.Request) -> web.Response:
            bolt_request = await to_bolt_request(request)
            return await to_aiohttp_response(await flow.handle_callback(bolt_request))

        web_app.router.add_get(flow.install_path, install)
        web_app.router.add_get(flow.redirect_uri_path, oauth_redirect)
    if settings.slack_app_token:
        app_token = settings.slack_app_token.get_secret_value()
        handlers: list[Any] = []

        async def start(_: web.Application) -> None:
            # The Socket Mode client needs a running loop: build it here, not at mount.
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(adapter.bolt, app_token)
            handlers.append(handler)
            await handler.connect_async()  # type: ignore[no-untyped-call]

        async def stop(_: web.Application) -> None:
            for handler in handlers:  # first: no new events while answers drain
                await handler.close_async()

        web_app.on_startup.append(start)
        web_app.on_shutdown.insert(0, stop)
    return adapter


async def _unreadable(request: web.Request, secret: str) -> web.Response:
    """A body bolt cannot parse: 401 unless Slack signed it, else 400 saying why."""
    raw = await request.read()
    if not _signed(raw, request.headers, secret):
        return web.Response(status=401)
    log.info("refused a signed Slack request with an unreadable body (%d bytes)", len(raw))
    return web.Response(status=400, text="the body is not the UTF-8 JSON or form data Slack sends")


def _signed(raw: bytes, headers: Mapping[str, str], secret: str) -> bool:
    """Slack's request signature check, on the raw bytes (which need not be UTF-8)."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(time.time() - int(timestamp)) > SIGNATURE_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace"))
