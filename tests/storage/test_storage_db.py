"""Database handle, migrations and backend configuration."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from storage import Database, LivePack, PersonaRepository, normalize_url
from storage.migrations import HEAD
from storage.models import Base, PersonaImportRow, PersonaRow, PersonaVersionRow

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=1)
ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "personas",
    "persona_versions",
    "persona_imports",
    "questions",
    "conversation_state",
    "processed_events",
    "live_pack",
    "leases",
}


def test_upgrade_creates_tables_and_then_nothing_is_pending(empty_database: Database) -> None:
    assert empty_database.needs_upgrade()
    assert empty_database.current_revisions() == set()

    empty_database.upgrade()

    assert not empty_database.needs_upgrade()
    assert empty_database.current_revisions() == empty_database.head_revisions()
    assert set(inspect(empty_database.engine).get_table_names()) >= TABLES


def test_head_constant_is_the_head_of_the_migration_scripts() -> None:
    from alembic.script import ScriptDirectory

    from storage.db import _alembic_config

    assert ScriptDirectory.from_config(_alembic_config()).get_heads() == [HEAD]


def test_checking_the_schema_does_not_import_alembic(database_url: str) -> None:
    code = (
        "import sys\n"
        "from storage.db import Database\n"
        f"db = Database(url={database_url!r})\n"
        "assert db.needs_upgrade()\n"
        "assert 'alembic' not in sys.modules, 'alembic imported before upgrade()'\n"
        "db.upgrade()\n"
        "assert not db.needs_upgrade() and 'alembic' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_migration_0002_records_the_origin_of_the_live_personas(
    empty_database: Database,
) -> None:
    database = empty_database
    database.upgrade("0001")
    assert database.current_revisions() == {"0001"}
    with database.session() as session:
        for pid, archived, origin in (("kept", None, "/packs/old"), ("gone", T0, "/packs/older")):
            session.add(PersonaRow(id=pid, archived_at=archived, created_at=T0))
            session.flush()
            session.add_all(
                [
                    PersonaVersionRow(
                        persona_id=pid,
                        version=1,
                        data={},
                        source="import",
                        author=f"import:{origin}",
                        created_at=T0,
                    ),
                    PersonaVersionRow(
                        persona_id=pid,
                        version=2,
                        data={"edited": True},
                        source="edit",
                        author="anna@example.com",
                        created_at=T1,
                    ),
                    PersonaImportRow(
                        persona_id=pid,
                        content_hash="x",
                        data={},
                        imported_version=1,
                        imported_at=T0 if pid == "kept" else T1,
                    ),
                ]
            )

    database.upgrade()

    assert PersonaRepository(db=database).live_pack() == LivePack(
        name=None, origin="/packs/old", updated_at=T0
    )


def test_migration_0002_on_a_database_without_personas_records_nothing(
    empty_database: Database,
) -> None:
    empty_database.upgrade("0001")
    empty_database.upgrade()
    assert PersonaRepository(db=empty_database).live_pack() is None


def test_upgrade_twice_is_harmless(database: Database) -> None:
    database.upgrade()
    assert not database.needs_upgrade()


# Tables our migrations create for slack_sdk's OAuth stores, not for our models; they are
# compared with the stores' own definitions in tests/slack/test_oauth.py.
SLACK_SDK_TABLES = {"slack_installations", "slack_bots", "slack_oauth_states"}


def _ours(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    table = name if type_ == "table" else parent_names.get("table_name")
    return table not in SLACK_SDK_TABLES


def test_migrations_match_the_orm_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _ours}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(database: Database) -> None:
    from alembic import command

    from storage.db import _alembic_config

    with database.engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not TABLES & set(inspect(database.engine).get_table_names())
    assert database.needs_upgrade()
    database.upgrade()
    assert not database.needs_upgrade()


def test_session_commits_on_success_and_rolls_back_on_error(database: Database) -> None:
    with database.session() as session:
        session.add(PersonaRow(id="kept", archived_at=None, created_at=T0))
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(PersonaRow(id="dropped", archived_at=None, created_at=T0))
        session.flush()
        raise RuntimeError("boom")
    with database.session() as session:
        assert session.scalars(select(PersonaRow.id)).all() == ["kept"]


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(
            PersonaVersionRow(persona_id="nobody", version=1, data={}, source="edit", created_at=T0)
        )


def test_datetimes_come_back_as_aware_utc(database: Database) -> None:
    copenhagen = dt.timezone(dt.timedelta(hours=1))
    with database.session() as session:
        session.add(PersonaRow(id="p", archived_at=None, created_at=T0.astimezone(copenhagen)))
    with database.session() as session:
        row = session.get(PersonaRow, "p")
        assert row is not None
        assert row.created_at == T0
        assert row.created_at.utcoffset() == dt.timedelta(0)


def test_naive_datetimes_are_rejected(database: Database) -> None:
    with pytest.raises(Exception, match="timezone-aware"), database.session() as session:
        session.add(PersonaRow(id="p", archived_at=None, created_at=dt.datetime(2026, 1, 1)))


def test_sqlite_creates_parent_directory_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "bot.db"
    database = Database(url=f"sqlite:///{path}")
    try:
        database.upgrade()
        assert path.is_file()
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert (connection.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 1000
    finally:
        database.dispose()


def test_in_memory_sqlite_keeps_its_tables_across_sessions() -> None:
    database = Database(url="sqlite://")
    try:
        database.upgrade()
        assert not database.needs_upgrade()
        with database.session() as session:
            session.add(PersonaRow(id="p", archived_at=None, created_at=T0))
        with database.session() as session:
            assert session.get(PersonaRow, "p") is not None
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_normalize_url_picks_psycopg(url: str, driver: str) -> None:
    assert normalize_url(url).drivername == driver


def test_unsupported_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        Database(url="mysql://u@h/db")


def test_repr_hides_the_password() -> None:
    database = Database(url="postgresql://bot:s3cret@db.internal/personabot")
    try:
        assert "s3cret" not in repr(database)
    finally:
        database.dispose()
