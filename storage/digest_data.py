"""What the weekly digest reports, read from what the bot already stores (read-only).

Persona versions (edits with their author and note, imports), reviews recorded in chat,
the question log (most asked and unanswered questions), quiz flows and answers
(completions, points) and role-play results, each within a period ``[since, until)``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from storage.db import Database
from storage.models import (
    FlowRow,
    PersonaVersionRow,
    QuestionRow,
    QuizAnswerRow,
    QuizPlayerRow,
    ReviewRow,
    RoleplayRow,
)

#: Distinct question texts read per period before they are merged (case, punctuation).
TEXTS_READ = 1000
#: A question is listed once at least this many people asked it (privacy).
MIN_ASKERS = 2
_PUNCTUATION = re.compile(r"[^\w\s]+")


@dataclass(frozen=True, kw_only=True)
class PersonaChange:
    """A new version of a persona.

    Attributes:
        persona_id: The persona.
        version: Its version number (1: created).
        source: ``edit`` (in chat) or ``import`` (the content pack).
        author: Who made an edit (an email); ``import:<origin>`` for imports.
        note: Why, for an edit (the feedback that led to it).
        at: When.
    """

    persona_id: str
    version: int
    source: str
    author: str | None
    note: str | None
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class ReviewDone:
    """A review recorded in chat ("Still accurate", an approved proposal)."""

    persona_id: str
    kind: str
    by: str | None
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class Asked:
    """A question and how many times it was asked (wordings differing in case merged)."""

    text: str
    count: int


@dataclass(frozen=True, kw_only=True)
class Completions:
    """How many activities were completed, by how many people, and how many passed."""

    count: int = 0
    people: int = 0
    passed: int = 0


@dataclass(frozen=True, kw_only=True)
class Learner:
    """A player and the quiz points they scored in the period."""

    user_key: str
    name: str
    points: int


class DigestData:
    """Read the digest's facts for a period.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def persona_changes(self, since: dt.datetime, until: dt.datetime) -> list[PersonaChange]:
        """Persona versions made in the period, oldest first."""
        query = (
            select(PersonaVersionRow)
            .where(PersonaVersionRow.created_at >= since, PersonaVersionRow.created_at < until)
            .order_by(PersonaVersionRow.created_at, PersonaVersionRow.id)
        )
        with self._db.session() as session:
            return [
                PersonaChange(
                    persona_id=row.persona_id,
                    version=row.version,
                    source=row.source,
                    author=row.author,
                    note=row.note,
                    at=row.created_at,
                )
                for row in session.scalars(query)
            ]

    def reviews(self, since: dt.datetime, until: dt.datetime) -> list[ReviewDone]:
        """Reviews recorded in chat in the period, oldest first."""
        query = (
            select(ReviewRow.persona_id, ReviewRow.kind, ReviewRow.by_email, ReviewRow.at)
            .where(
                ReviewRow.kind.in_(("reviewed", "approved")),
                ReviewRow.at >= since,
                ReviewRow.at < until,
            )
            .order_by(ReviewRow.at, ReviewRow.id)
        )
        with self._db.session() as session:
            return [
                ReviewDone(persona_id=pid, kind=kind, by=by, at=at)
                for pid, kind, by, at in session.execute(query)
            ]

    def questions(
        self, since: dt.datetime, until: dt.datetime, *, intents: Collection[str], limit: int
    ) -> list[Asked]:
        """The ``limit`` questions with ``intents`` asked most in the period.

        Wordings that differ only in case, spacing or punctuation count as one question,
        shown as its most frequent wording (the first asked, of equals). Choice numbers
        ("2") are left out, and so is a question only one person asked: the digest goes
        to a channel, and a question asked in a private chat stays private.
        """
        count = func.count().label("n")
        query = (
            select(QuestionRow.text, QuestionRow.user_id, count, func.min(QuestionRow.id))
            .where(
                QuestionRow.asked_at >= since,
                QuestionRow.asked_at < until,
                QuestionRow.intent.in_(tuple(intents)),
            )
            .group_by(QuestionRow.text, QuestionRow.user_id)
            .order_by(count.desc(), QuestionRow.text)
            .limit(TEXTS_READ)
        )
        with self._db.session() as session:
            rows = [
                (str(text), str(user), int(n), int(first))
                for text, user, n, first in session.execute(query)
            ]
        totals: Counter[str] = Counter()
        askers: dict[str, set[str]] = {}
        wordings: dict[tuple[str, str], tuple[int, int]] = {}  # (key, text) → (count, first)
        for text, user, n, first in rows:
            key = _folded(text)
            if not key or key.isdigit():
                continue
            totals[key] += n
            askers.setdefault(key, set()).add(user)
            seen, earliest = wordings.get((key, text), (0, first))
            wordings[(key, text)] = (seen + n, min(earliest, first))
        shown: dict[str, tuple[int, int, str]] = {}
        for (key, text), (n, first) in wordings.items():
            best = shown.get(key)
            if best is None or (-n, first) < (-best[0], best[1]):
                shown[key] = (n, first, " ".join(text.split()))
        ranked = sorted(
            (item for item in totals.items() if len(askers[item[0]]) >= MIN_ASKERS),
            key=lambda item: (-item[1], item[0]),
        )
        return [Asked(text=shown[key][2], count=n) for key, n in ranked[:limit]]

    def quiz_completions(
        self, since: dt.datetime, until: dt.datetime, *, kind: str = "quiz"
    ) -> Completions:
        """Quizzes answered to the last question in the period (stopped ones left out)."""
        query = select(FlowRow.user_key, FlowRow.data).where(
            FlowRow.kind == kind, FlowRow.ended_at >= since, FlowRow.ended_at < until
        )
        with self._db.session() as session:
            done = [
                user
                for user, data in session.execute(query)
                if int(data.get("index", 0)) >= len(data.get("questions") or ()) > 0
            ]
        return Completions(count=len(done), people=len(set(done)))

    def roleplay_completions(self, since: dt.datetime, until: dt.datetime) -> Completions:
        """Role-plays played to the end in the period, and how many passed."""
        query = select(RoleplayRow.user_key, RoleplayRow.score, RoleplayRow.pass_mark).where(
            RoleplayRow.completed.is_(True),
            RoleplayRow.ended_at >= since,
            RoleplayRow.ended_at < until,
        )
        with self._db.session() as session:
            rows = session.execute(query).all()
        passed = sum(1 for _, score, mark in rows if score is not None and score >= mark)
        return Completions(count=len(rows), people=len({r[0] for r in rows}), passed=passed)

    def top_learners(self, since: dt.datetime, until: dt.datetime, *, limit: int) -> list[Learner]:
        """The players with the most quiz points in the period; hidden players left out."""
        points = func.sum(QuizAnswerRow.points).label("points")
        query = (
            select(
                QuizAnswerRow.user_key,
                points,
                func.coalesce(QuizPlayerRow.name, QuizPlayerRow.email),
            )
            .join(QuizPlayerRow, QuizPlayerRow.user_key == QuizAnswerRow.user_key, isouter=True)
            .where(
                QuizAnswerRow.answered_at >= since,
                QuizAnswerRow.answered_at < until,
                or_(QuizPlayerRow.hidden.is_(None), QuizPlayerRow.hidden.is_(False)),
            )
            .group_by(QuizAnswerRow.user_key, QuizPlayerRow.name, QuizPlayerRow.email)
            .having(points > 0)
            .order_by(points.desc(), QuizAnswerRow.user_key)
            .limit(limit)
        )
        with self._db.session() as session:
            return [
                Learner(user_key=str(key), name=str(name or key), points=int(total))
                for key, total, name in session.execute(query)
            ]


def _folded(text: str) -> str:
    """``text`` as compared: case, spacing and punctuation ignored."""
    return " ".join(_PUNCTUATION.sub(" ", text).casefold().split())
