"""Finish a conversation turn: log the question, keep or drop the choices it offered.

Write-through (the default, for the console and tests) commits each turn at once. A
server queues turns instead (``queued=True``) and calls :meth:`TurnLog.flush` every few
milliseconds from its event loop (group commit): a busy server pays for one commit per
batch instead of one per message, and no writer thread competes with the loop for the
interpreter lock. Pending choices are readable at once from the queue
(:meth:`TurnLog.choices`), and :meth:`TurnLog.close` commits what is left.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import InterfaceError, OperationalError

from storage.db import Database, retry_on_disconnect
from storage.models import QuestionRow
from storage.questions import QuestionRecord, question_values
from storage.state import (
    ConversationStateStore,
    State,
    delete_statement,
    upsert_many_statement,
)

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    records: list[QuestionRecord] = field(default_factory=list)
    # key → (kind, data or None to drop, when); the last write per key wins.
    states: dict[str, tuple[str, dict[str, Any] | None, dt.datetime]] = field(default_factory=dict)


class TurnLog:
    """Records each turn's question and the choices it offered.

    Args:
        db: The database.
        queued: Keep turns until :meth:`flush` instead of committing each at once.
    """

    def __init__(self, *, db: Database, queued: bool = False) -> None:
        self._db = db
        self._store = ConversationStateStore(db=db)
        self.queued = queued
        self._pending = _Pending()
        self._writing = _Pending()  # taken from the queue, being committed
        self._lock = threading.Lock()

    def finish(
        self,
        record: QuestionRecord,
        *,
        key: str,
        kind: str,
        choices: Sequence[Mapping[str, str]] | None,
        now: dt.datetime,
    ) -> None:
        """Record the question and store the choices offered (or drop stale ones).

        Args:
            record: The question and the answer given.
            key: The conversation's state key.
            kind: The state kind pending choices are stored under; other kinds (a
                running quiz) are never overwritten or dropped by a turn.
            choices: The choices the reply offered, as ``{label, value}``; empty clears
                pending choices of ``kind``; ``None`` leaves them as they are.
            now: Timezone-aware time of the write.
        """
        data = {"choices": [dict(c) for c in choices]} if choices else None
        with self._lock:
            self._pending.records.append(record)
            if choices is not None:
                self._pending.states[key] = (kind, data, now)
        if not self.queued:
            self.flush()

    def choices(self, key: str, *, kind: str) -> State | None:
        """The choices pending in a conversation, including turns not yet committed."""
        with self._lock:
            queued = self._pending.states.get(key) or self._writing.states.get(key)
        if queued is not None and queued[0] == kind:
            _, data, when = queued
            return None if data is None else State(kind, data, when)
        return self._store.get(key)

    def flush(self) -> None:
        """Commit every queued turn now.

        A connection that drops under the commit is replaced and the batch written again
        (it was rolled back). When the database refuses the batch for what is in it (a
        value it cannot store), each turn is written on its own and only the ones it
        refuses alone are dropped, with a log line: one bad record must not block the
        log for everyone after it. Any other failure (the database unreachable or busy)
        puts the batch back in the queue, in front of what came since, and raises.
        """
        with self._lock:
            batch, self._pending = self._pending, _Pending()
            self._writing = batch
        try:
            try:
                retry_on_disconnect(lambda: self._write(batch))
            except (OperationalError, InterfaceError):
                raise  # unreachable, locked, out of space: keep everything, retry later
            except Exception:  # noqa: BLE001 - the data: isolate the turns it refuses
                log.warning("the question log refused a batch; writing its turns one by one")
                self._write_each(batch)
        except Exception:
            with self._lock:  # put it back in front of what came since
                batch.records.extend(self._pending.records)
                batch.states.update(self._pending.states)
                self._pending = batch
            raise
        finally:
            with self._lock:
                self._writing = _Pending()

    def close(self) -> None:
        """Commit what is queued."""
        self.flush()

    def _write_each(self, batch: _Pending) -> None:
        """Write each turn of ``batch`` alone; drop (and log) those refused alone.

        What is written (or dropped) leaves ``batch``: if the database goes away half-way,
        only the rest is put back in the queue, so nothing is written twice.
        """
        singles = [_Pending(records=[record]) for record in batch.records]
        singles += [_Pending(states={key: value}) for key, value in batch.states.items()]
        for single in singles:
            try:
                retry_on_disconnect(lambda single=single: self._write(single))  # type: ignore[misc]
            except (OperationalError, InterfaceError):
                raise
            except Exception:  # noqa: BLE001 - refused for its content: dropped, said so
                what = single.records[0] if single.records else None
                log.exception(
                    "dropped a turn the database refuses: %s",
                    f"question by {what.platform}:{what.user_id} at {what.asked_at.isoformat()}"
                    if what
                    else f"state {next(iter(single.states))}",
                )
            for record in single.records:  # written or dropped: not put back
                batch.records.remove(record)
            for key in single.states:
                del batch.states[key]

    def _write(self, pending: _Pending) -> None:
        if not pending.records and not pending.states:
            return
        with self._db.session(write=True) as session:
            if pending.records:
                session.execute(insert(QuestionRow), [question_values(r) for r in pending.records])
            drops: dict[str, list[str]] = defaultdict(list)
            keeps: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for key, (kind, data, when) in pending.states.items():
                if data is None:
                    drops[kind].append(key)
                else:
                    row = {"key": key, "kind": kind, "data": data, "updated_at": when}
                    keeps[kind].append(row)
            for kind, keys in drops.items():
                session.execute(delete_statement(keys, kind=kind))
            for kind, rows in keeps.items():
                session.execute(upsert_many_statement(self._db.dialect, only_kind=kind), rows)
