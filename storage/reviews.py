"""Persona reviews: reviews and snoozes recorded in chat, and review prompts sent once.

A review prompt is claimed in the database before it is sent: ``(persona, owner, due
period)`` is unique, so two runs, two processes or two replicas cannot both send it. A
claim whose sender died lapses (``claimed_until``) and is taken again; a send that
failed is marked ``failed`` and tried at the next run. Every decision on a prompt (a
click) is one conditional UPDATE on its status and nonce: a second click, a stale
button or another owner's click after the persona was reviewed changes nothing.
Reminders and escalations are claimed the same way, so each happens once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import ReviewPromptRow, ReviewRow

#: A prompt whose send failed is tried again this much later.
RETRY_AFTER = dt.timedelta(minutes=15)
#: A prompt that could not be sent for this long is given up: the admins are told.
GIVE_UP_AFTER = dt.timedelta(days=1)
#: Prompt statuses that still wait for the owner.
OPEN = ("sent",)
#: Prompt statuses that are decided.
DECIDED = ("reviewed", "snoozed", "not_mine", "closed")


@dataclass(frozen=True, kw_only=True)
class Prompt:
    """A review prompt as stored.

    Attributes:
        id: Its id (named in its buttons).
        persona_id: The persona to review.
        owner_email: The owner it was sent to.
        due_on: The due date it is for (ISO).
        status: ``sending``, ``sent``, ``failed``, ``unreachable`` or a decision.
        nonce: Its buttons carry it; a decision changes it.
        message: Where it was sent (platform, conversation, message id), to edit it.
        sent_at: When it was sent.
        reminded_at: When the owner was reminded.
        escalated_at: When the pack admins were told.
        decided_by: Who decided it.
        decided_at: When.
    """

    id: str
    persona_id: str
    owner_email: str
    due_on: str
    status: str
    nonce: str
    message: Mapping[str, Any] = field(default_factory=dict)
    sent_at: dt.datetime | None = None
    reminded_at: dt.datetime | None = None
    escalated_at: dt.datetime | None = None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    created_at: dt.datetime | None = None


class ReviewStore:
    """Record reviews and snoozes; claim, send, decide, remind and escalate prompts.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    # -- reviews ------------------------------------------------------------------------

    def record(self, persona_id: str, *, kind: str, by: str | None, at: dt.datetime) -> None:
        """Record a review (``reviewed`` in chat, ``approved`` with a proposal).

        The persona's open prompts are closed with it: nobody is reminded of a review
        that happened another way.
        """
        with self._db.session(write=True) as session:
            record_review(session, persona_id, kind=kind, by=by, at=at)

    def close(self, prompt: Prompt, *, now: dt.datetime) -> None:
        """Close an open prompt that is no longer needed (reviewed another way, no owner)."""
        with self._db.session(write=True) as session:
            session.execute(
                update(ReviewPromptRow)
                .where(ReviewPromptRow.id == prompt.id, ReviewPromptRow.status.in_(OPEN))
                .values(status="closed", decided_at=now, nonce=_nonce())
            )

    def snooze(
        self, persona_id: str, *, until: dt.datetime, by: str | None, at: dt.datetime
    ) -> None:
        """Hold a due persona back until ``until``."""
        with self._db.session(write=True) as session:
            session.add(
                ReviewRow(persona_id=persona_id, kind="snoozed", by_email=by, at=at, until=until)
            )

    def last_reviewed(
        self, kinds: Collection[str] = ("reviewed", "approved")
    ) -> dict[str, dt.date]:
        """The last review recorded in chat, by persona id."""
        query = (
            select(ReviewRow.persona_id, func.max(ReviewRow.at))
            .where(ReviewRow.kind.in_(tuple(kinds)))
            .group_by(ReviewRow.persona_id)
        )
        with self._db.session() as session:
            return {pid: at.date() for pid, at in session.execute(query) if at is not None}

    def snoozed(self) -> dict[str, dt.date]:
        """The latest snooze of each persona (the date it ends)."""
        query = (
            select(ReviewRow.persona_id, func.max(ReviewRow.until))
            .where(ReviewRow.kind == "snoozed")
            .group_by(ReviewRow.persona_id)
        )
        with self._db.session() as session:
            return {pid: until.date() for pid, until in session.execute(query) if until}

    # -- prompts ------------------------------------------------------------------------

    def claim(
        self,
        persona_id: str,
        owner_email: str,
        *,
        due_on: str,
        now: dt.datetime,
        claim_for: dt.timedelta,
    ) -> Prompt | None:
        """Claim the prompt for ``(persona, owner, due period)``; ``None`` if it is taken.

        A prompt never claimed is created; one whose claim lapsed (its sender died) or
        whose send failed is taken again; any other is someone else's or done.
        """
        owner = owner_email.casefold()
        row = ReviewPromptRow(
            id=uuid.uuid4().hex,
            persona_id=persona_id,
            owner_email=owner,
            due_on=due_on,
            status="sending",
            claimed_until=now + claim_for,
            nonce=_nonce(),
            message={},
            created_at=now,
        )
        try:
            with self._db.session(write=True) as session:
                session.add(row)
            return _prompt(row)
        except IntegrityError:
            pass
        taken = (
            update(ReviewPromptRow)
            .where(
                ReviewPromptRow.persona_id == persona_id,
                ReviewPromptRow.owner_email == owner,
                ReviewPromptRow.due_on == due_on,
                ReviewPromptRow.status.in_(("sending", "failed")),
                ReviewPromptRow.claimed_until < now,
            )
            .values(status="sending", claimed_until=now + claim_for, nonce=_nonce())
            .returning(ReviewPromptRow.id)
        )
        with self._db.session(write=True) as session:
            claimed = session.execute(taken).scalar_one_or_none()
        return None if claimed is None else self.get(claimed)

    def settled(self, persona_id: str, owner_email: str, *, due_on: str, now: dt.datetime) -> bool:
        """Whether that prompt needs no send: sent or decided, or claimed by a live sender."""
        query = select(ReviewPromptRow.status, ReviewPromptRow.claimed_until).where(
            ReviewPromptRow.persona_id == persona_id,
            ReviewPromptRow.owner_email == owner_email.casefold(),
            ReviewPromptRow.due_on == due_on,
        )
        with self._db.session() as session:
            row = session.execute(query).first()
        if row is None:
            return False
        status, claimed_until = row
        if status in ("sending", "failed"):
            return claimed_until is not None and claimed_until >= now
        return True

    def sent(self, prompt: Prompt, *, message: Mapping[str, Any], now: dt.datetime) -> None:
        """The prompt was delivered (``message`` says where, to edit it later)."""
        self._set(prompt.id, status="sent", message=dict(message), sent_at=now, claimed_until=None)

    def failed(
        self, prompt: Prompt, *, now: dt.datetime, unreachable: bool = False, error: str = ""
    ) -> None:
        """The send failed: tried again after :data:`RETRY_AFTER`.

        After :data:`GIVE_UP_AFTER` of failures, or when the owner is unreachable, the
        admins are told instead (see :meth:`to_tell_admins`).
        """
        if unreachable or (
            prompt.created_at is not None and now - prompt.created_at > GIVE_UP_AFTER
        ):
            message = {"error": error or "it could not be sent for a day"}
            self._set(prompt.id, status="unreachable", claimed_until=None, message=message)
        else:
            self._set(prompt.id, status="failed", claimed_until=now + RETRY_AFTER)

    def get(self, prompt_id: str) -> Prompt | None:
        """The prompt with ``prompt_id``."""
        with self._db.session() as session:
            row = session.get(ReviewPromptRow, prompt_id)
            return None if row is None else _prompt(row)

    def of_persona(self, persona_id: str, *, statuses: Sequence[str] = OPEN) -> list[Prompt]:
        """The persona's prompts in ``statuses``."""
        query = select(ReviewPromptRow).where(
            ReviewPromptRow.persona_id == persona_id, ReviewPromptRow.status.in_(tuple(statuses))
        )
        with self._db.session() as session:
            return [_prompt(row) for row in session.scalars(query)]

    def waiting_for(self, email: str, *, platform: str) -> list[Prompt]:
        """The open prompts kept for ``email`` on ``platform`` (the console's inbox)."""
        query = select(ReviewPromptRow).where(
            ReviewPromptRow.owner_email == email.casefold(), ReviewPromptRow.status.in_(OPEN)
        )
        with self._db.session() as session:
            rows = [_prompt(row) for row in session.scalars(query)]
        return [p for p in rows if p.message.get("platform") == platform]

    def decide(
        self,
        prompt: Prompt,
        *,
        nonce: str,
        status: str,
        by: str | None,
        now: dt.datetime,
        until: dt.datetime | None = None,
    ) -> Prompt | None:
        """Decide an open prompt once; ``None`` if it was decided (or re-sent) meanwhile.

        ``reviewed`` records a review and ``snoozed`` a snooze until ``until``, in the
        same transaction. The persona's other open prompts (to its other owners) are
        closed with it, except by ``not_mine``.
        """
        values = {"status": status, "decided_by": by, "decided_at": now, "nonce": _nonce()}
        with self._db.session(write=True) as session:
            decided = session.execute(
                update(ReviewPromptRow)
                .where(
                    ReviewPromptRow.id == prompt.id,
                    ReviewPromptRow.nonce == nonce,
                    ReviewPromptRow.status.in_(OPEN),
                )
                .values(**values)
                .returning(ReviewPromptRow.id)
            ).scalar_one_or_none()
            if decided is None:
                return None
            if status in ("reviewed", "snoozed"):
                session.add(
                    ReviewRow(
                        persona_id=prompt.persona_id, kind=status, by_email=by, at=now, until=until
                    )
                )
            if status == "not_mine":
                return _prompt(session.get(ReviewPromptRow, prompt.id))  # type: ignore[arg-type]
            session.execute(
                update(ReviewPromptRow)
                .where(
                    ReviewPromptRow.persona_id == prompt.persona_id,
                    ReviewPromptRow.id != prompt.id,
                    ReviewPromptRow.status.in_(OPEN),
                )
                .values(status="closed", decided_by=by, decided_at=now, nonce=_nonce())
            )
        return self.get(prompt.id)

    def to_remind(self, *, now: dt.datetime, after: dt.timedelta) -> list[Prompt]:
        """The open prompts sent ``after`` ago and not reminded yet (not claimed)."""
        query = select(ReviewPromptRow).where(
            ReviewPromptRow.status.in_(OPEN),
            ReviewPromptRow.reminded_at.is_(None),
            ReviewPromptRow.sent_at <= now - after,
        )
        with self._db.session() as session:
            return [_prompt(row) for row in session.scalars(query)]

    def claim_reminder(self, prompt: Prompt, *, now: dt.datetime) -> bool:
        """Claim the reminder of ``prompt``: True once, whatever runs try."""
        with self._db.session(write=True) as session:
            claimed = session.execute(
                update(ReviewPromptRow)
                .where(
                    ReviewPromptRow.id == prompt.id,
                    ReviewPromptRow.status.in_(OPEN),
                    ReviewPromptRow.reminded_at.is_(None),
                )
                .values(reminded_at=now)
                .returning(ReviewPromptRow.id)
            ).scalar_one_or_none()
        return claimed is not None

    def to_escalate(self, *, now: dt.datetime, after: dt.timedelta) -> list[Prompt]:
        """Claim the open prompts reminded ``after`` ago and not escalated (each once)."""
        return self._claim_step(
            ReviewPromptRow.escalated_at.is_(None),
            ReviewPromptRow.reminded_at <= now - after,
            values={"escalated_at": now},
        )

    def to_tell_admins(self, *, now: dt.datetime) -> list[Prompt]:
        """Claim the prompts the admins must hear of at once (each once).

        Those are owners who could not be reached, and owners who said "not mine".
        """
        return self._claim_step(
            ReviewPromptRow.escalated_at.is_(None),
            statuses=("unreachable", "not_mine"),
            values={"escalated_at": now},
        )

    def request(self, persona_id: str, *, by: str | None, at: dt.datetime) -> None:
        """An admin asks for a prompt now (``remind``): sent at the review job's next run."""
        with self._db.session(write=True) as session:
            session.add(ReviewRow(persona_id=persona_id, kind="requested", by_email=by, at=at))

    def take_requests(self) -> list[tuple[str, dt.datetime]]:
        """Claim the pending ``remind`` requests (each once): persona ids and when asked."""
        with self._db.session(write=True) as session:
            rows = session.execute(
                update(ReviewRow)
                .where(ReviewRow.kind == "requested")
                .values(kind="requested-sent")
                .returning(ReviewRow.persona_id, ReviewRow.at)
            ).all()
        return [(pid, at) for pid, at in rows]

    def _claim_step(
        self, *conditions: Any, values: Mapping[str, Any], statuses: Sequence[str] = OPEN
    ) -> list[Prompt]:
        with self._db.session(write=True) as session:
            ids = (
                session.execute(
                    update(ReviewPromptRow)
                    .where(ReviewPromptRow.status.in_(tuple(statuses)), *conditions)
                    .values(**values)
                    .returning(ReviewPromptRow.id)
                )
                .scalars()
                .all()
            )
            if not ids:
                return []
            rows = session.scalars(select(ReviewPromptRow).where(ReviewPromptRow.id.in_(ids)))
            return sorted(
                (_prompt(row) for row in rows), key=lambda p: (p.persona_id, p.owner_email)
            )

    def _set(self, prompt_id: str, **values: Any) -> None:
        with self._db.session(write=True) as session:
            session.execute(
                update(ReviewPromptRow).where(ReviewPromptRow.id == prompt_id).values(**values)
            )


def _nonce() -> str:
    return secrets.token_hex(4)


def _prompt(row: ReviewPromptRow) -> Prompt:
    return Prompt(
        id=row.id,
        persona_id=row.persona_id,
        owner_email=row.owner_email,
        due_on=row.due_on,
        status=row.status,
        nonce=row.nonce,
        message=dict(row.message or {}),
        sent_at=row.sent_at,
        reminded_at=row.reminded_at,
        escalated_at=row.escalated_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        created_at=row.created_at,
    )


def record_review(
    session: Session, persona_id: str, *, kind: str, by: str | None, at: dt.datetime
) -> None:
    """Record a review in ``session`` and close the persona's open prompts (see ``record``)."""
    session.add(ReviewRow(persona_id=persona_id, kind=kind, by_email=by, at=at))
    session.execute(
        update(ReviewPromptRow)
        .where(ReviewPromptRow.persona_id == persona_id, ReviewPromptRow.status.in_(OPEN))
        .values(status="closed", decided_by=by, decided_at=at, nonce=_nonce())
    )
