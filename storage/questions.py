"""The log of questions asked and answers given."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from storage.db import Database
from storage.models import QuestionRow


@dataclass(frozen=True, kw_only=True)
class QuestionRecord:
    """One question and the bot's answer.

    Attributes:
        asked_at: When it was asked (timezone-aware).
        platform: ``"slack"``, ``"teams"``, ``"console"``, ...
        user_id: The platform's user id.
        conversation_id: The platform's channel/conversation id.
        text: The question as asked.
        intent: What the bot understood it as (e.g. ``"objection"``).
        confidence: How sure the bot was, 0..1.
        answer: The answer text sent.
        user_email: The user's email, if the platform told us.
        persona_id: The persona the answer was about, if any.
        objection_id: The objection the answer was about, if any.

    """

    asked_at: dt.datetime
    platform: str
    user_id: str
    conversation_id: str
    text: str
    intent: str
    confidence: float
    answer: str
    user_email: str | None = None
    persona_id: str | None = None
    objection_id: str | None = None


class QuestionLog:
    """Records questions and reads them back.

    Args:
        db: The database.

    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def record(self, entry: QuestionRecord) -> None:
        """Append ``entry`` to the log."""
        with self._db.session() as session:
            session.add(question_row(entry))

    def recent(self, *, platform: str, user_id: str, limit: int = 5) -> list[QuestionRecord]:
        """Return a user's latest questions, newest first.

        Args:
            platform: The platform the user is on.
            user_id: The platform's user id.
            limit: At most this many records.

        Returns:
            Up to ``limit`` records, newest first (ties: last recorded first).

        """
        with self._db.session() as session:
            rows = session.scalars(
                select(QuestionRow)
                .where(QuestionRow.platform == platform, QuestionRow.user_id == user_id)
                .order_by(QuestionRow.asked_at.desc(), QuestionRow.id.desc())
                .limit(limit)
            ).all()
        return [_record(row) for row in rows]

    def count_since(self, since: dt.datetime) -> int:
        """Return how many questions were asked at or after ``since``."""
        with self._db.session() as session:
            count = session.scalar(
                select(func.count()).select_from(QuestionRow).where(QuestionRow.asked_at >= since)
            )
        return int(count or 0)


_FIELDS = tuple(f.name for f in dataclasses.fields(QuestionRecord))
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` without NUL and lone surrogates, which no database text column holds."""
    return _UNSTORABLE.sub("", text)


def _record(row: QuestionRow) -> QuestionRecord:
    return QuestionRecord(**{name: getattr(row, name) for name in _FIELDS})


def question_row(entry: QuestionRecord) -> QuestionRow:
    """The row that stores ``entry``."""
    return QuestionRow(**question_values(entry))


def question_values(entry: QuestionRecord) -> dict[str, object]:
    """The column values that store ``entry`` (for bulk inserts).

    NUL and lone surrogates, which no database text column holds, are left out of text.
    """
    values = {name: getattr(entry, name) for name in _FIELDS}
    return {k: storable(v) if isinstance(v, str) else v for k, v in values.items()}
