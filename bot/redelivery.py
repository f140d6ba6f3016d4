"""Answer late what a replica acknowledged but died before answering.

Slack and Teams never send an acknowledged request again, so the adapters store each
question with its claim before acknowledging it (``processed_events.payload``) and clear
it once answered. Every serving replica looks for questions left unanswered longer than
``PERSONABOT_REDELIVER_AFTER`` (their replica died: a crash, an out-of-memory kill, a
lost node) and answers them through the platform's adapter, as if the platform had sent
them again. Each is taken by exactly one replica (one conditional ``UPDATE``), at most
three times, and only within an hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from storage.db import Database, retry_on_disconnect
from storage.events import ProcessedEvents, new_claim_token

log = logging.getLogger(__name__)

#: Answers a stored event (its JSON payload) claimed with ``token``.
Redeliver = Callable[..., Awaitable[None]]

#: The longest pause between two looks for unanswered questions.
MAX_EVERY = 30.0
#: How long a stop waits for a look in progress to hand what it took to the adapters.
HAND_OVER_WITHIN = 5.0


class Redelivery:
    """Finds questions a dead replica left unanswered and answers them.

    Args:
        db: The database.
        clock: The time source.
        stale_after: How long a question may stay unanswered before it is presumed lost.
        adapters: The redeliver function of each platform this replica serves.
    """

    def __init__(
        self,
        *,
        db: Database,
        clock: Callable[[], dt.datetime],
        stale_after: dt.timedelta,
        adapters: Mapping[str, Redeliver],
    ) -> None:
        self._events = ProcessedEvents(db=db, stale_after=stale_after)
        self._clock = clock
        self._adapters = dict(adapters)
        self.every = max(0.2, min(MAX_EVERY, stale_after.total_seconds() / 4))
        self._task: asyncio.Task[None] | None = None
        self._looking: asyncio.Task[None] | None = None

    async def once(self) -> int:
        """Take the questions left unanswered and answer them; how many were taken."""
        if not self._adapters:
            return 0
        token, now = new_claim_token(), self._clock()
        platforms = sorted(self._adapters)
        taken = await asyncio.to_thread(
            retry_on_disconnect,
            lambda: self._events.take_stale(now, token=token, platforms=platforms),
        )
        for event in taken:
            log.warning(
                "answering %s event %s late: its replica stopped before answering",
                event.platform,
                event.event_id,
            )
            try:
                await self._adapters[event.platform](event.payload, token=token)
            except Exception:  # noqa: BLE001 - one bad event must not stop the others
                log.exception("could not answer %s event %s late", event.platform, event.event_id)
        return len(taken)

    def start(self) -> None:
        """Look now (a restart after a crash), then every :attr:`every` seconds."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._forever())

    async def stop(self) -> None:
        """Stop looking (first thing at shutdown: nothing new is taken while draining).

        Questions a look in progress already took are handed to their adapter first
        (within :data:`HAND_OVER_WITHIN` seconds), so the drain answers them: cut off,
        they would wait ``stale_after`` for another replica.
        """
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        looking, self._looking = self._looking, None
        if looking is not None and not looking.done():
            await asyncio.wait({looking}, timeout=HAND_OVER_WITHIN)
            looking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await looking

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Redelivery]:
        """:meth:`start` for the duration of the block."""
        self.start()
        try:
            yield self
        finally:
            await self.stop()

    async def _forever(self) -> None:
        while True:
            self._looking = asyncio.ensure_future(self._look())
            await asyncio.shield(self._looking)  # a stop lets it finish (see stop)
            await asyncio.sleep(self.every)

    async def _look(self) -> None:
        try:
            await self.once()
        except Exception as exc:  # noqa: BLE001 - the database is away; look later
            log.warning("could not look for unanswered questions: %s", type(exc).__name__)
