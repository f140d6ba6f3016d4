"""Claim platform event ids in batches, so each event is handled once across replicas.

Slack retries events and Teams may deliver an activity twice; the first claim of an id
anywhere (this process or another replica on the same database) wins. Claims arriving
within a few milliseconds share one database statement, so a burst costs one round trip.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from storage.events import ProcessedEvents

# Claims arriving within this many seconds share one database round trip.
CLAIM_WINDOW = 0.005


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
        self._flushing: asyncio.Task[None] | None = None

    async def claim(self, event_id: str) -> bool:
        """True for the first claim of ``event_id`` anywhere (this or another replica)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(event_id, []).append(future)
        if self._flushing is None:
            self._flushing = asyncio.ensure_future(self._flush())
        return await future

    async def _flush(self) -> None:
        await asyncio.sleep(CLAIM_WINDOW)  # let events arriving together share the batch
        batch, self._waiting, self._flushing = self._waiting, {}, None
        try:
            won = await asyncio.to_thread(
                self._events.claim_many, list(batch), self._platform, self._clock()
            )
        except Exception as exc:  # noqa: BLE001 - handed to every waiting handler
            for futures in batch.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
            return
        for event_id, futures in batch.items():
            first = event_id in won
            for future in futures:
                if not future.done():  # a handler cancelled meanwhile (shutdown)
                    future.set_result(first)
                    first = False
