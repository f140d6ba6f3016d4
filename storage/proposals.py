"""Owners' decisions on proposals: approve (a new persona version), edit, reject.

Each decision is one transaction guarded by the proposal's status and nonce: of two
owners deciding at once, or a click on a button sent before the proposal was edited,
exactly one applies; the other gets :class:`DecisionError` saying what happened. An
approval writes the persona's next version, closes the feedback and (by default) counts
as a review, all together; an approval that races another change of the same persona is
retried once on the newer version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.feedback import OPEN, _nonce
from storage.feedback_models import FeedbackRow, ProposalRow
from storage.models import PersonaVersionRow
from storage.pack_import import latest_versions
from storage.reviews import record_review

#: Makes the persona's next data from its live data (raises to refuse).
Maker = Callable[[dict[str, Any]], dict[str, Any]]


class DecisionError(Exception):
    """The decision did not apply.

    Attributes:
        reason: ``unknown``, ``decided`` (someone decided first: see ``status``, ``by``,
            ``at``) or ``stale`` (the proposal changed since the button was sent).
    """

    def __init__(
        self, reason: str, *, status: str = "", by: str | None = None, at: dt.datetime | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.by = by
        self.at = at


@dataclass(frozen=True, kw_only=True)
class Approved:
    """An applied approval: the persona's new version."""

    persona_id: str
    version: int


class Decisions:
    """Applies owners' decisions.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def approve(
        self,
        proposal_id: int,
        *,
        nonce: str | None,
        make: Maker,
        by: str,
        note: str,
        now: dt.datetime,
        count_as_review: bool = True,
    ) -> Approved:
        """Approve: write the persona's next version made by ``make`` from the live one.

        Args:
            proposal_id: The proposal.
            nonce: The nonce the button carried (``None`` for a typed command).
            make: The change applied to the live persona's data; its exceptions pass
                through and nothing is stored.
            by: The deciding owner's email.
            note: Why, recorded with the version (the proposal and its quotes).
            now: The time (aware).
            count_as_review: Record the approval as a review of the persona.

        Raises:
            DecisionError: Unknown, decided already, or stale.
        """
        for attempt in (1, 2):
            try:
                with self._db.session(exclusive=True, write=True) as session:
                    return self._approve(
                        session, proposal_id, nonce, make, by, note, now, count_as_review
                    )
            except IntegrityError:  # another version of the persona was written at once
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _approve(
        self,
        session: Session,
        proposal_id: int,
        nonce: str | None,
        make: Maker,
        by: str,
        note: str,
        now: dt.datetime,
        count_as_review: bool,
    ) -> Approved:
        row = _pending(session, proposal_id, nonce)
        live = latest_versions(session, [row.persona_id]).get(row.persona_id)
        if live is None:
            raise DecisionError("unknown")
        data = make(dict(live.data))
        version = live.version + 1
        _claim(session, row, status="approved", by=by, now=now, new_version=version)
        session.add(
            PersonaVersionRow(
                persona_id=row.persona_id,
                version=version,
                data=data,
                source="edit",
                author=by,
                note=note,
                created_at=now,
            )
        )
        _close_feedback(session, proposal_id, status="approved", now=now)
        if count_as_review:
            record_review(session, row.persona_id, kind="approved", by=by, at=now)
        session.flush()
        return Approved(persona_id=row.persona_id, version=version)

    def reject(
        self, proposal_id: int, *, nonce: str | None, by: str, reason: str, now: dt.datetime
    ) -> None:
        """Reject with a reason (told to the reporters).

        Raises:
            DecisionError: Unknown, decided already, or stale.
        """
        with self._db.session(exclusive=True, write=True) as session:
            row = _pending(session, proposal_id, nonce)
            _claim(session, row, status="rejected", by=by, now=now, reason=reason)
            _close_feedback(session, proposal_id, status="rejected", now=now)

    def edit(
        self, proposal_id: int, *, nonce: str | None, change: dict[str, Any], now: dt.datetime
    ) -> str:
        """Replace the proposed change (an owner's edit); returns the new nonce.

        Raises:
            DecisionError: Unknown, decided already, or stale.
        """
        with self._db.session(exclusive=True, write=True) as session:
            row = _pending(session, proposal_id, nonce)
            fresh = _nonce()
            done = session.execute(
                update(ProposalRow)
                .where(
                    ProposalRow.id == row.id,
                    ProposalRow.status == "pending",
                    ProposalRow.nonce == row.nonce,
                )
                .values(change=change, nonce=fresh, updated_at=now)
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                raise _lost(session, proposal_id)
            return fresh


def _pending(session: Session, proposal_id: int, nonce: str | None) -> ProposalRow:
    row = session.get(ProposalRow, proposal_id)
    if row is None:
        raise DecisionError("unknown")
    if row.status != "pending":
        raise DecisionError("decided", status=row.status, by=row.decided_by, at=row.decided_at)
    if nonce is not None and nonce != row.nonce:
        raise DecisionError("stale", status=row.status)
    return row


def _claim(
    session: Session,
    row: ProposalRow,
    *,
    status: str,
    by: str,
    now: dt.datetime,
    reason: str | None = None,
    new_version: int | None = None,
) -> None:
    done = session.execute(
        update(ProposalRow)
        .where(
            ProposalRow.id == row.id,
            ProposalRow.status == "pending",
            ProposalRow.nonce == row.nonce,
        )
        .values(
            status=status,
            decided_by=by,
            decided_at=now,
            reason=reason,
            new_version=new_version,
            nonce=_nonce(),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise _lost(session, row.id)


def _lost(session: Session, proposal_id: int) -> DecisionError:
    """The decision another owner made first (read after our conditional update lost)."""
    session.expire_all()
    row = session.get(ProposalRow, proposal_id)
    if row is None:
        return DecisionError("unknown")
    if row.status == "pending":
        return DecisionError("stale", status=row.status)
    return DecisionError("decided", status=row.status, by=row.decided_by, at=row.decided_at)


def _close_feedback(session: Session, proposal_id: int, *, status: str, now: dt.datetime) -> None:
    session.execute(
        update(FeedbackRow)
        .where(FeedbackRow.proposal_id == proposal_id, FeedbackRow.status == OPEN)
        .values(status=status, decided_at=now)
        .execution_options(synchronize_session=False)
    )
