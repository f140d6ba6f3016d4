"""What an owner needs to review a persona: its usage and content gaps since the last review.

Read from what the bot already stores: the question log (questions about the persona,
and those it answered without confidence: the content gaps), quiz answers on the persona
and role-play sessions with it. Indexed by persona and time
(``ix_questions_persona_id_asked_at``), so a thousand personas' context over a hundred
thousand questions is read in well under a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from storage.db import Database
from storage.models import QuestionRow, QuizAnswerRow, RoleplayRow

#: An answer given with less confidence than this counts as a content gap.
GAP_CONFIDENCE = 0.5
#: How many gap questions a prompt shows.
GAPS_SHOWN = 5


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
    """

    questions: int = 0
    gaps: tuple[str, ...] = ()
    gap_count: int = 0
    quiz_answers: int = 0
    quiz_right: int = 0
    roleplays: int = 0
    roleplay_average: int | None = None


class ReviewContexts:
    """Read review context from the stored questions, quiz answers and role-plays.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def of(self, persona_id: str, *, since: dt.datetime) -> ReviewContext:
        """``persona_id``'s context since ``since``."""
        about = (QuestionRow.persona_id == persona_id, QuestionRow.asked_at >= since)
        low = QuestionRow.confidence < GAP_CONFIDENCE
        with self._db.session() as session:
            questions = session.scalar(select(func.count()).where(*about)) or 0
            gap_count = session.scalar(select(func.count()).where(*about, low)) or 0
            gaps = session.scalars(
                select(QuestionRow.text)
                .where(*about, low)
                .order_by(QuestionRow.asked_at.desc())
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
        return ReviewContext(
            questions=int(questions),
            gaps=tuple(gaps),
            gap_count=int(gap_count),
            quiz_answers=int(answers),
            quiz_right=int(right),
            roleplays=int(played),
            roleplay_average=None if average is None else round(float(average)),
        )
