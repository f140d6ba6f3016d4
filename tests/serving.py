"""Our real server, wired and listening on a free port of 127.0.0.1, for HTTP tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from bot.app import App, build_app
from bot.server import build_web_app
from bot.settings import Settings


@dataclass
class Served:
    """The running bot: its core, its aiohttp app and its base URL."""

    core: App
    web_app: web.Application
    base: str


@asynccontextmanager
async def served(settings: Settings, *, clock: Callable[[], dt.datetime]) -> AsyncIterator[Served]:
    """Build the app from ``settings`` and serve it until the block ends."""
    core = build_app(settings, clock=clock)
    web_app = build_web_app(core, settings)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Served(core, web_app, f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()
        core.db.dispose()
