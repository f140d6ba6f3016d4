"""ORM side of migration 0013: dashboard sign-in links and the indexes the figures read by."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.feedback_models import ProposalRow
from storage.models import (
    KEY_LENGTH,
    Base,
    FlowRow,
    QuestionRow,
    QuizCardRow,
    RoleplayRow,
    UTCDateTime,
)


class SigninLinkRow(Base):
    """A dashboard sign-in link sent in chat: used once, by one replica, within its time.

    ``used_at`` is set by one conditional UPDATE, so of two replicas (or two clicks)
    following the same link, one signs in.
    """

    __tablename__ = "signin_links"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(KEY_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


# A month of questions, read by the index alone (PostgreSQL: an index-only scan): time
# first for the range, then every column the adoption figures group by.
Index(
    "ix_questions_asked_at_intent_cover",
    QuestionRow.asked_at,
    QuestionRow.intent,
    QuestionRow.platform,
    QuestionRow.persona_id,
    QuestionRow.user_id,
)
Index("ix_flows_kind_ended_at", FlowRow.kind, FlowRow.ended_at)
Index("ix_roleplays_ended_at", RoleplayRow.ended_at)
Index("ix_quiz_cards_seen_at", QuizCardRow.seen_at)
Index("ix_proposals_created_at", ProposalRow.created_at)
Index("ix_proposals_decided_at", ProposalRow.decided_at)
