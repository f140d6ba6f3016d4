"""Mount the Teams adapter on the aiohttp server: ``POST /api/messages``."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.adapters.teams.adapter import TeamsAdapter
from bot.app import App
from bot.settings import Settings

log = logging.getLogger(__name__)

TEAMS = web.AppKey("teams", TeamsAdapter)


def mount_teams(web_app: web.Application, *, core: App, settings: Settings) -> TeamsAdapter:
    """Serve Teams (the Bot Framework messaging endpoint) at ``POST /api/messages``."""
    adapter = TeamsAdapter(core=core, settings=settings)
    if adapter.local:
        log.warning(
            "Teams in LOCAL MODE: MicrosoftAppId is not set, so requests to /api/messages "
            "are NOT authenticated; set MicrosoftAppId and MicrosoftAppPassword in production"
        )
    web_app[TEAMS] = adapter

    async def close(_: web.Application) -> None:
        await adapter.close()

    # The server drains the lanes at shutdown (TeamsAdapter.drain); then this closes.
    web_app.on_cleanup.append(close)
    web_app.router.add_post("/api/messages", adapter.handle)
    return adapter
