"""Dashboard sign-in links: stored when sent in chat, used once when followed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, update

from storage.db import Database
from storage.insights_models import SigninLinkRow


@dataclass(frozen=True, kw_only=True)
class SigninLink:
    """A link sent to one admin.

    Attributes:
        nonce: Its random id (in the link).
        email: Whom it was sent to.
        expires_at: When it stops working.
        used_at: When it was followed (``None``: not yet).
    """

    nonce: str
    email: str
    expires_at: dt.datetime
    used_at: dt.datetime | None = None


class SigninLinks:
    """The links sent, shared by every replica through the database.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def add(self, nonce: str, *, email: str, now: dt.datetime, expires_at: dt.datetime) -> None:
        """Record a link being sent; links expired a day ago are dropped meanwhile."""
        with self._db.session(write=True) as session:
            session.execute(
                delete(SigninLinkRow).where(SigninLinkRow.expires_at < now - dt.timedelta(days=1))
            )
            session.add(
                SigninLinkRow(nonce=nonce, email=email, created_at=now, expires_at=expires_at)
            )

    def get(self, nonce: str) -> SigninLink | None:
        """The link with ``nonce``, used or not, if it was ever sent (and not yet dropped)."""
        with self._db.session() as session:
            row = session.get(SigninLinkRow, nonce)
            if row is None:
                return None
            return SigninLink(
                nonce=row.nonce, email=row.email, expires_at=row.expires_at, used_at=row.used_at
            )

    def use(self, nonce: str, *, now: dt.datetime) -> bool:
        """Mark the link used, if it is unused and unexpired; True for the one caller that did."""
        query = (
            update(SigninLinkRow)
            .where(
                SigninLinkRow.nonce == nonce,
                SigninLinkRow.used_at.is_(None),
                SigninLinkRow.expires_at > now,
            )
            .values(used_at=now)
        )
        with self._db.session(write=True) as session:
            return bool(session.execute(query).rowcount)  # type: ignore[attr-defined]
