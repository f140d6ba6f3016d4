"""Quiz results: every answer, each player's Leitner boxes, leaderboards and the track.

An answer is written in the transaction that accepts its flow step (see
:meth:`storage.flows.FlowStore.advance` and :meth:`QuizStore.answer_work`): it counts
once or not at all. ``(flow, step, user)`` is unique, so even a write that slipped past
the flow's condition could not count twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Executable, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.db import Database
from storage.flows import TurnWork
from storage.models import QuizAnswerRow, QuizCardRow, QuizPlayerRow


@dataclass(frozen=True, kw_only=True)
class Box:
    """Where one question stands for one player (a Leitner box).

    Attributes:
        question_id: The question.
        persona_id: The persona it is about, if any.
        box: 1 (just missed) to the top box (mastered).
        seen_at: When it was last answered.
        due_at: When it should come back.
    """

    question_id: str
    persona_id: str | None
    box: int
    seen_at: dt.datetime
    due_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class Answer:
    """One answer to record.

    Attributes:
        flow_id: The quiz's flow.
        step: The flow step it answered (one answer per step and player).
        user_key: Who answered.
        question_id: The question.
        kind: The question's kind.
        persona_id: The persona it is about, if any.
        correct: Whether it was right.
        points: Points earned (for leaderboards).
        answered_at: When.
    """

    flow_id: str
    step: int
    user_key: str
    question_id: str
    kind: str
    persona_id: str | None
    correct: bool
    points: int
    answered_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class Standing:
    """One row of a leaderboard."""

    rank: int
    user_key: str
    name: str
    points: int


@dataclass(frozen=True, kw_only=True)
class Player:
    """How a player is shown and what they chose."""

    user_key: str
    email: str | None
    name: str | None
    hidden: bool
    track_completed_at: dt.datetime | None


class QuizStore:
    """Reads and writes quiz results.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    # -- answers and boxes ----------------------------------------------------------------

    def answer_work(self, answer: Answer, box: Box) -> TurnWork:
        """The writes of one answer, to run in the transaction that accepts its step."""

        def work(session: Session) -> None:
            session.add(
                QuizAnswerRow(
                    flow_id=answer.flow_id,
                    step=answer.step,
                    user_key=answer.user_key,
                    question_id=answer.question_id,
                    kind=answer.kind,
                    persona_id=answer.persona_id,
                    correct=answer.correct,
                    points=answer.points,
                    answered_at=answer.answered_at,
                )
            )
            session.execute(_box_upsert(self._db.dialect, answer.user_key, box))

        return work

    def record_once(self, answer: Answer, box: Box) -> bool:
        """Record an answer unless the player answered that step already (a live quiz).

        Returns:
            Whether it was recorded (False: an answer to that step was there).
        """
        insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        values = {
            "flow_id": answer.flow_id,
            "step": answer.step,
            "user_key": answer.user_key,
            "question_id": answer.question_id,
            "kind": answer.kind,
            "persona_id": answer.persona_id,
            "correct": answer.correct,
            "points": answer.points,
            "answered_at": answer.answered_at,
        }
        stmt = (
            insert(QuizAnswerRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["flow_id", "step", "user_key"])
            .returning(QuizAnswerRow.id)  # psycopg reports no rowcount for this statement
        )
        with self._db.session(write=True) as session:
            recorded = session.execute(stmt).first() is not None
            if recorded:
                session.execute(_box_upsert(self._db.dialect, answer.user_key, box))
        return recorded

    def step_answers(self, flow_id: str, step: int) -> list[Answer]:
        """The answers to one step of a flow (every player's, for a live quiz)."""
        stmt = select(QuizAnswerRow).where(
            QuizAnswerRow.flow_id == flow_id, QuizAnswerRow.step == step
        )
        with self._db.session() as session:
            return [_answer(row) for row in session.scalars(stmt)]

    def box(self, user_key: str, question_id: str) -> Box | None:
        """Where one question stands for the player (``None``: never answered, or retired)."""
        with self._db.session() as session:
            row = session.get(QuizCardRow, (user_key, question_id))
            if row is None or row.retired_at is not None:
                return None
            return _box(row)

    def boxes(self, user_key: str) -> dict[str, Box]:
        """The player's boxes by question id (retired ones left out)."""
        stmt = select(QuizCardRow).where(
            QuizCardRow.user_key == user_key, QuizCardRow.retired_at.is_(None)
        )
        with self._db.session() as session:
            return {row.question_id: _box(row) for row in session.scalars(stmt)}

    def retire(self, user_key: str, question_ids: Collection[str], *, now: dt.datetime) -> int:
        """Retire the player's boxes of questions the content no longer has."""
        if not question_ids:
            return 0
        with self._db.session() as session:
            result = session.execute(
                update(QuizCardRow)
                .where(
                    QuizCardRow.user_key == user_key,
                    QuizCardRow.question_id.in_(list(question_ids)),
                    QuizCardRow.retired_at.is_(None),
                )
                .values(retired_at=now)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def answers(self, user_key: str) -> list[Answer]:
        """Every answer the player gave, oldest first."""
        stmt = (
            select(QuizAnswerRow)
            .where(QuizAnswerRow.user_key == user_key)
            .order_by(QuizAnswerRow.answered_at, QuizAnswerRow.id)
        )
        with self._db.session() as session:
            return [_answer(row) for row in session.scalars(stmt)]

    def answers_of_flow(self, flow_id: str) -> list[Answer]:
        """The answers given in one quiz, in order."""
        stmt = (
            select(QuizAnswerRow)
            .where(QuizAnswerRow.flow_id == flow_id)
            .order_by(QuizAnswerRow.step, QuizAnswerRow.id)
        )
        with self._db.session() as session:
            return [_answer(row) for row in session.scalars(stmt)]

    # -- players ----------------------------------------------------------------------------

    def player(self, user_key: str) -> Player | None:
        """The player, if they ever played or chose a setting."""
        with self._db.session() as session:
            row = session.get(QuizPlayerRow, user_key)
            return None if row is None else _player(row)

    def player_by_email(self, email: str) -> Player | None:
        """The player with ``email`` (case-insensitive), most recently seen first."""
        stmt = (
            select(QuizPlayerRow)
            .where(func.lower(QuizPlayerRow.email) == email.casefold())
            .order_by(QuizPlayerRow.updated_at.desc())
        )
        with self._db.session() as session:
            row = session.scalars(stmt).first()
            return None if row is None else _player(row)

    def player_by_name(self, name: str) -> Player | None:
        """The player shown as ``name`` (case-insensitive), most recently seen first."""
        stmt = (
            select(QuizPlayerRow)
            .where(func.lower(QuizPlayerRow.name) == name.casefold())
            .order_by(QuizPlayerRow.updated_at.desc())
        )
        with self._db.session() as session:
            row = session.scalars(stmt).first()
            return None if row is None else _player(row)

    def seen(self, user_key: str, *, email: str | None, name: str | None, now: dt.datetime) -> None:
        """Remember how to show the player (their email and name as last seen)."""
        self._upsert(user_key, now=now, email=email, name=name)

    def set_hidden(self, user_key: str, hidden: bool, *, now: dt.datetime) -> None:
        """Hide the player from others' leaderboards, or show them again."""
        self._upsert(user_key, now=now, hidden=hidden)

    def complete_track(self, user_key: str, *, now: dt.datetime) -> bool:
        """Record that the player completed the onboarding track; False if they had."""
        self._upsert(user_key, now=now)
        with self._db.session() as session:
            result = session.execute(
                update(QuizPlayerRow)
                .where(
                    QuizPlayerRow.user_key == user_key,
                    QuizPlayerRow.track_completed_at.is_(None),
                )
                .values(track_completed_at=now)
            )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def _upsert(self, user_key: str, *, now: dt.datetime, **values: object) -> None:
        insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        given = {k: v for k, v in values.items() if v is not None}
        row = {"user_key": user_key, "hidden": False, "updated_at": now, **given}
        stmt = insert(QuizPlayerRow).values(row)
        changes = {"updated_at": now, **given}
        with self._db.session(write=True) as session:
            session.execute(stmt.on_conflict_do_update(index_elements=["user_key"], set_=changes))

    # -- leaderboards -----------------------------------------------------------------------

    def leaderboard(
        self,
        *,
        since: dt.datetime | None,
        limit: int,
        viewer: str,
        flow_id: str | None = None,
    ) -> tuple[list[Standing], Standing | None]:
        """The top players by points since ``since`` (all time if ``None``).

        Hidden players are left out of what others see; the viewer is ranked among the
        visible players even when hidden, so they still see where they stand. With
        ``flow_id``, only the points of that quiz count (a live quiz's standings).

        Returns:
            The top ``limit`` standings, and the viewer's own standing (``None`` if they
            scored nothing in the period).
        """
        points = func.sum(QuizAnswerRow.points).label("points")
        stmt = (
            select(
                QuizAnswerRow.user_key,
                points,
                func.coalesce(QuizPlayerRow.name, QuizPlayerRow.email),
                QuizPlayerRow.hidden,
            )
            .join(QuizPlayerRow, QuizPlayerRow.user_key == QuizAnswerRow.user_key, isouter=True)
            .group_by(
                QuizAnswerRow.user_key,
                QuizPlayerRow.name,
                QuizPlayerRow.email,
                QuizPlayerRow.hidden,
            )
            .having(points > 0)
        )
        if since is not None:
            stmt = stmt.where(QuizAnswerRow.answered_at >= since)
        if flow_id is not None:  # one live quiz's standings
            stmt = stmt.where(QuizAnswerRow.flow_id == flow_id)
        with self._db.session() as session:
            rows = [
                (str(key), int(total or 0), name, bool(hidden))
                for key, total, name, hidden in session.execute(stmt)
            ]
        rows.sort(key=lambda r: (-r[1], r[0]))
        visible = [r for r in rows if not r[3] or r[0] == viewer]
        standings = _ranked(visible)
        own = next((s for s in standings if s.user_key == viewer), None)
        return standings[:limit], own


def _ranked(rows: Sequence[tuple[str, int, str | None, bool]]) -> list[Standing]:
    """Standard competition ranking: equal points, equal rank (1, 2, 2, 4)."""
    out: list[Standing] = []
    for index, (key, total, name, _) in enumerate(rows):
        rank = out[-1].rank if out and out[-1].points == total else index + 1
        out.append(Standing(rank=rank, user_key=key, name=name or key, points=total))
    return out


def _box_upsert(dialect: str, user_key: str, box: Box) -> Executable:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {
        "user_key": user_key,
        "question_id": box.question_id,
        "persona_id": box.persona_id,
        "box": box.box,
        "seen_at": box.seen_at,
        "due_at": box.due_at,
        "retired_at": None,
    }
    stmt = insert(QuizCardRow).values(values)
    return stmt.on_conflict_do_update(
        index_elements=["user_key", "question_id"],
        set_={k: v for k, v in values.items() if k not in ("user_key", "question_id")},
    )


def _box(row: QuizCardRow) -> Box:
    return Box(
        question_id=row.question_id,
        persona_id=row.persona_id,
        box=row.box,
        seen_at=row.seen_at,
        due_at=row.due_at,
    )


def _answer(row: QuizAnswerRow) -> Answer:
    return Answer(
        flow_id=row.flow_id,
        step=row.step,
        user_key=row.user_key,
        question_id=row.question_id,
        kind=row.kind,
        persona_id=row.persona_id,
        correct=row.correct,
        points=row.points,
        answered_at=row.answered_at,
    )


def _player(row: QuizPlayerRow) -> Player:
    return Player(
        user_key=row.user_key,
        email=row.email,
        name=row.name,
        hidden=row.hidden,
        track_completed_at=row.track_completed_at,
    )
