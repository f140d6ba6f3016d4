"""The live catalog: a change made by one process is answered by another within seconds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import OperationalError

from bot.live_catalog import LiveCatalog
from content.loader import EXAMPLE_PACK, load_pack
from storage import Database
from storage.personas import PersonaRepository

NOW = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_another_process_sees_an_edit_at_the_next_check(database: Database) -> None:
    pack = load_pack(EXAMPLE_PACK)
    PersonaRepository(db=database).import_pack(pack, origin="pack", now=NOW)
    ticks = Ticks()
    replica = LiveCatalog(db=database, pack=pack, every=1.0, monotonic=ticks)
    before = replica()
    persona = before.personas[0]
    edited = persona.model_copy(update={"pains": [*persona.pains, "Audit season eats March"]})

    other = Database(url=str(database.engine.url.render_as_string(hide_password=False)))
    try:
        PersonaRepository(db=other).save_edit(edited, author="owner@example.com", note="t", now=NOW)
    finally:
        other.dispose()

    assert replica() is before  # checked less than a second ago: no query, same catalog
    ticks.now += 1.0
    after = replica()
    assert after is not before
    live = after.persona(persona.id)
    assert live is not None and "Audit season eats March" in live.pains
    assert replica() is after  # nothing changed since: the same catalog is kept


def test_refresh_sees_an_archived_persona_at_once(database: Database) -> None:
    pack = load_pack(EXAMPLE_PACK)
    repo = PersonaRepository(db=database)
    repo.import_pack(pack, origin="pack", now=NOW)
    live = LiveCatalog(db=database, pack=pack, every=3600.0)
    gone = pack.personas[-1].id
    smaller = pack.model_copy(update={"personas": pack.personas[:-1]})
    repo.import_pack(smaller, origin="pack", now=NOW)

    assert live().persona(gone) is not None  # not checked yet
    assert live.refresh() is True
    assert live().persona(gone) is None
    assert live.refresh() is False


def test_a_database_that_goes_away_leaves_the_last_catalog_answering(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = load_pack(EXAMPLE_PACK)
    PersonaRepository(db=database).import_pack(pack, origin="pack", now=NOW)
    ticks = Ticks()
    live = LiveCatalog(db=database, pack=pack, every=1.0, monotonic=ticks)
    before = live()

    def away(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("the database is away"))

    monkeypatch.setattr("bot.live_catalog.persona_revision", away)
    ticks.now += 1.0
    assert live() is before and live.refresh() is False
    monkeypatch.undo()
    monkeypatch.setattr(PersonaRepository, "live", away)  # the revision moved, reading fails
    edited = pack.personas[0].model_copy(update={"summary": "Changed elsewhere."})
    PersonaRepository(db=database).save_edit(edited, author="o@x.com", note=None, now=NOW)
    assert live.refresh() is False and live() is before
