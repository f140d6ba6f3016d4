"""Answer votes and the feedback funnel (the tables of migration 0012).

``answer_votes`` (helpful or not, per answer), ``feedback`` (what sellers said about a
persona) and ``proposals`` (a change grouping feedback, then approved or rejected).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from storage.db import Database
from storage.feedback_models import AnswerVoteRow, FeedbackRow, ProposalRow
from storage.insights import Period, day_of, week_of

#: The proposal statuses that are a decision, and the one that changed the persona.
DECIDED = ("approved", "rejected")
APPROVED = "approved"


@dataclass(frozen=True, kw_only=True)
class Votes:
    """Helpful votes on answers.

    Attributes:
        helpful: Votes saying the answer helped.
        unhelpful: Votes saying it did not.
        per_week: ``[helpful, unhelpful]`` per ISO week (Monday's date).
        by_persona: ``[helpful, unhelpful]`` per persona id.
    """

    helpful: int = 0
    unhelpful: int = 0
    per_week: dict[str, list[int]] = field(default_factory=dict)
    by_persona: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Funnel:
    """Feedback, proposed changes and decisions.

    Attributes:
        submitted: Feedback items given in the period.
        proposed: Changes proposed in the period.
        decided: Proposals decided in the period.
        approved: Of which approved.
        median_days: Median days from the first feedback on a persona to the approved
            change that followed it (``None`` without one).
        by_persona: Per persona: ``submitted``, ``proposed``, ``decided``, ``approved``
            and ``days`` (the lead times of its approved changes).
    """

    submitted: int = 0
    proposed: int = 0
    decided: int = 0
    approved: int = 0
    median_days: float | None = None
    by_persona: dict[str, dict[str, list[float] | int]] = field(default_factory=dict)


class FeedbackInsights:
    """Read votes and the funnel.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def votes(self, period: Period) -> Votes:
        """Helpful votes in the period, per week and persona."""
        v = AnswerVoteRow
        where = [v.created_at >= period.since, v.created_at < period.until]
        if period.persona is not None:
            where.append(v.persona_id == period.persona)
        day = day_of(self._db.dialect, v.created_at).label("day")
        good = func.sum(case((v.helpful, 1), else_=0))
        query = (
            select(day, v.persona_id, good, func.count()).where(*where).group_by(day, v.persona_id)
        )
        weeks: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
        personas: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
        with self._db.session() as session:
            for d, pid, yes, n in session.execute(query):
                yes = int(yes or 0)
                for bucket in (weeks[week_of(d)], *([personas[pid]] if pid else [])):
                    bucket[0] += yes
                    bucket[1] += n - yes
        return Votes(
            helpful=sum(w[0] for w in weeks.values()),
            unhelpful=sum(w[1] for w in weeks.values()),
            per_week=dict(sorted(weeks.items())),
            by_persona=dict(sorted(personas.items())),
        )

    def funnel(self, period: Period) -> Funnel:
        """Feedback submitted, changes proposed and decided in the period, and lead times.

        A lead time runs from the first feedback grouped into an approved proposal to its
        approval.
        """
        f, p = FeedbackRow, ProposalRow
        fb = [] if period.persona is None else [f.persona_id == period.persona]
        mine = [] if period.persona is None else [p.persona_id == period.persona]
        submitted = (
            select(f.persona_id, func.count())
            .where(f.created_at >= period.since, f.created_at < period.until, *fb)
            .group_by(f.persona_id)
        )
        proposed = (
            select(p.persona_id, func.count())
            .where(p.created_at >= period.since, p.created_at < period.until, *mine)
            .group_by(p.persona_id)
        )
        decided = (
            select(p.persona_id, p.status, p.decided_at, func.min(f.created_at))
            .join(f, f.proposal_id == p.id, isouter=True)
            .where(
                p.decided_at >= period.since,
                p.decided_at < period.until,
                p.status.in_(DECIDED),
                *mine,
            )
            .group_by(p.id, p.persona_id, p.status, p.decided_at)
        )
        counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        lead_times: defaultdict[str, list[float]] = defaultdict(list)
        with self._db.session() as session:
            for pid, n in session.execute(submitted):
                counts[pid]["submitted"] += n
            for pid, n in session.execute(proposed):
                counts[pid]["proposed"] += n
            for pid, status, at, first in session.execute(decided):
                counts[pid]["decided"] += 1
                if status == APPROVED:
                    counts[pid]["approved"] += 1
                    if first is not None and at is not None:
                        lead = (at - first).total_seconds() / 86400
                        lead_times[pid].append(round(lead, 1))
        days = [d for ds in lead_times.values() for d in ds]
        return Funnel(
            submitted=sum(c["submitted"] for c in counts.values()),
            proposed=sum(c["proposed"] for c in counts.values()),
            decided=sum(c["decided"] for c in counts.values()),
            approved=sum(c["approved"] for c in counts.values()),
            median_days=round(statistics.median(days), 1) if days else None,
            by_persona={
                pid: {**dict(c), "days": lead_times.get(pid, [])}
                for pid, c in sorted(counts.items())
            },
        )
