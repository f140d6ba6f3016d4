"""Shared fixtures.

``database`` is a migrated, empty :class:`storage.Database`, parametrised over SQLite (a
file in ``tmp_path``) and PostgreSQL. PostgreSQL runs only when
``PERSONABOT_TEST_DATABASE_URL`` is set, e.g.
``postgresql://postgres@127.0.0.1:5432/test``; each test then gets its own schema,
dropped afterwards. ``empty_database`` is the same without the migrations applied.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from storage import Database, normalize_url

TEST_DATABASE_ENV = "PERSONABOT_TEST_DATABASE_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A URL of a fresh, empty database (per test)."""
    if request.param == "sqlite":
        # A directory that does not exist yet: Database must create it.
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'data' / 'personabot.db'}"
        return
    base = os.environ.get(TEST_DATABASE_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {TEST_DATABASE_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    url = normalize_url(base)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_database(database_url: str) -> Iterator[Database]:
    """A :class:`Database` on a fresh database with no tables (not upgraded)."""
    database = Database(url=database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def database(empty_database: Database) -> Database:
    """A :class:`Database` with every migration applied and no rows."""
    empty_database.upgrade()
    return empty_database
