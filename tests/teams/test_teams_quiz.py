"""A quiz through `personabot serve` on Teams: Action.Submit clicks, the card updated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from activities import card_submit, personal_message
from cards import validate_activity_cards
from sqlalchemy import select
from teams_rig import TeamsRig, run, shown, submits

from bot.adapters.teams.cards import DATA_KEY
from bot.flows import FlowAction
from storage.flows import FlowStore
from storage.models import QuizAnswerRow
from storage.quiz import QuizStore


def right_submit(rig: TeamsRig, card: dict[str, Any]) -> dict[str, Any]:
    """The Action.Submit of the right answer to the question the card asks."""
    found = submits(card)
    action = FlowAction.parse(found[0]["data"][DATA_KEY])
    assert action is not None
    flow = FlowStore(db=rig.core.db).get(action.flow_id)
    assert flow is not None
    right = flow.data["questions"][flow.data["index"]]["answer"]
    return next(s for s in found if s["data"][DATA_KEY].endswith(f":{right}"))


def test_a_quiz_in_personal_chat_updates_the_answered_card(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("quiz", service_url=rig.fake.url))
        intro, question = await rig.replies(2)
        assert "quiz of 5 questions" in shown(intro)
        assert "Question 1/5" in shown(question) and len(submits(question)) >= 3
        submit = right_submit(rig, question)
        click = card_submit(submit["data"], service_url=rig.fake.url, reply_to_id=question["id"])
        assert (await rig.post(click)).status == 200
        *_, following = await rig.replies(3)
        assert "Question 2/5" in shown(following)
        (update,) = rig.fake.activities_updated()
        assert "✓ Right!" in shown(update) and submits(update) == []
        edited = rig.fake.message(question["conversation"]["id"], question["id"])
        assert edited is not None and "✓ Right!" in shown(edited)
        assert validate_activity_cards(update) == []

        await rig.post(click)  # the same activity again: deduplicated, nothing happens
        # A second click on the same button is a new activity: told, nothing counted.
        again = card_submit(submit["data"], service_url=rig.fake.url, reply_to_id=question["id"])
        await rig.post(again)
        *_, replay = await rig.replies(4)
        assert "answered already" in shown(replay)
        (player,) = _players(rig)
        assert len(QuizStore(db=rig.core.db).answers(player)) == 1
        assert len(rig.fake.activities_updated()) == 1
        assert len(rig.fake.activities_sent()) == 4
        registry = rig.core.metrics.registry
        assert registry.get_sample_value("personabot_quiz_answers_total", {"result": "right"}) == 1
        assert registry.get_sample_value("personabot_quiz_answers_total", {"result": "wrong"}) == 0

    run(tmp_path, scenario)


def test_progress_and_leaderboard_answer_in_teams(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("quiz", service_url=rig.fake.url))
        _, question = await rig.replies(2)
        submit = right_submit(rig, question)
        await rig.post(
            card_submit(submit["data"], service_url=rig.fake.url, reply_to_id=question["id"])
        )
        await rig.replies(3)
        await rig.post(personal_message("leaderboard", service_url=rig.fake.url))
        *_, board = await rig.replies(4)
        assert "This week" in shown(board) and "· 10" in shown(board)
        await rig.post(personal_message("progress", service_url=rig.fake.url))
        *_, progress = await rig.replies(5)
        assert "Onboarding track" in shown(progress)

    run(tmp_path, scenario)


def _players(rig: TeamsRig) -> set[str]:
    """Who answered quiz questions (the Teams user's key)."""
    with rig.core.db.session() as session:
        return set(session.scalars(select(QuizAnswerRow.user_key)))
