"""Database leases: "exactly one replica does this", with takeover when the holder dies.

A lease is a row in ``leases`` named for the work it guards (e.g. ``"scheduler"``). A
replica acquires it for a time-to-live and renews it well before it expires; while the
lease is unexpired nobody else can acquire it. A replica that dies stops renewing, the
lease expires and another replica takes it over. Every takeover by a *different* holder
increments the lease's ``generation`` (a fencing token): work done under a lease can be
made conditional on the generation still being current (:meth:`Leases.held`), so a
holder that was paused past its expiry and taken over cannot act twice.

Every step is one conditional statement, so two replicas racing can never both win:

- acquire is ``INSERT … ON CONFLICT (name) DO UPDATE … WHERE expires_at <= now OR
  holder = me RETURNING …``. On PostgreSQL (READ COMMITTED) a racing second statement
  waits for the first's row lock, then re-checks the condition against the committed
  row, which now names the winner and a future expiry, so it updates nothing. SQLite
  runs it in a ``BEGIN IMMEDIATE`` transaction: writers are serialised and each sees
  the previous one's result.
- renew and release are ``UPDATE … WHERE name, holder and generation match``: they
  fail once somebody else took the lease over.

Times are always passed in (``now``): this module never reads a clock. Holders must use
clocks that roughly agree (NTP); the time-to-live should dwarf their skew.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import LeaseRow


@dataclass(frozen=True)
class Lease:
    """A lease as this holder got it.

    Attributes:
        name: What the lease guards, e.g. ``"scheduler"``.
        holder: Who holds it (unique per replica process).
        generation: The fencing token: higher after every takeover by another holder.
        acquired_at: When this holder took it (unchanged by renewals).
        expires_at: When it lapses unless renewed; stop acting before then.

    """

    name: str
    holder: str
    generation: int
    acquired_at: dt.datetime
    expires_at: dt.datetime

    def valid_at(self, now: dt.datetime) -> bool:
        """Tell whether this copy of the lease is still unexpired at ``now``.

        A holder must not act on an expired lease even if nobody has taken it over
        yet; renew first.
        """
        return now < self.expires_at


_RETURNED = (
    LeaseRow.name,
    LeaseRow.holder,
    LeaseRow.generation,
    LeaseRow.acquired_at,
    LeaseRow.expires_at,
)


class Leases:
    """Acquire, renew and release named leases.

    Args:
        db: The database.

    """

    def __init__(self, *, db: Database) -> None:
        self._db = db
        # SQLite: BEGIN IMMEDIATE, so the conditional write never works on a stale read.
        self._exclusive = db.dialect == "sqlite"

    def acquire(
        self, name: str, *, holder: str, ttl: dt.timedelta, now: dt.datetime
    ) -> Lease | None:
        """Take the lease ``name`` if it is free, expired or already ``holder``'s.

        Taking over from another holder increments the generation; re-acquiring one's
        own lease keeps it (and extends the expiry, like :meth:`renew`).

        Args:
            name: The lease's name.
            holder: Who wants it; unique per replica process.
            ttl: How long it is held without renewal.
            now: Timezone-aware current time.

        Returns:
            The lease, or ``None`` if somebody else holds it unexpired.

        """
        _check_ttl(ttl)
        insert_for = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        stmt = insert_for(LeaseRow).values(
            name=name,
            holder=holder,
            generation=1,
            acquired_at=now,
            renewed_at=now,
            expires_at=now + ttl,
        )
        mine = LeaseRow.holder == stmt.excluded.holder
        upsert = stmt.on_conflict_do_update(
            index_elements=[LeaseRow.name],
            set_={
                "holder": stmt.excluded.holder,
                "generation": case((mine, LeaseRow.generation), else_=LeaseRow.generation + 1),
                "acquired_at": case((mine, LeaseRow.acquired_at), else_=stmt.excluded.acquired_at),
                "renewed_at": stmt.excluded.renewed_at,
                "expires_at": stmt.excluded.expires_at,
            },
            where=or_(LeaseRow.expires_at <= stmt.excluded.renewed_at, mine),
        )
        return self._one(upsert.returning(*_RETURNED))

    def renew(self, lease: Lease, *, ttl: dt.timedelta, now: dt.datetime) -> Lease | None:
        """Extend ``lease`` to ``now + ttl`` if nobody has taken it over.

        A lease that expired but was not taken over is renewed (nobody acted under it
        meanwhile: the generation is unchanged).

        Args:
            lease: The lease as last acquired or renewed.
            ttl: How long it is held from now without renewal.
            now: Timezone-aware current time.

        Returns:
            The renewed lease, or ``None`` if it was lost: the holder must stop acting
            under it at once.

        """
        _check_ttl(ttl)
        stmt = (
            update(LeaseRow)
            .where(_same(lease))
            .values(renewed_at=now, expires_at=now + ttl)
            .returning(*_RETURNED)
        )
        return self._one(stmt)

    def release(self, lease: Lease, *, now: dt.datetime) -> bool:
        """Give ``lease`` up so another holder can take it at once.

        The row is kept (expired at ``now``) so generations keep increasing.

        Args:
            lease: The lease as last acquired or renewed.
            now: Timezone-aware current time.

        Returns:
            True if it was released, False if it had already been taken over.

        """
        stmt = update(LeaseRow).where(_same(lease)).values(expires_at=now).returning(*_RETURNED)
        return self._one(stmt) is not None

    def current(self, name: str) -> Lease | None:
        """Return the lease ``name`` as stored (expired or not), or ``None`` if never taken."""
        with self._db.session() as session:
            row = session.execute(select(*_RETURNED).where(LeaseRow.name == name)).one_or_none()
        return None if row is None else Lease(*row)

    def still_held(self, lease: Lease, *, now: dt.datetime) -> bool:
        """Tell whether ``lease`` is current and unexpired at ``now`` in the database."""
        with self._db.session() as session:
            found = session.scalar(select(LeaseRow.name).where(held(lease, now=now)))
        return found is not None

    def _one(self, stmt: Any) -> Lease | None:
        with self._db.session(exclusive=self._exclusive) as session:
            row = session.execute(stmt).one_or_none()
        return None if row is None else Lease(*row)


def held(lease: Lease, *, now: dt.datetime) -> ColumnElement[bool]:
    """A condition on ``leases`` that is true while ``lease`` is current at ``now``.

    For fenced writes: make a write conditional on ``EXISTS (SELECT … FROM leases WHERE
    held(lease, now))`` in the same statement or transaction, and a holder that was
    taken over writes nothing.
    """
    return and_(_same(lease), LeaseRow.expires_at > now)


def _same(lease: Lease) -> ColumnElement[bool]:
    return and_(
        LeaseRow.name == lease.name,
        LeaseRow.holder == lease.holder,
        LeaseRow.generation == lease.generation,
    )


def _check_ttl(ttl: dt.timedelta) -> None:
    if ttl <= dt.timedelta(0):
        raise ValueError(f"a lease's ttl must be positive, got {ttl}")
