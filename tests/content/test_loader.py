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


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_a_key_written_twice_names_file_line_and_key(pack: Path) -> None:
    path = pack / "personas/cfo-frida.yaml"
    lines = lines_of(path)
    role = next(i for i, line in enumerate(lines) if line.startswith("decision_role:"))
    response = next(i for i, line in enumerate(lines) if line.startswith("    response:"))
    lines.insert(response, "    objection: Said twice.\n")
    lines.insert(role + 1, "decision_role: influencer\n")
    path.write_text("".join(lines), encoding="utf-8")
    info = pack / "pack.yaml"
    info.write_text(info.read_text(encoding="utf-8") + "language: da\n", encoding="utf-8")

    assert errors(pack) == [
        "pack.yaml: line 7: duplicate key 'language' (already at line 2)",
        f"personas/cfo-frida.yaml: line {role + 2}: duplicate key 'decision_role' "
        f"(already at line {role + 1})",
        f"personas/cfo-frida.yaml: line {response + 2}: duplicate key 'objection' "
        f"(already at line {response - 4})",
    ]


def test_the_same_key_in_different_mappings_is_fine(pack: Path) -> None:
    # Every objection has its own "id" and "response": not duplicates.
    assert len(load_pack(pack).persona("cfo-frida").objections) > 1  # type: ignore[union-attr]


def test_the_fast_libyaml_parser_is_kept() -> None:
    from content.yaml_reading import _Loader

    if hasattr(yaml, "CSafeLoader"):
        assert issubclass(_Loader, yaml.CSafeLoader)


def test_a_present_but_empty_field_reads_like_a_missing_one(pack: Path) -> None:
    path = pack / "personas/cfo-frida.yaml"
    lines = lines_of(path)
    start = next(i for i, line in enumerate(lines) if line.startswith("    response:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
    lines[start:end] = ["    response:\n"]
    owners = next(i for i, line in enumerate(lines) if line.startswith("owners:"))
    lines[owners + 1 : owners + 1] = ["  -\n"]
    aliases = next(i for i, line in enumerate(lines) if line.startswith("aliases:"))
    end = next(i for i in range(aliases + 1, len(lines)) if not lines[i].startswith("  "))
    lines[aliases:end] = ["aliases:\n", "summery:\n"]
    path.write_text("".join(lines), encoding="utf-8")

    assert sorted(errors(pack)) == [
        "personas/cfo-frida.yaml: objections[0].response: required",
        "personas/cfo-frida.yaml: owners[0]: must not be empty",
        "personas/cfo-frida.yaml: summery: unknown field (did you mean 'summary'?)",
    ]


def test_an_optional_field_left_empty_takes_its_default(pack: Path) -> None:
    path = pack / "personas/cfo-frida.yaml"
    lines = lines_of(path)
    aliases = next(i for i, line in enumerate(lines) if line.startswith("aliases:"))
    end = next(i for i in range(aliases + 1, len(lines)) if not lines[i].startswith("  "))
    lines[aliases:end] = ["aliases:\n"]
    path.write_text("".join(lines), encoding="utf-8")
    frida = load_pack(pack).persona("cfo-frida")
    assert frida is not None and frida.aliases == []


@pytest.mark.parametrize("text", ["", "\n", "# nothing yet\n"])
def test_an_empty_file_says_so(pack: Path, text: str) -> None:
    (pack / "personas/cfo-frida.yaml").write_text(text, encoding="utf-8")
    (pack / "pack.yaml").write_text(text, encoding="utf-8")
    assert errors(pack) == ["pack.yaml: file is empty", "personas/cfo-frida.yaml: file is empty"]
