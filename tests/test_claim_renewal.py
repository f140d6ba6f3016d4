"""A live replica's claims never look like a dead one's, however long its answers wait.

Only a claim its holder stopped renewing (the replica died) goes stale and is taken over
by the look for unanswered questions; a question whose answer waits in a queue, or went
out while its answered mark is still being written, is answered once.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.claims import EventClaims
from storage import Database, ProcessedEvents
from storage.events import new_claim_token

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
STALE = dt.timedelta(minutes=2)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def replica(database: Database, clock: Clock) -> tuple[ProcessedEvents, EventClaims]:
    events = ProcessedEvents(db=database, stale_after=STALE)
    return events, EventClaims(events, platform="teams", clock=clock)


def stale_ids(events: ProcessedEvents, now: dt.datetime) -> list[str]:
    """What another replica's look for unanswered questions takes at ``now``."""
    return [e.event_id for e in events.take_stale(now, token=new_claim_token())]


def test_a_claim_renewed_by_its_live_holder_is_not_taken_over(database: Database) -> None:
    clock = Clock()
    events, claims = replica(database, clock)

    async def scenario() -> list[list[str]]:
        assert await claims.claim("Ev-slow", payload="{}")
        seen = []
        for minutes in (1, 2, 3):  # its answer is still queued; the holder renews
            clock.now = T0 + dt.timedelta(minutes=minutes)
            assert await claims.renew() == {"Ev-slow"}
            seen.append(stale_ids(events, clock.now + dt.timedelta(seconds=90)))
        # The holder stops renewing (it died): taken over once stale.
        seen.append(stale_ids(events, clock.now + STALE + dt.timedelta(seconds=1)))
        return seen

    assert asyncio.run(scenario()) == [[], [], [], ["Ev-slow"]]


def test_an_answer_whose_mark_is_not_written_yet_is_not_sent_again(database: Database) -> None:
    clock = Clock()
    events, claims = replica(database, clock)

    async def scenario() -> bool:
        assert await claims.claim("Ev-sent", payload="{}")
        # The answer went out; the mark waits (a busy database) while the claim, not
        # renewed in time, is taken by this replica's own look for unanswered questions.
        later = T0 + STALE + dt.timedelta(seconds=1)
        (taken,) = events.take_stale(later, token="late-token")
        return await claims.claim(taken.event_id, payload=taken.payload, token="late-token")

    assert asyncio.run(scenario()) is False  # answered once, by the turn that sent it


def test_a_released_claim_is_not_renewed(database: Database) -> None:
    clock = Clock()
    events, claims = replica(database, clock)

    async def scenario() -> set[str]:
        assert await claims.claim("Ev-failed", payload="{}")
        await claims.release("Ev-failed")  # the send failed: answer it again soon
        return await claims.renew()

    assert asyncio.run(scenario()) == set()
    assert stale_ids(events, T0) == ["Ev-failed"]


def test_an_answered_claim_is_let_go_once_marked(database: Database) -> None:
    clock = Clock()
    events, claims = replica(database, clock)

    async def scenario() -> set[str]:
        assert await claims.claim("Ev-done", payload="{}")
        await claims.answered("Ev-done")
        return await claims.renew()

    assert asyncio.run(scenario()) == set()
    assert stale_ids(events, T0 + dt.timedelta(hours=1)) == []
    assert not events.claim("Ev-done", "teams", T0 + dt.timedelta(hours=1))
