"""ORM tables. Private to :mod:`storage`: repositories never hand these objects out.

Every timestamp column is :class:`UTCDateTime`, which only accepts timezone-aware values
and always returns timezone-aware UTC values, on SQLite (which has no time zones) and on
PostgreSQL alike. JSON columns hold plain JSON (``model_dump(mode="json")``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Deterministic constraint names so migrations can drop/alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SLUG_LENGTH = 100
KEY_LENGTH = 255


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A ``DateTime(timezone=True)`` that is always timezone-aware UTC in Python.

    Naive datetimes are rejected on the way in, so a forgotten ``tzinfo`` fails loudly
    instead of silently storing local time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Convert an aware datetime to UTC (naive UTC on SQLite, which has no zones)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"storage needs timezone-aware datetimes, got naive {value!r}")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Return the stored value as an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base holding the shared metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PersonaRow(Base):
    """A persona's identity; its content lives in :class:`PersonaVersionRow`."""

    __tablename__ = "personas"

    id: Mapped[str] = mapped_column(String(SLUG_LENGTH), primary_key=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PersonaVersionRow(Base):
    """One immutable version of a persona; the highest version is the live one."""

    __tablename__ = "persona_versions"
    __table_args__ = (UniqueConstraint("persona_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    persona_id: Mapped[str] = mapped_column(ForeignKey("personas.id"))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16))
    author: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    # Only so the unit of work inserts personas before their versions; never loaded.
    persona: Mapped[PersonaRow] = relationship(lazy="raise")


class PersonaImportRow(Base):
    """What the last import read from a persona's file, to detect file changes."""

    __tablename__ = "persona_imports"

    persona_id: Mapped[str] = mapped_column(ForeignKey("personas.id"), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_version: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    persona: Mapped[PersonaRow] = relationship(lazy="raise")


class LivePackRow(Base):
    """The pack whose personas are live: a single row (``id`` 1), written by imports.

    ``name`` is the pack's ``name`` from ``pack.yaml``; it is ``None`` only for a
    database whose personas were imported before packs were recorded (migration 0002
    filled in the ``origin`` of the last import).
    """

    __tablename__ = "live_pack"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class QuestionRow(Base):
    """One question asked of the bot and the answer it gave."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_platform_user_id_asked_at", "platform", "user_id", "asked_at"),
        Index("ix_questions_persona_id_asked_at", "persona_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(KEY_LENGTH))
    user_email: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    conversation_id: Mapped[str] = mapped_column(String(KEY_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(64))
    persona_id: Mapped[str | None] = mapped_column(String(SLUG_LENGTH))
    objection_id: Mapped[str | None] = mapped_column(String(SLUG_LENGTH))
    confidence: Mapped[float] = mapped_column(Float)
    answer: Mapped[str] = mapped_column(Text)


class ConversationStateRow(Base):
    """Multi-turn state (quizzes, role-play) keyed by e.g. ``"slack:T1:C2:U3"``."""

    __tablename__ = "conversation_state"
    # For pruning one kind's old rows (see ConversationStateStore.prune).
    __table_args__ = (Index("ix_conversation_state_kind_updated_at", "kind", "updated_at"),)

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProcessedEventRow(Base):
    """A platform event id already handled (dedupes Slack's retries)."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # The claiming batch's token: its own retry (a dropped connection) wins again.
    claim: Mapped[str | None] = mapped_column(String(32))
    # None while the answer has not gone out: a retry may take a stale claim over.
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The event as received (JSON), kept until answered: a replica whose predecessor
    # died after acknowledging it answers it (see ProcessedEvents.take_stale).
    payload: Mapped[str | None] = mapped_column(Text)
    # How many times it was claimed; an event that keeps killing its replica is dropped.
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class ConversationReferenceRow(Base):
    """Where the bot can post to a user or a conversation later (proactive messages).

    ``key`` is the adapter's key for it (e.g. ``user:<aad object id>`` or
    ``conversation:<id>``), unique per platform; ``data`` is the platform's own
    reference (for Teams, the serialized ConversationReference).
    """

    __tablename__ = "conversation_references"
    __table_args__ = (UniqueConstraint("platform", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    conversation_id: Mapped[str | None] = mapped_column(Text)
    service_url: Mapped[str] = mapped_column(Text)
    tenant_id: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    user_id: Mapped[str | None] = mapped_column(Text)
    aad_object_id: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    email: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class LeaseRow(Base):
    """A named lease: at most one holder (a replica) may act under ``name`` at a time.

    ``generation`` goes up by one each time a different holder takes the lease over, so
    work done under a lease can be fenced: a holder that was taken over (and does not
    know it yet) holds an older generation than the row.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    holder: Mapped[str] = mapped_column(String(KEY_LENGTH))
    generation: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    renewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class FlowRow(Base):
    """A multi-turn activity (quiz, role-play, feedback, review) of one user.

    ``active_key`` is the user's key while the flow runs and ``NULL`` once it ended: its
    unique constraint lets each user have one active flow at most, on every backend.
    ``step`` and ``nonce`` change with every accepted turn, so a replayed or stale click
    (which names an older step or nonce) changes nothing.
    """

    __tablename__ = "flows"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_key: Mapped[str] = mapped_column(String(KEY_LENGTH), index=True)
    active_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), unique=True)
    conversation_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    step: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class QuizAnswerRow(Base):
    """One answer to one quiz question; a step of a flow is answered once per user."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("flow_id", "step", "user_key"),
        Index("ix_quiz_answers_answered_at", "answered_at"),
        Index("ix_quiz_answers_persona_id_answered_at", "persona_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flow_id: Mapped[str] = mapped_column(String(32))
    step: Mapped[int] = mapped_column(Integer)
    user_key: Mapped[str] = mapped_column(String(KEY_LENGTH), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    persona_id: Mapped[str | None] = mapped_column(String(SLUG_LENGTH))
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class QuizCardRow(Base):
    """Where one question stands for one user in spaced repetition (a Leitner box)."""

    __tablename__ = "quiz_cards"

    user_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    persona_id: Mapped[str | None] = mapped_column(String(SLUG_LENGTH))
    box: Mapped[int] = mapped_column(Integer)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class QuizPlayerRow(Base):
    """A quiz player: how to show them, whether they hide from leaderboards, the track."""

    __tablename__ = "quiz_players"

    user_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    track_completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class TimerRow(Base):
    """Work due at a time (a live quiz's reveal, a review reminder), done exactly once.

    ``(kind, key)`` is unique, so setting the same timer twice keeps one. A replica
    claims due timers with one conditional UPDATE (``claim`` with a token, for
    ``claimed_until``); a claim whose holder died lapses and is taken again.
    """

    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_timers_done_at_due_at", "done_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RoleplayRow(Base):
    """A finished or stopped role-play: its score and transcript (one row per flow)."""

    __tablename__ = "roleplays"
    __table_args__ = (
        Index("ix_roleplays_user_key_ended_at", "user_key", "ended_at"),
        Index("ix_roleplays_persona_id_ended_at", "persona_id", "ended_at"),
    )

    flow_id: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    user_name: Mapped[str | None] = mapped_column(Text)
    user_email: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    scenario_id: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    title: Mapped[str] = mapped_column(Text)
    persona_id: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    score: Mapped[int | None] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer)
    completed: Mapped[bool] = mapped_column(Boolean)
    transcript: Mapped[Any] = mapped_column(JSON)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ReviewRow(Base):
    """A persona review recorded in chat ("Still accurate", an approved proposal) or a snooze."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_persona_id_at", "persona_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    persona_id: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    kind: Mapped[str] = mapped_column(String(32))  # reviewed, approved, snoozed
    by_email: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ReviewPromptRow(Base):
    """A review prompt to one owner for one due period, claimed before it is sent.

    ``(persona_id, owner_email, due_on)`` is unique: however many runs, processes or
    replicas try, one prompt per persona, owner and due period is sent.
    """

    __tablename__ = "review_prompts"
    __table_args__ = (
        UniqueConstraint("persona_id", "owner_email", "due_on"),
        Index("ix_review_prompts_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    persona_id: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    owner_email: Mapped[str] = mapped_column(String(KEY_LENGTH))
    # The due date it is for (ISO), or ``remind:<time>`` for a prompt an admin asked for.
    due_on: Mapped[str] = mapped_column(String(32))
    # sending (claimed), sent, failed (sent again later), unreachable, reviewed, snoozed,
    # not_mine, closed (the persona was reviewed through another owner's prompt)
    status: Mapped[str] = mapped_column(String(32))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    nonce: Mapped[str] = mapped_column(String(16))
    message: Mapped[Any] = mapped_column(JSON)  # where it was sent (to edit it in place)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class DigestPostRow(Base):
    """The weekly digest to one target (a channel, an email) for one ISO week, claimed once.

    ``(week, target)`` is unique: however many runs, processes or replicas try, one digest
    per week and target is posted. ``token`` names the claim that may finish it.
    """

    __tablename__ = "digest_posts"
    __table_args__ = (UniqueConstraint("week", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    week: Mapped[str] = mapped_column(String(16))  # ISO week, e.g. 2026-W47
    target: Mapped[str] = mapped_column(String(KEY_LENGTH))  # slack:C0123, email:a@b
    # sending (claimed), sent, failed (tried again after claimed_until)
    status: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(32))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    message: Mapped[Any] = mapped_column(JSON)  # where it was posted
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


# The feedback loop's tables share this metadata (kept in their own module for size).
from storage import feedback_models as _feedback_models  # noqa: E402,F401

# Dashboard sign-in links and the insights indexes (migration 0013).
from storage import insights_models as _insights_models  # noqa: E402,F401
