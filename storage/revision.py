"""A cheap token that changes whenever the live personas change (for live reloads)."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import Database
from storage.models import PersonaRow, PersonaVersionRow


def persona_revision(db: Database) -> tuple[int, int, int]:
    """Return (newest version row id, live persona count, archived count).

    Every new version (an import, an approved proposal, a rollback) adds a row with a
    higher id, and archiving or restoring moves the counts, so two calls return the same
    token exactly when the live personas are the same. One indexed query.
    """
    newest = select(func.coalesce(func.max(PersonaVersionRow.id), 0)).scalar_subquery()
    live = (
        select(func.count()).select_from(PersonaRow).where(PersonaRow.archived_at.is_(None))
    ).scalar_subquery()
    archived = (
        select(func.count()).select_from(PersonaRow).where(PersonaRow.archived_at.is_not(None))
    ).scalar_subquery()
    with db.session() as session:
        row = session.execute(select(newest, live, archived)).one()
    return int(row[0]), int(row[1]), int(row[2])
