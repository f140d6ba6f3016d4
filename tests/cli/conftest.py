"""The ``run`` fixture: ``personabot`` as a real process with its own SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run ``personabot ARGS`` in a clean environment with its own SQLite database.

    ``PYTHONPATH`` puts this tree first, so the process runs the code under test, not the
    copy ``pip install .`` last put in the virtual environment.
    """

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
        environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT), environ.get("PYTHONPATH")])
        )
        environ["PERSONABOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
        environ.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environ,
            cwd=tmp_path,
            timeout=60,
        )

    return run
