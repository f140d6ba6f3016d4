"""Timers: deadlines and due work kept in the database, claimed exactly once.

A capability sets a timer (``kind``, ``key``, when it is due, JSON data); the scheduler
replica claims what is due with one conditional UPDATE and a token of its own, does
the work and marks it done. Two replicas never hold the same claim; a claim whose
holder died lapses after ``claim_for`` and is taken again, so due work is not lost to a
crash (the work itself fences with its own state, e.g. a flow's step, so doing it again
changes nothing).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import TimerRow

#: How many due timers one claim takes at most.
BATCH = 100


@dataclass(frozen=True, kw_only=True)
class Timer:
    """A claimed timer.

    Attributes:
        id: Its row id.
        kind: What it is for (``live-reveal``).
        key: Which one (unique per kind).
        due_at: When it was due.
        data: Its JSON data.
    """

    id: int
    kind: str
    key: str
    due_at: dt.datetime
    data: Mapping[str, Any]


class Timers:
    """Set, claim and finish timers.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def set(
        self, *, kind: str, key: str, due_at: dt.datetime, data: Mapping[str, Any], now: dt.datetime
    ) -> bool:
        """Set a timer; False when one with this kind and key exists already."""
        insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(TimerRow)
            .values(kind=kind, key=key, due_at=due_at, data=dict(data), created_at=now)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
            .returning(TimerRow.id)  # psycopg reports no rowcount for this statement
        )
        with self._db.session(write=True) as session:
            return session.execute(stmt).first() is not None

    def claim_due(
        self, *, now: dt.datetime, claim_for: dt.timedelta, kinds: tuple[str, ...] | None = None
    ) -> list[Timer]:
        """Claim the timers due at ``now`` that nobody holds; oldest first.

        Args:
            now: The current time.
            claim_for: How long the claim holds; past it, another claim takes the timer.
            kinds: Only these kinds (all if ``None``).
        """
        token = uuid.uuid4().hex
        due = select(TimerRow.id).where(
            TimerRow.done_at.is_(None),
            TimerRow.due_at <= now,
            or_(TimerRow.claimed_until.is_(None), TimerRow.claimed_until < now),
        )
        if kinds is not None:
            due = due.where(TimerRow.kind.in_(kinds))
        due = due.order_by(TimerRow.due_at).limit(BATCH)
        with self._db.session(write=True) as session:
            ids = list(session.scalars(due))
            if not ids:
                return []
            session.execute(
                update(TimerRow)
                .where(
                    TimerRow.id.in_(ids),
                    TimerRow.done_at.is_(None),
                    or_(TimerRow.claimed_until.is_(None), TimerRow.claimed_until < now),
                )
                .values(claim=token, claimed_until=now + claim_for)
            )
            rows = session.scalars(
                select(TimerRow).where(TimerRow.claim == token).order_by(TimerRow.due_at)
            ).all()
            return [
                Timer(id=r.id, kind=r.kind, key=r.key, due_at=r.due_at, data=dict(r.data))
                for r in rows
            ]

    def done(self, timer: Timer, *, now: dt.datetime) -> None:
        """Mark a claimed timer done (it never fires again)."""
        with self._db.session(write=True) as session:
            session.execute(update(TimerRow).where(TimerRow.id == timer.id).values(done_at=now))

    def cancel(self, *, kind: str, key_prefix: str, now: dt.datetime) -> int:
        """Mark the pending timers of ``kind`` whose key starts with ``key_prefix`` done."""
        with self._db.session(write=True) as session:
            result = session.execute(
                update(TimerRow)
                .where(
                    TimerRow.kind == kind,
                    TimerRow.key.startswith(key_prefix, autoescape=True),
                    TimerRow.done_at.is_(None),
                )
                .values(done_at=now)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def prune(self, *, before: dt.datetime) -> int:
        """Delete timers done before ``before``."""
        with self._db.session() as session:
            result = session.execute(delete(TimerRow).where(TimerRow.done_at < before))
        return int(getattr(result, "rowcount", 0) or 0)
