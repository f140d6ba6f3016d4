"""Fixtures of the reliability suite: PostgreSQL per test, the fakes, real server processes.

The suite runs only against PostgreSQL (several processes on one database, connections
terminated by the server): without ``PERSONABOT_TEST_DATABASE_URL`` its tests are
skipped with that reason. Each test gets its own schema (dropped afterwards) and every
server process it starts is killed at the end, whatever happened.

Figures each test measures are printed in a "reliability figures" section of pytest's
terminal summary, so they show in CI logs (``figures("…")``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE.parent / "slack", HERE.parent / "teams"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from backends import Backend, backends  # noqa: E402
from fake_connector import FakeConnectorThread  # noqa: E402
from fake_slack import FakeSlackThread  # noqa: E402
from procs import Postgres, ServeProcess, ServerFactory  # noqa: E402

TEST_DATABASE_ENV = "PERSONABOT_TEST_DATABASE_URL"
FIGURES = pytest.StashKey[list[str]]()


@pytest.fixture
def pg() -> Iterator[Postgres]:
    """A fresh PostgreSQL schema (skipped without ``PERSONABOT_TEST_DATABASE_URL``)."""
    base = os.environ.get(TEST_DATABASE_ENV)
    if not base:
        pytest.skip(
            f"the reliability suite runs on PostgreSQL: set {TEST_DATABASE_ENV} "
            "(e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    database = Postgres(base)
    database.create()
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackThread]:
    """The fake Slack Web API on its own thread, with a few known users."""
    with FakeSlackThread() as fake:
        for n in range(20):
            fake.add_user(f"U0REL{n:03d}", f"seller{n}@fieldline.example", f"Seller {n}")
        yield fake


# The fake connector checks every sent activity; the Adaptive Card schema check (~30 ms
# of CPU each) only on every n-th: card validity is the Teams tests' subject, not ours.
CARD_SAMPLE = 10


@pytest.fixture
def fake_connector() -> Iterator[FakeConnectorThread]:
    """The fake Bot Connector on its own thread (cards validated by sample)."""
    with FakeConnectorThread(validate_every=CARD_SAMPLE) as fake:
        yield fake


@pytest.fixture
def serve(pg: Postgres, fake_slack: FakeSlackThread, tmp_path: Path) -> Iterator[ServerFactory]:
    """Start ``personabot serve`` processes on the test's schema: ``serve(name, app=…)``.

    ``app`` is the ``application_name`` of its database connections (default the name),
    so a test can terminate exactly this server's connections. Every process is killed
    when the test ends.
    """
    started: list[ServeProcess] = []

    def start(name: str, *, app: str | None = None, **kwargs: Any) -> ServeProcess:
        process = ServeProcess(
            name=name,
            database_url=pg.url(app or f"personabot-{pg.schema}-{name}"),
            workdir=tmp_path,
            slack_api_url=fake_slack.base_url,
            **kwargs,
        ).start()
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            process.kill()


@pytest.fixture(params=["postgresql", "sqlite"])
def backend(
    request: pytest.FixtureRequest, fake_slack: FakeSlackThread, tmp_path: Path
) -> Iterator[Backend]:
    """Servers on a fresh PostgreSQL schema, or on one SQLite file (see backends.py)."""
    yield from backends(request, fake_slack, tmp_path)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Print a figure line in the terminal summary (prefixed with the test's name)."""
    lines = request.config.stash.setdefault(FIGURES, [])

    def emit(line: str) -> None:
        lines.append(f"{request.node.name}: {line}")

    return emit


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The figures the reliability tests measured."""
    lines = config.stash.get(FIGURES, [])
    if lines:
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)
