"""Record which content pack is live (its name and where it was imported from).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

A database migrated from 0001 that already holds imported personas gets the ``origin``
of the import that made its live personas (from the ``import:<origin>`` author of their
imported versions) and no name; the next import of a pack from that origin records the
name.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_pack",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_pack")),
    )
    # Portable SQL (SQLite and PostgreSQL): "import:" is 7 characters long.
    op.execute(
        """
        INSERT INTO live_pack (id, name, origin, updated_at)
        SELECT 1, NULL, substr(v.author, 8), i.imported_at
        FROM persona_imports i
        JOIN personas p ON p.id = i.persona_id
        JOIN persona_versions v
          ON v.persona_id = i.persona_id AND v.version = i.imported_version
        WHERE p.archived_at IS NULL AND v.source = 'import' AND v.author LIKE 'import:%'
        ORDER BY i.imported_at DESC, v.id DESC
        LIMIT 1
        """
    )


def downgrade() -> None:
    op.drop_table("live_pack")
