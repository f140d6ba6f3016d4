"""The scheduler: jobs run only on the replica holding the lease; takeover; housekeeping.

Ticks and job runs are driven directly with an injected clock (APScheduler's timer is
only the trigger in production), so nothing here waits for time to pass.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from bot.router import CHOICES, CHOICES_TTL
from bot.scheduler import (
    EVENTS_RETENTION,
    MORE_KINDS,
    MORE_RETENTION,
    TTL,
    Job,
    Scheduler,
    housekeeping_jobs,
)
from storage import ConversationStateStore, Database, ProcessedEvents
from storage.lease import Lease, Leases

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
T = TypeVar("T")


class Clock:
    """A clock that only moves when told to."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


class Runs:
    """A job that records which replica ran it, when and under which lease generation."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dt.datetime, int]] = []
        self._lock = threading.Lock()

    def job(self, replica: str, *, name: str = "count") -> Job:
        def run(now: dt.datetime, lease: Lease) -> int:
            with self._lock:
                self.seen.append((replica, now, lease.generation))
            return 1

        return Job(name=name, every=dt.timedelta(minutes=5), run=run)

    def by(self, replica: str) -> int:
        return sum(1 for who, _, _ in self.seen if who == replica)


def scenario(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(work())


def replicas(database: Database, clock: Clock, runs: Runs) -> tuple[Scheduler, Scheduler]:
    """Two replicas, ``a`` and ``b``, each with a job ``count`` recorded in ``runs``."""
    a, b = (
        Scheduler(db=database, clock=clock, jobs=[runs.job(name)], holder=name)
        for name in ("a", "b")
    )
    return a, b


def test_only_the_replica_holding_the_lease_runs_the_jobs(database: Database) -> None:
    clock, runs = Clock(T0), Runs()

    async def main() -> None:
        a, b = replicas(database, clock, runs)
        assert await a.tick()
        assert not await b.tick()
        await a.settle()  # becoming the scheduler runs every job once

        assert await a.run("count")
        assert not await b.run("count")
        assert a.is_scheduler() and not b.is_scheduler()

    scenario(main)
    assert [who for who, _, _ in runs.seen] == ["a", "a"]


def test_the_scheduler_keeps_the_lease_while_it_renews(database: Database) -> None:
    clock, runs = Clock(T0), Runs()

    async def main() -> None:
        a, b = replicas(database, clock, runs)
        await a.tick()
        await a.settle()
        for _ in range(9):  # three whole ttls, both ticking every ttl/3
            clock.advance(TTL / 3)
            assert await a.tick()
            assert not await b.tick()
            assert await a.run("count")
            assert not await b.run("count")
        await a.settle()

    scenario(main)
    assert runs.by("a") == 10
    assert runs.by("b") == 0


def test_another_replica_takes_over_when_the_scheduler_dies(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock, runs = Clock(T0), Runs()
    caplog.set_level(logging.INFO, logger="bot.scheduler")

    async def main() -> None:
        a, b = replicas(database, clock, runs)
        await a.tick()
        await a.settle()
        # "a" dies: it stops ticking. "b" keeps trying every ttl/3.
        for _ in range(2):
            clock.advance(TTL / 3)
            assert not await b.tick()
        clock.advance(TTL / 3)
        assert await b.tick()  # the lease expired: taken over
        await b.settle()

        # "a" comes back from a long pause: it must not act, and notices it lost.
        assert not await a.run("count")
        assert not await a.tick()
        assert not a.is_scheduler()
        assert await b.run("count")

    scenario(main)
    assert runs.seen == [("a", T0, 1), ("b", T0 + TTL, 2), ("b", T0 + TTL, 2)]
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.scheduler"]
    assert messages == [
        "this replica (a) is now the scheduler (lease 'scheduler', generation 1)",
        "job count done: 1",
        "this replica (b) is now the scheduler (lease 'scheduler', generation 2)",
        "job count done: 1",
        "this replica (a) is no longer the scheduler: another replica holds the lease",
        "job count done: 1",
    ]


def test_a_scheduler_that_cannot_renew_in_time_stops_running_jobs(database: Database) -> None:
    clock, runs = Clock(T0), Runs()

    async def main() -> None:
        a, _ = replicas(database, clock, runs)
        await a.tick()
        await a.settle()
        clock.advance(TTL)  # no tick got through in a whole ttl (e.g. a stalled loop)

        assert not a.is_scheduler()
        assert not await a.run("count")
        # Nobody took it meanwhile, so the next tick carries on under the same lease.
        assert await a.tick()
        assert await a.run("count")

    scenario(main)
    assert runs.seen == [("a", T0, 1), ("a", T0 + TTL, 1)]


def test_stopping_hands_the_lease_over_at_once(database: Database) -> None:
    clock, runs = Clock(T0), Runs()

    async def main() -> None:
        a, b = replicas(database, clock, runs)
        async with a.running():
            assert a.is_scheduler()
            assert not await b.tick()
        assert not a.is_scheduler()
        assert not await a.run("count")
        assert await b.tick()  # same instant: no waiting for the ttl
        await b.settle()

    scenario(main)
    assert [who for who, _, _ in runs.seen] == ["a", "b"]
    current = Leases(db=database).current("scheduler")
    assert current is not None and current.holder == "b"


def test_apschedulers_timer_drives_the_renewals_and_the_jobs(database: Database) -> None:
    clock = Clock(T0)
    ran_after_renewal = threading.Event()

    def job(now: dt.datetime, lease: Lease) -> None:
        if now > T0:
            ran_after_renewal.set()

    async def main() -> bool:
        # A short ttl so the timer ticks every 0.1 s and fires the job every 0.1 s.
        every = dt.timedelta(milliseconds=100)
        a = Scheduler(
            db=database, clock=clock, jobs=[Job(name="j", every=every, run=job)], ttl=3 * every
        )
        async with a.running():
            # Past the lease's expiry: the job can only run again once a timer tick renewed it.
            clock.advance(2 * TTL)
            return await asyncio.to_thread(ran_after_renewal.wait, 10)

    assert scenario(main)
    current = Leases(db=database).current("scheduler")
    assert current is not None and current.expires_at == clock.now  # released at stop


def test_a_failing_job_is_logged_and_the_others_still_run(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock, runs = Clock(T0), Runs()

    def broken(now: dt.datetime, lease: Lease) -> None:
        raise RuntimeError("disk full")

    async def main() -> None:
        jobs = [Job(name="broken", every=TTL, run=broken), runs.job("a")]
        a = Scheduler(db=database, clock=clock, jobs=jobs, holder="a")
        await a.tick()
        await a.settle()
        assert await a.run("broken")
        assert await a.tick()

    scenario(main)
    assert runs.by("a") == 1
    failures = [r for r in caplog.records if r.getMessage() == "job broken failed"]
    assert len(failures) == 2
    assert all(r.exc_info and "disk full" in str(r.exc_info[1]) for r in failures)


def test_an_unreachable_database_is_one_warning_and_no_scheduler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = Database(url="postgresql://nobody@127.0.0.1:1/none")
    runs = Runs()

    async def main() -> list[bool]:
        a = Scheduler(db=unreachable, clock=Clock(T0), jobs=[runs.job("a")], holder="a")
        return [await a.tick(), await a.tick(), await a.run("count")]

    try:
        assert scenario(main) == [False, False, False]
    finally:
        unreachable.dispose()
    assert runs.seen == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "could not renew or acquire the scheduler lease (jobs stop when it expires): "
        "OperationalError"
    ]


def test_job_names_must_be_unique(database: Database) -> None:
    runs = Runs()
    with pytest.raises(ValueError, match="unique"):
        Scheduler(db=database, clock=Clock(T0), jobs=[runs.job("a"), runs.job("b")])


def test_housekeeping_prunes_old_rows_and_keeps_fresh_ones(database: Database) -> None:
    now = T0 + dt.timedelta(days=30)
    events = ProcessedEvents(db=database)
    for event_id, age in (("old", EVENTS_RETENTION + SECOND), ("fresh", EVENTS_RETENTION)):
        assert events.claim(event_id, "slack", now - age)
        events.answered([event_id], now - age)
    state = ConversationStateStore(db=database)
    rows = {
        "choices:old": (CHOICES, CHOICES_TTL + SECOND),
        "choices:fresh": (CHOICES, CHOICES_TTL - SECOND),
        **{f"{kind}:old": (kind, MORE_RETENTION + SECOND) for kind in MORE_KINDS},
        **{f"{kind}:fresh": (kind, MORE_RETENTION - SECOND) for kind in MORE_KINDS},
        "quiz:ancient": ("quiz", dt.timedelta(days=29)),  # a kind housekeeping leaves alone
    }
    for key, (kind, age) in rows.items():
        state.put(key, kind=kind, data={"k": key}, now=now - age)

    async def main() -> None:
        a = Scheduler(db=database, clock=Clock(now), jobs=housekeeping_jobs(database))
        assert await a.tick()
        await a.settle()

    scenario(main)
    kept = {key for key in rows if state.get(key) is not None}
    assert kept == {"choices:fresh", "quiz:ancient"} | {f"{k}:fresh" for k in MORE_KINDS}
    # The old event id is forgotten: a new claim of it succeeds; the fresh one is kept.
    assert events.claim("old", "slack", now)
    assert not events.claim("fresh", "slack", now)


def test_housekeeping_knows_the_show_more_kinds_of_both_adapters() -> None:
    from bot.adapters.slack.adapter import MORE_KIND as SLACK_MORE
    from bot.adapters.teams.adapter import MORE_KIND as TEAMS_MORE

    assert set(MORE_KINDS) == {SLACK_MORE, TEAMS_MORE}
