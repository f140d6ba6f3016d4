"""What an owner needs to review a persona: its usage and content gaps since the last review.

Read from what the bot already stores: the question log (questions about the persona,
and those it answered without confidence: the content gaps), quiz answers on the persona
and role-play sessions with it, and what the front line said (pending proposals, answers
voted not helpful). :meth:`ReviewContexts.of` reads one persona's context in six
statements; the questions are found through ``ix_questions_persona_id_asked_at``
(persona, then time). :meth:`ReviewContexts.of_many` reads many personas' contexts, each
since its own date, in six statements in all: the personas and their dates (two bound
arrays on PostgreSQL, a ``VALUES`` list on SQLite, see :func:`wanted_rows`) are joined to
each table and grouped by persona. ``benchmarks/bench_reviews.py`` measures both on
1,000 personas and 100,000 questions on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import SupportsFloat

from sqlalchemy import (
    ColumnElement,
    Dialect,
    FromClause,
    Select,
    String,
    bindparam,
    column,
    func,
    select,
    values,
)
from sqlalchemy.dialects.postgresql import ARRAY

from storage.db import Database
from storage.feedback_context import FeedbackFigures, feedback_figures, not_helpful_counts
from storage.feedback_models import AnswerVoteRow
from storage.models import QuestionRow, QuizAnswerRow, RoleplayRow, UTCDateTime

#: The question log's intents that are questions asked of the bot (a quiz answer, a
#: role-play line or a review click is logged too, with its own intent).
ASKED = ("persona", "objection", "unknown")
#: An answer given with less confidence than this counts as a content gap.
GAP_CONFIDENCE = 0.5
#: How many gap questions a prompt shows.
GAPS_SHOWN = 5
WHEN = UTCDateTime()
#: Personas per batch of :meth:`ReviewContexts.of_many` (SQLite binds two values each).
BATCH = 5000


@dataclass(frozen=True, kw_only=True)
class ReviewContext:
    """One persona's usage since a date.

    Attributes:
        questions: Questions answered about it.
        gaps: Questions about it answered without confidence, newest first (a few).
        gap_count: How many such questions.
        quiz_answers: Quiz answers on it.
        quiz_right: How many of those were right.
        roleplays: Role-plays with it completed.
        roleplay_average: Their average score (``None`` without any).
        proposals: Proposed changes waiting for a decision now.
        reporters: The reporters behind those proposals.
        not_helpful: Answers about it voted "not helpful".
    """

    questions: int = 0
    gaps: tuple[str, ...] = ()
    gap_count: int = 0
    quiz_answers: int = 0
    quiz_right: int = 0
    roleplays: int = 0
    roleplay_average: int | None = None
    proposals: int = 0
    reporters: int = 0
    not_helpful: int = 0


class ReviewContexts:
    """Read review context from the stored questions, quiz answers and role-plays.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def of(self, persona_id: str, *, since: dt.datetime) -> ReviewContext:
        """``persona_id``'s context since ``since``."""
        about = (
            QuestionRow.persona_id == persona_id,
            QuestionRow.asked_at >= since,
            QuestionRow.intent.in_(ASKED),
        )
        low = QuestionRow.confidence < GAP_CONFIDENCE
        with self._db.session() as session:
            questions, gap_count = session.execute(
                select(func.count(), func.count().filter(low)).where(*about)
            ).one()
            gaps = session.scalars(
                select(QuestionRow.text)
                .where(*about, low)
                .order_by(QuestionRow.asked_at.desc(), QuestionRow.id.desc())
                .limit(GAPS_SHOWN)
            ).all()
            answers, right = session.execute(
                select(func.count(), func.count().filter(QuizAnswerRow.correct.is_(True))).where(
                    QuizAnswerRow.persona_id == persona_id, QuizAnswerRow.answered_at >= since
                )
            ).one()
            played, average = session.execute(
                select(func.count(), func.avg(RoleplayRow.score)).where(
                    RoleplayRow.persona_id == persona_id,
                    RoleplayRow.completed.is_(True),
                    RoleplayRow.ended_at >= since,
                )
            ).one()
            down = session.scalar(
                select(func.count()).where(
                    AnswerVoteRow.persona_id == persona_id,
                    AnswerVoteRow.helpful.is_(False),
                    AnswerVoteRow.created_at >= since,
                )
            )
            votes = {persona_id: int(down or 0)}
            figures = feedback_figures(session, [persona_id], votes)[persona_id]
        return _context(
            questions=questions,
            gap_count=gap_count,
            gaps=gaps,
            answers=answers,
            right=right,
            played=played,
            average=average,
            figures=figures,
        )

    def of_many(self, since_by_persona: Mapping[str, dt.datetime]) -> dict[str, ReviewContext]:
        """Each persona's context since its own date, for every persona asked about.

        The same figures as :meth:`of` for each, read in five statements per
        :data:`BATCH` personas (and one for the pending proposals) instead of that many
        per persona.
        """
        items = list(since_by_persona.items())
        counts: dict[str, tuple[int, int]] = {}
        gaps: dict[str, list[str]] = {}
        quiz: dict[str, tuple[int, int]] = {}
        played: dict[str, tuple[int, SupportsFloat | None]] = {}
        votes: dict[str, int] = {}
        with self._db.session() as session:
            dialect = session.get_bind().dialect
            for start in range(0, len(items), BATCH):
                wanted = wanted_rows(dict(items[start : start + BATCH]), dialect)
                counts.update((p, (n, g)) for p, n, g in session.execute(question_counts(wanted)))
                for pid, text in session.execute(gap_texts(wanted)):
                    gaps.setdefault(pid, []).append(text)
                quiz.update((p, (n, r)) for p, n, r in session.execute(quiz_counts(wanted)))
                played.update((p, (n, a)) for p, n, a in session.execute(roleplay_scores(wanted)))
                votes.update((p, int(n)) for p, n in session.execute(not_helpful_counts(wanted)))
            figures = feedback_figures(session, since_by_persona, votes)
        out = {}
        for pid in since_by_persona:
            questions, gap_count = counts.get(pid, (0, 0))
            answers, right = quiz.get(pid, (0, 0))
            roleplays, average = played.get(pid, (0, None))
            out[pid] = _context(
                questions=questions,
                gap_count=gap_count,
                gaps=gaps.get(pid, ()),
                answers=answers,
                right=right,
                played=roleplays,
                average=average,
                figures=figures.get(pid, FeedbackFigures()),
            )
        return out


# -- the batched statements (public for the EXPLAIN in tests and the benchmark) -------------


def wanted_rows(since_by_persona: Mapping[str, dt.datetime], dialect: Dialect) -> FromClause:
    """The personas asked about and their dates, as rows ``wanted(persona_id, since)``.

    On PostgreSQL two bound arrays, ``unnest``-ed: the statements that join them are
    compiled once, whatever the number of personas. Elsewhere (SQLite) a ``VALUES``
    list: SQLite knows how many rows it holds and indexes the tables that have no
    index on the persona (quiz answers, role-plays) for the join, where a JSON list
    (``json_each``) would have it scan them once per persona.
    """
    if dialect.name == "postgresql":
        return (
            func.unnest(
                bindparam("wanted_ids", list(since_by_persona), type_=ARRAY(String())),
                bindparam("wanted_since", list(since_by_persona.values()), type_=ARRAY(WHEN)),
            )
            .table_valued(column("persona_id", String()), column("since", WHEN))
            .render_derived(name="wanted")
        )
    rows = values(column("persona_id", String()), column("since", WHEN), name="wanted")
    return rows.data(list(since_by_persona.items())).cte("wanted")


def _about(wanted: FromClause) -> ColumnElement[bool]:
    return (
        (QuestionRow.persona_id == wanted.c.persona_id)
        & (QuestionRow.asked_at >= wanted.c.since)
        & QuestionRow.intent.in_(ASKED)
    )


def question_counts(wanted: FromClause) -> Select[str, int, int]:
    """Questions and content gaps per persona since its date."""
    low = QuestionRow.confidence < GAP_CONFIDENCE
    return (
        select(wanted.c.persona_id, func.count(), func.count().filter(low))
        .select_from(wanted)
        .join(QuestionRow, _about(wanted))
        .group_by(wanted.c.persona_id)
    )


def gap_texts(wanted: FromClause) -> Select[str, str]:
    """The newest :data:`GAPS_SHOWN` content gaps per persona since its date, newest first."""
    rank = (
        func.row_number()
        .over(
            partition_by=wanted.c.persona_id,
            order_by=(QuestionRow.asked_at.desc(), QuestionRow.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(wanted.c.persona_id.label("persona_id"), QuestionRow.text.label("text"), rank)
        .select_from(wanted)
        .join(QuestionRow, _about(wanted))
        .where(QuestionRow.confidence < GAP_CONFIDENCE)
        .subquery("ranked")
    )
    return (
        select(ranked.c.persona_id, ranked.c.text)
        .where(ranked.c.rank <= GAPS_SHOWN)
        .order_by(ranked.c.persona_id, ranked.c.rank)
    )


def quiz_counts(wanted: FromClause) -> Select[str, int, int]:
    """Quiz answers and right answers per persona since its date."""
    return (
        select(
            wanted.c.persona_id,
            func.count(),
            func.count().filter(QuizAnswerRow.correct.is_(True)),
        )
        .select_from(wanted)
        .join(
            QuizAnswerRow,
            (QuizAnswerRow.persona_id == wanted.c.persona_id)
            & (QuizAnswerRow.answered_at >= wanted.c.since),
        )
        .group_by(wanted.c.persona_id)
    )


def roleplay_scores(wanted: FromClause) -> Select[str, int, float | None]:
    """Completed role-plays and their average score per persona since its date."""
    return (
        select(wanted.c.persona_id, func.count(), func.avg(RoleplayRow.score))
        .select_from(wanted)
        .join(
            RoleplayRow,
            (RoleplayRow.persona_id == wanted.c.persona_id)
            & (RoleplayRow.ended_at >= wanted.c.since),
        )
        .where(RoleplayRow.completed.is_(True))
        .group_by(wanted.c.persona_id)
    )


def _context(
    *,
    questions: int,
    gap_count: int,
    gaps: Sequence[str],
    answers: int,
    right: int,
    played: int,
    average: SupportsFloat | None,
    figures: FeedbackFigures,
) -> ReviewContext:
    return ReviewContext(
        proposals=figures.proposals,
        reporters=figures.reporters,
        not_helpful=figures.not_helpful,
        questions=int(questions),
        gaps=tuple(gaps),
        gap_count=int(gap_count),
        quiz_answers=int(answers),
        quiz_right=int(right),
        roleplays=int(played),
        roleplay_average=None if average is None else round(float(average)),
    )
