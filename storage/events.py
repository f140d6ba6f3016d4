"""Deduplication of platform events (Slack retries the same event id, Teams may resend).

An event is *claimed* by the replica that handles it, then marked *answered* once its
answer went out. The first claim of an id anywhere wins; a later delivery of the same id
(a retry) is skipped — unless the claim went stale unanswered (its replica died, or
released it because the send failed), in which case the retry — or a replica looking
for unanswered questions (:meth:`ProcessedEvents.take_stale`) — takes it over and the
user still gets an answer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import ProcessedEventRow, UTCDateTime

#: A claim unanswered for this long is presumed dead: a retry of its event takes it over.
#: Longer than any answer takes (Slack's first retry comes at once, the next after 1 and
#: 5 minutes).
STALE_CLAIM = dt.timedelta(minutes=2)


#: Events older than this are not answered late any more.
REDELIVER_WITHIN = dt.timedelta(hours=1)
#: An event claimed this often without an answer is given up.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Unanswered:
    """An event acknowledged but never answered, taken over for answering now.

    Attributes:
        event_id: Its id (the claim key).
        platform: ``"slack"`` or ``"teams"``.
        payload: The event as received (JSON text).
    """

    event_id: str
    platform: str
    payload: str


def new_claim_token() -> str:
    """A token for one claiming batch (see :meth:`ProcessedEvents.claim_many`)."""
    return uuid.uuid4().hex


class ProcessedEvents:
    """Remembers which event ids were claimed and answered.

    Args:
        db: The database.
        stale_after: How long a claim may stay unanswered before a retry takes it over.
    """

    def __init__(self, *, db: Database, stale_after: dt.timedelta = STALE_CLAIM) -> None:
        self._db = db
        self._stale_after = stale_after
        self._claim_sql: Any = None

    @property
    def stale_after(self) -> dt.timedelta:
        """How long a claim may go unanswered and unrenewed before it is presumed dead."""
        return self._stale_after

    def claim(self, event_id: str, platform: str, now: dt.datetime) -> bool:
        """Claim one event id; see :meth:`claim_many`.

        Returns:
            True if this call claimed it (handle the event), False if it is taken.
        """
        return event_id in self.claim_many([event_id], platform, now)

    def claim_many(
        self,
        event_ids: Sequence[str],
        platform: str,
        now: dt.datetime,
        *,
        token: str | None = None,
        payloads: Mapping[str, str] | None = None,
    ) -> set[str]:
        """Claim several event ids in one statement; returns those this call claimed.

        Race-safe across processes: one ``INSERT … ON CONFLICT DO UPDATE … WHERE`` per
        batch; the primary key lets only one concurrent claim of an id win. An existing
        claim is taken only by the same batch retried (the same ``token``, after a
        dropped connection) or when it is stale and unanswered.

        Args:
            event_ids: The platform's event ids.
            platform: ``"slack"``, ``"teams"``, ...
            now: Timezone-aware time the events were received.
            token: This batch's claim token; pass the same one when retrying it.
            payloads: The events as received (JSON text), by id, kept until answered so
                that another replica can answer them (:meth:`take_stale`).
        """
        # Sorted: two replicas inserting overlapping batches take row locks in one order.
        ids = sorted(set(event_ids))
        if not ids:
            return set()
        token = token or new_claim_token()
        rows = [
            {
                "event_id": i,
                "platform": platform,
                "received_at": now,
                "claim": token,
                "payload": (payloads or {}).get(i),
                "stale_before": now - self._stale_after,
            }
            for i in ids
        ]
        with self._db.session(write=True) as session:
            # One statement of one shape (compiled once, then cached), many rows.
            return set(session.scalars(self._claim_statement(), rows))

    def _claim_statement(self) -> Any:
        if self._claim_sql is None:
            insert_for = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
            values = insert_for(ProcessedEventRow).values(
                event_id=bindparam("event_id"),
                platform=bindparam("platform"),
                received_at=bindparam("received_at"),
                claim=bindparam("claim"),
                payload=bindparam("payload"),
            )
            row = ProcessedEventRow
            self._claim_sql = values.on_conflict_do_update(
                index_elements=[row.event_id],
                set_={
                    "received_at": values.excluded.received_at,
                    "claim": values.excluded.claim,
                    "payload": values.excluded.payload,
                    # The same batch retried is the same attempt.
                    "attempts": case(
                        (row.claim == values.excluded.claim, row.attempts),
                        else_=row.attempts + 1,
                    ),
                },
                where=or_(
                    row.claim == values.excluded.claim,
                    and_(
                        row.answered_at.is_(None),
                        row.received_at < bindparam("stale_before", type_=UTCDateTime()),
                    ),
                ),
            ).returning(row.event_id)
        return self._claim_sql

    def answered(self, event_ids: Sequence[str], now: dt.datetime) -> None:
        """Mark claimed events as answered: their retries are skipped for good."""
        if not event_ids:
            return
        row = ProcessedEventRow
        with self._db.session(write=True) as session:
            session.execute(
                update(row)
                .where(row.event_id.in_(sorted(set(event_ids))), row.answered_at.is_(None))
                .values(answered_at=now, payload=None)
            )

    def renew(self, held: Mapping[str, str], now: dt.datetime) -> set[str]:
        """Keep the claims a live replica still holds unanswered from going stale.

        A replica whose answers are queued (a busy conversation, Slack's rate limits)
        renews its claims (event id → token) several times per ``stale_after``, so only
        the claims of a replica that stopped (it died) go stale and are taken over. A
        claim answered, released (stale on purpose), already stale or taken over by
        another token is left alone.

        Returns:
            The event ids renewed.
        """
        row = ProcessedEventRow
        renewed: set[str] = set()
        ids = sorted(held)
        with self._db.session(write=True) as session:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                stmt = (
                    update(row)
                    .where(
                        row.event_id.in_(chunk),
                        row.claim.in_(sorted({held[i] for i in chunk})),
                        row.answered_at.is_(None),
                        row.received_at >= now - self._stale_after,
                    )
                    .values(received_at=now)
                    .returning(row.event_id)
                )
                renewed.update(session.scalars(stmt))
        return renewed

    def take_stale(
        self,
        now: dt.datetime,
        *,
        token: str,
        platforms: Sequence[str] | None = None,
        max_age: dt.timedelta = REDELIVER_WITHIN,
        max_attempts: int = MAX_ATTEMPTS,
        limit: int = 100,
    ) -> list[Unanswered]:
        """Claim events left unanswered by a replica that died after acknowledging them.

        Events claimed longer than ``stale_after`` ago, not answered, with their payload
        kept, received within ``max_age`` and claimed fewer than ``max_attempts`` times
        (an event that keeps killing its replica is given up) — each taken by exactly
        one caller, whoever runs this at the same time: one conditional ``UPDATE``.

        Args:
            now: The current time.
            token: The new claim token (the redelivered event is claimed with it).
            platforms: Only events of these platforms (the ones the caller serves).
            max_age: Older events are no longer answered.
            max_attempts: Events claimed this often are given up.
            limit: At most this many per call.
        """
        row = ProcessedEventRow
        stale = and_(
            row.answered_at.is_(None),
            row.payload.is_not(None),
            row.received_at < now - self._stale_after,
            row.received_at >= now - max_age,
            row.attempts < max_attempts,
            row.platform.in_(platforms) if platforms is not None else true(),
        )
        oldest = select(row.event_id).where(stale).order_by(row.received_at).limit(limit)
        if self._db.dialect == "postgresql":
            oldest = oldest.with_for_update(skip_locked=True)
        stmt = (
            update(row)
            .where(row.event_id.in_(oldest.scalar_subquery()), stale)
            .values(claim=token, received_at=now, attempts=row.attempts + 1)
            .returning(row.event_id, row.platform, row.payload)
        )
        with self._db.session(write=True) as session:
            taken = session.execute(stmt).all()
        return [Unanswered(event_id=e, platform=p, payload=str(d)) for e, p, d in taken]

    def release(self, event_id: str, *, token: str, now: dt.datetime) -> bool:
        """Give up a claim whose answer failed, keeping the question to be answered.

        The claim is made stale at once: the platform's retry, or the next look for
        unanswered questions (:meth:`take_stale`), takes it over. Only the holder of the
        claim (``token``) can release it, and only while unanswered.

        Returns:
            Whether it was released.
        """
        row = ProcessedEventRow
        with self._db.session(write=True) as session:
            result = session.execute(
                update(row)
                .where(row.event_id == event_id, row.claim == token, row.answered_at.is_(None))
                .values(received_at=now - self._stale_after - dt.timedelta(seconds=1))
            )
        return bool(getattr(result, "rowcount", 0))

    def prune(self, *, before: dt.datetime) -> int:
        """Forget events received before ``before``; returns how many were deleted."""
        with self._db.session(write=True) as session:
            result = session.execute(
                delete(ProcessedEventRow).where(ProcessedEventRow.received_at < before)
            )
        return int(getattr(result, "rowcount", 0) or 0)
