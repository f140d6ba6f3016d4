"""Two rollbacks (or a rollback and an edit) at once: exactly one applies, the other is told.

Two replicas on one database (SQLite file, PostgreSQL) each read the live version, and
only then, both at once, try to write: a barrier between reading and writing makes the
race happen every time. The database's write lock and the base-version check decide.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.i18n import Texts
from bot.live_catalog import LiveCatalog
from bot.model import ConversationRef, Incoming, Reply, User
from bot.roles import roles_of
from content.loader import EXAMPLE_PACK, load_pack
from content.schema import Persona
from handlers.history import HistoryHandler
from storage import Database
from storage.personas import PersonaRepository, StaleEditError

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
INGRID = "ingrid.solberg@fieldline.example"  # owns Frida, a pack admin
MIKKEL = "mikkel.dahl@fieldline.example"  # a pack admin
FRIDA = "cfo-frida"


class Racing(PersonaRepository):
    """The real repository, whose writers wait for each other before writing."""

    def __init__(self, *, db: Database, barrier: threading.Barrier) -> None:
        super().__init__(db=db)
        self.barrier = barrier

    def save_edit(self, persona: Persona, **kwargs: Any) -> int:
        self.barrier.wait(timeout=30)
        return super().save_edit(persona, **kwargs)


OPENED: list[Database] = []


@pytest.fixture(autouse=True)
def _close_replicas() -> Iterator[None]:
    yield
    while OPENED:
        OPENED.pop().dispose()


def opened(url: str) -> Database:
    """Another process's connections to the same database (closed after the test)."""
    OPENED.append(Database(url=url))
    return OPENED[-1]


def replica(url: str, barrier: threading.Barrier) -> HistoryHandler:
    """A second process's history handler: its own connections, the same database."""
    db = opened(url)
    pack = load_pack(EXAMPLE_PACK)
    catalog = LiveCatalog(db=db, pack=pack)
    return HistoryHandler(
        catalog=catalog,
        personas=Racing(db=db, barrier=barrier),
        roles=roles_of(pack, catalog),
        texts=Texts(language="en"),
        clock=lambda: NOW,
    )


def said(email: str, text: str) -> Incoming:
    user = User(platform="console", id=email, email=email)
    return Incoming(
        user=user, conversation=ConversationRef(platform="console", id=email), text=text
    )


def at_once(*work: Callable[[], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        futures = [pool.submit(w) for w in work]
        return [f.result(timeout=60) for f in futures]


def three_versions(database: Database) -> PersonaRepository:
    """Frida at v3 (two edits), so there are two older versions to roll back to."""
    repo = PersonaRepository(db=database)
    repo.import_pack(load_pack(EXAMPLE_PACK), origin="pack", now=NOW)
    for n in (2, 3):
        persona = repo.get(FRIDA)
        assert persona is not None
        repo.save_edit(
            persona.model_copy(update={"quote": f"Version {n}."}), author=INGRID, note=None, now=NOW
        )
    return repo


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def test_two_rollbacks_at_once_exactly_one_applies(database: Database) -> None:
    repo = three_versions(database)
    barrier = threading.Barrier(2)
    ingrid, mikkel = replica(url_of(database), barrier), replica(url_of(database), barrier)

    replies: list[Reply] = at_once(
        lambda: ingrid.rollback(said(INGRID, "rollback Frida 1"), "Frida 1"),
        lambda: mikkel.rollback(said(MIKKEL, "rollback Frida 2"), "Frida 2"),
    )

    done = [r for r in replies if r.text.startswith("✓")]
    told = [r for r in replies if r.text.startswith("CFO Frida changed while you asked")]
    assert len(done) == 1 and len(told) == 1, [r.text for r in replies]
    history = repo.history(FRIDA)
    assert [v.version for v in history] == [1, 2, 3, 4]  # one new version, not two
    winner = history[-1]
    assert told[0].text == (
        f"CFO Frida changed while you asked: it is now v4 ({winner.author}, 2026-12-07 10:00 UTC),"
        " so nothing was rolled back. Type history Frida to see what changed, then try again."
    )
    restored = 1 if winner.author == INGRID else 2
    assert winner.note == f"rollback to v{restored} by {winner.author}"
    live, old = repo.get(FRIDA), repo.versions(FRIDA)[-restored].persona
    assert live is not None and live == old


def test_a_rollback_and_an_approved_edit_at_once_exactly_one_applies(
    database: Database,
) -> None:
    repo = three_versions(database)
    barrier = threading.Barrier(2)
    ingrid = replica(url_of(database), barrier)
    other = Racing(db=opened(url_of(database)), barrier=barrier)
    live = repo.get(FRIDA)
    assert live is not None
    edited = live.model_copy(update={"quote": "An approved proposal."})

    def approve() -> str:
        try:
            other.save_edit(edited, author=MIKKEL, note="approved", now=NOW, expected_version=3)
        except StaleEditError:
            return "stale"
        return "applied"

    reply, approval = at_once(
        lambda: ingrid.rollback(said(INGRID, "rollback Frida 1"), "Frida 1"), approve
    )

    assert [v.version for v in repo.history(FRIDA)] == [1, 2, 3, 4]
    now = repo.get(FRIDA)
    assert now is not None
    if approval == "applied":
        assert reply.text.startswith("CFO Frida changed while you asked: it is now v4 (mikkel")
        assert now.quote == "An approved proposal."
    else:
        assert reply.text.startswith("✓ CFO Frida rolled back to v1")
        assert now == repo.versions(FRIDA)[-1].persona
