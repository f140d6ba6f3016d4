"""Finish a conversation turn in one transaction: log the question, keep or drop choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from storage.db import Database
from storage.questions import QuestionRecord, question_row
from storage.state import delete_statement, upsert_statement


class TurnLog:
    """Writes what one message changed, with a single commit (one fsync, not three).

    Args:
        db: The database.
    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def finish(
        self,
        record: QuestionRecord,
        *,
        key: str,
        kind: str,
        choices: Sequence[Mapping[str, str]],
        now: dt.datetime,
    ) -> None:
        """Record the question and store the choices offered (or drop stale ones).

        Args:
            record: The question and the answer given.
            key: The conversation's state key.
            kind: The state kind pending choices are stored under; other kinds (a
                running quiz) are never overwritten by an empty list.
            choices: The choices the reply offered, as ``{label, value}``; empty clears
                pending choices of ``kind``.
            now: Timezone-aware time of the write.
        """
        with self._db.session() as session:
            session.add(question_row(record))
            if choices:
                data = {"choices": [dict(c) for c in choices]}
                session.execute(
                    upsert_statement(self._db.dialect, key, kind=kind, data=data, now=now)
                )
            else:
                session.execute(delete_statement(key, kind=kind))
