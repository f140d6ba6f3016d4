"""The operator's view of ``personabot serve``: liveness and readiness."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp
from serving import served

from bot.settings import Settings

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


async def get(base: str, path: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(base + path) as response:
        return response.status, await response.json()


def test_health_and_readiness(tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'ready.db'}")
        async with served(settings, clock=lambda: NOW) as server:
            assert await get(server.base, "/healthz") == (200, {"status": "ok"})
            status, body = await get(server.base, "/readyz")
            assert status == 200 and body["checks"] == {"database": "ok", "content": "ok"}

    asyncio.run(scenario())


def test_not_ready_when_the_database_is_gone(tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'gone.db'}")
        async with served(settings, clock=lambda: NOW) as server:
            server.core.db.dispose()
            (tmp_path / "gone.db").unlink()  # the schema vanished under the running server
            status, body = await get(server.base, "/readyz")
            assert status == 503 and body["status"] == "not ready"
            assert body["checks"]["database"] != "ok"  # type: ignore[index]

    asyncio.run(scenario())
