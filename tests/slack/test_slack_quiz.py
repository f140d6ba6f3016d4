"""A quiz through `personabot serve` on Slack: DMs, clicks, the question edited in place."""

from __future__ import annotations

from typing import Any

from payloads import block_actions, dm_message, next_ts, slash_command
from rig import SlackRig, text_of

from bot.flows import FlowAction
from storage.flows import FlowStore
from storage.quiz import QuizStore


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in params.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def right_button(rig: SlackRig, params: dict[str, Any]) -> dict[str, Any]:
    """The button of the right answer to the question the message asks."""
    found = buttons(params)
    action = FlowAction.parse(found[0]["value"])
    assert action is not None
    flow = FlowStore(db=rig.core.db).get(action.flow_id)
    assert flow is not None
    right = flow.data["questions"][flow.data["index"]]["answer"]
    return next(b for b in found if b["value"].endswith(f":{right}"))


def test_a_quiz_in_a_dm_edits_each_answered_question_and_counts_a_click_once(
    slack_run,  # type: ignore[no-untyped-def]
) -> None:
    async def scenario(rig: SlackRig) -> None:
        await rig.event(dm_message("quiz", user="U0SELLER", ts=next_ts()))
        intro, question = await rig.replies(2)
        assert "quiz of 5 questions" in text_of(intro)
        assert "Question 1/5" in text_of(question) and len(buttons(question)) >= 3
        posted = rig.slack.calls_to("chat.postMessage")[1].response["ts"]
        button = right_button(rig, question)
        click = block_actions(
            button["action_id"],
            button["value"],
            user="U0SELLER",
            channel="D0USER",
            message_ts=posted,
            text=button["text"]["text"],
        )
        await rig.form(click)
        (edit,) = await rig.slack.wait_for("chat.update", 1, timeout=10)
        assert edit.params["ts"] == posted and edit.params["channel"] == "D0USER"
        assert "✓ Right!" in text_of(edit.params) and buttons(edit.params) == []
        *_, following = await rig.replies(3)
        assert "Question 2/5" in text_of(following)

        await rig.form(click)  # the same click again (a replay, or a double click)
        *_, replay = await rig.replies(4)
        assert "answered already" in text_of(replay)
        assert len(QuizStore(db=rig.core.db).answers("slack:U0SELLER")) == 1
        assert len(rig.slack.calls_to("chat.update")) == 1

    slack_run(scenario)


def test_someone_elses_click_changes_nothing(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        rig.slack.add_user("U0OTHER", "other@fieldline.example", "Olli Other")
        await rig.event(dm_message("quiz", user="U0SELLER", ts=next_ts()))
        _, question = await rig.replies(2)
        button = buttons(question)[0]
        await rig.form(
            block_actions(
                button["action_id"],
                button["value"],
                user="U0OTHER",
                channel="C0SALES",
                message_ts=next_ts(),
            )
        )
        *_, answer = await rig.replies(3)
        assert "someone else's quiz" in text_of(answer)
        assert QuizStore(db=rig.core.db).answers("slack:U0SELLER") == []

    slack_run(scenario)


def test_slash_quiz_is_private_and_its_answered_question_is_replaced(
    slack_run,  # type: ignore[no-untyped-def]
) -> None:
    async def scenario(rig: SlackRig) -> None:
        url = rig.slack.response_url("quiz")
        await rig.form(
            slash_command("quiz", user_id="U0SELLER", channel_id="C0SALES", response_url=url)
        )
        intro, question = await rig.slack.wait_for("response_url", 2, timeout=10)
        assert "Question 1/5" in text_of(question.params)
        button = right_button(rig, question.params)
        await rig.form(
            block_actions(
                button["action_id"],
                button["value"],
                user="U0SELLER",
                channel="C0SALES",
                message_ts=next_ts(),
                response_url=url,
                is_ephemeral=True,
            )
        )
        calls = await rig.slack.wait_for("response_url", 4, timeout=10)
        edit, following = calls[2].params, calls[3].params
        assert edit["replace_original"] is True and "✓ Right!" in text_of(edit)
        assert following["replace_original"] is False and "Question 2/5" in text_of(following)
        assert rig.slack.calls_to("chat.postMessage") == []

    slack_run(scenario)
