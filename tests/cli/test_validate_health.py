"""``personabot content validate``: persona-health warnings and scores, and ``--strict``."""

from __future__ import annotations

import shutil
from pathlib import Path

from content.loader import EXAMPLE_PACK
from content.packs import BUNDLED

CURRENT = "2026-08-01"  # every bundled persona's review is current on this date


def _without_quote(tmp_path: Path) -> Path:
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    path = pack / "personas/cfo-frida.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("quote:")) + "\n",
        encoding="utf-8",
    )
    return pack


def test_the_example_pack_is_healthy_and_passes_strict(run) -> None:  # type: ignore[no-untyped-def]
    result = run("content", "validate", str(EXAMPLE_PACK), "--at", CURRENT, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "OK" in lines[0]
    assert "warning" not in result.stdout
    assert lines[1] == "Health (0–100): 100 for the pack"
    assert "  cfo-frida: 100" in lines


def test_warnings_name_file_field_and_fix_and_exit_0(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("content", "validate", str(_without_quote(tmp_path)), "--at", CURRENT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "1 warning(s):"
    assert lines[2] == "  personas/cfo-frida.yaml: quote: no quote in the buyer's own words. [-10]"
    assert lines[3].startswith("    fix: Add a quote:")
    assert "Health (0–100): 98 for the pack" in lines  # (90 + 100 + 100 + 100) / 4
    assert "  cfo-frida: 90 (-10 quote)" in lines


def test_strict_fails_on_warnings(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("content", "validate", str(_without_quote(tmp_path)), "--at", CURRENT, "--strict")
    assert result.returncode == 1
    assert "1 warning(s) and --strict: failing." in result.stderr
    assert "personas/cfo-frida.yaml: quote:" in result.stdout


def test_overdue_reviews_warn_in_the_packs_language(run) -> None:  # type: ignore[no-untyped-def]
    result = run("content", "validate", "da", "--at", "2026-12-07")
    assert result.returncode == 0, result.stderr
    assert str(BUNDLED["da"]) in result.stdout
    assert (
        "  personas/okonomichef-mette.yaml: last_reviewed: gennemgangen forfaldt 2026-09-30 "
        "(hver 120. dag), for 68 dag(e) siden. [-15]"
    ) in result.stdout
    assert "Sundhed (0–100): 96 for pakken" in result.stdout
    assert run("content", "validate", "da", "--at", "2026-12-07", "--strict").returncode == 1


def test_errors_still_fail_without_warnings_or_scores(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = _without_quote(tmp_path)
    (pack / "pack.yaml").write_text(
        "name: x\nlanguage: en\npersonas_min: 4\npersonas_max: 3\n", encoding="utf-8"
    )
    result = run("content", "validate", str(pack))
    assert result.returncode == 1
    assert "pack.yaml: personas_max: must not be below personas_min (4)" in result.stderr
    assert "Health" not in result.stdout
