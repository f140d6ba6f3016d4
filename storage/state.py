"""Multi-turn conversation state (quizzes, role-play), one JSON blob per key.

Old states of short-lived kinds (pending choices, "Show more" overflow) are deleted by
the scheduler's housekeeping (:meth:`ConversationStateStore.prune`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, delete
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import ConversationStateRow


@dataclass(frozen=True)
class State:
    """A conversation's stored state.

    Attributes:
        kind: What the state is for, e.g. ``"quiz"`` or ``"roleplay"``.
        data: JSON-compatible data.
        updated_at: When it was last written (aware UTC).

    """

    kind: str
    data: dict[str, Any]
    updated_at: dt.datetime


class ConversationStateStore:
    """Key-value store for conversation state, e.g. key ``"console:local"``.

    Args:
        db: The database.

    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> State | None:
        """Return the state stored under ``key``, or ``None``."""
        with self._db.session() as session:
            row = session.get(ConversationStateRow, key)
            return None if row is None else State(row.kind, row.data, row.updated_at)

    def put(self, key: str, *, kind: str, data: Mapping[str, Any], now: dt.datetime) -> None:
        """Create or replace the state under ``key`` (an atomic upsert).

        Args:
            key: The conversation key.
            kind: What the state is for.
            data: JSON-compatible data.
            now: Timezone-aware time of the write.

        """
        with self._db.session() as session:
            session.execute(upsert_statement(self._db.dialect, key, kind=kind, data=data, now=now))

    def clear(self, key: str) -> None:
        """Delete the state under ``key``, if any."""
        with self._db.session() as session:
            session.execute(delete_statement(key))

    def prune(self, *, kind: str, before: dt.datetime) -> int:
        """Delete the states of ``kind`` last written before ``before``.

        Args:
            kind: Only states of this kind are deleted (others may live longer).
            before: Timezone-aware cut-off; states written at or after it are kept.

        Returns:
            How many were deleted.

        """
        stmt = delete(ConversationStateRow).where(
            ConversationStateRow.kind == kind, ConversationStateRow.updated_at < before
        )
        with self._db.session() as session:
            result = session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)


def upsert_statement(
    dialect: str,
    key: str,
    *,
    kind: str,
    data: Mapping[str, Any],
    now: dt.datetime,
) -> Executable:
    """An atomic insert-or-replace of the state under ``key`` for ``dialect``."""
    values = {"key": key, "kind": kind, "data": dict(data), "updated_at": now}
    stmt: Executable = upsert_many_statement(dialect).values(values)
    return stmt


def upsert_many_statement(dialect: str, *, only_kind: str | None = None) -> Any:
    """Insert-or-replace for many states at once: execute with a list of row dicts.

    With ``only_kind``, an existing state of another kind is left alone.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ConversationStateRow)
    return stmt.on_conflict_do_update(
        index_elements=[ConversationStateRow.key],
        set_={
            "kind": stmt.excluded.kind,
            "data": stmt.excluded.data,
            "updated_at": stmt.excluded.updated_at,
        },
        where=None if only_kind is None else ConversationStateRow.kind == only_kind,
    )


def delete_statement(key: str | Sequence[str], *, kind: str | None = None) -> Executable:
    """Delete the state under ``key`` or keys (only if it is of ``kind``, when given)."""
    keys = [key] if isinstance(key, str) else list(key)
    stmt = delete(ConversationStateRow).where(ConversationStateRow.key.in_(keys))
    if kind is not None:
        stmt = stmt.where(ConversationStateRow.kind == kind)
    return stmt
