"""content.export: a pack as YAML files that load back as the same pack, byte-stable."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from content.export import pack_files
from content.loader import EXAMPLE_PACK, load_pack
from content.schema import Pack, Persona

ROOT = Path(__file__).resolve().parents[2]
PACKS = [
    EXAMPLE_PACK,
    ROOT / "content" / "example_packs" / "da",
    ROOT / "content" / "example_packs" / "nb",
    *sorted(p for p in (ROOT / "tests" / "fixtures" / "packs").iterdir() if p.is_dir()),
]


def written(files: dict[str, str], root: Path) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("source", PACKS, ids=lambda p: p.name)
def test_every_bundled_pack_round_trips_and_exports_the_same_bytes_again(
    source: Path, tmp_path: Path
) -> None:
    pack = load_pack(source)
    files = pack_files(pack)
    assert sorted(files) == ["pack.yaml"] + sorted(
        f"{folder}/{item.id}.yaml"
        for folder, items in (
            ("personas", pack.personas),
            ("quizzes", pack.quizzes),
            ("scenarios", pack.scenarios),
        )
        for item in items
    )
    back = load_pack(written(files, tmp_path))
    assert back == pack
    assert pack_files(back) == files


def test_keys_follow_the_schema_and_defaults_are_left_out() -> None:
    pack = load_pack(EXAMPLE_PACK)
    text = pack_files(pack)["personas/cfo-frida.yaml"]
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    order = list(Persona.model_fields)
    assert keys == sorted(keys, key=order.index)
    assert keys[:3] == ["id", "name", "aliases"] and keys[-2:] == ["owners", "last_reviewed"]
    assert "review_every_days" not in keys  # Frida has none: the pack's default applies
    assert pack_files(pack)["pack.yaml"].splitlines()[:2] == [
        f"name: {pack.info.name}",
        "language: en",
    ]


def test_one_changed_field_is_one_hunk_of_one_file() -> None:
    pack = load_pack(EXAMPLE_PACK)
    frida = pack.persona("cfo-frida")
    assert frida is not None
    price = frida.objections[0]
    changed = frida.model_copy(
        update={
            "objections": [
                price.model_copy(update={"response": price.response + " Then stop talking."}),
                *frida.objections[1:],
            ]
        }
    )
    after = Pack(
        info=pack.info,
        personas=tuple(changed if p.id == frida.id else p for p in pack.personas),
    )
    old, new = pack_files(pack), pack_files(after)
    differs = [path for path in old if old[path] != new[path]]
    assert differs == ["personas/cfo-frida.yaml"]
    hunk = list(
        difflib.unified_diff(
            old[differs[0]].splitlines(), new[differs[0]].splitlines(), lineterm="", n=3
        )
    )
    assert sum(line.startswith("@@") for line in hunk) == 1
    removed = [line for line in hunk if line.startswith("-") and not line.startswith("---")]
    added = [line for line in hunk if line.startswith("+") and not line.startswith("+++")]
    assert removed and added and "Then stop talking." in "\n".join(added)
    assert not any("Then stop talking." in line for line in removed)


def test_texts_folding_would_alter_are_written_exactly(tmp_path: Path) -> None:
    pack = load_pack(EXAMPLE_PACK)
    frida = pack.persona("cfo-frida")
    assert frida is not None
    odd = [
        "A line\nwith a break and   three spaces" + " word" * 30,
        "Ends with a colon: " + "x" * 120,
        "#not a comment, 'quotes' and \"double\" — “curly” and a tab\there" + " y" * 50,
        "yes",
        "2026-01-01",
        "- looks like a list item",
    ]
    strange = frida.model_copy(update={"goals": odd})
    files = pack_files(Pack(info=pack.info, personas=(strange,)))
    back = load_pack(written(files, tmp_path))
    assert back.personas[0].goals == strange.goals
