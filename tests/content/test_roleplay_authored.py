"""Authored role-play scenarios (``scenarios/<id>.yaml``), as an author and a seller see them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.i18n import Texts
from content.loader import EXAMPLE_PACK, PackError, load_pack
from content.roleplay.scenario import scenarios
from content.roleplay.scoring import Scorer

RENEWAL: dict[str, Any] = {
    "id": "renewal",
    "title": "Frida questions the renewal",
    "persona": "cfo-frida",
    "situation": "A year in, Frida reviews the contract before it renews.",
    "opening": "Before I sign another year, convince me it paid off.",
    "turns": [
        {"objection": "payback"},  # the persona's own objection and rubric
        {
            "objection": "Why should the price go up with the index?",
            "rubric": [
                {"point": "Show the year's saved billing days", "evidence": ["days"], "weight": 3},
                {"point": "Offer a price cap", "evidence": ["price cap", "cap"], "weight": 1},
            ],
        },
    ],
    "pass_mark": 60,
}


def write(pack: Path, name: str, data: Any) -> None:
    (pack / "scenarios").mkdir(exist_ok=True)
    (pack / "scenarios" / name).write_text(yaml.safe_dump(data), encoding="utf-8")


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))


def test_an_authored_scenario_loads_with_the_personas_rubric_where_it_names_an_objection(
    pack: Path,
) -> None:
    write(pack, "renewal.yaml", RENEWAL)
    loaded = load_pack(pack)
    found = scenarios(loaded.personas, loaded.scenarios, Texts(language="en"), "en")
    renewal = found[0]
    assert (renewal.id, renewal.authored, renewal.pass_mark) == ("renewal", True, 60)
    frida = loaded.persona("cfo-frida")
    assert frida is not None and frida.objection("payback") is not None
    assert renewal.turns[0].objection_id == "payback"
    assert renewal.turns[0].model == frida.objection("payback").response  # type: ignore[union-attr]
    own = renewal.turns[1]
    assert own.objection_id is None and own.lines == ("Why should the price go up with the index?",)
    assert [round(p.weight) for p in own.points] == [75, 25]
    scorer = Scorer(language="en", corpus=[p.text for p in own.points])
    good = scorer.mark(own, "We saved you nine billing days this year, and I can put a cap on it.")
    assert good.score == 100
    assert scorer.mark(own, "The index is the index.").score == 0


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {"persona": "cfo-frieda"},
            "scenarios/renewal.yaml: persona: unknown persona 'cfo-frieda'",
        ),
        (
            {"turns": [{"objection": "too pricey"}]},
            "scenarios/renewal.yaml: turns[0].rubric: required, because 'too pricey' is not one "
            "of cfo-frida's objection ids",
        ),
        (
            {"pass_mark": 120},
            "scenarios/renewal.yaml: pass_mark:",
        ),
        (
            {"turns": [{"objection": "x", "rubric": [{"point": "p", "evidence": []}]}]},
            "scenarios/renewal.yaml: turns[0].rubric[0].evidence:",
        ),
        (
            {"situaton": "typo"},
            "scenarios/renewal.yaml: situaton:",
        ),
    ],
)
def test_a_broken_scenario_names_file_and_field(
    pack: Path, change: dict[str, Any], error: str
) -> None:
    write(pack, "renewal.yaml", {**RENEWAL, **change})
    with pytest.raises(PackError) as raised:
        load_pack(pack)
    assert any(line.startswith(error) for line in raised.value.errors), raised.value.errors


def test_a_scenario_file_named_unlike_its_id_is_an_error(pack: Path) -> None:
    write(pack, "other.yaml", RENEWAL)
    with pytest.raises(PackError) as raised:
        load_pack(pack)
    assert any("scenarios/other.yaml: id:" in line for line in raised.value.errors)
