"""The rest of a long answer, kept in the database for its "Show more" button.

Both adapters cut answers that exceed the platform's limits and store the rest under a
random token (in ``conversation_state``, so the button works after a restart and on any
replica); the scheduler prunes it after a week (``bot.scheduler.MORE_RETENTION``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable

from storage.state import ConversationStateStore


class Overflow:
    """Stored overflow of one platform.

    Args:
        state: The conversation state store.
        kind: The state kind (``slack-more``, ``teams-more``).
        clock: The time source.
    """

    def __init__(
        self, *, state: ConversationStateStore, kind: str, clock: Callable[[], dt.datetime]
    ) -> None:
        self._state = state
        self._kind = kind
        self._clock = clock

    async def keep(self, chunks: list[str]) -> str:
        """Store ``chunks``; the token for the "Show more" button."""
        token = uuid.uuid4().hex
        await asyncio.to_thread(
            self._state.put,
            f"{self._kind}:{token}",
            kind=self._kind,
            data={"chunks": chunks},
            now=self._clock(),
        )
        return token

    async def take(self, token: str) -> list[str] | None:
        """The chunks stored under ``token``; ``None`` once pruned (or never stored)."""
        stored = await asyncio.to_thread(self._state.get, f"{self._kind}:{token}")
        return None if stored is None else list(stored.data.get("chunks", []))
