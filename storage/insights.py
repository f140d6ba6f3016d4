"""The dashboard's and ``personabot report``'s figures, read from what the bot stores.

Read-only aggregates for a period ``[since, until)`` and, optionally, one persona:
adoption (the question log), training (quiz answers and cards, role-plays, the onboarding
track) and the review history freshness is worked out from. Every query filters on an
indexed time column (see migration 0013), so a month of a large database is read through
its indexes, not by scanning the tables.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, select

from storage.db import Database
from storage.digest_data import Asked, DigestData
from storage.models import (
    QuestionRow,
    QuizAnswerRow,
    QuizCardRow,
    QuizPlayerRow,
    ReviewRow,
    RoleplayRow,
)

#: The intents of questions people asked (commands, quiz steps and errors left out).
QUESTION_INTENTS = ("persona", "objection", "directory", "help", "unknown")
#: The intent of a question the bot could not answer (a content gap).
UNANSWERED = "unknown"


@dataclass(frozen=True, kw_only=True)
class Period:
    """What the figures are about: ``[since, until)`` and optionally one persona."""

    since: dt.datetime
    until: dt.datetime
    persona: str | None = None


@dataclass(frozen=True, kw_only=True)
class Adoption:
    """Who asks what, how often.

    Attributes:
        questions: Questions asked in the period.
        unanswered: Of which the bot could not answer.
        askers: Distinct people who asked.
        per_day: Questions per day (ISO date → count), days without questions left out.
        per_week: Questions per ISO week (Monday's date → count).
        weekly_askers: Distinct askers per ISO week (Monday's date → count).
        by_persona: Questions answered about each persona (persona id → count).
        by_platform: Questions per platform.
        by_intent: Questions per intent.
        top_unanswered: The most asked questions the bot could not answer (asked by two
            people at least, as in the digest).
    """

    questions: int = 0
    unanswered: int = 0
    askers: int = 0
    per_day: dict[str, int] = field(default_factory=dict)
    per_week: dict[str, int] = field(default_factory=dict)
    weekly_askers: dict[str, int] = field(default_factory=dict)
    by_persona: dict[str, int] = field(default_factory=dict)
    by_platform: dict[str, int] = field(default_factory=dict)
    by_intent: dict[str, int] = field(default_factory=dict)
    top_unanswered: list[Asked] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Totals:
    """A period's headline counts, for comparing with another period.

    Attributes:
        questions: Questions asked.
        unanswered: Of which the bot could not answer.
        askers: Distinct people who asked.
        roleplays: Role-plays completed.
        roleplay_passed: Of which passed.
    """

    questions: int = 0
    unanswered: int = 0
    askers: int = 0
    roleplays: int = 0
    roleplay_passed: int = 0


@dataclass(frozen=True, kw_only=True)
class PersonaTraining:
    """One persona's training figures.

    Attributes:
        answers: Quiz answers about it in the period.
        correct: Of which right.
        cards: Quiz cards about it practised in the period (their latest answer in it).
        mastered: Of which in a known box (mastered) now.
        roleplays: Role-plays with it completed in the period.
        roleplay_passed: Of which passed.
        roleplay_score: Their mean score (``None`` without scored role-plays).
    """

    answers: int = 0
    correct: int = 0
    cards: int = 0
    mastered: int = 0
    roleplays: int = 0
    roleplay_passed: int = 0
    roleplay_score: float | None = None


@dataclass(frozen=True, kw_only=True)
class Training:
    """Quizzes, role-plays and the onboarding track.

    Attributes:
        quiz_answers: Quiz answers in the period.
        quiz_correct: Of which right.
        quizzes_completed: Quizzes answered to the last question in the period.
        quiz_players: Distinct players who answered in the period.
        roleplays: Role-plays completed in the period.
        roleplay_passed: Of which passed.
        roleplay_score: Their mean score (``None`` without scored role-plays).
        track_players: Quiz players ever.
        track_completed: Of which completed the onboarding track (ever).
        track_completed_in_period: Completions of the track in the period.
        per_week: Quiz answers per ISO week (Monday's date → count).
        by_persona: Each persona's figures.
    """

    quiz_answers: int = 0
    quiz_correct: int = 0
    quizzes_completed: int = 0
    quiz_players: int = 0
    roleplays: int = 0
    roleplay_passed: int = 0
    roleplay_score: float | None = None
    track_players: int = 0
    track_completed: int = 0
    track_completed_in_period: int = 0
    per_week: dict[str, int] = field(default_factory=dict)
    by_persona: dict[str, PersonaTraining] = field(default_factory=dict)


@functools.lru_cache(maxsize=4096)
def week_of(day: str) -> str:
    """The ISO week's Monday (ISO date) of the ISO date ``day``."""
    date = dt.date.fromisoformat(day)
    return (date - dt.timedelta(days=date.weekday())).isoformat()


def day_of(dialect: str, column: SQLColumnExpression[dt.datetime]) -> ColumnElement[str]:
    """``column``'s UTC date as ``YYYY-MM-DD``, worked out by the database."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)  # SQLite stores naive UTC


class Insights:
    """Read the figures.

    Args:
        db: The database.
        known_box: The Leitner box from which a quiz card counts as mastered.
    """

    def __init__(self, *, db: Database, known_box: int) -> None:
        self._db = db
        self._known_box = known_box
        self._digest = DigestData(db=db)

    def _day(self, column: SQLColumnExpression[dt.datetime]) -> ColumnElement[str]:
        return day_of(self._db.dialect, column)

    def _week(self, column: SQLColumnExpression[dt.datetime]) -> ColumnElement[str]:
        """``column``'s ISO week as its Monday's UTC date, worked out by the database."""
        if self._db.dialect == "postgresql":
            monday = func.date_trunc("week", func.timezone("UTC", column))
            return func.to_char(monday, "YYYY-MM-DD")
        # SQLite: to the week's Sunday (itself if one), then back six days.
        return func.date(column, "weekday 0", "-6 days")

    def adoption(self, period: Period, *, top: int = 10) -> Adoption:
        """Questions per day and week, askers, and the split by persona, platform, intent."""
        q = QuestionRow
        where = [q.asked_at >= period.since, q.asked_at < period.until]
        where.append(q.intent.in_(QUESTION_INTENTS))
        if period.persona is not None:
            where.append(q.persona_id == period.persona)
        day = self._day(q.asked_at).label("day")
        counts = (
            select(day, q.platform, q.persona_id, q.intent, func.count())
            .where(*where)
            .group_by(day, q.platform, q.persona_id, q.intent)
        )
        who = (q.platform + ":" + q.user_id).label("who")
        week = self._week(q.asked_at).label("week")
        weekly = select(week, func.count(func.distinct(who))).where(*where).group_by(week)
        everyone = select(func.count(func.distinct(who))).where(*where)
        per_day: Counter[str] = Counter()
        per_week: Counter[str] = Counter()
        by_persona: Counter[str] = Counter()
        by_platform: Counter[str] = Counter()
        by_intent: Counter[str] = Counter()
        with self._db.session() as session:
            for d, platform, persona, intent, n in session.execute(counts):
                per_day[d] += n
                per_week[week_of(d)] += n
                by_platform[platform] += n
                by_intent[intent] += n
                if persona is not None:
                    by_persona[persona] += n
            weekly_askers = {str(w): int(n) for w, n in session.execute(weekly)}
            askers = int(session.execute(everyone).scalar_one())
        gaps = self._digest.questions(period.since, period.until, intents=(UNANSWERED,), limit=top)
        return Adoption(
            questions=sum(per_day.values()),
            unanswered=by_intent.get(UNANSWERED, 0),
            askers=askers,
            per_day=dict(sorted(per_day.items())),
            per_week=dict(sorted(per_week.items())),
            weekly_askers=dict(sorted(weekly_askers.items())),
            by_persona=dict(by_persona.most_common()),
            by_platform=dict(by_platform.most_common()),
            by_intent=dict(by_intent.most_common()),
            top_unanswered=gaps,
        )

    def totals(self, period: Period) -> Totals:
        """The headline counts of a period, in two statements (the previous period's)."""
        q, r = QuestionRow, RoleplayRow
        where = [q.asked_at >= period.since, q.asked_at < period.until]
        where.append(q.intent.in_(QUESTION_INTENTS))
        plays: list[ColumnElement[bool]] = [
            r.ended_at >= period.since,
            r.ended_at < period.until,
            r.completed.is_(True),
        ]
        if period.persona is not None:
            where.append(q.persona_id == period.persona)
            plays.append(r.persona_id == period.persona)
        asked = select(
            func.count(),
            func.sum(case((q.intent == UNANSWERED, 1), else_=0)),
            func.count(func.distinct(q.platform + ":" + q.user_id)),
        ).where(*where)
        played = select(func.count(), func.sum(case((r.score >= r.pass_mark, 1), else_=0))).where(
            *plays
        )
        with self._db.session() as session:
            questions, unanswered, askers = session.execute(asked).one()
            roleplays, passed = session.execute(played).one()
        return Totals(
            questions=int(questions),
            unanswered=int(unanswered or 0),
            askers=int(askers),
            roleplays=int(roleplays),
            roleplay_passed=int(passed or 0),
        )

    def training(self, period: Period) -> Training:
        """Quiz answers and completions, mastery, role-plays and the onboarding track."""
        a, r = QuizAnswerRow, RoleplayRow
        answers_where = [a.answered_at >= period.since, a.answered_at < period.until]
        plays_where: list[ColumnElement[bool]] = [
            r.ended_at >= period.since,
            r.ended_at < period.until,
            r.completed.is_(True),
        ]
        # Mastery of the questions practised in the period (a card's seen_at is its
        # latest answer): what the people training lately know now.
        cards_where: list[ColumnElement[bool]] = [
            QuizCardRow.seen_at >= period.since,
            QuizCardRow.seen_at < period.until,
            QuizCardRow.retired_at.is_(None),
        ]
        if period.persona is not None:
            answers_where.append(a.persona_id == period.persona)
            plays_where.append(r.persona_id == period.persona)
            cards_where.append(QuizCardRow.persona_id == period.persona)
        day = self._day(a.answered_at).label("day")
        right = func.sum(case((a.correct, 1), else_=0))
        answers = (
            select(day, a.persona_id, func.count(), right)
            .where(*answers_where)
            .group_by(day, a.persona_id)
        )
        players = select(func.count(func.distinct(a.user_key))).where(*answers_where)
        mastered = func.sum(case((QuizCardRow.box >= self._known_box, 1), else_=0))
        cards = (
            select(QuizCardRow.persona_id, func.count(), mastered)
            .where(*cards_where)
            .group_by(QuizCardRow.persona_id)
        )
        passed = func.sum(case((r.score >= r.pass_mark, 1), else_=0))
        plays = (
            select(r.persona_id, func.count(), passed, func.sum(r.score), func.count(r.score))
            .where(*plays_where)
            .group_by(r.persona_id)
        )
        p = QuizPlayerRow
        track = select(
            func.count(),
            func.count(p.track_completed_at),
            func.sum(
                case(
                    (
                        (p.track_completed_at >= period.since)
                        & (p.track_completed_at < period.until),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        personas: defaultdict[str, dict[str, float | int | None]] = defaultdict(dict)
        per_week: Counter[str] = Counter()
        with self._db.session() as session:
            for d, pid, n, ok in session.execute(answers):
                per_week[week_of(d)] += n
                mine = personas[pid or ""]
                mine["answers"] = int(mine.get("answers") or 0) + n
                mine["correct"] = int(mine.get("correct") or 0) + int(ok or 0)
            player_count = int(session.execute(players).scalar_one())
            for pid, n, known in session.execute(cards):
                personas[pid or ""].update(cards=n, mastered=int(known or 0))
            score_sum = score_count = 0
            for pid, n, ok, total, scored in session.execute(plays):
                score_sum += int(total or 0)
                score_count += scored
                personas[pid].update(
                    roleplays=n,
                    roleplay_passed=int(ok or 0),
                    roleplay_score=round(int(total) / scored, 1) if scored else None,
                )
            everyone, completed, lately = session.execute(track).one()
        completions = self._digest.quiz_completions(period.since, period.until)
        by_persona = {
            pid: PersonaTraining(**values)  # type: ignore[arg-type]
            for pid, values in sorted(personas.items())
            if pid
        }
        return Training(
            quiz_answers=sum(per_week.values()),
            quiz_correct=sum(int(v.get("correct") or 0) for v in personas.values()),
            quizzes_completed=completions.count,
            quiz_players=player_count,
            roleplays=sum(t.roleplays for t in by_persona.values()),
            roleplay_passed=sum(t.roleplay_passed for t in by_persona.values()),
            roleplay_score=round(score_sum / score_count, 1) if score_count else None,
            track_players=int(everyone or 0),
            track_completed=int(completed or 0),
            track_completed_in_period=int(lately or 0),
            per_week=dict(sorted(per_week.items())),
            by_persona=by_persona,
        )

    def quiz_completions(self, period: Period) -> int:
        """Quizzes answered to the last question in the period (every persona's)."""
        return self._digest.quiz_completions(period.since, period.until).count

    def reviews_until(self, until: dt.datetime) -> list[tuple[str, str, dt.date]]:
        """Reviews and snoozes recorded in chat before ``until``: (persona, kind, date).

        A snooze's date is the day it ends; a review's is the day it was made.
        """
        query = (
            select(ReviewRow.persona_id, ReviewRow.kind, ReviewRow.at, ReviewRow.until)
            .where(ReviewRow.at < until)
            .order_by(ReviewRow.at, ReviewRow.id)
        )
        with self._db.session() as session:
            return [
                (pid, kind, (ends if kind == "snoozed" and ends else at).date())
                for pid, kind, at, ends in session.execute(query)
            ]

    def first_activity(self) -> dt.datetime | None:
        """When the first question was asked (the start of "all time")."""
        with self._db.session() as session:
            first = session.execute(select(func.min(QuestionRow.asked_at))).scalar_one()
        return first if isinstance(first, dt.datetime) else None
