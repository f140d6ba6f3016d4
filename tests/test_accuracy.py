"""Answering accuracy on the development sets, measured as the product ships.

Runs ``../shared/eval/score.py`` against the real ``personabot ask`` command, exactly as
the held-out evaluation does: on the shared English and Danish sets (skipped when the
shared folder is not beside the project) and on the Norwegian, Swedish and German sets
that ship in ``tests/accuracy`` against the example packs. Every out-of-scope question
must be refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _pytest.mark.structures import ParameterSet

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
SHARED = {"en": 0.95, "da": 0.95}
OWN = {"nb": 0.95, "sv": 0.95, "de": 0.95}


def _sets() -> list[ParameterSet]:
    out: list[ParameterSet] = []
    for language, least in SHARED.items():
        pack = EVAL / "dev" / f"pack-{language}"
        out.append(
            pytest.param(
                pack,
                EVAL / "dev" / f"questions-{language}.jsonl",
                least,
                id=language,
                marks=pytest.mark.skipif(
                    not (EVAL / "score.py").exists(), reason="shared/eval is not beside the project"
                ),
            )
        )
    for language, least in OWN.items():
        bundled = ROOT / "content" / "example_packs" / language
        pack = bundled if bundled.is_dir() else ROOT / "tests" / "accuracy" / "packs" / language
        questions = ROOT / "tests" / "accuracy" / f"questions-{language}.jsonl"
        out.append(
            pytest.param(
                pack,
                questions,
                least,
                id=language,
                marks=pytest.mark.skipif(
                    not (EVAL / "score.py").exists(), reason="shared/eval is not beside the project"
                ),
            )
        )
    return out


@pytest.mark.parametrize(("pack", "questions", "least"), _sets())
def test_dev_set_accuracy(pack: Path, questions: Path, least: float, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
    env["PERSONABOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'score.db'}"
    result = subprocess.run(
        [
            sys.executable,
            str(EVAL / "score.py"),
            str(pack),
            str(questions),
            "--min",
            str(least),
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
