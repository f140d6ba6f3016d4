"""What a pack says about training: authored quizzes, the onboarding track, managers, boards."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import yaml
from test_quiz import answer, current
from testbot import Clock, MakeBot

from content.loader import EXAMPLE_PACK

PRICING = {
    "id": "pricing",
    "title": "Talking about price",
    "persona": "cfo-frida",
    "questions": [
        {
            "question": "What does Frida want to see before she approves?",
            "choices": ["A payback calculation", "A logo wall", "A discount"],
            "answer": "A payback calculation",
            "explanation": "Frida approves when she believes the payback (CFO Frida).",
        },
        {
            "question": "How does Frida feel about per-user pricing?",
            "choices": ["It punishes seasonal hiring", "She prefers it", "She has no view"],
            "answer": "It punishes seasonal hiring",
            "explanation": "Per-user pricing punishes seasonal hiring (CFO Frida's pains).",
        },
    ],
}


def pack_with(tmp_path: Path, **info: Any) -> Path:
    """The example pack with ``pack.yaml`` settings changed and an authored quiz."""
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    path = pack / "pack.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(info)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "pricing.yaml").write_text(
        yaml.safe_dump(PRICING, allow_unicode=True), encoding="utf-8"
    )
    return pack


def test_an_authored_quiz_is_asked_in_order_and_scored(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = make_bot(content=pack_with(tmp_path))
    reply = bot.ask("quiz pricing")
    assert "2 questions" in reply.text
    assert current(bot)["prompt"] == PRICING["questions"][0]["question"]
    answer(bot, right=True)
    assert "Frida approves when she believes the payback" in bot.out.getvalue()
    assert current(bot)["prompt"] == PRICING["questions"][1]["question"]
    answer(bot, right=False)
    assert "Done: 1/2 right." in bot.out.getvalue()
    assert "pricing" in bot.ask("quiz nobody").text  # the authored quizzes are named


def test_the_onboarding_track_sets_what_quiz_asks_and_is_congratulated_once(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    clock = Clock()
    pack = pack_with(tmp_path, onboarding={"personas": ["cfo-frida"], "pass_mark": 50})
    bot = make_bot(content=pack, clock=clock)
    congratulated = 0
    for _ in range(12):  # quizzes until half of Frida's questions are known (box 3)
        bot.ask("quiz")
        for _ in range(5):
            if "Done:" in bot.out.getvalue().rsplit("Question", 1)[-1]:
                break
            assert current(bot)["persona"] == "cfo-frida"
            answer(bot, right=True)
        congratulated = bot.out.getvalue().count("completed the onboarding track")
        if congratulated:
            break
        clock.now += dt.timedelta(days=8)
    assert congratulated == 1
    assert "Onboarding track completed on" in bot.ask("progress").text


def test_a_manager_sees_their_reports_progress_and_nobody_elses(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    pack = pack_with(
        tmp_path, managers={"maria.manager@fieldline.example": ["sam.seller@fieldline.example"]}
    )
    seller = make_bot(content=pack, user="sam.seller@fieldline.example")
    seller.ask("quiz")
    answer(seller, right=True)
    other = make_bot(content=pack, user="olli.other@fieldline.example")
    other.ask("quiz")
    answer(other, right=True)
    manager = make_bot(content=pack, user="maria.manager@fieldline.example")
    assert "Progress of" in manager.ask("progress sam.seller@fieldline.example").text
    assert "Only the manager" in manager.ask("progress olli.other@fieldline.example").text


def test_leaderboards_can_be_turned_off_for_a_pack(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = make_bot(content=pack_with(tmp_path, leaderboard=False))
    assert "turned off" in bot.ask("leaderboard").text
