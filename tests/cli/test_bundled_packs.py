"""The bundled Danish and Norwegian example packs, picked by name on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from content.packs import BUNDLED, pack_path


@pytest.mark.parametrize("name", ["en", "da", "nb"])
def test_every_bundled_pack_validates_by_name(run, name: str) -> None:  # type: ignore[no-untyped-def]
    result = run("content", "validate", name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(BUNDLED[name]) in result.stdout


def test_chat_with_the_danish_pack_by_name(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "chat",
        "--content",
        "da",
        "--json",
        stdin="hvem er Mette?\nvis mere\nkunden siger, det er for dyrt\npersonaer\n",
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(a["intent"], a["persona"]) for a in answers[:2]] == [
        ("persona", "okonomichef-mette"),
        ("persona", "okonomichef-mette"),
    ]
    assert "Vis mere" in [c["label"] for c in answers[0]["choices"]]
    assert "Vis mere" not in [c["label"] for c in answers[1]["choices"]]
    assert (answers[2]["intent"], answers[2]["objection"]) == ("objection", "pris")
    assert answers[3]["intent"] == "directory" and len(answers[3]["choices"]) == 4


def test_ask_with_the_norwegian_pack_by_name(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "--content", "nb", "--json", "hvem er Kari?")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["intent"], answer["persona"]) == ("persona", "prosjektleder-kari")
    assert "Prosjektleder Kari" in answer["text"]


def test_a_directory_of_that_name_wins_over_a_bundled_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert pack_path("da") == BUNDLED["da"]
    (tmp_path / "da").mkdir()
    assert pack_path("da") == Path("da")  # the folder in the working directory
    assert pack_path("elsewhere") == Path("elsewhere")  # left for settings to report
