"""Helpful / Not helpful votes on answers: one per user per answer, the latest counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.feedback_models import AnswerVoteRow


@dataclass(frozen=True, kw_only=True)
class Tally:
    """Votes on the answers about one persona (or one objection)."""

    helpful: int
    not_helpful: int


class VoteStore:
    """Stores votes.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def vote(
        self,
        *,
        answer_key: str,
        user_key: str,
        user_email: str | None,
        helpful: bool,
        persona_id: str | None,
        objection_id: str | None,
        now: dt.datetime,
    ) -> bool:
        """Store a user's vote on an answer; a second vote replaces the first.

        Returns:
            Whether it changed anything (``False``: the same vote again).
        """
        for _ in (1, 2):
            try:
                with self._db.session(exclusive=True, write=True) as session:
                    row = session.scalars(
                        select(AnswerVoteRow).where(
                            AnswerVoteRow.answer_key == answer_key,
                            AnswerVoteRow.user_key == user_key,
                        )
                    ).first()
                    if row is not None:
                        if row.helpful == helpful:
                            return False
                        session.execute(
                            update(AnswerVoteRow)
                            .where(AnswerVoteRow.id == row.id)
                            .values(helpful=helpful, created_at=now)
                        )
                        return True
                    session.add(
                        AnswerVoteRow(
                            answer_key=answer_key,
                            user_key=user_key,
                            user_email=user_email,
                            helpful=helpful,
                            persona_id=persona_id,
                            objection_id=objection_id,
                            created_at=now,
                        )
                    )
                    return True
            except IntegrityError:  # the same user's double click, stored by the other
                continue
        return False

    def tally(self, persona_id: str, objection_id: str | None = None) -> Tally:
        """The votes on answers about a persona (and one of its objections)."""
        query = select(
            func.count(case((AnswerVoteRow.helpful.is_(True), 1))),
            func.count(case((AnswerVoteRow.helpful.is_(False), 1))),
        ).where(AnswerVoteRow.persona_id == persona_id)
        if objection_id is not None:
            query = query.where(AnswerVoteRow.objection_id == objection_id)
        with self._db.session() as session:
            up, down = session.execute(query).one()
        return Tally(helpful=int(up), not_helpful=int(down))

    def not_helpful_by_persona(self, since: dt.datetime) -> dict[str, int]:
        """Votes "not helpful" since a time, by persona (for review prompts)."""
        query = (
            select(AnswerVoteRow.persona_id, func.count())
            .where(AnswerVoteRow.helpful.is_(False), AnswerVoteRow.created_at >= since)
            .group_by(AnswerVoteRow.persona_id)
        )
        with self._db.session() as session:
            return {pid: int(n) for pid, n in session.execute(query) if pid}
