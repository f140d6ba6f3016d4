"""The README's example questions get the answers it says, on the bundled packs.

Example tables sit between ``<!-- examples: PACK -->`` and ``<!-- /examples -->`` (PACK is
a bundled pack's name: ``en``, ``da``, ``nb``); each row is ``| `question` | intent |
persona name | objection id |``, run in order as one console conversation. Example
questions quoted in the prose of the sections a newcomer reads must appear in a table, so
none can be added without being checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testbot import build_bot

from content.packs import BUNDLED

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"<!-- examples: (\w+) -->\n(.*?)<!-- /examples -->", re.S)
# Sections whose prose quotes example questions (in backticks).
PROSE = ("personabot", "Quickstart", "Slack", "Microsoft Teams", "How answering works")
# How Slack questions are typed around the question itself.
PREFIXES = ("@personabot ", "/persona ")


def tables() -> dict[str, list[tuple[str, str, str, str]]]:
    """Example rows by pack name: (question, intent, persona name, objection id)."""
    found: dict[str, list[tuple[str, str, str, str]]] = {}
    for pack, body in BLOCK.findall(README):
        rows = found.setdefault(pack, [])
        for line in body.strip().splitlines()[2:]:  # after the header and its rule
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert len(cells) == 4, line
            question, intent, persona, objection = cells
            assert question.startswith("`") and question.endswith("`"), line
            rows.append((question.strip("`"), intent, persona, objection))
    return found


TABLES = tables()


def test_the_readme_has_example_tables_for_every_bundled_pack() -> None:
    assert set(TABLES) == set(BUNDLED)
    assert all(len(rows) >= 5 for rows in TABLES.values())


@pytest.mark.parametrize("pack", sorted(TABLES))
def test_every_example_gets_the_answer_the_readme_says(pack: str, tmp_path: Path) -> None:
    bot = build_bot(database=tmp_path / "readme.db", content=BUNDLED[pack])
    names = {p.name: p.id for p in bot.app.catalog.personas}
    got, expected = [], []
    for question, intent, persona, objection in TABLES[pack]:
        reply = bot.ask(question)
        got.append(
            (
                question,
                reply.meta.get("intent"),
                reply.meta.get("persona"),
                reply.meta.get("objection"),
            )
        )
        expected.append((question, intent, names.get(persona, persona or None), objection or None))
    assert got == expected


def prose_questions() -> list[str]:
    """Backticked example questions in the prose of :data:`PROSE` sections."""
    sections = re.split(r"^## ", "## " + README.removeprefix("# "), flags=re.M)
    questions = []
    for section in sections:
        title, _, body = section.partition("\n")
        if title.strip() not in PROSE:
            continue
        body = BLOCK.sub("", re.sub(r"```.*?```", "", body, flags=re.S))
        for span in re.findall(r"`([^`]+)`", body):
            text = " ".join(span.split())
            for prefix in PREFIXES:
                text = text.removeprefix(prefix)
            command = text.startswith(("personabot", "python", ".venv", "-", "docker"))
            if " " in text and not command and not re.search(r"[/:=<>\[\]{}]", text):
                questions.append(text)
    return questions


def test_every_example_question_in_the_prose_is_in_a_table() -> None:
    questions = prose_questions()
    assert "who is Oskar?" in questions and "who is the CFO?" in questions  # the parser works
    checked = {row[0] for rows in TABLES.values() for row in rows}
    assert [q for q in questions if q not in checked] == []


def test_what_the_readme_says_about_its_unsure_examples(tmp_path: Path) -> None:
    bot = build_bot(database=tmp_path / "readme.db", content=BUNDLED["en"])
    offered = {c.value for c in bot.ask("who is the decision maker?").choices}
    assert offered == {"persona:cfo-frida", "persona:operations-director-oskar"}
    assert "who is the decision maker?` offers CFO Frida and Operations Director Oskar" in README
    holidays = bot.ask("the customer says happy holidays")
    assert holidays.meta["intent"] == "unknown" and not holidays.cards
