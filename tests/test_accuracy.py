"""Answering accuracy on the shared development sets, measured as the product ships.

Runs ``../shared/eval/score.py`` against the real ``personabot ask`` command, exactly as
the held-out evaluation does. Skipped when the shared folder is not beside the project.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


@pytest.mark.skipif(
    not (EVAL / "score.py").exists(), reason="shared/eval is not beside the project"
)
@pytest.mark.parametrize("language", ["en", "da"])
def test_dev_set_accuracy_is_at_least_90_percent(language: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
    env["PERSONABOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'score.db'}"
    result = subprocess.run(
        [
            sys.executable,
            str(EVAL / "score.py"),
            str(EVAL / "dev" / f"pack-{language}"),
            str(EVAL / "dev" / f"questions-{language}.jsonl"),
            "--min",
            "0.90",
            "--cmd",
            f"{sys.executable} -m bot ask",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Every out-of-scope question must be answered "unknown".
    unknown = next(line for line in result.stdout.splitlines() if line.startswith("unknown:"))
    right, total = unknown.split()[1].split("/")
    assert right == total, result.stdout
