"""``personabot ask --explain``: why a question got its answer, as a pack author reads it."""

from __future__ import annotations

import json


def test_explain_shows_corrections_synonyms_matches_and_the_runner_up(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "--explain", "the customer wants a big discount, its to expnsive")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "answer: objection" in out and "/price (confidence" in out
    assert "corrected: expnsive → expensive" in out
    assert "synonyms: discount ~ price" in out
    assert "matched:" in out and "discount (synonym)" in out
    assert "runner-up:" in out


def test_explain_keeps_json_answers_one_object_per_line(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "--json", "--explain", stdin="who is Oskar?\nwhat's for lunch?\n")
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [o["intent"] for o in objects] == ["persona", "unknown"]
    assert "  answer: unknown - (confidence 0.00)" in result.stdout
    assert "  runner-up: none" in result.stdout
