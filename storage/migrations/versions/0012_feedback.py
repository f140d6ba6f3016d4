"""Feedback, proposals built from it, batched proposal notices and answer votes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
KEY = sa.String(length=255)
SLUG = sa.String(length=100)


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("persona_id", SLUG, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("origin", KEY, nullable=True),
        sa.Column("reporter_key", KEY, nullable=False),
        sa.Column("reporter_email", KEY, nullable=True),
        sa.Column("reporter_name", KEY, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("told_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("reporter_key", "origin", name=op.f("uq_feedback_reporter_key_origin")),
    )
    op.create_index("ix_feedback_persona_id_status", "feedback", ["persona_id", "status"])
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    op.create_index("ix_feedback_proposal_id", "feedback", ["proposal_id"])
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("persona_id", SLUG, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("nonce", sa.String(length=16), nullable=False),
        sa.Column("reporters", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("urgent_sent_at", WHEN, nullable=True),
        sa.Column("noticed_at", WHEN, nullable=True),
        sa.Column("decided_by", KEY, nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("new_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_index("ix_proposals_persona_id_status", "proposals", ["persona_id", "status"])
    op.create_index("ix_proposals_status_created_at", "proposals", ["status", "created_at"])
    op.create_table(
        "proposal_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner_email", KEY, nullable=False),
        sa.Column("day", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_notices")),
        sa.UniqueConstraint("owner_email", "day", name=op.f("uq_proposal_notices_owner_email_day")),
    )
    op.create_table(
        "answer_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("answer_key", sa.String(length=64), nullable=False),
        sa.Column("user_key", KEY, nullable=False),
        sa.Column("user_email", KEY, nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("persona_id", SLUG, nullable=True),
        sa.Column("objection_id", SLUG, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_votes")),
        sa.UniqueConstraint(
            "answer_key", "user_key", name=op.f("uq_answer_votes_answer_key_user_key")
        ),
    )
    op.create_index(
        "ix_answer_votes_persona_id_created_at", "answer_votes", ["persona_id", "created_at"]
    )
    op.create_index("ix_answer_votes_created_at", "answer_votes", ["created_at"])


def downgrade() -> None:
    op.drop_table("answer_votes")
    op.drop_table("proposal_notices")
    op.drop_table("proposals")
    op.drop_table("feedback")
