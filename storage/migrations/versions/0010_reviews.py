"""Reviews: persona reviews recorded in chat, snoozes, and review prompts claimed once.

Also indexes for a review prompt's context: a persona's questions, quiz answers and
role-plays since its last review.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("persona_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("by_email", sa.String(length=255), nullable=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("until", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index("ix_reviews_persona_id_at", "reviews", ["persona_id", "at"])
    op.create_table(
        "review_prompts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("persona_id", sa.String(length=100), nullable=False),
        sa.Column("owner_email", sa.String(length=255), nullable=False),
        sa.Column("due_on", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("claimed_until", WHEN, nullable=True),
        sa.Column("nonce", sa.String(length=16), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("reminded_at", WHEN, nullable=True),
        sa.Column("escalated_at", WHEN, nullable=True),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_prompts")),
        sa.UniqueConstraint(
            "persona_id",
            "owner_email",
            "due_on",
            name=op.f("uq_review_prompts_persona_id_owner_email_due_on"),
        ),
    )
    op.create_index("ix_review_prompts_status", "review_prompts", ["status"])
    # Review context: a persona's questions since its last review.
    op.create_index("ix_questions_persona_id_asked_at", "questions", ["persona_id", "asked_at"])
    op.create_index(
        "ix_quiz_answers_persona_id_answered_at", "quiz_answers", ["persona_id", "answered_at"]
    )
    op.create_index("ix_roleplays_persona_id_ended_at", "roleplays", ["persona_id", "ended_at"])


def downgrade() -> None:
    op.drop_index("ix_roleplays_persona_id_ended_at", table_name="roleplays")
    op.drop_index("ix_quiz_answers_persona_id_answered_at", table_name="quiz_answers")
    op.drop_index("ix_questions_persona_id_asked_at", table_name="questions")
    op.drop_table("review_prompts")
    op.drop_table("reviews")
