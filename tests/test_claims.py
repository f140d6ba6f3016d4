"""Claims never hold a platform's acknowledgement hostage to a hanging database."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import Sequence

import pytest

import bot.claims
from bot.claims import EventClaims

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


class HangingEvents:
    """A repository whose database does not answer until released."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def claim_many(
        self, ids: Sequence[str], platform: str, now: dt.datetime, **_: object
    ) -> set[str]:
        self.release.wait(timeout=10)
        return set(ids)


def test_a_claim_the_database_does_not_answer_in_time_is_granted(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(bot.claims, "CLAIM_TIMEOUT", 0.05)
    events = HangingEvents()
    claims = EventClaims(events, platform="slack", clock=lambda: NOW)  # type: ignore[arg-type]

    async def scenario() -> bool:
        try:
            return await claims.claim("Ev1", payload="{}")
        finally:
            events.release.set()  # let the worker thread finish

    with caplog.at_level(logging.ERROR):
        assert asyncio.run(scenario()) is True  # answered rather than left waiting
    assert "claiming event Ev1 took over 0.05 s; answering it anyway" in caplog.text
