"""Claim platform event ids in batches, so each event is handled once across replicas.

Slack retries events and Teams may deliver an activity twice; the first claim of an id
anywhere (this process or another replica on the same database) wins. Claims arriving
within a few milliseconds share one database statement, so a burst costs one round trip.

Handlers mark an event *answered* once its answer went out, and *release* the claim
when sending failed, so a retry of that event is answered instead of skipped. Until then
the claim is *renewed* a few times per ``stale_after``: however long its answer waits in
a queue, it does not look like the claim of a dead replica, which a retry or the look
for unanswered questions (``bot.redelivery``) would take over and answer a second time.

When the database connection drops under a claim (a restart, a failover, connections
ended by the server), the claim is tried again on a fresh connection with the same batch
token, so it wins its own rows again. When it keeps dropping, or the database cannot be
reached at all, the claim is granted: the event is answered (its question is queued for
the log like any other), because a rare duplicate reply beats a lost one. Other failures
(a missing table, a bug) are handed to the caller.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from storage.db import is_unreachable, retry_on_disconnect
from storage.events import ProcessedEvents, new_claim_token

log = logging.getLogger(__name__)

# Claims arriving within this many seconds share one database round trip.
CLAIM_WINDOW = 0.001
# A claim that takes longer (a database that hangs) is given up: the event is answered.
CLAIM_TIMEOUT = 2.0
# Answered marks that could not be written are retried, at most this far apart.
MAX_MARK_BACKOFF = 5.0
# Held claims are renewed this many times per ``stale_after``.
RENEWALS_PER_STALE = 4
# A claim held unanswered this long is no longer renewed: its answer is presumed stuck,
# and the look for unanswered questions answers it.
MAX_HOLD = dt.timedelta(minutes=15)


class EventClaims:
    """Batching front of :class:`storage.events.ProcessedEvents` for an event loop.

    Args:
        events: The repository.
        platform: Which platform's ids these are.
        clock: The time source.
    """

    def __init__(
        self, events: ProcessedEvents, *, platform: str, clock: Callable[[], dt.datetime]
    ) -> None:
        self._events = events
        self._platform = platform
        self._clock = clock
        self._waiting: dict[str, list[asyncio.Future[bool]]] = {}
        self._payloads: dict[str, str] = {}
        # Event id → the token of the claim this process holds (to renew or release it)
        # and when it was taken.
        self._tokens: dict[str, str] = {}
        self._held_since: dict[str, dt.datetime] = {}
        self._renewing: asyncio.Task[None] | None = None
        self._flushing: asyncio.Task[None] | None = None
        self._answered: list[tuple[str, asyncio.Future[None]]] = []
        self._marking: asyncio.Task[None] | None = None

    async def claim(
        self, event_id: str, *, payload: str | None = None, token: str | None = None
    ) -> bool:
        """True for the first claim of ``event_id`` anywhere (this or another replica).

        Also True when the database cannot be reached (see the module's docstring).

        Args:
            event_id: The platform's event id.
            payload: The event as received (JSON): kept until :meth:`answered`, so a
                replica can answer it if this one dies first.
            token: For an event taken over by ``ProcessedEvents.take_stale``: the token
                it was taken with (its claim is then this replica's).
        """
        if token is not None:
            return await self._claim_taken(event_id, payload=payload, token=token)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if payload is not None:
            self._payloads[event_id] = payload
        self._waiting.setdefault(event_id, []).append(future)
        if self._flushing is None:
            self._flushing = asyncio.ensure_future(self._flush())
        try:
            # The platform is waiting for its acknowledgement (Slack gives up after 3 s):
            # a database that hangs must not hold it.
            return await asyncio.wait_for(asyncio.shield(future), CLAIM_TIMEOUT)
        except TimeoutError:
            log.error(
                "claiming event %s took over %s s; answering it anyway", event_id, CLAIM_TIMEOUT
            )
            return True

    async def _claim_taken(self, event_id: str, *, payload: str | None, token: str) -> bool:
        now = self._clock()
        if event_id in self._tokens:
            # Taken over (``token``) while its answer still waits here, the renewals
            # late: answered once, by the turn already queued, and renewed as ``token``.
            self._tokens[event_id] = token
            return False
        payloads = {event_id: payload} if payload is not None else None
        won = await asyncio.to_thread(
            retry_on_disconnect,
            lambda: self._events.claim_many(
                [event_id], self._platform, now, token=token, payloads=payloads
            ),
        )
        self._hold(won, token)
        return event_id in won

    async def answered(self, event_id: str) -> None:
        """Mark a claimed event answered (batched like claims); its retries are skipped.

        Never raises: marks the database refuses are kept and written again later (an
        unmarked claim would be answered again once stale). The claim stays held (and
        renewed) until its mark is written: answered is not yet stale.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._answered.append((event_id, future))
        if self._marking is None:
            self._marking = asyncio.ensure_future(self._mark())
        await future

    async def release(self, event_id: str) -> None:
        """Give up a claim whose answer failed: the question is answered again soon.

        By the platform's retry, or by the next look for unanswered questions
        (``bot.redelivery``); a claim another replica took over meanwhile is left alone.
        """
        token = self._let_go(event_id)
        if token is None:
            return  # not ours (granted without the database, or already released)
        now = self._clock()
        try:
            await asyncio.to_thread(
                retry_on_disconnect,
                lambda: self._events.release(event_id, token=token, now=now),
            )
        except Exception:  # noqa: BLE001 - the claim then goes stale and is taken over
            log.warning("could not release the claim of %s", event_id, exc_info=True)

    async def renew(self) -> set[str]:
        """Renew the claims this process holds unanswered; the ids renewed.

        Never raises: a renewal the database refuses is tried again next time.
        """
        now = self._clock()
        held = {
            event_id: token
            for event_id, token in self._tokens.items()
            if now - self._held_since.get(event_id, now) < MAX_HOLD
        }
        if not held:
            return set()
        try:
            return await asyncio.to_thread(
                retry_on_disconnect, lambda: self._events.renew(held, now)
            )
        except Exception:  # noqa: BLE001 - the next renewal comes soon
            log.warning("could not renew %d claims", len(held), exc_info=True)
            return set()

    def _hold(self, won: set[str], token: str) -> None:
        """Note claims won with ``token``; renew them until answered or released."""
        now = self._clock()
        for event_id in won:
            self._tokens[event_id] = token
            self._held_since.setdefault(event_id, now)
        if self._tokens and self._renewing is None:
            self._renewing = asyncio.ensure_future(self._renew_while_held())

    def _let_go(self, event_id: str) -> str | None:
        """Stop holding (and renewing) a claim; its token, if this process held it."""
        self._held_since.pop(event_id, None)
        return self._tokens.pop(event_id, None)

    async def _renew_while_held(self) -> None:
        every = self._events.stale_after.total_seconds() / RENEWALS_PER_STALE
        try:
            while self._tokens:
                await asyncio.sleep(every)
                await self.renew()
        finally:
            self._renewing = None

    async def _mark(self) -> None:
        # One write at a time: what arrives meanwhile shares the next one.
        try:
            await asyncio.sleep(CLAIM_WINDOW)
            delay = CLAIM_WINDOW
            while self._answered:
                batch, self._answered = self._answered, []
                if await self._mark_batch(batch):
                    delay = CLAIM_WINDOW
                else:  # kept for the next write, after a pause
                    self._answered[:0] = [(event_id, _done()) for event_id, _ in batch]
                    delay = min(max(delay * 2, 0.1), MAX_MARK_BACKOFF)
                    await asyncio.sleep(delay)
        finally:
            self._marking = None

    async def _mark_batch(self, batch: list[tuple[str, asyncio.Future[None]]]) -> bool:
        """Write one batch of answered marks; whether it was written.

        The waiting handlers go on either way: their answers went out.
        """
        ids, now = [event_id for event_id, _ in batch], self._clock()
        try:
            await asyncio.to_thread(retry_on_disconnect, lambda: self._events.answered(ids, now))
            written = True
            for event_id in ids:
                self._let_go(event_id)
        except Exception:  # noqa: BLE001 - see answered()
            log.warning("could not mark %d events answered; will retry", len(ids), exc_info=True)
            written = False
        for _, future in batch:
            if not future.done():
                future.set_result(None)
        return written

    async def _flush(self) -> None:
        # One write at a time: claims arriving meanwhile share the next one.
        try:
            await asyncio.sleep(CLAIM_WINDOW)  # let events arriving together share a batch
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                payloads, self._payloads = self._payloads, {}
                await self._claim_batch(batch, payloads)
        finally:
            self._flushing = None

    async def _claim_batch(
        self, batch: dict[str, list[asyncio.Future[bool]]], payloads: dict[str, str]
    ) -> None:
        # One token per batch: retried after a dropped connection, it wins its rows again.
        ids, now, token = list(batch), self._clock(), new_claim_token()
        try:
            won = await asyncio.to_thread(
                retry_on_disconnect,
                lambda: self._events.claim_many(
                    ids, self._platform, now, token=token, payloads=payloads
                ),
            )
        except Exception as exc:  # noqa: BLE001 - handed to every waiting handler
            if not is_unreachable(exc):
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                return
            log.error(
                "database unreachable (%s); answering %d events without a claim",
                type(getattr(exc, "orig", exc)).__name__,
                len(ids),
            )
            won = set(ids)
        else:
            self._hold(won, token)
        for event_id, futures in batch.items():
            first = event_id in won
            for future in futures:
                if not future.done():  # a handler cancelled meanwhile (shutdown)
                    future.set_result(first)
                    first = False


def _done() -> asyncio.Future[None]:
    """A future already resolved (for a mark nobody waits for any more)."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future
