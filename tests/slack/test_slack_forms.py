"""Forms on Slack through `personabot serve` and the fake Web API: modals and shortcuts.

A test-only handler (``tests/fakes/form_handler.py``) answers ``testform`` and the
``testform`` shortcut with a form and stores its submissions; everything between is the
real server: bolt's signature check, the modal (``views.open``, checked by the fake like
Slack checks it), the ``view_submission`` acknowledgement and the confirmation.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import yaml
from fakes.form_handler import INTRO, SUMMARY_MAX, TITLE, TWO_STEPS, TestForms
from form_payloads import global_shortcut, message_shortcut, view_submission
from payloads import FORM, block_actions, dm_message, next_ts, post_signed, slash_command
from rig import SlackRig, running, text_of

from bot.adapters.slack.manifest import manifest

SELLER = "U0SELLER"
DM = "D" + SELLER  # the fake's DM channel with the seller (conversations.open)
Run = Callable[..., None]
Json = dict[str, Any]
MESSAGE = "Frida said <@U0BUYER|bo> thinks &lt;price&gt; is fine &amp; asks about Ærø 💬"


def install(rig: SlackRig) -> TestForms:
    handler = TestForms(texts=rig.core.texts)
    handler.install(rig.core.router)
    return handler


async def opened(rig: SlackRig, count: int = 1) -> Json:
    """The view of the ``count``-th ``views.open`` (accepted by the fake)."""
    calls = await rig.slack.wait_for("views.open", count, timeout=10)
    call = calls[count - 1]
    assert call.ok, call.response
    return dict(call.response["view"])


def inputs(view: Json) -> dict[str, Json]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


async def shortcut_on_message(rig: SlackRig) -> Json:
    body = message_shortcut(
        "testform",
        user=SELLER,
        channel="C0SALES",
        message_text=MESSAGE,
        message_ts=next_ts(),
        author="U0BUYER",
        response_url=rig.slack.response_url("shortcut"),
        trigger_id="12345.98765.abcdef",
    )
    response = await rig.form(body)
    assert response.status == 200 and await response.text() == ""
    return await opened(rig)


def test_a_message_shortcut_opens_the_modal_pre_filled_with_that_message(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        install(rig)
        view = await shortcut_on_message(rig)
        call = rig.slack.calls_to("views.open")[0]
        assert call.params["trigger_id"] == "12345.98765.abcdef"
        assert view["title"]["text"] == TITLE[:23] + "…" and len(view["title"]["text"]) <= 24
        assert len(view["submit"]["text"]) <= 24 and view["close"]["text"] == "Cancel"
        assert "&lt;!channel&gt; *stays* text" in text_of({"blocks": view["blocks"]})
        assert INTRO.startswith("What did the buyer say?")
        fields = inputs(view)
        assert list(fields) == ["summary", "details", "kind"]
        summary, details, kind = fields.values()
        assert summary["optional"] is False and summary["element"]["max_length"] == SUMMARY_MAX
        assert summary["hint"]["text"] == "One line the owners read first"
        assert details["element"]["multiline"] is True and details["optional"] is True
        # The message's markup is cleaned as any incoming text is.
        assert details["element"]["initial_value"] == (
            "Frida said @bo thinks <price> is fine & asks about Ærø 💬"
        )
        assert kind["element"]["type"] == "static_select"
        assert [o["value"] for o in kind["element"]["options"]] == ["pain", "goal", "other"]
        assert kind["element"]["initial_option"]["value"] == "pain"
        assert json.loads(view["private_metadata"])["action"] == "testform:submit"
        assert rig.slack.calls_to("response_url") == []  # nothing but the modal

    slack_run(scenario)


def test_a_submission_is_stored_before_the_ack_closes_the_modal_and_is_confirmed(
    slack_run: Run,
) -> None:
    async def scenario(rig: SlackRig) -> None:
        handler = install(rig)
        view = await shortcut_on_message(rig)
        details = "Line one: Ærø — 💬\n\n  line three keeps its spaces  \n<!channel> & <@U1>"
        entered = {"summary": "Price is fine now", "details": details, "kind": "other"}
        response = await rig.form(view_submission(view, entered, user=SELLER))
        assert response.status == 200 and await response.text() == ""  # the modal closes
        # Stored before Slack got its acknowledgement, exactly as typed.
        assert [s.values for s in handler.stored] == [entered]
        assert handler.stored[0].user == f"slack:{SELLER}"
        (confirmation,) = await rig.replies()
        assert confirmation["channel"] == DM  # a shortcut's answer is private: the DM
        assert "Stored test feedback #1: Price is fine now" in text_of(confirmation)

    slack_run(scenario)


def test_refused_values_keep_the_modal_open_with_an_error_under_each_field(
    slack_run: Run,
) -> None:
    async def scenario(rig: SlackRig) -> None:
        handler = install(rig)
        view = await shortcut_on_message(rig)
        entered = {"summary": "x" * (SUMMARY_MAX + 1), "details": None, "kind": "goal"}
        response = await rig.form(view_submission(view, entered, user=SELLER))
        assert response.status == 200
        ack = await response.json()
        assert ack["response_action"] == "errors"
        assert list(ack["errors"]) == ["summary"]
        assert str(SUMMARY_MAX) in ack["errors"]["summary"]
        blank = await rig.form(view_submission(view, {"summary": "   "}, user=SELLER))
        assert (await blank.json())["errors"] == {
            "summary": "Please fill this in.",
            "kind": "Please fill this in.",
        }
        await rig.settle()
        assert handler.stored == [] and rig.slack.calls_to("chat.postMessage") == []
        good = {"summary": "ok", "kind": "goal"}
        fixed = await rig.form(view_submission(view, good, user=SELLER))
        assert await fixed.text() == ""
        assert [s.values for s in handler.stored] == [{**good, "details": ""}]

    slack_run(scenario)


def test_a_forged_submission_or_shortcut_is_refused_and_changes_nothing(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        handler = install(rig)
        view = await shortcut_on_message(rig)
        body = view_submission(view, {"summary": "forged", "kind": "pain"}, user=SELLER)
        forged = await post_signed(rig.session, rig.url, body, FORM, "not-the-secret")
        assert forged.status == 401
        old = await rig.form(body, timestamp=1_600_000_000)  # signed, but a replay
        assert old.status == 401
        shortcut = global_shortcut("testform", user=SELLER)
        assert (await post_signed(rig.session, rig.url, shortcut, FORM, "nope")).status == 401
        await rig.settle()
        assert handler.stored == []
        assert len(rig.slack.calls_to("views.open")) == 1  # only the signed shortcut's
        assert rig.slack.calls_to("chat.postMessage") == []

    slack_run(scenario)


def test_a_global_shortcut_and_the_slash_command_open_the_same_form(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        handler = install(rig)
        response = await rig.form(global_shortcut("testform", user=SELLER, trigger_id="1.2.g"))
        assert response.status == 200
        first = await opened(rig)
        assert "initial_value" not in inputs(first)["details"]["element"]
        command = slash_command(
            "testform",
            user_id=SELLER,
            channel_id="C0SALES",
            response_url=rig.slack.response_url("cmd"),
            trigger_id="1.2.c",
        )
        assert (await rig.form(command)).status == 200
        second = await opened(rig, 2)
        assert rig.slack.calls_to("views.open")[1].params["trigger_id"] == "1.2.c"
        assert list(inputs(second)) == list(inputs(first))
        # The command's text goes above the form; nothing is posted in the channel.
        assert "Please fill in the test form." in text_of({"blocks": second["blocks"]})
        await rig.settle()
        assert rig.slack.calls_to("response_url") == []
        entered = {"summary": "From the command", "kind": "goal"}
        assert await (await rig.form(view_submission(second, entered, user=SELLER))).text() == ""
        (confirmation,) = await rig.replies()
        assert confirmation["channel"] == DM and "#1: From the command" in text_of(confirmation)
        assert len(handler.stored) == 1

    slack_run(scenario)


def test_a_form_asked_for_in_a_dm_comes_with_a_button_that_opens_it(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        handler = install(rig)
        await rig.event(dm_message("testform", user=SELLER, channel=DM, ts=next_ts()))
        (posted,) = await rig.replies()
        assert "Please fill in the test form." in text_of(posted)
        button = posted["blocks"][-1]["elements"][0]
        assert button["text"]["text"] == "Open the form"
        assert rig.slack.calls_to("views.open") == []  # no trigger yet: nothing to open
        # The click carries a trigger; the stored form opens (any replica could).
        click = block_actions(
            button["action_id"],
            button["value"],
            user=SELLER,
            channel=DM,
            message_ts=next_ts(),
            trigger_id="7.7.click",
            response_url=rig.slack.response_url("click"),
            text="Open the form",
        )
        assert (await rig.form(click)).status == 200
        view = await opened(rig)
        assert rig.slack.calls_to("views.open")[0].params["trigger_id"] == "7.7.click"
        assert list(inputs(view)) == ["summary", "details", "kind"]
        entered = {"summary": "Typed in the DM", "kind": "pain"}
        assert await (await rig.form(view_submission(view, entered, user=SELLER))).text() == ""
        _, confirmation = await rig.replies(2)
        assert confirmation["channel"] == DM and "#1: Typed in the DM" in text_of(confirmation)
        assert len(handler.stored) == 1
        expired = block_actions(
            button["action_id"],
            "slack-form:" + "0" * 32,
            user=SELLER,
            channel=DM,
            message_ts=next_ts(),
            text="Open the form",
        )
        await rig.form(expired)
        _, _, gone = await rig.replies(3)
        assert "no longer available" in text_of(gone)

    slack_run(scenario)


def test_the_manifest_declares_the_feedback_shortcuts() -> None:
    data = yaml.safe_load(manifest("https://personabot.fieldline.dev"))
    shortcuts = data["features"]["shortcuts"]
    assert {(s["type"], s["callback_id"]) for s in shortcuts} == {
        ("message", "feedback"),
        ("global", "feedback_form"),
    }
    assert all(s["name"] == "Send persona feedback" and len(s["name"]) <= 24 for s in shortcuts)
    assert all(0 < len(s["description"]) <= 80 for s in shortcuts)
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert "commands" in data["oauth_config"]["scopes"]["bot"]  # what shortcuts need


def test_a_shortcut_no_handler_knows_is_answered_privately(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        install(rig)
        body = message_shortcut(
            "nosuchshortcut",
            user=SELLER,
            channel="C0SALES",
            message_text="anything",
            message_ts=next_ts(),
            author="U0BUYER",
            response_url=rig.slack.response_url("unknown"),
        )
        assert (await rig.form(body)).status == 200
        (answer,) = await rig.slack.wait_for("response_url", timeout=10)
        assert answer.params["response_type"] == "ephemeral" and text_of(answer.params)
        assert rig.slack.calls_to("views.open") == []
        assert rig.slack.calls_to("chat.postMessage") == []  # nothing in the channel

    slack_run(scenario)


def test_a_modal_slack_refuses_to_open_becomes_the_open_the_form_button(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        handler = install(rig)
        rig.slack.fail_with_error("views.open", "expired_trigger_id")
        body = message_shortcut(
            "testform",
            user=SELLER,
            channel="C0SALES",
            message_text="the buyer said so",
            message_ts=next_ts(),
            author="U0BUYER",
            response_url=rig.slack.response_url("late"),
        )
        assert (await rig.form(body)).status == 200
        (private,) = await rig.slack.wait_for("response_url", timeout=10)
        button = private.params["blocks"][-1]["elements"][0]
        assert button["text"]["text"] == "Open the form"
        click = block_actions(
            button["action_id"],
            button["value"],
            user=SELLER,
            channel="C0SALES",
            message_ts=next_ts(),
            is_ephemeral=True,
            response_url=rig.slack.response_url("late"),
            text="Open the form",
        )
        assert (await rig.form(click)).status == 200
        view = await opened(rig, 2)  # the second try, with the click's trigger
        assert inputs(view)["details"]["element"]["initial_value"] == "the buyer said so"
        entered = {"summary": "Late but fine", "kind": "pain"}
        assert await (await rig.form(view_submission(view, entered, user=SELLER))).text() == ""
        (confirmation,) = await rig.replies()
        assert confirmation["channel"] == DM  # private in, private out: the DM
        assert len(handler.stored) == 1

    slack_run(scenario)


def test_a_malformed_signed_submission_gets_a_400_and_changes_nothing(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        handler = install(rig)
        view = await shortcut_on_message(rig)
        good = view_submission(view, {"summary": "fine", "kind": "pain"}, user=SELLER)
        payload = json.loads(parse_qs(good)["payload"][0])
        payload["view"]["state"]["values"] = ["not", "an", "object"]
        response = await rig.form(urlencode({"payload": json.dumps(payload)}))
        assert response.status == 400 and "view.state.values" in await response.text()
        payload["view"] = "a string"
        response = await rig.form(urlencode({"payload": json.dumps(payload)}))
        assert response.status == 400 and "view: must be an object" in await response.text()
        await rig.settle()
        assert handler.stored == [] and rig.slack.calls_to("chat.postMessage") == []

    slack_run(scenario)


def test_a_second_step_replaces_the_modal_and_its_submission_is_answered(
    slack_run: Run,
) -> None:
    async def scenario(rig: SlackRig) -> None:
        handler = install(rig)
        view = await shortcut_on_message(rig)
        entered = {"summary": TWO_STEPS, "kind": "pain"}
        response = await rig.form(view_submission(view, entered, user=SELLER))
        ack = await response.json()
        assert ack["response_action"] == "update"
        second = ack["view"]
        assert list(inputs(second)) == ["why"] and "One more thing." in text_of(second)
        assert rig.slack._view({"view": second})["ok"]  # a view Slack accepts
        assert handler.stored == []
        second = {**second, "id": view["id"]}  # the same modal, updated
        answer = await rig.form(view_submission(second, {"why": "budgets"}, user=SELLER))
        assert await answer.text() == ""
        (confirmation,) = await rig.replies()
        assert "because budgets" in text_of(confirmation) and confirmation["channel"] == DM
        assert [s.values for s in handler.stored] == [{"why": "budgets"}]

    slack_run(scenario)


def test_the_open_the_form_button_works_on_another_replica(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as first, running(tmp_path) as second:  # one database
            install(first)
            handler = install(second)
            await first.event(dm_message("testform", user=SELLER, channel=DM, ts=next_ts()))
            (posted,) = await first.replies()
            button = posted["blocks"][-1]["elements"][0]
            click = block_actions(
                button["action_id"],
                button["value"],
                user=SELLER,
                channel=DM,
                message_ts=next_ts(),
                trigger_id="9.9.other",
                text="Open the form",
            )
            assert (await second.form(click)).status == 200  # the other replica
            view = await opened(second)
            assert list(inputs(view)) == ["summary", "details", "kind"]
            entered = {"summary": "Across replicas", "kind": "goal"}
            await second.form(view_submission(view, entered, user=SELLER))
            assert [s.values for s in handler.stored] == [{**entered, "details": ""}]

    asyncio.run(scenario())
