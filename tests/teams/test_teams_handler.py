"""The Teams ActivityHandler on botbuilder's own TestAdapter (no HTTP, no connector)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes
from cards import adaptive_attachments, assert_valid_card

from bot.adapters.teams.adapter import TeamsAdapter
from bot.adapters.teams.cards import DATA_KEY
from bot.app import build_app
from bot.settings import Settings

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)


def card_text(activity: Activity) -> str:
    (card,) = adaptive_attachments({"attachments": [a.serialize() for a in activity.attachments]})
    assert_valid_card(card)
    return "\n".join(e.get("text", "") for e in card["body"]).replace("\\", "")


def test_the_handler_answers_text_and_submits_on_botbuilders_test_adapter(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}")
    core = build_app(settings, clock=lambda: NOW)
    teams = TeamsAdapter(core=core, settings=settings)
    seen: list[Any] = []

    def oskar(activity: Activity, description: str | None = None) -> None:
        seen.append(activity)
        assert "Operations Director Oskar" in card_text(activity)

    def frida(activity: Activity, description: str | None = None) -> None:
        assert "CFO Frida" in card_text(activity)

    async def main() -> None:
        adapter = TestAdapter(teams.bot.on_turn)
        await (await adapter.send("who is Oskar?")).assert_reply(oskar)
        click = Activity(type=ActivityTypes.message, value={DATA_KEY: "persona:cfo-frida"})
        await (await adapter.send(click)).assert_reply(frida)

    try:
        asyncio.run(main())
    finally:
        core.db.dispose()
    assert seen
