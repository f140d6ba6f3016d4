"""ORM tables of the feedback loop: feedback, proposals built from it, answer votes.

Private to :mod:`storage`, like :mod:`storage.models` (whose metadata they share).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import KEY_LENGTH, SLUG_LENGTH, Base, UTCDateTime


class FeedbackRow(Base):
    """One piece of feedback about a persona, from a seller or support.

    ``origin`` is the platform's id of the submission (a message id, a view id); it is
    unique per reporter, so a delivery retried after a crash stores nothing twice.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("reporter_key", "origin"),
        Index("ix_feedback_persona_id_status", "persona_id", "status"),
        Index("ix_feedback_created_at", "created_at"),
        Index("ix_feedback_proposal_id", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    persona_id: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # text, form, vote
    origin: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    reporter_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    reporter_email: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    reporter_name: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    # open (in a pending proposal), approved, rejected, withdrawn
    status: Mapped[str] = mapped_column(String(16))
    proposal_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    told_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ProposalRow(Base):
    """A proposed change to one persona, grouping feedback about the same thing.

    ``change`` is the structured change (:class:`content.changes.Change` as JSON);
    ``base_version`` the persona version it was proposed against; ``nonce`` makes its
    buttons single-use per state (a decided proposal's buttons are stale).
    """

    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_persona_id_status", "persona_id", "status"),
        Index("ix_proposals_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    persona_id: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    kind: Mapped[str] = mapped_column(String(32))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[int] = mapped_column(Integer)
    # pending, approved, rejected, withdrawn (every feedback in it withdrawn)
    status: Mapped[str] = mapped_column(String(16))
    nonce: Mapped[str] = mapped_column(String(16))
    reporters: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    urgent_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    noticed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    new_version: Mapped[int | None] = mapped_column(Integer)


class ProposalNoticeRow(Base):
    """The one batched proposals DM to an owner on a day, claimed before it is sent."""

    __tablename__ = "proposal_notices"
    __table_args__ = (UniqueConstraint("owner_email", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_email: Mapped[str] = mapped_column(String(KEY_LENGTH))
    day: Mapped[str] = mapped_column(String(16))  # ISO date
    status: Mapped[str] = mapped_column(String(16))  # sending, sent, failed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AnswerVoteRow(Base):
    """One user's Helpful / Not helpful vote on one answer; a later vote replaces it."""

    __tablename__ = "answer_votes"
    __table_args__ = (
        UniqueConstraint("answer_key", "user_key"),
        Index("ix_answer_votes_persona_id_created_at", "persona_id", "created_at"),
        Index("ix_answer_votes_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_key: Mapped[str] = mapped_column(String(64))
    user_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    user_email: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    helpful: Mapped[bool] = mapped_column(Boolean)
    persona_id: Mapped[str | None] = mapped_column(String(SLUG_LENGTH))
    objection_id: Mapped[str | None] = mapped_column(String(SLUG_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
