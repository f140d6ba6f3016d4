"""A quiz through `personabot serve` on Slack: DMs, clicks, the question edited in place."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from payloads import block_actions, block_actions_payload, dm_message, next_ts, slash_command
from rig import NOW, SlackRig, text_of

from bot.adapters.slack.inbox import click_id
from bot.flows import FlowAction
from bot.redelivery import Redelivery
from storage.events import ProcessedEvents
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

        await rig.form(click)  # the same payload again (a replay): claimed already, ignored
        double = block_actions(  # a second click on the same button: a new action_ts
            button["action_id"],
            button["value"],
            user="U0SELLER",
            channel="D0USER",
            message_ts=posted,
            text=button["text"]["text"],
            action_ts="1893456999.000001",
        )
        await rig.form(double)
        *_, replay = await rig.replies(4)
        assert "answered already" in text_of(replay)
        assert len(QuizStore(db=rig.core.db).answers("slack:U0SELLER")) == 1
        assert len(rig.slack.calls_to("chat.update")) == 1
        assert len(rig.slack.calls_to("chat.postMessage")) == 4  # the replay got nothing

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


def test_a_click_a_dead_replica_acknowledged_is_acted_on_once_later(
    slack_run,  # type: ignore[no-untyped-def]
) -> None:
    async def scenario(rig: SlackRig) -> None:
        await rig.event(dm_message("quiz", user="U0SELLER", ts=next_ts()))
        _, question = await rig.replies(2)
        posted = rig.slack.calls_to("chat.postMessage")[1].response["ts"]
        button = right_button(rig, question)
        payload = block_actions_payload(
            button["action_id"],
            button["value"],
            user="U0SELLER",
            channel="D0USER",
            message_ts=posted,
            action_ts="1893456000.000777",
        )
        # What a replica that died right after acknowledging the click left behind.
        key = click_id(payload)
        assert key is not None
        events = ProcessedEvents(db=rig.core.db)
        crashed = NOW - dt.timedelta(minutes=5)
        events.claim_many([key], "slack", crashed, payloads={key: json.dumps(payload)})
        late = Redelivery(
            db=rig.core.db,
            clock=lambda: NOW,
            stale_after=dt.timedelta(minutes=2),
            adapters={"slack": rig.adapter.redeliver},
        )
        await late.once()
        (edit,) = await rig.slack.wait_for("chat.update", 1, timeout=10)
        assert "✓ Right!" in text_of(edit.params)
        *_, following = await rig.replies(3)
        assert "Question 2/5" in text_of(following)
        await late.once()  # acted on: not again
        assert len(QuizStore(db=rig.core.db).answers("slack:U0SELLER")) == 1

    slack_run(scenario)
