"""Conversation references: where the bot can post to someone later (proactive messages).

An adapter stores one reference per user (``user:<id>``) and per group conversation
(``conversation:<id>``) when it first hears from them or is installed, and updates it
when something changes; ``personabot notify`` finds a user's reference by email.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import ConversationReferenceRow


@dataclass(frozen=True, kw_only=True)
class StoredReference:
    """A place to post to.

    Attributes:
        platform: ``"teams"``, ...
        key: The adapter's key, unique per platform (``user:…``, ``conversation:…``).
        service_url: Where the platform's API for this conversation lives.
        conversation_id: The conversation to post in; ``None`` for a user whose 1:1
            conversation is not known yet (the adapter can create it).
        tenant_id: The organisation (Teams tenant), if any.
        user_id: The platform's id of the user, for a user's reference.
        aad_object_id: The user's directory (Entra) object id, when known.
        email: The user's email, when known (lowercased).
        name: A display name, when known.
        data: The platform's own reference, untouched.
        updated_at: When it was last written.
    """

    platform: str
    key: str
    service_url: str
    conversation_id: str | None = None
    tenant_id: str | None = None
    user_id: str | None = None
    aad_object_id: str | None = None
    email: str | None = None
    name: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    updated_at: dt.datetime | None = None


_MERGED = ("conversation_id", "tenant_id", "user_id", "aad_object_id", "email", "name")


class ReferenceStore:
    """Upserts and looks up conversation references.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def upsert(self, reference: StoredReference, *, now: dt.datetime) -> None:
        """Create or update the reference under ``(platform, key)`` (atomically).

        Known facts are never forgotten: a field given as ``None`` keeps its stored
        value (a user's email learnt earlier stays when a later message lacks it).
        """
        insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        table = ConversationReferenceRow
        values = {
            "platform": reference.platform,
            "key": reference.key,
            "service_url": reference.service_url,
            "data": dict(reference.data),
            "updated_at": now,
            **{name: getattr(reference, name) for name in _MERGED},
        }
        if values["email"]:
            values["email"] = str(values["email"]).lower()
        stmt = insert(table).values(values)
        set_: dict[str, Any] = {
            "service_url": stmt.excluded.service_url,
            "data": stmt.excluded.data,
            "updated_at": stmt.excluded.updated_at,
        }
        for name in _MERGED:
            set_[name] = func.coalesce(getattr(stmt.excluded, name), getattr(table, name))
        with self._db.session() as session:
            session.execute(
                stmt.on_conflict_do_update(index_elements=[table.platform, table.key], set_=set_)
            )

    def get(self, platform: str, key: str) -> StoredReference | None:
        """The reference under ``(platform, key)``, or ``None``."""
        with self._db.session() as session:
            row = session.scalars(
                select(ConversationReferenceRow).where(
                    ConversationReferenceRow.platform == platform,
                    ConversationReferenceRow.key == key,
                )
            ).first()
            return None if row is None else _reference(row)

    def by_email(self, platform: str, email: str) -> StoredReference | None:
        """The most recently updated user reference with ``email`` on ``platform``."""
        with self._db.session() as session:
            row = session.scalars(
                select(ConversationReferenceRow)
                .where(
                    ConversationReferenceRow.platform == platform,
                    ConversationReferenceRow.email == email.strip().lower(),
                    ConversationReferenceRow.key.startswith("user:"),
                )
                .order_by(ConversationReferenceRow.updated_at.desc())
            ).first()
            return None if row is None else _reference(row)


def _reference(row: ConversationReferenceRow) -> StoredReference:
    return StoredReference(
        platform=row.platform,
        key=row.key,
        service_url=row.service_url,
        conversation_id=row.conversation_id,
        tenant_id=row.tenant_id,
        user_id=row.user_id,
        aad_object_id=row.aad_object_id,
        email=row.email,
        name=row.name,
        data=row.data,
        updated_at=row.updated_at,
    )
