"""The feedback side of a review prompt: pending proposals and "not helpful" votes.

Read like the rest of :mod:`storage.review_context`: the votes joined to the personas
asked about and their own dates (``wanted``), grouped by persona; the pending proposals
counted by persona in one statement.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import FromClause, Select, func, select
from sqlalchemy.orm import Session

from storage.feedback_models import AnswerVoteRow, ProposalRow


@dataclass(frozen=True)
class FeedbackFigures:
    """One persona's pending proposals, their reporters, and answers voted not helpful."""

    proposals: int = 0
    reporters: int = 0
    not_helpful: int = 0


def not_helpful_counts(wanted: FromClause) -> Select[str, int]:
    """Answers voted "not helpful" per persona since its date (the index on persona, time)."""
    return (
        select(wanted.c.persona_id, func.count())
        .select_from(wanted)
        .join(
            AnswerVoteRow,
            (AnswerVoteRow.persona_id == wanted.c.persona_id)
            & (AnswerVoteRow.created_at >= wanted.c.since),
        )
        .where(AnswerVoteRow.helpful.is_(False))
        .group_by(wanted.c.persona_id)
    )


def feedback_figures(
    session: Session, ids: Collection[str], not_helpful: dict[str, int]
) -> dict[str, FeedbackFigures]:
    """Each persona's figures: proposals pending now (read here), ``not_helpful`` as read."""
    pending = {
        pid: (int(n), int(r or 0))
        for pid, n, r in session.execute(
            select(ProposalRow.persona_id, func.count(), func.sum(ProposalRow.reporters))
            .where(ProposalRow.status == "pending", ProposalRow.persona_id.in_(list(ids)))
            .group_by(ProposalRow.persona_id)
        )
    }
    return {
        pid: FeedbackFigures(
            proposals=pending.get(pid, (0, 0))[0],
            reporters=pending.get(pid, (0, 0))[1],
            not_helpful=not_helpful.get(pid, 0),
        )
        for pid in ids
    }
