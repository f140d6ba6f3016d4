"""Importing packs into versioned personas; chat edits; conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from parallel import run_in_parallel
from sqlalchemy import func, select

from content.loader import load_pack
from content.schema import Pack, Persona
from storage import (
    Database,
    ImportConflict,
    LivePack,
    OtherPackError,
    PersonaRepository,
    StaleEditError,
    UnknownPersonaError,
    content_hash,
)
from storage.models import LivePackRow, PersonaImportRow, PersonaVersionRow

PACK_EN = Path("/work/shared/eval/dev/pack-en")
PACK_DA = Path("/work/shared/eval/dev/pack-da")
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=1)
T2 = T0 + dt.timedelta(days=2)
T3 = T0 + dt.timedelta(days=3)
EDITOR = "anna.lindqvist@tindra.example"


@pytest.fixture(scope="module")
def pack() -> Pack:
    if not PACK_EN.is_dir():
        pytest.skip(f"dev pack {PACK_EN} not available")
    return load_pack(PACK_EN)


@pytest.fixture
def repo(database: Database) -> PersonaRepository:
    return PersonaRepository(db=database)


def changed(persona: Persona, **updates: Any) -> Persona:
    return Persona.model_validate({**persona.model_dump(), **updates})


def replace(pack: Pack, *personas: Persona) -> Pack:
    """The pack with the given personas swapped in (by id) or added."""
    by_id = {p.id: p for p in pack.personas} | {p.id: p for p in personas}
    return Pack(info=pack.info, personas=tuple(by_id[i] for i in sorted(by_id)))


def without(pack: Pack, persona_id: str) -> Pack:
    return Pack(info=pack.info, personas=tuple(p for p in pack.personas if p.id != persona_id))


def version_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(PersonaVersionRow)) or 0


def test_import_creates_version_1_of_every_persona(
    repo: PersonaRepository, pack: Pack, database: Database
) -> None:
    report = repo.import_pack(pack, origin=str(PACK_EN), now=T0)

    ids = [p.id for p in pack.personas]
    assert report.created == ids
    assert report.ok and report.changed
    assert (report.updated, report.unchanged, report.archived) == ([], [], [])
    assert repo.live() == list(pack.personas)
    assert version_count(database) == len(ids)
    [info] = repo.history(ids[0])
    assert (info.version, info.source, info.author, info.created_at) == (
        1,
        "import",
        f"import:{PACK_EN}",
        T0,
    )


def test_reimporting_the_same_pack_changes_nothing(
    repo: PersonaRepository, pack: Pack, database: Database
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    report = repo.import_pack(pack, origin="pack-en", now=T1)

    assert report.unchanged == [p.id for p in pack.personas]
    assert not report.changed
    assert version_count(database) == len(pack.personas)
    assert report.total == len(pack.personas) and report.previous is None
    assert (report.created, report.updated, report.archived, report.conflicts) == ([], [], [], [])


def test_changed_file_creates_version_2(repo: PersonaRepository, pack: Pack) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    cfo = changed(pack.personas[0], quote="Year three, please.")

    report = repo.import_pack(replace(pack, cfo), origin="pack-en", now=T1)

    assert report.updated == [cfo.id]
    assert repo.get(cfo.id) == cfo
    assert [(v.version, v.source, v.created_at) for v in repo.history(cfo.id)] == [
        (1, "import", T0),
        (2, "import", T1),
    ]


def test_chat_edit_survives_reimport_of_unchanged_file(repo: PersonaRepository, pack: Pack) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    edited = changed(pack.personas[0], summary="Edited in chat after feedback.")
    assert repo.save_edit(edited, author=EDITOR, note="from feedback", now=T1) == 2

    report = repo.import_pack(pack, origin="pack-en", now=T2)

    assert edited.id in report.unchanged and report.ok
    assert repo.get(edited.id) == edited
    assert len(repo.history(edited.id)) == 2


def test_changed_file_and_chat_edit_is_a_conflict_that_changes_nothing(
    repo: PersonaRepository, pack: Pack, database: Database
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    persona = pack.personas[0]
    edited = changed(persona, summary="Edited in chat.")
    repo.save_edit(edited, author=EDITOR, note=None, now=T1)
    from_file = changed(persona, quote="Changed in the YAML.")

    report = repo.import_pack(replace(pack, from_file), origin="pack-en", now=T2)

    assert not report.ok
    assert report.conflicts == [
        ImportConflict(
            persona_id=persona.id,
            live_version=2,
            edited_by=EDITOR,
            edited_at=T1,
            edit_source="edit",
            imported_version=1,
        )
    ]
    assert report.total == len(pack.personas)
    assert repo.get(persona.id) == edited
    assert version_count(database) == len(pack.personas) + 1
    # Nothing was recorded either: the same file conflicts again.
    again = repo.import_pack(replace(pack, from_file), origin="pack-en", now=T3)
    assert [c.persona_id for c in again.conflicts] == [persona.id]


def test_force_lets_the_file_win(repo: PersonaRepository, pack: Pack) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    persona = pack.personas[0]
    repo.save_edit(changed(persona, summary="Edited in chat."), author=EDITOR, note=None, now=T1)
    from_file = changed(persona, quote="Changed in the YAML.")

    report = repo.import_pack(replace(pack, from_file), origin="pack-en", now=T2, force=True)

    assert report.ok
    assert report.updated == [persona.id] and report.forced == [persona.id]
    assert repo.get(persona.id) == from_file
    history = repo.history(persona.id)
    assert [(v.version, v.source) for v in history] == [(1, "import"), (2, "edit"), (3, "import")]
    assert history[-1].note is not None and "v2" in history[-1].note
    # The file is now the baseline again: re-importing it is a no-op.
    assert repo.import_pack(replace(pack, from_file), origin="pack-en", now=T3).unchanged


def test_file_that_already_contains_the_chat_edit_is_recorded_not_a_conflict(
    repo: PersonaRepository, pack: Pack, database: Database
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    edited = changed(pack.personas[0], summary="Edited in chat, then copied to YAML.")
    repo.save_edit(edited, author=EDITOR, note=None, now=T1)

    report = repo.import_pack(replace(pack, edited), origin="pack-en", now=T2)

    assert report.ok and report.recorded == [edited.id]
    assert version_count(database) == len(pack.personas) + 1
    # The next file change is a plain update, not a conflict.
    later = changed(edited, quote="A later YAML change.")
    report = repo.import_pack(replace(pack, later), origin="pack-en", now=T3)
    assert report.updated == [edited.id] and repo.get(edited.id) == later


def test_persona_missing_from_pack_is_archived_and_restored_when_back(
    repo: PersonaRepository, pack: Pack, database: Database
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    gone = pack.personas[1]

    report = repo.import_pack(without(pack, gone.id), origin="pack-en", now=T1)

    assert report.archived == [gone.id]
    assert gone.id not in [p.id for p in repo.live()]
    assert repo.get(gone.id) is None
    assert repo.get(gone.id, include_archived=True) == gone
    assert repo.import_pack(without(pack, gone.id), origin="pack-en", now=T2).archived == []

    back = repo.import_pack(pack, origin="pack-en", now=T3)
    assert back.restored == [gone.id] and back.unchanged == [p.id for p in pack.personas]
    assert repo.get(gone.id) == gone
    assert version_count(database) == len(pack.personas)


def test_restored_persona_with_changed_content_gets_a_new_version(
    repo: PersonaRepository, pack: Pack
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    gone = pack.personas[1]
    repo.import_pack(without(pack, gone.id), origin="pack-en", now=T1)
    returning = changed(gone, quote="I'm back.")

    report = repo.import_pack(replace(pack, returning), origin="pack-en", now=T2)

    assert report.restored == [gone.id] and report.updated == [gone.id]
    assert repo.get(gone.id) == returning


@pytest.fixture(scope="module")
def danish() -> Pack:
    if not PACK_DA.is_dir():
        pytest.skip(f"dev pack {PACK_DA} not available")
    return load_pack(PACK_DA)


def test_the_database_records_the_live_pack(repo: PersonaRepository, pack: Pack) -> None:
    assert repo.live_pack() is None

    repo.import_pack(pack, origin="pack-en", now=T0)

    assert repo.live_pack() == LivePack(name=pack.info.name, origin="pack-en", updated_at=T0)
    repo.import_pack(pack, origin="pack-en", now=T1)  # unchanged: not rewritten
    assert repo.live_pack() == LivePack(name=pack.info.name, origin="pack-en", updated_at=T0)
    # The same pack from another directory is the same pack; the origin follows it.
    report = repo.import_pack(pack, origin="/srv/pack-en", now=T2)
    assert report.unchanged == [p.id for p in pack.personas] and report.previous is None
    assert repo.live_pack() == LivePack(name=pack.info.name, origin="/srv/pack-en", updated_at=T2)


def test_another_pack_is_refused_and_nothing_changes(
    repo: PersonaRepository, pack: Pack, danish: Pack, database: Database
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)

    with pytest.raises(OtherPackError) as refused:
        repo.import_pack(danish, origin="pack-da", now=T1)

    assert refused.value.live == LivePack(name=pack.info.name, origin="pack-en", updated_at=T0)
    assert (refused.value.pack_name, refused.value.origin) == (danish.info.name, "pack-da")
    assert repo.live() == list(pack.personas)
    assert version_count(database) == len(pack.personas)
    assert repo.live_pack() == refused.value.live


def test_replace_switches_to_another_pack(
    repo: PersonaRepository, pack: Pack, danish: Pack
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)

    report = repo.import_pack(danish, origin="pack-da", now=T1, replace=True)

    assert report.previous == LivePack(name=pack.info.name, origin="pack-en", updated_at=T0)
    assert report.pack_name == danish.info.name
    assert sorted(report.archived) == sorted(
        {p.id for p in pack.personas} - {p.id for p in danish.personas}
    )
    assert repo.live() == list(danish.personas)
    assert repo.live_pack() == LivePack(name=danish.info.name, origin="pack-da", updated_at=T1)
    # Now the English pack is the other one.
    with pytest.raises(OtherPackError):
        repo.import_pack(pack, origin="pack-en", now=T2)


def test_personas_imported_before_packs_were_recorded_match_by_origin(
    repo: PersonaRepository, pack: Pack, danish: Pack, database: Database
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    with database.session() as session:  # as migration 0002 leaves an older database
        row = session.get(LivePackRow, 1)
        assert row is not None
        row.name = None

    with pytest.raises(OtherPackError) as refused:
        repo.import_pack(danish, origin="pack-da", now=T1)
    assert refused.value.live == LivePack(name=None, origin="pack-en", updated_at=T0)

    assert repo.import_pack(pack, origin="pack-en", now=T2).unchanged
    assert repo.live_pack() == LivePack(name=pack.info.name, origin="pack-en", updated_at=T2)


def test_save_edit_versions_and_guards(repo: PersonaRepository, pack: Pack) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    persona = pack.personas[0]

    assert repo.save_edit(persona, author=EDITOR, note="no change", now=T1) == 1
    edit = changed(persona, summary="New summary.")
    assert repo.save_edit(edit, author=EDITOR, note="why", now=T1, expected_version=1) == 2
    with pytest.raises(StaleEditError):
        repo.save_edit(
            changed(persona, summary="Other."),
            author=EDITOR,
            note=None,
            now=T2,
            expected_version=1,
        )
    with pytest.raises(UnknownPersonaError):
        repo.save_edit(changed(persona, id="nobody"), author=EDITOR, note=None, now=T2)
    assert [(v.version, v.source, v.author, v.note) for v in repo.history(persona.id)] == [
        (1, "import", "import:pack-en", None),
        (2, "edit", EDITOR, "why"),
    ]
    assert repo.history("nobody") == []
    assert repo.get("nobody") is None


def test_import_stores_hash_of_canonical_json(
    repo: PersonaRepository, pack: Pack, database: Database
) -> None:
    repo.import_pack(pack, origin="pack-en", now=T0)
    persona = pack.personas[0]
    with database.session() as session:
        row = session.get(PersonaImportRow, persona.id)
        assert row is not None
        assert row.content_hash == content_hash(persona.model_dump(mode="json"))
        assert row.imported_version == 1 and row.imported_at == T0


def test_failed_import_rolls_back_completely(
    repo: PersonaRepository, pack: Pack, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.pack_import as pack_import

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pack_import._Import, "_restore", explode)
    repo.import_pack(without(pack, pack.personas[0].id), origin="pack-en", now=T0)
    with pytest.raises(RuntimeError):
        repo.import_pack(pack, origin="pack-en", now=T1)  # creates one, then fails
    assert version_count(database) == len(pack.personas) - 1
    assert pack.personas[0].id not in [p.id for p in repo.live()]


def test_concurrent_imports_do_not_collide(database: Database, pack: Pack) -> None:
    reports, errors = run_in_parallel(
        database,
        4,
        lambda handle: PersonaRepository(db=handle).import_pack(pack, origin="x", now=T0),
    )
    assert errors == []
    assert sorted(len(r.created) for r in reports) == [0, 0, 0, len(pack.personas)]
    assert version_count(database) == len(pack.personas)


def test_schema_change_alone_is_not_a_file_change(
    repo: PersonaRepository, pack: Pack, database: Database
) -> None:
    """Data stored before a field was added to the schema still matches the file."""
    repo.import_pack(pack, origin="pack-en", now=T0)
    persona = next(p for p in pack.personas if p.review_every_days is None)
    repo.save_edit(changed(persona, summary="Edited in chat."), author=EDITOR, note=None, now=T1)
    with database.session() as session:
        row = session.get(PersonaImportRow, persona.id)
        assert row is not None
        # As stored before the schema gained ``review_every_days`` (default None).
        old = {k: v for k, v in row.data.items() if k != "review_every_days"}
        row.data, row.content_hash = old, content_hash(old)

    report = repo.import_pack(pack, origin="pack-en", now=T2)

    assert report.ok and persona.id in report.unchanged
    assert version_count(database) == len(pack.personas) + 1
    with database.session() as session:
        row = session.get(PersonaImportRow, persona.id)
        assert row is not None and row.content_hash == content_hash(persona_json(persona))


def persona_json(persona: Persona) -> dict[str, Any]:
    return persona.model_dump(mode="json")
