"""Feedback from the front line, stored before it is confirmed, grouped into proposals.

:meth:`FeedbackStore.submit` stores one piece of feedback and, in the same transaction,
joins it to a pending proposal about the same thing (the handler found which, with the
retrieval stack) or opens a new proposal with the structured change it proposes. A
proposal counts its independent reporters (distinct people, not submissions).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.feedback_models import FeedbackRow, ProposalRow
from storage.pack_import import latest_versions

#: Feedback that still counts towards a pending proposal.
OPEN = "open"
#: Feedback stored before its reporter said which persona it is about.
UNSORTED = "unsorted"


@dataclass(frozen=True, kw_only=True)
class Draft:
    """Feedback as submitted.

    Attributes:
        persona_id: The persona it is about.
        kind: new objection, better response, pain, ... (:data:`content.changes.KINDS`).
        text: What the reporter wrote (already checked: not empty, not too long).
        evidence: Optional customer, deal or link.
        source: ``text``, ``form`` or ``vote``.
        origin: The platform's id of the submission (a retry stores nothing twice).
        reporter_key: ``platform:user id``.
        reporter_email: The reporter's email, to tell them what became of it.
        reporter_name: A display name for quotes.
    """

    persona_id: str
    kind: str
    text: str
    evidence: str | None
    source: str
    origin: str | None
    reporter_key: str
    reporter_email: str | None
    reporter_name: str | None


@dataclass(frozen=True, kw_only=True)
class Quote:
    """One piece of feedback inside a proposal."""

    id: int
    persona_id: str
    kind: str
    text: str
    evidence: str | None
    reporter_key: str
    reporter_email: str | None
    reporter_name: str | None
    status: str
    created_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """A proposed change with the feedback behind it (quotes: open ones, oldest first)."""

    id: int
    persona_id: str
    kind: str
    change: dict[str, Any]
    base_version: int
    status: str
    nonce: str
    reporters: int
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None
    new_version: int | None
    quotes: tuple[Quote, ...]


@dataclass(frozen=True, kw_only=True)
class Submitted:
    """What :meth:`FeedbackStore.submit` stored (or found stored already: ``again``)."""

    feedback_id: int
    proposal_id: int
    reporters: int
    opened: bool
    again: bool


class FeedbackStore:
    """Stores feedback and the proposals it forms.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def submit(
        self,
        draft: Draft,
        *,
        join: int | None,
        change: dict[str, Any],
        now: dt.datetime,
    ) -> Submitted:
        """Store ``draft`` and join proposal ``join`` (if still pending) or open one.

        Args:
            draft: The feedback.
            join: A pending proposal about the same thing, if the handler found one.
            change: The change a new proposal proposes (unused when joining).
            now: The time (aware).
        """
        try:
            with self._db.session(exclusive=True, write=True) as session:
                return self._submit(session, draft, join=join, change=change, now=now)
        except IntegrityError:  # the same submission, stored by a concurrent delivery
            with self._db.session() as session:
                found = self._stored(session, draft)
            if found is None:
                raise
            return found

    def _submit(
        self,
        session: Session,
        draft: Draft,
        *,
        join: int | None,
        change: dict[str, Any],
        now: dt.datetime,
    ) -> Submitted:
        found = self._stored(session, draft)
        if found is not None:
            return found
        row = _row(draft, status=OPEN, proposal_id=None, now=now)
        session.add(row)
        return _joined(session, row, join=join, change=change, now=now)

    @staticmethod
    def _stored(session: Session, draft: Draft) -> Submitted | None:
        if draft.origin is None:
            return None
        row = session.scalars(
            select(FeedbackRow).where(
                FeedbackRow.reporter_key == draft.reporter_key, FeedbackRow.origin == draft.origin
            )
        ).first()
        if row is None or row.proposal_id is None:
            return None
        reporters = session.get(ProposalRow, row.proposal_id)
        return Submitted(
            feedback_id=row.id,
            proposal_id=row.proposal_id,
            reporters=reporters.reporters if reporters else 1,
            opened=False,
            again=True,
        )

    def hold(self, draft: Draft, *, now: dt.datetime) -> Submitted:
        """Store feedback whose persona is not known yet (``unsorted``; see :meth:`assign`)."""
        try:
            with self._db.session(exclusive=True, write=True) as session:
                found = self._stored(session, draft)
                if found is not None:
                    return found
                row = _row(draft, status=UNSORTED, proposal_id=None, now=now)
                session.add(row)
                session.flush()
                return Submitted(
                    feedback_id=row.id, proposal_id=0, reporters=0, opened=False, again=False
                )
        except IntegrityError:
            with self._db.session() as session:
                again = self._stored(session, draft)
            if again is None:
                raise
            return again

    def own(self, feedback_id: int, *, reporter_key: str) -> Quote | None:
        """One's own feedback (any status), or ``None`` if it is not this reporter's."""
        with self._db.session() as session:
            row = session.get(FeedbackRow, feedback_id)
            return None if row is None or row.reporter_key != reporter_key else _quote(row)

    def assign(
        self,
        feedback_id: int,
        *,
        reporter_key: str,
        persona_id: str,
        kind: str,
        join: int | None,
        change: dict[str, Any],
        now: dt.datetime,
    ) -> Submitted | None:
        """Give held feedback its persona and group it.

        Returns:
            What was stored, or ``None``: not this reporter's, or no longer waiting for
            its persona (sorted by an earlier click).
        """
        with self._db.session(exclusive=True, write=True) as session:
            row = session.get(FeedbackRow, feedback_id)
            if row is None or row.reporter_key != reporter_key or row.status != UNSORTED:
                return None
            row.persona_id, row.kind, row.status = persona_id, kind, OPEN
            return _joined(session, row, join=join, change=change, now=now)

    def withdraw(self, feedback_id: int, *, reporter_key: str, now: dt.datetime) -> str:
        """Withdraw one's own undecided feedback.

        Returns:
            ``withdrawn``, ``unknown`` (no such feedback of this reporter) or the
            feedback's status when it can no longer be withdrawn (``approved``, ...).
        """
        with self._db.session(exclusive=True, write=True) as session:
            row = session.get(FeedbackRow, feedback_id)
            if row is None or row.reporter_key != reporter_key:
                return "unknown"
            done = session.execute(
                update(FeedbackRow)
                .where(FeedbackRow.id == feedback_id, FeedbackRow.status.in_((OPEN, UNSORTED)))
                .values(status="withdrawn", decided_at=now)
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                return row.status
            if row.proposal_id is not None:
                proposal = session.get(ProposalRow, row.proposal_id)
                if proposal is not None and proposal.status == "pending":
                    proposal.reporters = _reporters(session, proposal.id)
                    proposal.updated_at = now
                    if proposal.reporters == 0:
                        proposal.status = "withdrawn"
                        proposal.nonce = _nonce()
            return "withdrawn"

    def of_reporter(self, reporter_key: str, *, limit: int = 10) -> list[Quote]:
        """A reporter's latest feedback, newest first."""
        with self._db.session() as session:
            rows = session.scalars(
                select(FeedbackRow)
                .where(FeedbackRow.reporter_key == reporter_key)
                .order_by(FeedbackRow.id.desc())
                .limit(limit)
            )
            return [_quote(r) for r in rows]

    def proposal(self, proposal_id: int) -> Proposal | None:
        """One proposal with its open feedback, or ``None``."""
        with self._db.session() as session:
            row = session.get(ProposalRow, proposal_id)
            return None if row is None else _proposals(session, [row])[0]

    def pending_texts(
        self, persona_id: str, kind: str, *, targets: bool = True
    ) -> list[tuple[int, str, int, str]]:
        """(proposal id, its change's target, feedback id, text) of pending ``kind`` proposals.

        What grouping compares new feedback with, in one narrow query; without
        ``targets`` the changes are not read (the target is ``""``).
        """
        change = ProposalRow.change if targets else literal(None, JSON)
        with self._db.session() as session:
            rows = session.execute(
                select(ProposalRow.id, change, FeedbackRow.id, FeedbackRow.text)
                .join(FeedbackRow, FeedbackRow.proposal_id == ProposalRow.id)
                .where(
                    ProposalRow.persona_id == persona_id,
                    ProposalRow.kind == kind,
                    ProposalRow.status == "pending",
                    FeedbackRow.status == OPEN,
                )
                .order_by(ProposalRow.id, FeedbackRow.id)
            )
            return [
                (pid, str(dict(data or {}).get("target") or ""), fid, text)
                for pid, data, fid, text in rows
            ]

    def pending(self, persona_ids: Collection[str] | None = None) -> list[Proposal]:
        """Pending proposals (of some personas), most reporters first, then oldest."""
        with self._db.session() as session:
            query = select(ProposalRow).where(ProposalRow.status == "pending")
            if persona_ids is not None:
                query = query.where(ProposalRow.persona_id.in_(tuple(persona_ids)))
            rows = list(
                session.scalars(query.order_by(ProposalRow.reporters.desc(), ProposalRow.id))
            )
            return _proposals(session, rows)


def _row(draft: Draft, *, status: str, proposal_id: int | None, now: dt.datetime) -> FeedbackRow:
    return FeedbackRow(
        persona_id=draft.persona_id,
        kind=draft.kind,
        text=draft.text,
        evidence=draft.evidence,
        source=draft.source,
        origin=draft.origin,
        reporter_key=draft.reporter_key,
        reporter_email=draft.reporter_email,
        reporter_name=draft.reporter_name,
        status=status,
        proposal_id=proposal_id,
        created_at=now,
    )


def _joined(
    session: Session,
    row: FeedbackRow,
    *,
    join: int | None,
    change: dict[str, Any],
    now: dt.datetime,
) -> Submitted:
    """Put open feedback ``row`` into its proposal (see :func:`_group`) and count reporters."""
    proposal, opened = _group(session, row, join=join, change=change, now=now)
    row.proposal_id = proposal.id
    session.flush()
    proposal.reporters = _reporters(session, proposal.id)
    proposal.updated_at = now
    return Submitted(
        feedback_id=row.id,
        proposal_id=proposal.id,
        reporters=proposal.reporters,
        opened=opened,
        again=False,
    )


def _group(
    session: Session,
    row: FeedbackRow,
    *,
    join: int | None,
    change: dict[str, Any],
    now: dt.datetime,
) -> tuple[ProposalRow, bool]:
    """The pending proposal ``row`` joins (if ``join`` still is one) or a new one."""
    proposal = session.get(ProposalRow, join) if join is not None else None
    if proposal is not None and proposal.status == "pending":
        proposal.updated_at = now
        return proposal, False
    proposal = ProposalRow(
        persona_id=row.persona_id,
        kind=row.kind,
        change=change,
        base_version=_live_version(session, row.persona_id),
        status="pending",
        nonce=_nonce(),
        reporters=0,
        created_at=now,
        updated_at=now,
    )
    session.add(proposal)
    session.flush()
    return proposal, True


def _live_version(session: Session, persona_id: str) -> int:
    live = latest_versions(session, [persona_id]).get(persona_id)
    return live.version if live is not None else 0


def _reporters(session: Session, proposal_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(func.distinct(FeedbackRow.reporter_key))).where(
                FeedbackRow.proposal_id == proposal_id, FeedbackRow.status == OPEN
            )
        )
        or 0
    )


def _quote(row: FeedbackRow) -> Quote:
    return Quote(
        id=row.id,
        persona_id=row.persona_id,
        kind=row.kind,
        text=row.text,
        evidence=row.evidence,
        reporter_key=row.reporter_key,
        reporter_email=row.reporter_email,
        reporter_name=row.reporter_name,
        status=row.status,
        created_at=row.created_at,
    )


def _proposals(session: Session, rows: list[ProposalRow]) -> list[Proposal]:
    quotes: dict[int, list[Quote]] = {r.id: [] for r in rows}
    if rows:
        feedback = session.scalars(
            select(FeedbackRow)
            .where(FeedbackRow.proposal_id.in_(list(quotes)), FeedbackRow.status != "withdrawn")
            .order_by(FeedbackRow.id)
        )
        for f in feedback:
            quotes[f.proposal_id or 0].append(_quote(f))
    return [
        Proposal(
            id=r.id,
            persona_id=r.persona_id,
            kind=r.kind,
            change=dict(r.change),
            base_version=r.base_version,
            status=r.status,
            nonce=r.nonce,
            reporters=r.reporters,
            created_at=r.created_at,
            decided_by=r.decided_by,
            decided_at=r.decided_at,
            reason=r.reason,
            new_version=r.new_version,
            quotes=tuple(quotes[r.id]),
        )
        for r in rows
    ]


def _nonce() -> str:
    return secrets.token_hex(4)
