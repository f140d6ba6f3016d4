"""Claims of platform events remember who claimed them and when they were answered.

A claim whose answer never went out (its replica died, or the send failed) can then be
taken again by the platform's retry, instead of being skipped for good.

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
    # Events handled before this revision were answered (or skipped for good).
    op.execute("UPDATE processed_events SET answered_at = received_at")


def downgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("answered_at")
        batch.drop_column("claim")
