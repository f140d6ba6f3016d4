"""Conversation flows (one active multi-turn activity per user) and quiz answers, boxes
and players.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "flows",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("user_key", sa.String(length=255), nullable=False),
        sa.Column("active_key", sa.String(length=255), nullable=True),
        sa.Column("conversation_key", sa.String(length=255), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flows")),
        sa.UniqueConstraint("active_key", name=op.f("uq_flows_active_key")),
    )
    op.create_index(op.f("ix_flows_user_key"), "flows", ["user_key"])
    op.create_table(
        "quiz_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("user_key", sa.String(length=255), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("persona_id", sa.String(length=100), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("answered_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_answers")),
        sa.UniqueConstraint(
            "flow_id", "step", "user_key", name=op.f("uq_quiz_answers_flow_id_step_user_key")
        ),
    )
    op.create_index(op.f("ix_quiz_answers_user_key"), "quiz_answers", ["user_key"])
    op.create_index("ix_quiz_answers_answered_at", "quiz_answers", ["answered_at"])
    op.create_table(
        "quiz_cards",
        sa.Column("user_key", sa.String(length=255), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("persona_id", sa.String(length=100), nullable=True),
        sa.Column("box", sa.Integer(), nullable=False),
        sa.Column("seen_at", WHEN, nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("retired_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("user_key", "question_id", name=op.f("pk_quiz_cards")),
    )
    op.create_table(
        "quiz_players",
        sa.Column("user_key", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("track_completed_at", WHEN, nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("user_key", name=op.f("pk_quiz_players")),
    )
    op.create_index(op.f("ix_quiz_players_email"), "quiz_players", ["email"])


def downgrade() -> None:
    op.drop_table("quiz_players")
    op.drop_table("quiz_cards")
    op.drop_table("quiz_answers")
    op.drop_table("flows")
