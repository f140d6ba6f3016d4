"""The operator's view of ``personabot serve``: liveness and readiness."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp
from serving import served

from bot.scheduler import LEASE
from bot.settings import Settings
from storage import Database, Leases

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


ANY_READY = {"status": "ok", "checks": {"database": "ok", "content": "ok"}}


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


def test_one_of_two_replicas_is_the_scheduler_and_hands_over_when_it_stops(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'shared.db'}")
        leases = None
        async with served(settings, clock=lambda: NOW) as first:
            leases = Leases(db=first.core.db)
            held = leases.current(LEASE)
            assert held is not None and held.valid_at(NOW)
            async with served(settings, clock=lambda: NOW) as second:
                # The second replica serves too, but does not take the lease.
                assert await get(second.base, "/readyz") == (200, ANY_READY)
                assert leases.current(LEASE) == held
        # Both stopped: the holder released the lease, so the next replica takes it at once.
        after = Leases(db=Database(url=settings.database_url)).current(LEASE)
        assert after is not None and after.holder == held.holder and not after.valid_at(NOW)

    asyncio.run(scenario())
