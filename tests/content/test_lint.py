"""Persona-health lint: one generated pack per failure mode, the scores, the bundled packs."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from content.lint import POINTS, health, lint, placeholder_address
from content.loader import PackError, load_pack
from content.packs import BUNDLED

AT = dt.date(2026, 6, 1)
RESPONSE = (
    "Ask which figure matters most to them, then show that figure from a customer of the "
    "same size and offer a short trial on one site."
)


TOPICS = {
    "alma": (
        ["Close the payroll run two days earlier", "Pass every tax audit without overtime"],
        ["Manual timesheet corrections each month", "Holiday pay rules nobody understands"],
        "The licence costs more than our payroll clerk.",
    ),
    "bruno": (
        ["Pick orders faster during the autumn peak", "Know stock levels per shelf"],
        ["Forklift drivers waiting for paper pick lists", "Returns piling up at the dock"],
        "Scanners break in a cold warehouse.",
    ),
    "chen": (
        ["Patch laptops within a week of release", "Prove compliance to the insurer"],
        ["Phishing clicks by new hires", "Vendors asking for admin access"],
        "Another agent on every laptop slows them down.",
    ),
}


def _persona(pid: str, **changes: Any) -> dict[str, Any]:
    """A healthy persona; its goals, pains and objection are its own."""
    goals, pains, objection = TOPICS[pid]
    data: dict[str, Any] = {
        "id": pid,
        "name": pid.title(),
        "role": "Buyer",
        "summary": "A buyer.",
        "quote": "Show me it in our own numbers.",
        "decision_role": "influencer",
        "goals": goals,
        "pains": pains,
        "objections": [
            {
                "id": "first",
                "objection": objection,
                "response": RESPONSE,
                "proof_points": ["A reference customer of the same size"],
            }
        ],
        "evidence": [{"source": "Five interviews", "kind": "interview", "date": "2026-04-01"}],
        "owners": ["owner@acme-corp.io"],
        "last_reviewed": "2026-05-01",
    }
    data.update(changes)
    return data


HEALTHY = [_persona("alma"), _persona("bruno"), _persona("chen")]


def _pack(tmp_path: Path, personas: list[dict[str, Any]], **info: Any) -> Path:
    root = tmp_path / "pack"
    (root / "personas").mkdir(parents=True)
    pack_info = {"name": "Acme", "language": "en", "review_every_days": 90, **info}
    (root / "pack.yaml").write_text(yaml.safe_dump(pack_info), encoding="utf-8")
    for data in personas:
        path = root / "personas" / f"{data['id']}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def _kinds(tmp_path: Path, personas: list[dict[str, Any]], **info: Any) -> list[tuple[str, ...]]:
    pack = load_pack(_pack(tmp_path, personas, **info))
    return [(w.kind, w.file, w.field) for w in lint(pack, at=AT)]


def _with(index: int, **changes: Any) -> list[dict[str, Any]]:
    personas = copy.deepcopy(HEALTHY)
    personas[index].update(changes)
    return personas


def test_a_healthy_pack_has_no_warnings_and_scores_100(tmp_path: Path) -> None:
    result = health(load_pack(_pack(tmp_path, HEALTHY)), at=AT)
    assert result.all_warnings == []
    assert result.score == 100
    assert [(p.persona, p.score) for p in result.personas] == [
        ("alma", 100),
        ("bruno", 100),
        ("chen", 100),
    ]


def test_too_few_and_too_many_personas_follow_pack_yaml(tmp_path: Path) -> None:
    assert _kinds(tmp_path / "a", HEALTHY[:2]) == [("too_few_personas", "pack.yaml", "personas")]
    assert _kinds(tmp_path / "b", HEALTHY[:2], personas_min=2) == []
    assert _kinds(tmp_path / "c", HEALTHY, personas_min=1, personas_max=2) == [
        ("too_many_personas", "pack.yaml", "personas")
    ]


@pytest.mark.parametrize(
    ("info", "message"),
    [
        ({"personas_min": 4, "personas_max": 3}, "personas_max: must not be below personas_min"),
        ({"personas_min": 0}, "personas_min:"),
        ({"personas_max": "five"}, "personas_max:"),
    ],
)
def test_persona_range_in_pack_yaml_is_validated(
    tmp_path: Path, info: dict[str, Any], message: str
) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(_pack(tmp_path, HEALTHY, **info))
    assert any(e.startswith(f"pack.yaml: {message}") for e in caught.value.errors)


def test_no_evidence_and_stale_evidence(tmp_path: Path) -> None:
    assert _kinds(tmp_path / "a", _with(0, evidence=[])) == [
        ("no_evidence", "personas/alma.yaml", "evidence")
    ]
    old = [{"source": "Old survey", "kind": "survey", "date": "2025-11-30"}]
    assert _kinds(tmp_path / "b", _with(0, evidence=old)) == [
        ("stale_evidence", "personas/alma.yaml", "evidence")
    ]
    # Within two review periods (180 days before AT): fine.
    recent = [{"source": "Survey", "kind": "survey", "date": "2025-12-10"}]
    assert _kinds(tmp_path / "c", _with(0, evidence=recent)) == []


def test_personal_demographics_with_thin_goals_warn(tmp_path: Path) -> None:
    personal = {"age": "45", "Hobbies": "golf", "reports_to": "CEO"}
    thin = _with(1, demographics=personal, pains=["Late figures"])
    assert _kinds(tmp_path / "a", thin) == [
        ("thin_substance", "personas/bruno.yaml", "demographics.age")
    ]
    # The same details next to real substance, or buyer-facing demographics: fine.
    assert _kinds(tmp_path / "b", _with(1, demographics=personal)) == []
    buyer = _with(1, demographics={"reports_to": "CEO"}, pains=["Late figures"])
    assert _kinds(tmp_path / "c", buyer) == []


def test_no_quote(tmp_path: Path) -> None:
    personas = _with(2)
    del personas[2]["quote"]
    assert _kinds(tmp_path, personas) == [("no_quote", "personas/chen.yaml", "quote")]


def test_short_response_and_missing_proof_point(tmp_path: Path) -> None:
    weak = {"id": "timing", "objection": "Not now.", "response": "Call back in spring."}
    personas = _with(0, objections=[HEALTHY[0]["objections"][0], weak])
    assert _kinds(tmp_path, personas) == [
        ("short_response", "personas/alma.yaml", "objections[1].response"),
        ("no_proof_point", "personas/alma.yaml", "objections[1].proof_points"),
    ]


def test_a_near_duplicate_persona_is_flagged_on_both(tmp_path: Path) -> None:
    twin = copy.deepcopy(HEALTHY[0])
    twin.update(id="alma-two", name="Alma Two")
    twin["goals"] = [*twin["goals"], "Fewer payroll questions from staff"]
    twin["pains"] = ["Timesheet corrections by hand every month", "Holiday pay rules"]
    kinds = _kinds(tmp_path, [*HEALTHY, twin])
    assert kinds == [
        ("too_alike", "personas/alma.yaml", "goals"),
        ("too_alike", "personas/alma-two.yaml", "goals"),
    ]


@pytest.mark.parametrize(
    ("email", "placeholder"),
    [
        ("a@example.com", True),
        ("a@sales.example.org", True),
        ("a@example.net", True),
        ("a@acme.test", True),
        ("a@localhost", True),
        ("a@host.invalid", True),
        ("a@fieldline.example", False),  # the bundled packs' made-up companies
        ("a@acme-corp.io", False),
        ("a@notexample.com", False),
    ],
)
def test_placeholder_owner_addresses(email: str, placeholder: bool) -> None:
    assert placeholder_address(email) is placeholder


def test_placeholder_owner_warns(tmp_path: Path) -> None:
    personas = _with(1, owners=["real@acme-corp.io", "persona.owner@example.com"])
    assert _kinds(tmp_path, personas) == [("placeholder_owner", "personas/bruno.yaml", "owners[1]")]


def test_never_reviewed_and_overdue(tmp_path: Path) -> None:
    personas = _with(0, last_reviewed="2026-01-15")
    del personas[1]["last_reviewed"]
    pack = load_pack(_pack(tmp_path, personas))
    found = [(w.kind, w.persona, w.field, dict(w.values)) for w in lint(pack, at=AT)]
    assert found == [
        (
            "review_overdue",
            "alma",
            "last_reviewed",
            {"due": "2026-04-15", "days": 47, "cadence": 90},
        ),
        ("never_reviewed", "bruno", "last_reviewed", {}),
    ]
    # On the day before it is due, the same pack has nothing to say about alma.
    assert [w.persona for w in lint(pack, at=dt.date(2026, 4, 14))] == ["bruno"]


def test_scores_deduct_each_warnings_points(tmp_path: Path) -> None:
    personas = _with(0, evidence=[], owners=["x@example.com"])
    del personas[0]["quote"]
    result = health(load_pack(_pack(tmp_path, personas[:2])), at=AT)
    alma = result.personas[0]
    assert [w.kind for w in alma.warnings] == ["no_evidence", "no_quote", "placeholder_owner"]
    expected = 100 - POINTS["no_evidence"] - POINTS["no_quote"] - POINTS["placeholder_owner"]
    assert alma.score == expected == 50
    assert result.personas[1].score == 100
    # The pack: the mean (75) minus its own warning (too few personas).
    assert [w.kind for w in result.warnings] == ["too_few_personas"]
    assert result.score == 75 - POINTS["too_few_personas"]


def test_a_score_never_goes_below_zero(tmp_path: Path) -> None:
    weak = [{"id": f"o{i}", "objection": f"Objection {i}.", "response": "No."} for i in range(12)]
    personas = _with(0, objections=weak, evidence=[])
    result = health(load_pack(_pack(tmp_path, personas)), at=AT)
    assert result.personas[0].score == 0


@pytest.mark.parametrize("name", ["en", "da", "nb"])
def test_bundled_packs_only_warn_about_reviews(name: str) -> None:
    pack = load_pack(BUNDLED[name])
    # On a date when every review is current, the bundled packs are exemplary.
    kept = health(pack, at=dt.date(2026, 8, 1))
    assert kept.all_warnings == [] and kept.score == 100
    # Later, only reviews fall due: the lint never flags their content.
    later = health(pack, at=dt.date(2026, 12, 7))
    assert {w.kind for w in later.all_warnings} <= {"review_overdue", "never_reviewed"}
