"""Fixtures for chat-level tests (see testbot.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from testbot import BotUnderTest, Clock, MakeBot, build_bot


@pytest.fixture
def make_bot(tmp_path: Path) -> MakeBot:
    """Build test bots; every bot built in one test shares the same database."""

    def make(
        *, content: Path | None = None, clock: Clock | None = None, user: str | None = None
    ) -> BotUnderTest:
        return build_bot(database=tmp_path / "bot.db", content=content, clock=clock, user=user)

    return make


@pytest.fixture
def bot(make_bot: MakeBot) -> BotUnderTest:
    """A test bot on the bundled example pack."""
    return make_bot()
