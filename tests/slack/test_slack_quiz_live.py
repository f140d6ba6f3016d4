"""A live quiz in a Slack channel through `personabot serve`: private answers, one reveal."""

from __future__ import annotations

import datetime as dt

from payloads import app_mention, block_actions, next_ts
from rig import NOW, SlackRig, text_of
from test_slack_quiz import buttons, right_button

from bot.timers import fire_due
from storage.quiz import QuizStore
from storage.timers import Timers

ADMIN_EMAIL = "ingrid.solberg@fieldline.example"


def test_a_live_quiz_in_a_channel_keeps_answers_private_and_reveals_once(
    slack_run,  # type: ignore[no-untyped-def]
) -> None:
    async def scenario(rig: SlackRig) -> None:
        rig.slack.add_user("U0ADMIN", ADMIN_EMAIL, "Ingrid Solberg")
        started = next_ts()
        await rig.event(
            app_mention(
                "quiz live questions 1 seconds 5", user="U0ADMIN", channel="C0SALES", ts=started
            )
        )
        intro, question = await rig.replies(2)
        assert "Live quiz!" in text_of(intro) and question["thread_ts"] == started
        posted = rig.slack.calls_to("chat.postMessage")[1].response["ts"]
        right = right_button(rig, question)
        url = rig.slack.response_url("live")
        click = block_actions(
            right["action_id"],
            right["value"],
            user="U0SELLER",
            channel="C0SALES",
            message_ts=posted,
            response_url=url,
        )
        await rig.form(click)
        (got,) = await rig.slack.wait_for("response_url", 1, timeout=10)
        assert "Got it" in text_of(got.params) and got.params["response_type"] == "ephemeral"
        assert got.params["replace_original"] is False
        wrong = next(b for b in buttons(question) if b["value"] != right["value"])
        await rig.form(
            block_actions(
                wrong["action_id"],
                wrong["value"],
                user="U0SELLER",
                channel="C0SALES",
                message_ts=posted,
                response_url=url,
            )
        )
        _, again = await rig.slack.wait_for("response_url", 2, timeout=10)
        assert "already answered" in text_of(again.params)
        assert len(rig.slack.calls_to("chat.postMessage")) == 2  # nothing in the channel

        senders = {"slack": rig.adapter.send}
        timers = Timers(db=rig.core.db)
        later = NOW + dt.timedelta(seconds=6)
        handlers = rig.core.timer_handlers
        assert await fire_due(timers, handlers=handlers, senders=senders, now=later) == 1
        assert await fire_due(timers, handlers=handlers, senders=senders, now=later) == 0
        *_, reveal, final = await rig.replies(4)
        assert reveal["channel"] == "C0SALES" and reveal["thread_ts"] == started
        assert "Time's up!" in text_of(reveal) and "1 of 1 answered right" in text_of(reveal)
        assert "Final standings" in text_of(final) and "Sam Seller" in text_of(final)
        (answer,) = QuizStore(db=rig.core.db).answers("slack:U0SELLER")
        assert answer.correct

    slack_run(scenario)


def test_a_seller_cannot_start_a_live_quiz(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(app_mention("quiz live", user="U0SELLER", channel="C0SALES", ts=next_ts()))
        (reply,) = await rig.replies()
        assert "Only a pack admin" in text_of(reply)

    slack_run(scenario)
