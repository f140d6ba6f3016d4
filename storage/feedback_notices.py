"""Who must hear of what in the feedback loop, each claimed once before it is sent.

* Reporters are told what became of their feedback: a decided piece of feedback is
  claimed (``told_at``) by one run, then sent.
* A proposal reaching the reporter threshold is claimed (``urgent_sent_at``) once and
  sent to its owners at once.
* Each owner gets at most one batched message a day with the proposals that are new to
  them (created since their last batch): the day's notice row is unique per owner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.feedback import FeedbackStore, Proposal
from storage.feedback_models import FeedbackRow, ProposalNoticeRow, ProposalRow


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """A decided piece of feedback, to tell its reporter."""

    feedback_id: int
    reporter_email: str
    persona_id: str
    status: str
    decided_by: str | None
    reason: str | None
    version: int | None


class FeedbackNotices:
    """Claims the messages of the feedback loop.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db
        self._proposals = FeedbackStore(db=db)

    def claim_outcomes(self, *, now: dt.datetime, limit: int = 100) -> list[Outcome]:
        """Decided feedback whose reporter has not been told, claimed for this run."""
        with self._db.session(exclusive=True, write=True) as session:
            rows = session.execute(
                select(FeedbackRow, ProposalRow)
                .join(ProposalRow, ProposalRow.id == FeedbackRow.proposal_id)
                .where(
                    FeedbackRow.status.in_(("approved", "rejected")),
                    FeedbackRow.told_at.is_(None),
                    FeedbackRow.reporter_email.is_not(None),
                )
                .order_by(FeedbackRow.id)
                .limit(limit)
            ).all()
            claimed = []
            for feedback, proposal in rows:
                done = session.execute(
                    update(FeedbackRow)
                    .where(FeedbackRow.id == feedback.id, FeedbackRow.told_at.is_(None))
                    .values(told_at=now)
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount:  # type: ignore[attr-defined]
                    claimed.append(
                        Outcome(
                            feedback_id=feedback.id,
                            reporter_email=feedback.reporter_email or "",
                            persona_id=feedback.persona_id,
                            status=feedback.status,
                            decided_by=proposal.decided_by,
                            reason=proposal.reason,
                            version=proposal.new_version,
                        )
                    )
            return claimed

    def claim_urgent(self, *, at_least: int, now: dt.datetime) -> list[Proposal]:
        """Pending proposals that reached ``at_least`` reporters, claimed to send once."""
        with self._db.session(exclusive=True, write=True) as session:
            ids = list(
                session.scalars(
                    select(ProposalRow.id).where(
                        ProposalRow.status == "pending",
                        ProposalRow.reporters >= at_least,
                        ProposalRow.urgent_sent_at.is_(None),
                    )
                )
            )
            claimed = []
            for proposal_id in ids:
                done = session.execute(
                    update(ProposalRow)
                    .where(ProposalRow.id == proposal_id, ProposalRow.urgent_sent_at.is_(None))
                    .values(urgent_sent_at=now)
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount:  # type: ignore[attr-defined]
                    claimed.append(proposal_id)
        return [p for p in (self._proposals.proposal(i) for i in claimed) if p is not None]

    def pending(self) -> list[Proposal]:
        """Every pending proposal (read once a run, then shared out among the owners)."""
        return self._proposals.pending()

    def last_batches(self) -> dict[str, dt.datetime]:
        """When each owner's last batch was sent (owners never sent one are left out)."""
        with self._db.session() as session:
            rows = session.execute(
                select(ProposalNoticeRow.owner_email, func.max(ProposalNoticeRow.created_at))
                .where(ProposalNoticeRow.status == "sent")
                .group_by(ProposalNoticeRow.owner_email)
            )
            return {owner: at for owner, at in rows}

    def claim_batch(self, owner: str, *, day: dt.date, now: dt.datetime) -> bool:
        """Claim ``owner``'s batch for ``day``; ``False`` if it was claimed already."""
        try:
            with self._db.session(exclusive=True, write=True) as session:
                session.add(
                    ProposalNoticeRow(
                        owner_email=owner.casefold(),
                        day=day.isoformat(),
                        status="sending",
                        created_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def batch_done(self, owner: str, *, day: dt.date, sent: bool) -> None:
        """Record how the claimed batch went (``failed`` ones are not tried again that day)."""
        with self._db.session(exclusive=True, write=True) as session:
            session.execute(
                update(ProposalNoticeRow)
                .where(
                    ProposalNoticeRow.owner_email == owner.casefold(),
                    ProposalNoticeRow.day == day.isoformat(),
                )
                .values(status="sent" if sent else "failed")
            )
