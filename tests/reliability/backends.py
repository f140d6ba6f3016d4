"""A database that real server processes share, on PostgreSQL or on one SQLite file.

The ``backend`` fixture (``conftest.py``) gives one per test, parametrised over both, so
a crash test runs against each: start servers on it, run SQL against it, and open our
own repositories on it (``url``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fake_slack import FakeSlackThread
from procs import ServeProcess
from sqlalchemy import create_engine, text


@dataclass
class Backend:
    """A database the servers share: start a server, run SQL, read it ourselves."""

    name: str
    start: Callable[..., ServeProcess]  # start(name, env=…)
    rows: Callable[[str], list[Any]]
    url: str  # for our own readers (repositories from storage/)


def backends(
    request: pytest.FixtureRequest, fake_slack: FakeSlackThread, tmp_path: Path
) -> Iterator[Backend]:
    """Servers on a fresh PostgreSQL schema, or on one SQLite file (the fixture's body)."""
    if request.param == "postgresql":
        pg = request.getfixturevalue("pg")
        serve = request.getfixturevalue("serve")
        yield Backend("postgresql", serve, pg.rows, pg.url(f"reader-{pg.schema}"))
        return
    url = f"sqlite:///{tmp_path / 'served.db'}"
    engine = create_engine(url)
    started: list[ServeProcess] = []

    def start(name: str, *, env: dict[str, str] | None = None) -> ServeProcess:
        process = ServeProcess(
            name=name,
            database_url=url,
            workdir=tmp_path,
            slack_api_url=fake_slack.base_url,
            env=env,
        ).start()
        started.append(process)
        return process

    def rows(sql: str) -> list[Any]:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))

    try:
        yield Backend("sqlite", start, rows, url)
    finally:
        for process in started:
            process.kill()
        engine.dispose()
