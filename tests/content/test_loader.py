"""Pack validation: every error names file, field path and problem, all at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from content.loader import EXAMPLE_PACK, PackError, load_pack


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A writable copy of the example pack."""
    return Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def errors(pack: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    return caught.value.errors


def test_the_example_pack_is_valid() -> None:
    pack = load_pack(EXAMPLE_PACK)
    assert pack.language == "en"
    assert 3 <= len(pack.personas) <= 5
    for persona in pack.personas:
        assert persona.objections and persona.evidence and persona.owners


def test_missing_required_field_names_file_and_path(pack: Path) -> None:
    edit(pack / "personas/cfo-frida.yaml", lambda d: d["objections"][2].pop("response"))
    assert errors(pack) == ["personas/cfo-frida.yaml: objections[2].response: required"]


def test_all_errors_are_reported_at_once_across_files(pack: Path) -> None:
    def break_frida(d: dict) -> None:  # type: ignore[type-arg]
        d["goals"] = []
        d["owners"] = ["not-an-email"]
        d["decision_role"] = "boss"
        d["last_reviewed"] = "2026-02-30"
        d["evidence"][0]["kind"] = "gut-feeling"

    edit(pack / "personas/cfo-frida.yaml", break_frida)
    edit(pack / "pack.yaml", lambda d: d.update(language="xx"))
    found = errors(pack)
    assert "personas/cfo-frida.yaml: goals: must list at least 1 item" in found
    assert "personas/cfo-frida.yaml: owners[0]: 'not-an-email' is not an email address" in found
    assert any(
        e.startswith("personas/cfo-frida.yaml: decision_role: 'boss' is not allowed") for e in found
    )
    assert (
        "personas/cfo-frida.yaml: last_reviewed: '2026-02-30' is not a valid date (use YYYY-MM-DD)"
        in found
    )
    assert any(
        e.startswith("personas/cfo-frida.yaml: evidence[0].kind: 'gut-feeling'") for e in found
    )
    assert any(e.startswith("pack.yaml: language: 'xx' is not allowed") for e in found)
    assert len(found) == 6


def test_unknown_keys_are_errors_with_a_suggestion(pack: Path) -> None:
    edit(pack / "personas/team-lead-tuva.yaml", lambda d: d.update(pain=["typo"]))
    edit(pack / "personas/team-lead-tuva.yaml", lambda d: d["objections"][0].update(proofpoints=[]))
    assert sorted(errors(pack)) == [
        "personas/team-lead-tuva.yaml: objections[0].proofpoints: unknown field "
        "(did you mean 'proof_points'?)",
        "personas/team-lead-tuva.yaml: pain: unknown field (did you mean 'pains'?)",
    ]


def test_duplicate_objection_ids_and_id_not_matching_file(pack: Path) -> None:
    def dup(d: dict) -> None:  # type: ignore[type-arg]
        d["id"] = "tuva"
        d["objections"][1]["id"] = d["objections"][0]["id"]

    edit(pack / "personas/team-lead-tuva.yaml", dup)
    assert errors(pack) == [
        "personas/team-lead-tuva.yaml: id: 'tuva' must equal the file name 'team-lead-tuva'",
        "personas/team-lead-tuva.yaml: objections[1].id: duplicate id 'double-entry' "
        "(already used by objections[0])",
    ]


def test_bad_slug_and_wrong_types(pack: Path) -> None:
    def bad(d: dict) -> None:  # type: ignore[type-arg]
        d["objections"][0]["id"] = "Too Expensive"
        d["aliases"] = "Oskar"
        d["review_every_days"] = 0

    edit(pack / "personas/operations-director-oskar.yaml", bad)
    found = errors(pack)
    assert (
        "personas/operations-director-oskar.yaml: objections[0].id: must be a slug of lowercase "
        "letters, digits and single dashes" in found
    )
    assert "personas/operations-director-oskar.yaml: aliases: must be a list, got str" in found
    assert (
        "personas/operations-director-oskar.yaml: review_every_days: must be greater than 0"
        in found
    )


def test_broken_yaml_names_the_line(pack: Path) -> None:
    path = pack / "personas/cfo-frida.yaml"
    path.write_text("id: cfo-frida\nname: [unclosed\n", encoding="utf-8")
    (found,) = errors(pack)
    assert found.startswith("personas/cfo-frida.yaml: line ")
    assert "invalid YAML" in found


def test_missing_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert errors(tmp_path / "empty") == [
        "pack.yaml: missing file",
        "personas/: missing directory (one <id>.yaml file per persona)",
    ]
    with pytest.raises(PackError, match="not a directory"):
        load_pack(tmp_path / "nowhere")


def test_a_persona_file_that_is_not_a_mapping(pack: Path) -> None:
    (pack / "personas/cfo-frida.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert errors(pack) == ["personas/cfo-frida.yaml: must be a YAML mapping of fields, got list"]


def test_dates_are_parsed_from_unquoted_yaml(pack: Path) -> None:
    frida = load_pack(pack).persona("cfo-frida")
    assert frida is not None and frida.last_reviewed is not None
    assert frida.last_reviewed.isoformat() == "2026-05-12"
