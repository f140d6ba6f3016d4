"""Insights: dashboard sign-in links, and indexes for the figures of a period.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "signin_links",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_signin_links")),
    )
    op.create_index("ix_signin_links_expires_at", "signin_links", ["expires_at"])
    op.create_index(
        "ix_questions_asked_at_intent_cover",
        "questions",
        ["asked_at", "intent", "platform", "persona_id", "user_id"],
    )
    op.create_index("ix_flows_kind_ended_at", "flows", ["kind", "ended_at"])
    op.create_index("ix_roleplays_ended_at", "roleplays", ["ended_at"])
    op.create_index("ix_quiz_cards_seen_at", "quiz_cards", ["seen_at"])
    op.create_index("ix_proposals_created_at", "proposals", ["created_at"])
    op.create_index("ix_proposals_decided_at", "proposals", ["decided_at"])


def downgrade() -> None:
    op.drop_index("ix_proposals_decided_at", table_name="proposals")
    op.drop_index("ix_proposals_created_at", table_name="proposals")
    op.drop_index("ix_quiz_cards_seen_at", table_name="quiz_cards")
    op.drop_index("ix_roleplays_ended_at", table_name="roleplays")
    op.drop_index("ix_flows_kind_ended_at", table_name="flows")
    op.drop_index("ix_questions_asked_at_intent_cover", table_name="questions")
    op.drop_table("signin_links")
