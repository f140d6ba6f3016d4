"""Authored quizzes and the pack's onboarding and leaderboard settings, as an author sees them."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from content.loader import EXAMPLE_PACK, PackError, load_pack
from content.quiz.authored import authored_questions

ROOT = Path(__file__).resolve().parents[2]

PRICING: dict[str, Any] = {
    "id": "pricing",
    "title": "Pricing conversations",
    "persona": "cfo-frida",
    "questions": [
        {
            "question": "Frida says the licence is too expensive. What do you anchor on?",
            "choices": ["Cash flow and billing", "A discount", "The competitor's price"],
            "answer": "Cash flow and billing",
            "explanation": "Frida buys on payback: show what a week less of WIP is worth.",
        },
        {
            "question": "How are seasonal subcontractors licensed?",
            "choices": ["Full seat all year", "Job-only licence", "Free"],
            "answer": "job-only licence",  # matched whatever the case
            "explanation": "Subcontractors get a job-only licence at about a quarter.",
        },
        {
            "question": "Which contract length does Fieldline offer first?",
            "choices": ["36 months", "12 months"],
            "answer": "12 months",
            "explanation": "12 months, with the second year's price fixed at signing.",
        },
    ],
}


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A writable copy of the example pack with one authored quiz."""
    root = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    write(root / "quizzes/pricing.yaml", PRICING)
    return root


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_quiz(pack: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load((pack / "quizzes/pricing.yaml").read_text(encoding="utf-8"))
    change(data)
    write(pack / "quizzes/pricing.yaml", data)


def edit_pack(pack: Path, **fields: Any) -> None:
    data = yaml.safe_load((pack / "pack.yaml").read_text(encoding="utf-8"))
    data.update(fields)
    write(pack / "pack.yaml", data)


def errors(pack: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    return caught.value.errors


def test_an_authored_quiz_loads_into_the_pack(pack: Path) -> None:
    loaded = load_pack(pack)
    quiz = loaded.quiz("pricing")
    assert quiz is not None and quiz.title == "Pricing conversations"
    questions = authored_questions(quiz)
    assert [q.right for q in questions] == [
        "Cash flow and billing",
        "Job-only licence",
        "12 months",
    ]
    assert all(q.persona_id == "cfo-frida" and q.kind == "authored" for q in questions)
    assert questions[0].explanation.startswith("Frida buys on payback")
    assert load_pack(EXAMPLE_PACK).quizzes == ()  # quizzes are optional


def test_authored_choices_can_be_shuffled_and_ids_follow_the_content(pack: Path) -> None:
    quiz = load_pack(pack).quiz("pricing")
    assert quiz is not None
    positions: Counter[int] = Counter()
    for seed in range(200):
        for q in authored_questions(quiz, random.Random(seed)):
            positions[q.answer] += len(q.choices) == 3
            assert q.choices[q.answer] in ("Cash flow and billing", "Job-only licence", "12 months")
    assert set(positions) == {0, 1, 2} and min(positions.values()) > 100
    before = {q.id for q in authored_questions(quiz)}
    edit_quiz(pack, lambda d: d["questions"][2].update(answer="36 months"))
    changed = load_pack(pack).quiz("pricing")
    assert changed is not None
    after = [q.id for q in authored_questions(changed)]
    assert after[:2] == [q.id for q in authored_questions(quiz)][:2]
    assert after[2] not in before


def test_an_answer_not_among_the_choices_names_file_and_field(pack: Path) -> None:
    edit_quiz(pack, lambda d: d["questions"][2].update(answer="24 months"))
    assert errors(pack) == ["quizzes/pricing.yaml: questions[2].answer: not among the choices"]


@pytest.mark.parametrize(
    "choices, message",
    [
        (["Yes"], "must list 2 to 6 choices, got 1"),
        ([str(n) for n in range(7)], "must list 2 to 6 choices, got 7"),
        (["12 months", "36 months", "12  Months"], "choices[2] '12  Months' repeats choices[0]"),
    ],
)
def test_bad_choices_are_reported(pack: Path, choices: list[str], message: str) -> None:
    edit_quiz(pack, lambda d: d["questions"][2].update(choices=choices))
    found = errors(pack)
    assert any(e.startswith("quizzes/pricing.yaml: questions[2].choices: ") for e in found)
    assert any(message in e for e in found), found


def test_id_file_name_persona_and_fields_are_checked(pack: Path) -> None:
    edit_quiz(pack, lambda d: d.update(id="prices", persona="cfo-fred"))
    edit_quiz(pack, lambda d: d["questions"][0].update(explanaton="typo"))
    edit_quiz(pack, lambda d: d["questions"].append(dict(d["questions"][1])))
    (pack / "quizzes/notes.txt").write_text("not a quiz", encoding="utf-8")
    found = errors(pack)
    assert "quizzes/notes.txt: quiz files must be named <id>.yaml" in found
    assert "quizzes/pricing.yaml: id: 'prices' must equal the file name 'pricing'" in found
    assert "quizzes/pricing.yaml: persona: unknown persona 'cfo-fred'" in found
    assert (
        "quizzes/pricing.yaml: questions[0].explanaton: unknown field "
        "(did you mean 'explanation'?)" in found
    )
    # Every problem at once, even in a quiz that fails validation.
    assert "quizzes/pricing.yaml: questions[3].question: same question as questions[1]" in found


def test_a_repeated_question_and_an_empty_quiz_are_reported(pack: Path) -> None:
    edit_quiz(pack, lambda d: d["questions"].append(dict(d["questions"][1])))
    assert errors(pack) == [
        "quizzes/pricing.yaml: questions[3].question: same question as questions[1]"
    ]
    write(pack / "quizzes/empty.yaml", {"id": "empty", "title": "Nothing yet", "questions": []})
    assert "quizzes/empty.yaml: questions: must list at least 1 item" in errors(pack)


def test_onboarding_and_leaderboard_default_to_everyone_80_and_on() -> None:
    info = load_pack(EXAMPLE_PACK).info
    assert info.onboarding.pass_mark == 80
    assert info.onboarding.personas == []
    assert info.leaderboard is True


def test_onboarding_and_leaderboard_settings_are_read(pack: Path) -> None:
    edit_pack(
        pack,
        onboarding={"pass_mark": 90, "personas": ["cfo-frida", "team-lead-tuva"]},
        leaderboard=False,
    )
    info = load_pack(pack).info
    assert info.onboarding.pass_mark == 90
    assert info.onboarding.personas == ["cfo-frida", "team-lead-tuva"]
    assert info.leaderboard is False


PERCENT = "must be a percentage from 1 to 100"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"onboarding": {"pass_mark": 0}}, f"onboarding.pass_mark: 0 {PERCENT}"),
        ({"onboarding": {"pass_mark": 101}}, f"onboarding.pass_mark: 101 {PERCENT}"),
        (
            {"onboarding": {"pass_mark": "80%"}},
            "onboarding.pass_mark: '80%' must be a whole number",
        ),
        (
            {"onboarding": {"personas": ["cfo-frida", "cfo-fred"]}},
            "onboarding.personas[1]: unknown persona 'cfo-fred'",
        ),
        (
            {"onboarding": {"pass_marks": 70}},
            "onboarding.pass_marks: unknown field (did you mean 'pass_mark'?)",
        ),
        ({"leaderboard": "sometimes"}, "leaderboard: 'sometimes' must be true or false"),
    ],
)
def test_bad_settings_name_the_field(pack: Path, fields: dict[str, Any], message: str) -> None:
    edit_pack(pack, **fields)
    assert errors(pack) == [f"pack.yaml: {message}"]


def test_content_validate_reports_quiz_errors(pack: Path) -> None:
    edit_quiz(pack, lambda d: d["questions"][2].update(answer="24 months"))
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "validate", str(pack)],
        capture_output=True,
        text=True,
        env=environ,
        cwd=pack.parent,
        timeout=60,
    )
    assert result.returncode == 1
    assert "quizzes/pricing.yaml: questions[2].answer: not among the choices" in result.stderr
