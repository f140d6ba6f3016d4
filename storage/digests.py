"""Weekly digest posts, claimed in the database before they are sent: one per week and target.

``(week, target)`` is unique, so two runs, two processes or two replicas cannot both
post a week's digest to the same place. A claim whose sender died lapses
(``claimed_until``) and is taken again; a post that failed is tried again once its
``claimed_until`` (the retry time) has passed. Finishing a claim names its token, so a
sender whose claim lapsed and was taken over cannot mark another's post.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import DigestPostRow


@dataclass(frozen=True, kw_only=True)
class DigestPost:
    """A week's digest to one target, as stored.

    Attributes:
        week: The ISO week (``2026-W47``).
        target: Where it goes (``slack:C0123``, ``teams:19:…``, ``email:a@b``).
        status: ``sending`` (claimed), ``sent`` or ``failed``.
        token: The claim that may finish it.
        attempts: How many times it was claimed.
        error: Why the last attempt failed.
        message: Where it was posted.
        sent_at: When it was posted.
    """

    week: str
    target: str
    status: str
    token: str
    attempts: int
    error: str | None = None
    message: Mapping[str, Any] = field(default_factory=dict)
    sent_at: dt.datetime | None = None


class DigestPosts:
    """Claim, finish and read digest posts.

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def get(self, week: str, target: str) -> DigestPost | None:
        """The post of ``week`` to ``target``, if it was ever claimed."""
        query = select(DigestPostRow).where(
            DigestPostRow.week == week, DigestPostRow.target == target
        )
        with self._db.session() as session:
            row = session.scalars(query).first()
            return None if row is None else _post(row)

    def claim(
        self,
        week: str,
        target: str,
        *,
        now: dt.datetime,
        claim_for: dt.timedelta,
        retry_failed: bool = False,
    ) -> DigestPost | None:
        """Claim ``week``'s post to ``target``; ``None`` if it is sent or someone holds it.

        A post never claimed is created; one whose claim lapsed (its sender died) or
        that failed and is due for another try is taken again. With ``retry_failed`` a
        failed post is taken at once (an admin sending by hand).
        """
        token = uuid.uuid4().hex
        row = DigestPostRow(
            week=week,
            target=target,
            status="sending",
            token=token,
            claimed_until=now + claim_for,
            attempts=1,
            message={},
            created_at=now,
        )
        try:
            with self._db.session(write=True) as session:
                session.add(row)
            return _post(row)
        except IntegrityError:
            pass
        lapsed = DigestPostRow.claimed_until < now
        if retry_failed:
            lapsed = or_(lapsed, DigestPostRow.status == "failed")
        taken = (
            update(DigestPostRow)
            .where(
                DigestPostRow.week == week,
                DigestPostRow.target == target,
                DigestPostRow.status.in_(("sending", "failed")),
                lapsed,
            )
            .values(
                status="sending",
                token=token,
                claimed_until=now + claim_for,
                attempts=DigestPostRow.attempts + 1,
            )
            .returning(DigestPostRow.id)
        )
        with self._db.session(write=True) as session:
            claimed = session.execute(taken).scalar_one_or_none()
        return None if claimed is None else self.get(week, target)

    def sent(self, post: DigestPost, *, now: dt.datetime, message: Mapping[str, Any]) -> bool:
        """The claimed post went out (``message`` says where); False if the claim was lost."""
        return self._finish(
            post, status="sent", sent_at=now, claimed_until=None, message=dict(message), error=None
        )

    def failed(self, post: DigestPost, *, retry_at: dt.datetime, error: str) -> bool:
        """The claimed post could not be sent: tried again after ``retry_at``."""
        return self._finish(post, status="failed", claimed_until=retry_at, error=error[:2000])

    def _finish(self, post: DigestPost, **values: Any) -> bool:
        with self._db.session(write=True) as session:
            done = session.execute(
                update(DigestPostRow)
                .where(
                    DigestPostRow.week == post.week,
                    DigestPostRow.target == post.target,
                    DigestPostRow.token == post.token,
                    DigestPostRow.status == "sending",
                )
                .values(**values)
                .returning(DigestPostRow.id)
            ).scalar_one_or_none()
        return done is not None


def _post(row: DigestPostRow) -> DigestPost:
    return DigestPost(
        week=row.week,
        target=row.target,
        status=row.status,
        token=row.token,
        attempts=row.attempts,
        error=row.error,
        message=dict(row.message or {}),
        sent_at=row.sent_at,
    )
