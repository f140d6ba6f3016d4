"""An import after ``content export``: a last_reviewed that only catches up with chat is no change.

``content export`` writes each persona's ``last_reviewed`` as the later of its own and the
last review recorded in chat. Importing such a file changes nothing the bot shows, so it
is ``unchanged`` (no new version); a later date than chat knows, or any other change, is
still an update.
"""

from __future__ import annotations

import datetime as dt

from content.loader import EXAMPLE_PACK, load_pack
from content.schema import Pack, Persona
from storage import Database
from storage.personas import PersonaRepository
from storage.reviews import ReviewStore

T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
REVIEWED = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
OWNER = "ingrid.solberg@fieldline.example"
BJORN = "it-manager-bjorn"


def with_persona(pack: Pack, persona: Persona) -> Pack:
    personas = tuple(persona if p.id == persona.id else p for p in pack.personas)
    return pack.model_copy(update={"personas": personas})


def setup(database: Database) -> tuple[PersonaRepository, Pack, Persona]:
    repo = PersonaRepository(db=database)
    pack = load_pack(EXAMPLE_PACK)
    repo.import_pack(pack, origin="pack", now=T0)
    ReviewStore(db=database).record(BJORN, kind="reviewed", by=OWNER, at=REVIEWED)
    bjorn = pack.persona(BJORN)
    assert bjorn is not None
    return repo, pack, bjorn


def test_a_last_reviewed_that_catches_up_with_chat_is_unchanged(database: Database) -> None:
    repo, pack, bjorn = setup(database)
    caught_up = bjorn.model_copy(update={"last_reviewed": REVIEWED.date()})

    report = repo.import_pack(with_persona(pack, caught_up), origin="pack", now=T0)

    assert BJORN in report.unchanged and not report.updated and not report.recorded
    assert len(repo.history(BJORN)) == 1
    assert repo.import_pack(with_persona(pack, caught_up), origin="pack", now=T0).unchanged
    # The file is the new baseline: its next real change is a plain update.
    changed = caught_up.model_copy(update={"quote": "Show me the audit log first."})
    report = repo.import_pack(with_persona(pack, changed), origin="pack", now=T0)
    assert report.updated == [BJORN] and repo.get(BJORN) == changed


def test_a_later_date_than_chat_or_another_change_is_an_update(database: Database) -> None:
    repo, pack, bjorn = setup(database)
    later = bjorn.model_copy(update={"last_reviewed": REVIEWED.date() + dt.timedelta(days=3)})
    report = repo.import_pack(with_persona(pack, later), origin="pack", now=T0)
    assert report.updated == [BJORN] and repo.get(BJORN) == later

    assert [v.version for v in repo.history(BJORN)] == [1, 2]


def test_a_caught_up_date_with_another_change_is_an_update(database: Database) -> None:
    repo, pack, bjorn = setup(database)
    changed = bjorn.model_copy(
        update={"last_reviewed": REVIEWED.date(), "quote": "Show me the audit log first."}
    )
    report = repo.import_pack(with_persona(pack, changed), origin="pack", now=T0)
    assert report.updated == [BJORN] and repo.get(BJORN) == changed


def test_chat_edits_and_a_chat_review_exported_together_are_recorded(database: Database) -> None:
    repo, pack, bjorn = setup(database)
    edited = bjorn.model_copy(update={"pains": [*bjorn.pains, "Shadow IT in the field"]})
    repo.save_edit(edited, author=OWNER, note=None, now=REVIEWED)
    exported = edited.model_copy(update={"last_reviewed": REVIEWED.date()})

    report = repo.import_pack(with_persona(pack, exported), origin="pack", now=REVIEWED)

    assert report.recorded == [BJORN] and not report.updated and report.ok
    assert len(repo.history(BJORN)) == 2 and repo.get(BJORN) == edited
    again = repo.import_pack(with_persona(pack, exported), origin="pack", now=REVIEWED)
    assert BJORN in again.unchanged and not again.recorded and not again.updated
