"""Broken YAML in a pack, as ``personabot content validate`` reports it to the author."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import EXAMPLE_PACK

PERSONA = "personas/cfo-frida.yaml"


def broken(tmp_path: Path, line: int, text: str) -> Path:
    """A copy of the example pack with line ``line`` (1-based) of the CFO replaced."""
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    path = pack / PERSONA
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pack


def the_error(run, pack: Path) -> str:  # type: ignore[no-untyped-def]
    result = run("content", "validate", str(pack))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = [line.strip() for line in result.stderr.splitlines() if PERSONA in line]
    assert line.isprintable()
    return line


@pytest.mark.parametrize("quote", ['"', "'"])
def test_an_unclosed_quote_names_the_line_it_opens_on(run, tmp_path: Path, quote: str) -> None:  # type: ignore[no-untyped-def]
    # Line 6 is "  - the CFO" in the aliases; the quoted value swallows the lines after it
    # until the next quote character, on line 20 (the persona's quote).
    line = the_error(run, broken(tmp_path, 6, f"  - {quote}the CFO"))
    assert line.startswith(f"{PERSONA}: line 20, column ")
    assert "the quote opened at line 6 is probably not closed" in line


def test_a_quote_left_open_at_the_end_of_the_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    path = pack / PERSONA
    text = path.read_text(encoding="utf-8") + 'extra: "unclosed\n'
    path.write_text(text, encoding="utf-8")
    last = len(text.splitlines())
    line = the_error(run, pack)
    assert line.startswith(f"{PERSONA}: line {last + 1}, column 1: invalid YAML: ")
    assert f"the quote opened at line {last} is probably not closed" in line


def test_an_unclosed_bracket_names_where_the_list_started(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    line = the_error(run, broken(tmp_path, 4, "  - Frida: [finance"))
    assert line.startswith(f"{PERSONA}: line 11, column ")
    assert line.endswith("started at line 4)")


def test_a_control_character_is_named_with_its_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    line = the_error(run, broken(tmp_path, 5, "  - CFO\x07"))
    assert line.startswith(f"{PERSONA}: line 5: invalid YAML: character '\\x07'")
