"""Claims of platform events: who claimed them, when they were answered, what was asked.

A claim whose answer never went out (its replica died, or the send failed) can then be
taken again by the platform's retry, instead of being skipped for good; the stored
payload lets a replica answer an event whose replica died after acknowledging it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("processed_events", sa.Column("claim", sa.String(length=32), nullable=True))
    op.add_column(
        "processed_events", sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("processed_events", sa.Column("payload", sa.Text(), nullable=True))
    op.add_column(
        "processed_events",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    # Events handled before this revision were answered (or skipped for good).
    op.execute("UPDATE processed_events SET answered_at = received_at")


def downgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("attempts")
        batch.drop_column("payload")
        batch.drop_column("answered_at")
        batch.drop_column("claim")
