"""Periodic jobs that exactly one replica of a deployment runs: the holder of a lease.

Every replica runs a :class:`Scheduler`. Every ``ttl / 3`` it renews (or tries to
acquire) the database lease ``"scheduler"`` (:mod:`storage.lease`); only while it holds
an unexpired lease does it run the registered jobs. A replica that dies stops renewing,
its lease expires after ``ttl`` and the next replica to tick takes over; a replica that
shuts down releases the lease so another takes over at its next tick. A replica whose
renewal fails (taken over, or the database unreachable until the lease expired) stops
running jobs at once and logs it.

APScheduler's :class:`AsyncIOScheduler` is the timer: it calls :meth:`Scheduler.tick`
and each job's interval on the event loop. Whether a job may run and the time it is
given come from the injected clock, so tests drive :meth:`Scheduler.tick` and
:meth:`Scheduler.run` directly. Jobs run in a worker thread (``asyncio.to_thread``): a
slow database never stalls answering. When a replica becomes the scheduler it runs every
job once at once, so a deployment restarted more often than a job's interval still
runs it.

Jobs get the lease they run under; work that must happen exactly once (sends) keeps its
state in the database and fences its writes with :func:`storage.lease.held`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App, Clock
from bot.digest_job import digest_jobs
from bot.feedback_job import feedback_jobs
from bot.people import PersonPort
from bot.review_job import ReviewReport, review_job
from bot.router import CHOICES, CHOICES_TTL
from bot.timers import Sender, fire_due
from storage.db import Database
from storage.events import ProcessedEvents
from storage.lease import Lease, Leases
from storage.state import ConversationStateStore
from storage.timers import Timers

log = logging.getLogger(__name__)

#: The lease that makes a replica the scheduler.
LEASE = "scheduler"
#: How long the lease lasts without renewal; renewed every third of it.
TTL = dt.timedelta(seconds=30)
#: How often the housekeeping jobs run.
PRUNE_EVERY = dt.timedelta(hours=1)
#: How long event ids are remembered for deduplication (platforms retry within minutes).
EVENTS_RETENTION = dt.timedelta(days=1)
#: How long a "Show more" button keeps working.
MORE_RETENTION = dt.timedelta(days=7)
#: The state kinds of stored "Show more" overflow (``MORE_KIND`` of each adapter).
MORE_KINDS = ("slack-more", "teams-more")

#: A job: called in a worker thread with the current time and the lease it runs under.
JobFunction = Callable[[dt.datetime, Lease], object]
#: A job that sends (awaits the platforms): run on the event loop instead.
AsyncJobFunction = Callable[[dt.datetime, Lease], Awaitable[object]]
#: How often due timers are fired (a live quiz's reveal is at most this late).
TIMERS_EVERY = dt.timedelta(seconds=1)
#: How often the review job looks for due personas, reminders and escalations.
REVIEWS_EVERY = dt.timedelta(minutes=1)
#: How long done timers are kept.
TIMERS_RETENTION = dt.timedelta(days=7)


@dataclass(frozen=True, kw_only=True)
class Job:
    """A periodic job.

    Attributes:
        name: Unique name, used in logs.
        every: How often it runs (on the scheduler replica).
        run: The work; may block (it runs in a thread); its result is logged.
        on_loop: ``run`` is a coroutine function run on the event loop (work that
            sends through the platforms' async clients; it must not block).

    """

    name: str
    every: dt.timedelta
    run: JobFunction | AsyncJobFunction
    on_loop: bool = False


class Scheduler:
    """Runs ``jobs`` on this replica while it holds the lease ``lease_name``.

    Args:
        db: The database holding the lease.
        clock: The time source (timezone-aware).
        jobs: The periodic jobs.
        holder: This replica's name in the lease; unique per process by default.
        ttl: How long the lease lasts without renewal.
        lease_name: The lease's name (one scheduler per name and database).

    """

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        jobs: Sequence[Job],
        holder: str | None = None,
        ttl: dt.timedelta = TTL,
        lease_name: str = LEASE,
    ) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._leases = Leases(db=db)
        self._clock = clock
        self._jobs = {job.name: job for job in jobs}
        self._ttl = ttl
        self._name = lease_name
        self._lease: Lease | None = None
        self._reported: Lease | None = None  # the lease we last said we schedule under
        self._failing = False
        self._stopped = False
        self._ticking = asyncio.Lock()
        self._running: dict[str, asyncio.Task[bool]] = {}
        self._tick: asyncio.Task[bool] | None = None
        self._timer: AsyncIOScheduler | None = None

    @property
    def jobs(self) -> list[Job]:
        """The registered jobs."""
        return list(self._jobs.values())

    def is_scheduler(self) -> bool:
        """Tell whether this replica holds an unexpired lease right now."""
        return self._active(self._clock()) is not None

    async def tick(self) -> bool:
        """Renew the lease, or try to acquire it; run every job once on becoming scheduler.

        Returns:
            Whether this replica is the scheduler now.

        """
        async with self._ticking:
            if self._stopped:
                return False
            now = self._clock()
            try:
                self._lease = await asyncio.to_thread(self._lease_step, self._lease, now)
            except Exception as exc:  # noqa: BLE001 - keep the lease until it expires
                if not self._failing:
                    log.warning(
                        "could not renew or acquire the %s lease (jobs stop when it expires): %s",
                        self._name,
                        type(exc).__name__,
                    )
                self._failing = True
            else:
                self._failing = False
            return self._note(now)

    async def run(self, name: str) -> bool:
        """Run the job ``name`` now if this replica is the scheduler and it is not running.

        Returns:
            Whether it ran (a failure is logged and counts as run).

        """
        task = self._spawn(name)
        return False if task is None else await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait for every job run in progress to finish."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def start(self) -> None:
        """Settle the lease once, then tick and run the jobs on APScheduler's timer."""
        await self.tick()
        # APScheduler logs every run at INFO (a line every few seconds); keep its
        # warnings (missed runs) unless logging was configured for it on purpose.
        timer_log = logging.getLogger("apscheduler")
        if timer_log.level == logging.NOTSET:
            timer_log.setLevel(logging.WARNING)
        timer = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        every = self._ttl.total_seconds() / 3
        timer.add_job(self._fire_tick, "interval", seconds=every, id="lease", name="lease")
        for job in self._jobs.values():
            seconds = job.every.total_seconds()
            timer.add_job(
                self._fire, "interval", seconds=seconds, args=[job.name], id=job.name, name=job.name
            )
        timer.start()
        self._timer = timer

    async def stop(self) -> None:
        """Stop the timer, let running jobs finish and release the lease to another replica."""
        if self._timer is not None and self._timer.running:
            self._timer.shutdown(wait=False)
        self._timer = None
        async with self._ticking:
            self._stopped = True
            await self.settle()
            lease, self._lease = self._lease, None
            now = self._clock()
            if lease is not None:
                try:
                    await asyncio.to_thread(self._leases.release, lease, now=now)
                except Exception as exc:  # noqa: BLE001 - it expires on its own after ttl
                    log.warning("could not release the %s lease: %s", self._name, exc)
            self._note(now, reason="this replica is stopping")

    @contextlib.asynccontextmanager
    async def running(self, *, stop_within: float | None = None) -> AsyncIterator[Scheduler]:
        """:meth:`start` on entry, :meth:`stop` on exit (for aiohttp's ``cleanup_ctx``).

        Args:
            stop_within: Seconds the stop may take (a running job is waited for); past
                them the lease is left to lapse after its time-to-live.
        """
        await self.start()
        try:
            yield self
        finally:
            try:
                await asyncio.wait_for(self.stop(), stop_within)
            except TimeoutError:
                log.warning("the scheduler did not stop in %s s; its lease lapses", stop_within)

    def _lease_step(self, lease: Lease | None, now: dt.datetime) -> Lease | None:
        if lease is not None:
            renewed = self._leases.renew(lease, ttl=self._ttl, now=now)
            if renewed is not None:
                return renewed
        return self._leases.acquire(self._name, holder=self.holder, ttl=self._ttl, now=now)

    def _active(self, now: dt.datetime) -> Lease | None:
        lease = self._lease
        return lease if lease is not None and lease.valid_at(now) else None

    def _note(self, now: dt.datetime, *, reason: str | None = None) -> bool:
        """Log becoming or no longer being the scheduler; start catch-up runs on becoming."""
        active = self._active(now)
        reported = self._reported
        if reported is not None and (active is None or active.generation != reported.generation):
            if reason is None:
                reason = (
                    "another replica holds the lease"
                    if self._lease is None
                    else "the lease expired before it could be renewed"
                    if active is None
                    else "the lease was lost and taken again"
                )
            log.info("this replica (%s) is no longer the scheduler: %s", self.holder, reason)
            self._reported = None
        if active is not None and self._reported is None:
            log.info(
                "this replica (%s) is now the scheduler (lease %r, generation %d)",
                self.holder,
                self._name,
                active.generation,
            )
            self._reported = active
            for name in self._jobs:
                self._spawn(name)
        return active is not None

    async def _fire_tick(self) -> None:
        """The timer's entry point for :meth:`tick`.

        The tick runs in a task of our own: APScheduler cancels its tasks at shutdown,
        and a tick cancelled while its renewal is being committed would leave the lease
        held (renewed) after :meth:`stop` released it.
        """
        if self._tick is None or self._tick.done():
            self._tick = asyncio.ensure_future(self.tick())

    async def _fire(self, name: str) -> None:
        """The timer's entry point for a job (a coroutine, so it runs on the event loop)."""
        self._spawn(name)

    def _spawn(self, name: str) -> asyncio.Task[bool] | None:
        """Start a run of ``name`` in the background unless one is in progress."""
        if name in self._running:
            return None
        task = asyncio.ensure_future(self._run(self._jobs[name]))
        self._running[name] = task
        task.add_done_callback(lambda _: self._running.pop(name, None))
        return task

    async def _run(self, job: Job) -> bool:
        now = self._clock()
        lease = self._active(now)
        if lease is None or self._stopped:
            log.debug("job %s skipped: this replica is not the scheduler", job.name)
            return False
        try:
            if job.on_loop:
                result: Any = await job.run(now, lease)  # type: ignore[misc]
            else:
                result = await asyncio.to_thread(job.run, now, lease)
        except Exception:  # noqa: BLE001 - one failing run must not stop the scheduler
            log.exception("job %s failed", job.name)
            return True
        log.log(logging.INFO if result else logging.DEBUG, "job %s done: %s", job.name, result)
        return True


def housekeeping_jobs(db: Database) -> list[Job]:
    """The jobs that keep tables from growing without bound.

    - ``prune-processed-events``: forget event ids older than :data:`EVENTS_RETENTION`.
    - ``prune-conversation-state``: delete pending choices older than the router's
      ``CHOICES_TTL`` (they have expired) and "Show more" overflow older than
      :data:`MORE_RETENTION`. Other kinds (quizzes, role-play) are left alone.
    """
    events = ProcessedEvents(db=db)
    state = ConversationStateStore(db=db)

    def prune_events(now: dt.datetime, _lease: Lease) -> int:
        return events.prune(before=now - EVENTS_RETENTION)

    def prune_state(now: dt.datetime, _lease: Lease) -> int:
        pruned = state.prune(kind=CHOICES, before=now - CHOICES_TTL)
        for kind in MORE_KINDS:
            pruned += state.prune(kind=kind, before=now - MORE_RETENTION)
        return pruned

    return [
        Job(name="prune-processed-events", every=PRUNE_EVERY, run=prune_events),
        Job(name="prune-conversation-state", every=PRUNE_EVERY, run=prune_state),
    ]


def timer_jobs(core: App, senders: Mapping[str, Sender]) -> list[Job]:
    """Fire due timers (``fire-timers``, every second) and forget old ones (hourly)."""
    timers = Timers(db=core.db)

    async def fire(now: dt.datetime, _lease: Lease) -> int:
        return await fire_due(timers, handlers=core.timer_handlers, senders=senders, now=now)

    def prune(now: dt.datetime, _lease: Lease) -> int:
        return timers.prune(before=now - TIMERS_RETENTION)

    return [
        Job(name="fire-timers", every=TIMERS_EVERY, run=fire, on_loop=True),
        Job(name="prune-timers", every=PRUNE_EVERY, run=prune),
    ]


def sweep_jobs(core: App) -> list[Job]:
    """The capabilities' hourly housekeeping (``sweeps``), e.g. abandoned role-plays."""

    def sweep(now: dt.datetime, _lease: Lease) -> int:
        done = 0
        for step in core.sweeps:
            result = step(now)
            done += result if isinstance(result, int) else 0
        return done

    return [Job(name="sweeps", every=PRUNE_EVERY, run=sweep)] if core.sweeps else []


def review_jobs(core: App, people: Sequence[PersonPort]) -> list[Job]:
    """Review prompts, reminders and escalations (``reviews``, every minute)."""
    if core.reviews is None or not people:
        return []
    job = review_job(core, people)

    async def run(now: dt.datetime, _lease: Lease) -> ReviewReport:
        return await job.run(now)

    return [Job(name="reviews", every=REVIEWS_EVERY, run=run, on_loop=True)]


def build_scheduler(
    core: App,
    senders: Mapping[str, Sender] | None = None,
    people: Sequence[PersonPort] = (),
) -> Scheduler:
    """The scheduler of a serving replica.

    Its jobs: housekeeping, timers sent through ``senders``, review prompts sent to
    people through ``people``, and the weekly digest posted through ``senders``.
    """
    jobs = housekeeping_jobs(core.db) + timer_jobs(core, senders or {}) + review_jobs(core, people)
    jobs += digest_jobs(core, senders or {}) + sweep_jobs(core) + feedback_jobs(core, people)
    return Scheduler(db=core.db, clock=core.clock, jobs=jobs)
