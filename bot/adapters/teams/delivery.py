"""How Teams requests are authenticated and answered.

botbuilder's authentication with reused connector clients, and one ordered lane of
turns per conversation. Split from the adapter so it stays about translating;
botbuilder stays inside this package (``bot/adapters/teams``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from bot.settings import Settings

log = logging.getLogger(__name__)


class Config:
    """botbuilder's conventional settings, from ours."""

    def __init__(self, settings: Settings) -> None:
        password = settings.microsoft_app_password
        self.APP_ID = settings.microsoft_app_id or ""
        self.APP_PASSWORD = password.get_secret_value() if password else ""
        self.APP_TYPE = settings.microsoft_app_type
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""


class ReusedConnectors(ConnectorFactory):  # type: ignore[misc]
    """A connector factory that hands out one connector client per service URL."""

    def __init__(self, inner: ConnectorFactory, clients: dict[tuple[Any, ...], Any]) -> None:
        self._inner = inner
        self._clients = clients

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        """A connector client for ``service_url``, reused across turns."""
        key = (getattr(self._inner, "_app_id", None), service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            self._clients[key] = client
        return client


class Authentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, with connector and token clients reused across turns."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self.clients: dict[tuple[Any, ...], Any] = {}
        self._token_clients: dict[str, UserTokenClient] = {}

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        """Validate the request's JWT (botbuilder); raises on a bad token."""
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = ReusedConnectors(result.connector_factory, self.clients)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        """As botbuilder does for streaming requests."""
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        """A factory that hands out reused connector clients."""
        return ReusedConnectors(self._inner.create_connector_factory(claims_identity), self.clients)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        """A user-token client per app id, reused."""
        app_id = str(claims_identity.claims.get("appid") or claims_identity.claims.get("azp"))
        client = self._token_clients.get(app_id)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._token_clients[app_id] = client
        return client

    def create_bot_framework_client(self) -> Any:
        """As botbuilder does."""
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        """As botbuilder does."""
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        """As botbuilder does for channel requests."""
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close every connector and token client."""
        for client in [*self.clients.values(), *self._token_clients.values()]:
            inner = getattr(client, "_client", client)
            with contextlib.suppress(Exception):
                await inner.__aexit__(None, None, None)
        self.clients.clear()
        self._token_clients.clear()


# Turns one conversation may have waiting before the server answers 503 (busy).
MAX_LANE = 50


def is_loopback(service_url: str | None) -> bool:
    """Whether ``service_url`` points at this machine (local mode answers only those)."""
    if not isinstance(service_url, str):
        return False
    try:
        parts = urlsplit(service_url)
        host = parts.hostname or ""
    except ValueError:  # e.g. an unclosed "[::1"
        return False
    if parts.scheme not in ("http", "https"):
        return False  # the connector client speaks nothing else
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


class Lanes:
    """One queue per conversation: its jobs run one after another, in arrival order."""

    def __init__(self) -> None:
        self._lanes: dict[str, collections.deque[Callable[[], Awaitable[None]]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, key: str, job: Callable[[], Awaitable[None]]) -> bool:
        """Queue ``job`` in its conversation's lane; False when the lane is full."""
        lane = self._lanes.get(key)
        if lane is not None:
            if len(lane) >= MAX_LANE:
                return False
            lane.append(job)
            return True
        self._lanes[key] = collections.deque([job])
        task = asyncio.ensure_future(self._drain(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _drain(self, key: str) -> None:
        lane = self._lanes[key]
        try:
            while lane:
                job = lane.popleft()
                try:
                    await job()
                except Exception:  # noqa: BLE001 - one turn's failure never stops the lane
                    log.exception("teams turn failed in conversation %s", key)
        finally:
            del self._lanes[key]

    async def idle(self, timeout: float | None = None) -> None:
        """Wait until every queued job has run."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._tasks:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                dropped = sum(len(lane) for lane in self._lanes.values())
                log.warning("shutting down with %d Teams turns unanswered", dropped)
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)
                return
            await asyncio.wait(set(self._tasks), timeout=left)
