"""Flows: one user's multi-turn activity (a quiz, a role-play, a form), kept in the database.

A user has at most one active flow (a unique ``active_key``), so two replicas starting
one at once cannot both succeed, and a restarted server resumes it where it stood. Every
accepted turn moves the flow to a new ``step`` with a new ``nonce`` in one conditional
UPDATE: a turn that names an older step or nonce (a replayed click, a stale button, the
same click arriving at two replicas) updates nothing and is told so. Work that belongs to
the turn (a quiz answer, a box moved) is written in the same transaction, so it counts
exactly once or not at all.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import FlowRow

#: Writes that belong to an accepted turn, run in its transaction (see :meth:`FlowStore.advance`).
TurnWork = Callable[[Session], None]


@dataclass(frozen=True, kw_only=True)
class Flow:
    """A flow as stored.

    Attributes:
        id: Its id (names it in buttons).
        kind: What it is (``quiz``, ``roleplay``, ...).
        user_key: Whose it is (``User.key``).
        conversation_key: Where it runs (``ConversationRef.key``).
        step: How many turns were accepted.
        nonce: Changes with every accepted turn; buttons carry the one they were shown with.
        data: The flow's own JSON state.
        started_at: When it started.
        updated_at: When it last moved.
        expires_at: When it is abandoned if nobody moves it.
        ended_at: When it ended (``None`` while active).
    """

    id: str
    kind: str
    user_key: str
    conversation_key: str
    step: int
    nonce: str
    data: Mapping[str, Any]
    started_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        """Whether the flow has not ended (it may still have expired)."""
        return self.ended_at is None


class FlowStore:
    """Start, read, move and end flows.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def active(self, user_key: str, *, now: dt.datetime) -> Flow | None:
        """The user's active flow, or ``None``; an expired one is ended on the way."""
        with self._db.session() as session:
            row = session.scalars(select(FlowRow).where(FlowRow.active_key == user_key)).first()
            if row is None:
                return None
            if row.expires_at <= now:
                _end_row(session, row, now)
                return None
            return _flow(row)

    def get(self, flow_id: str) -> Flow | None:
        """The flow with ``flow_id`` (active or ended), or ``None``."""
        with self._db.session() as session:
            row = session.get(FlowRow, flow_id)
            return None if row is None else _flow(row)

    def start(
        self,
        *,
        kind: str,
        user_key: str,
        conversation_key: str,
        data: Mapping[str, Any],
        now: dt.datetime,
        ttl: dt.timedelta,
    ) -> Flow:
        """Start a flow, ending the user's active one first (one active flow per user).

        Two concurrent starts for one user cannot both hold the active slot: the loser's
        insert fails the unique constraint and it retries, ending the winner's flow (the
        later start wins, as it would one after the other).
        """
        for _ in range(3):
            try:
                with self._db.session(write=True) as session:
                    for row in session.scalars(
                        select(FlowRow).where(FlowRow.active_key == user_key)
                    ):
                        _end_row(session, row, now)
                    session.flush()
                    row = FlowRow(
                        id=uuid.uuid4().hex,
                        kind=kind,
                        user_key=user_key,
                        active_key=user_key,
                        conversation_key=conversation_key,
                        step=0,
                        nonce=_nonce(),
                        data=dict(data),
                        started_at=now,
                        updated_at=now,
                        expires_at=now + ttl,
                    )
                    session.add(row)
                    session.flush()
                    return _flow(row)
            except IntegrityError:
                continue
        raise RuntimeError(f"could not start a {kind} flow for {user_key}: busy")

    def advance(
        self,
        flow: Flow,
        *,
        data: Mapping[str, Any],
        now: dt.datetime,
        ttl: dt.timedelta,
        end: bool = False,
        conversation_key: str | None = None,
        work: TurnWork | None = None,
    ) -> Flow | None:
        """Accept one turn: move ``flow`` from its step and nonce to the next.

        Args:
            flow: The flow as the turn saw it (its step and nonce are the condition).
            data: The new state.
            now: The time of the turn.
            ttl: How long the flow lives without another turn.
            end: End the flow with this turn.
            conversation_key: Move the flow to this conversation.
            work: Writes that belong to the turn, in its transaction.

        Returns:
            The flow after the turn, or ``None`` when the flow had moved on or ended
            meanwhile (nothing was written).
        """
        nonce = _nonce()
        values: dict[str, Any] = {
            "step": flow.step + 1,
            "nonce": nonce,
            "data": dict(data),
            "updated_at": now,
            "expires_at": now + ttl,
            "conversation_key": conversation_key or flow.conversation_key,
        }
        if end:
            values.update(ended_at=now, active_key=None)
        with self._db.session(write=True) as session:
            result = session.execute(
                update(FlowRow)
                .where(
                    FlowRow.id == flow.id,
                    FlowRow.step == flow.step,
                    FlowRow.nonce == flow.nonce,
                    FlowRow.ended_at.is_(None),
                )
                .values(**values)
            )
            moved = getattr(result, "rowcount", 0) == 1
            if moved and work is not None:
                work(session)
        if not moved:
            return None
        return Flow(
            id=flow.id,
            kind=flow.kind,
            user_key=flow.user_key,
            conversation_key=values["conversation_key"],
            step=values["step"],
            nonce=nonce,
            data=dict(data),
            started_at=flow.started_at,
            updated_at=now,
            expires_at=values["expires_at"],
            ended_at=now if end else None,
        )

    def amend(self, flow: Flow, *, data: Mapping[str, Any]) -> bool:
        """Replace ``flow``'s state without moving it; False if it moved on meanwhile.

        For a detail filled in after the turn (a model's wording of a line). The step and
        nonce stay: a turn in flight for this step is still accepted.
        """
        with self._db.session(write=True) as session:
            result = session.execute(
                update(FlowRow)
                .where(
                    FlowRow.id == flow.id,
                    FlowRow.step == flow.step,
                    FlowRow.nonce == flow.nonce,
                    FlowRow.ended_at.is_(None),
                )
                .values(data=dict(data))
            )
        return getattr(result, "rowcount", 0) == 1

    def end(self, user_key: str, *, now: dt.datetime) -> Flow | None:
        """End the user's active flow; returns it as it was, or ``None`` if there was none."""
        with self._db.session() as session:
            row = session.scalars(select(FlowRow).where(FlowRow.active_key == user_key)).first()
            if row is None:
                return None
            flow = _flow(row)
            _end_row(session, row, now)
            return flow

    def ended(self, kind: str, *, since: dt.datetime) -> list[Flow]:
        """The flows of ``kind`` that ended since ``since`` (stopped, replaced, expired, done)."""
        query = select(FlowRow).where(FlowRow.kind == kind, FlowRow.ended_at >= since)
        with self._db.session() as session:
            return [_flow(row) for row in session.scalars(query)]

    def prune(self, *, before: dt.datetime) -> int:
        """End flows that expired before ``before``; returns how many."""
        with self._db.session() as session:
            result = session.execute(
                update(FlowRow)
                .where(FlowRow.ended_at.is_(None), FlowRow.expires_at < before)
                .values(ended_at=before, active_key=None)
            )
        return int(getattr(result, "rowcount", 0) or 0)


def _nonce() -> str:
    return secrets.token_hex(4)


def _end_row(session: Session, row: FlowRow, now: dt.datetime) -> None:
    row.ended_at = now
    row.active_key = None


def _flow(row: FlowRow) -> Flow:
    return Flow(
        id=row.id,
        kind=row.kind,
        user_key=row.user_key,
        conversation_key=row.conversation_key,
        step=row.step,
        nonce=row.nonce,
        data=dict(row.data),
        started_at=row.started_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
    )
