"""Deduplication of platform events (Slack retries the same event id)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ProcessedEventRow


class ProcessedEvents:
    """Remembers which event ids were handled.

    Args:
        db: The database.

    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def claim(self, event_id: str, platform: str, now: dt.datetime) -> bool:
        """Claim ``event_id`` for handling; only the first claim anywhere wins.

        Race-safe across processes: the primary key makes concurrent inserts of the same
        id fail for all but one.

        Args:
            event_id: The platform's event id.
            platform: ``"slack"``, ``"teams"``, ...
            now: Timezone-aware time the event was received.

        Returns:
            True if this call claimed it (handle the event), False if it already was.

        """
        try:
            with self._db.session() as session:
                session.execute(
                    insert(ProcessedEventRow).values(
                        event_id=event_id, platform=platform, received_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

    def claim_many(self, event_ids: Sequence[str], platform: str, now: dt.datetime) -> set[str]:
        """Claim several event ids in one statement; returns those this call claimed.

        Same guarantee as :meth:`claim` (only the first claim anywhere wins), for a
        server that gathers the events arriving together into one round trip.
        """
        # Sorted: two replicas inserting overlapping batches take row locks in one order.
        ids = sorted(set(event_ids))
        if not ids:
            return set()
        insert_for = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        stmt = (
            insert_for(ProcessedEventRow)
            .values([{"event_id": i, "platform": platform, "received_at": now} for i in ids])
            .on_conflict_do_nothing(index_elements=[ProcessedEventRow.event_id])
            .returning(ProcessedEventRow.event_id)
        )
        with self._db.session() as session:
            return set(session.scalars(stmt))

    def prune(self, *, before: dt.datetime) -> int:
        """Forget events received before ``before``; returns how many were deleted."""
        with self._db.session() as session:
            result = session.execute(
                delete(ProcessedEventRow).where(ProcessedEventRow.received_at < before)
            )
        return int(getattr(result, "rowcount", 0) or 0)
