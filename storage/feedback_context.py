"""The feedback side of a review prompt: pending proposals and "not helpful" votes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.feedback_models import AnswerVoteRow, ProposalRow


@dataclass(frozen=True)
class FeedbackFigures:
    """One persona's pending proposals, their reporters, and answers voted not helpful."""

    proposals: int = 0
    reporters: int = 0
    not_helpful: int = 0


def feedback_figures(
    session: Session, since_by_persona: Mapping[str, dt.datetime]
) -> dict[str, FeedbackFigures]:
    """Each persona's figures: proposals pending now, votes since its own date.

    Two grouped statements whatever the number of personas (the votes are filtered by
    each persona's date after grouping by persona and day, which the index serves).
    """
    ids = list(since_by_persona)
    if not ids:
        return {}
    pending = {
        pid: (int(n), int(r or 0))
        for pid, n, r in session.execute(
            select(ProposalRow.persona_id, func.count(), func.sum(ProposalRow.reporters))
            .where(ProposalRow.status == "pending", ProposalRow.persona_id.in_(ids))
            .group_by(ProposalRow.persona_id)
        )
    }
    earliest = min(since_by_persona.values())
    votes: dict[str, int] = {}
    rows = session.execute(
        select(AnswerVoteRow.persona_id, AnswerVoteRow.created_at).where(
            AnswerVoteRow.helpful.is_(False),
            AnswerVoteRow.persona_id.in_(ids),
            AnswerVoteRow.created_at >= earliest,
        )
    )
    for pid, at in rows:
        if pid is not None and at >= since_by_persona[pid]:
            votes[pid] = votes.get(pid, 0) + 1
    return {
        pid: FeedbackFigures(
            proposals=pending.get(pid, (0, 0))[0],
            reporters=pending.get(pid, (0, 0))[1],
            not_helpful=votes.get(pid, 0),
        )
        for pid in ids
    }
