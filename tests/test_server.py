"""The operator's view of ``personabot serve``: liveness and readiness."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import build_app
from bot.server import build_web_app
from bot.settings import Settings

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


async def get(web_app: web.Application, path: str) -> tuple[int, dict[str, object]]:
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}{path}") as response,
        ):
            return response.status, await response.json()
    finally:
        await runner.cleanup()


def test_health_and_readiness(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ready.db'}")
    core = build_app(settings, clock=lambda: NOW)
    assert asyncio.run(get(build_web_app(core, settings), "/healthz")) == (200, {"status": "ok"})
    core = build_app(settings, clock=lambda: NOW)
    status, body = asyncio.run(get(build_web_app(core, settings), "/readyz"))
    assert status == 200 and body["checks"] == {"database": "ok", "content": "ok"}


def test_not_ready_when_the_database_is_gone(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'gone.db'}")
    core = build_app(settings, clock=lambda: NOW)
    core.db.dispose()
    (tmp_path / "gone.db").unlink()  # the schema vanished under the running server
    status, body = asyncio.run(get(build_web_app(core, settings), "/readyz"))
    assert status == 503 and body["status"] == "not ready"
    assert body["checks"]["database"] != "ok"  # type: ignore[index]
