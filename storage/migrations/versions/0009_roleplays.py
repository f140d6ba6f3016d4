"""Role-plays: each finished or stopped session's score and transcript.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "roleplays",
        sa.Column("flow_id", sa.String(length=255), nullable=False),
        sa.Column("user_key", sa.String(length=255), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=True),
        sa.Column("user_email", sa.String(length=255), nullable=True),
        sa.Column("scenario_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("persona_id", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("flow_id", name=op.f("pk_roleplays")),
    )
    op.create_index("ix_roleplays_user_key_ended_at", "roleplays", ["user_key", "ended_at"])


def downgrade() -> None:
    op.drop_table("roleplays")
