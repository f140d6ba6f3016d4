"""Role-play results: every finished or stopped session, with its score and transcript.

A session is written in the transaction that ends its flow (see
:meth:`storage.flows.FlowStore.advance` and :meth:`RoleplayStore.result_work`): one row
per flow, so a retried or replayed last answer cannot record it twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import Database
from storage.flows import TurnWork
from storage.models import RoleplayRow


@dataclass(frozen=True, kw_only=True)
class RoleplayResult:
    """One role-play session as stored.

    Attributes:
        flow_id: The session's flow.
        user_key: Who played.
        user_name: Their display name, if known.
        user_email: Their email, if known.
        scenario_id: The scenario.
        title: The scenario's title.
        persona_id: The buyer persona.
        score: Out of 100 (``None`` when stopped before any answer was marked).
        pass_mark: The scenario's pass mark.
        completed: Played to the end (not stopped).
        transcript: Every line, in order: ``{"who": "buyer"|"seller"|"coach", "text"}``.
        started_at: When it started.
        ended_at: When it ended.
    """

    flow_id: str
    user_key: str
    scenario_id: str
    title: str
    persona_id: str
    score: int | None
    pass_mark: int
    completed: bool
    started_at: dt.datetime
    ended_at: dt.datetime
    user_name: str | None = None
    user_email: str | None = None
    transcript: Sequence[Mapping[str, Any]] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """Whether it was completed at or above the pass mark."""
        return self.completed and self.score is not None and self.score >= self.pass_mark


class RoleplayStore:
    """Record role-play sessions and read them back.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def result_work(self, result: RoleplayResult) -> TurnWork:
        """The write that records ``result``, for the turn that ends its flow."""

        def work(session: Session) -> None:
            if session.get(RoleplayRow, result.flow_id) is None:
                session.add(_row(result))

        return work

    def record(self, result: RoleplayResult) -> None:
        """Record ``result`` on its own (a stopped session); once per flow."""
        with self._db.session(write=True) as session:
            self.result_work(result)(session)

    def recorded(self, flow_ids: Sequence[str]) -> set[str]:
        """Which of ``flow_ids`` have a recorded session."""
        if not flow_ids:
            return set()
        query = select(RoleplayRow.flow_id).where(RoleplayRow.flow_id.in_(list(flow_ids)))
        with self._db.session() as session:
            return set(session.scalars(query))

    def history(self, user_key: str | None = None, *, limit: int = 20) -> list[RoleplayResult]:
        """The newest sessions first: one user's, or everyone's (``user_key=None``)."""
        query = select(RoleplayRow).order_by(RoleplayRow.ended_at.desc()).limit(limit)
        if user_key is not None:
            query = query.where(RoleplayRow.user_key == user_key)
        with self._db.session() as session:
            return [_result(row) for row in session.scalars(query)]

    def get(self, flow_id: str) -> RoleplayResult | None:
        """The session of ``flow_id``, if recorded."""
        with self._db.session() as session:
            row = session.get(RoleplayRow, flow_id)
            return None if row is None else _result(row)


def _row(result: RoleplayResult) -> RoleplayRow:
    return RoleplayRow(
        flow_id=result.flow_id,
        user_key=result.user_key,
        user_name=result.user_name,
        user_email=result.user_email,
        scenario_id=result.scenario_id,
        title=result.title,
        persona_id=result.persona_id,
        score=result.score,
        pass_mark=result.pass_mark,
        completed=result.completed,
        transcript=[dict(line) for line in result.transcript],
        started_at=result.started_at,
        ended_at=result.ended_at,
    )


def _result(row: RoleplayRow) -> RoleplayResult:
    return RoleplayResult(
        flow_id=row.flow_id,
        user_key=row.user_key,
        user_name=row.user_name,
        user_email=row.user_email,
        scenario_id=row.scenario_id,
        title=row.title,
        persona_id=row.persona_id,
        score=row.score,
        pass_mark=row.pass_mark,
        completed=row.completed,
        transcript=tuple(row.transcript or ()),
        started_at=row.started_at,
        ended_at=row.ended_at,
    )
