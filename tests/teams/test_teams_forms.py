"""Forms on Teams through `personabot serve` and the fake connector.

A message-extension action on a message (``composeExtension/fetchTask``) gets a task
module with an Adaptive Card form (schema-valid, pre-filled), its submission
(``composeExtension/submitAction``) is stored by a test-only handler and confirmed, or
refused with the card shown again; a form asked for in chat is a card with inputs.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from activities import (
    CHANNEL_CONVERSATION_ID,
    PERSONAL_CONVERSATION_ID,
    card_submit,
    channel_mention,
    personal_message,
    post_activity,
)
from cards import validate_adaptive_card
from fakes.form_handler import INTRO, SUMMARY_MAX, TITLE, TWO_STEPS, WITH_BUTTON, TestForms
from teams_rig import AAD_OBJECT_ID, TeamsRig, run, shown, submits

from bot.adapters.teams.cards import DATA_KEY
from bot.adapters.teams.form_cards import FIELD
from bot.adapters.teams.manifest import manifest, package
from bot.settings import Settings

Json = dict[str, Any]
HTML = (
    '<p>Frida said <at id="0">Bo</at> thinks &lt;price&gt; is fine &amp; asks'
    " about Ærø 💬</p><p>second paragraph</p>"
)
CLEANED = "Frida said Bo thinks <price> is fine & asks about Ærø 💬 second paragraph"
APP_ID = "5353a86e-52fb-4979-8a69-c7efcd1b0bd3"


def install(rig: TeamsRig) -> TestForms:
    handler = TestForms(texts=rig.core.texts)
    handler.install(rig.core.router)
    return handler


def invoke(rig: TeamsRig, name: str, value: Json, *, channel: bool = False) -> Json:
    """A Teams invoke (``name``) from the user, in their chat or a channel."""
    if channel:
        base = channel_mention("x", service_url=rig.fake.url)
    else:
        base = personal_message("x", service_url=rig.fake.url)
    activity = copy.deepcopy(base)
    for key in ("text", "textFormat", "attachments"):
        activity.pop(key, None)
    activity["entities"] = [e for e in activity.get("entities", []) if e["type"] != "mention"]
    activity.update(type="invoke", name=name, value=value)
    return activity


def message_payload(html: str) -> Json:
    """``value.messagePayload``: the message the action was used on."""
    return {
        "id": "1700000000123",
        "replyToId": None,
        "createdDateTime": "2026-11-22T09:00:00.000Z",
        "messageType": "message",
        "importance": "normal",
        "locale": "en-us",
        "body": {"contentType": "html", "content": html},
        "from": {
            "user": {"id": AAD_OBJECT_ID, "displayName": "Bo Buyer", "userIdentityType": "aadUser"}
        },
        "attachments": [],
        "mentions": [],
        "reactions": [],
    }


def fetch_task(rig: TeamsRig, command: str, *, html: str = HTML, channel: bool = False) -> Json:
    value = {
        "commandId": command,
        "commandContext": "message",
        "messagePayload": message_payload(html),
        "context": {"theme": "default"},
    }
    return invoke(rig, "composeExtension/fetchTask", value, channel=channel)


def submit_action(rig: TeamsRig, data: Json) -> Json:
    value = {
        "commandId": "testform",
        "commandContext": "message",
        "data": data,
        "context": {"theme": "default"},
        "messagePayload": message_payload(HTML),
    }
    return invoke(rig, "composeExtension/submitAction", value)


def inputs(card: Json) -> dict[str, Json]:
    return {e["id"].removeprefix(FIELD): e for e in card["body"] if e["type"].startswith("Input.")}


def filled(card: Json, entered: dict[str, str]) -> Json:
    """What Teams submits: the submit action's data and the inputs' values."""
    (action,) = card["actions"]
    return {**action["data"], **{FIELD + name: value for name, value in entered.items()}}


async def task_card(rig: TeamsRig, activity: Json) -> Json:
    """The card of the task module (``continue``) an invoke answered with."""
    response = await post_activity(rig.session, rig.url, activity)
    assert response.status == 200
    body = await response.json()
    assert body["task"]["type"] == "continue", body
    attachment = body["task"]["value"]["card"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: Json = attachment["content"]
    assert validate_adaptive_card(card) == []
    return card


def test_a_message_action_opens_a_task_module_pre_filled_with_the_message(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        install(rig)
        response = await post_activity(rig.session, rig.url, fetch_task(rig, "testform"))
        body = await response.json()
        assert body["task"]["value"]["title"] == TITLE
        card = body["task"]["value"]["card"]["content"]
        assert validate_adaptive_card(card) == []
        fields = inputs(card)
        assert list(fields) == ["summary", "details", "kind"]
        assert fields["summary"]["isRequired"] is True
        assert fields["summary"]["maxLength"] == SUMMARY_MAX
        assert fields["details"]["isMultiline"] is True
        assert fields["details"]["value"] == CLEANED  # the message's HTML read as text
        assert fields["kind"]["type"] == "Input.ChoiceSet" and fields["kind"]["value"] == "pain"
        assert [c["value"] for c in fields["kind"]["choices"]] == ["pain", "goal", "other"]
        texts = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
        assert "What did the buyer say? \\<!channel\\> \\*stays\\* text." in texts  # no markup
        assert INTRO.startswith("What did the buyer say?")
        assert card["actions"][0]["data"][DATA_KEY] == "testform:submit"
        await rig.settle()
        assert rig.fake.activities_sent() == []  # nothing posted in the conversation

    run(tmp_path, scenario)


def test_a_task_module_submission_is_stored_and_confirmed(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        handler = install(rig)
        card = await task_card(rig, fetch_task(rig, "testform", channel=True))
        details = "Line one: Ærø — 💬\n\n  keeps its spaces  \n<at>everyone</at>"
        entered = {"summary": "Price is fine now", "details": details, "kind": "other"}
        submission = submit_action(rig, filled(card, entered))
        response = await post_activity(rig.session, rig.url, submission)
        assert response.status == 200
        body = await response.json()
        assert body == {
            "task": {"type": "message", "value": "Stored test feedback #1: Price is fine now"}
        }
        assert [s.values for s in handler.stored] == [entered]
        assert handler.stored[0].user == f"teams:{AAD_OBJECT_ID}"

    run(tmp_path, scenario)


def test_refused_values_show_the_card_again_with_the_errors(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        handler = install(rig)
        card = await task_card(rig, fetch_task(rig, "testform"))
        entered = {"summary": "x" * (SUMMARY_MAX + 1), "details": "kept", "kind": "goal"}
        again = await task_card(rig, submit_action(rig, filled(card, entered)))
        assert handler.stored == []
        body = again["body"]
        summary_at = next(i for i, e in enumerate(body) if e.get("id") == FIELD + "summary")
        error = body[summary_at + 1]
        assert error["type"] == "TextBlock" and error["color"] == "Attention"
        assert str(SUMMARY_MAX) in error["text"]
        assert "Please check the fields marked below." in shown(
            {
                "attachments": [
                    {"contentType": "application/vnd.microsoft.card.adaptive", "content": again}
                ]
            }
        )
        # What was typed is still there to correct.
        assert inputs(again)["details"]["value"] == "kept"
        assert inputs(again)["kind"]["value"] == "goal"
        # Teams leaves an empty input out: still a value, and still required.
        data = filled(again, {"kind": "goal"})
        third = await task_card(rig, submit_action(rig, data))
        assert "Please fill this in." in str(third["body"]) and handler.stored == []
        fixed = filled(again, {"summary": "short", "kind": "goal"})
        done = await post_activity(rig.session, rig.url, submit_action(rig, fixed))
        assert (await done.json())["task"]["type"] == "message"
        assert [s.values for s in handler.stored] == [
            {"summary": "short", "details": "", "kind": "goal"}
        ]

    run(tmp_path, scenario)


def test_unauthenticated_invokes_are_refused_and_change_nothing(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        handler = install(rig)
        assert not rig.adapter.local
        data = {DATA_KEY: "testform:submit", "personabot_form": ["summary", "kind"]}
        data |= {FIELD + "summary": "forged", FIELD + "kind": "pain"}
        for activity in (fetch_task(rig, "testform"), submit_action(rig, data)):
            assert (await rig.post(activity)).status == 401
            bad = await post_activity(rig.session, rig.url, activity, auth_header="Bearer e30.e30.")
            assert bad.status == 401
        await rig.settle()
        assert handler.stored == [] and rig.fake.calls == []

    run(tmp_path, scenario, app_id=APP_ID)


def test_a_form_asked_for_in_chat_is_a_card_with_inputs(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        handler = install(rig)
        await rig.post(personal_message("testform", service_url=rig.fake.url))
        (posted,) = await rig.replies()  # schema-valid (the rig checks every card)
        assert "Please fill in the test form." in shown(posted)
        card = posted["attachments"][0]["content"]
        assert list(inputs(card)) == ["summary", "details", "kind"]
        (send,) = submits(posted)
        wrong = filled(card, {"summary": "", "kind": "pain"})
        await rig.post(card_submit(wrong, service_url=rig.fake.url, reply_to_id=posted["id"]))
        await rig.settle()
        (updated,) = rig.fake.activities_updated()  # the same card, now with the error
        assert updated["id"] == posted["id"] and "Please fill this in." in shown(updated)
        assert handler.stored == [] and len(rig.fake.activities_sent()) == 1
        good = filled(card, {"summary": "From the chat", "details": "a\nb", "kind": "goal"})
        await rig.post(card_submit(good, service_url=rig.fake.url, reply_to_id=posted["id"]))
        _, confirmation = await rig.replies(2)
        assert "Stored test feedback #1: From the chat" in shown(confirmation)
        assert [s.values for s in handler.stored] == [
            {"summary": "From the chat", "details": "a\nb", "kind": "goal"}
        ]
        sent = rig.fake.activities_updated()[-1]  # the form cannot be sent twice
        assert "Sent." in shown(sent) and submits(sent) == []
        assert send["data"][DATA_KEY] == "testform:submit"

    run(tmp_path, scenario)


def test_the_app_manifest_declares_the_feedback_message_action() -> None:
    settings = Settings(MicrosoftAppId=APP_ID, MicrosoftAppPassword="secret")  # type: ignore[call-arg]
    data = manifest(settings, url="https://personabot.fieldline.dev")
    (extension,) = data["composeExtensions"]
    assert extension["botId"] == APP_ID
    (command,) = extension["commands"]
    assert command["id"] == "feedback" and command["type"] == "action"
    assert command["fetchTask"] is True
    assert sorted(command["context"]) == ["commandBox", "compose", "message"]
    assert len(command["title"]) <= 32 and len(command["description"]) <= 128
    assert CHANNEL_CONVERSATION_ID  # the channel variant above uses it


def test_a_bot_dialog_fetches_the_form_and_its_submission_is_answered_in_the_chat(
    tmp_path: Path,
) -> None:
    async def scenario(rig: TeamsRig) -> None:
        handler = install(rig)
        fetch = invoke(rig, "task/fetch", {"data": {DATA_KEY: "testform:shortcut"}})
        card = await task_card(rig, fetch)
        assert list(inputs(card)) == ["summary", "details", "kind"]
        entered = {"summary": "From a dialog", "kind": "goal"}
        submit = invoke(rig, "task/submit", {"data": filled(card, entered)})
        response = await post_activity(rig.session, rig.url, submit)
        assert response.status == 200  # the dialog closes
        (answer,) = await rig.replies()  # posted where the bot talks
        assert "Stored test feedback #1: From a dialog" in shown(answer)
        assert [s.values for s in handler.stored] == [{**entered, "details": ""}]

    run(tmp_path, scenario)


def test_an_action_no_handler_knows_closes_the_dialog_with_a_message(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        install(rig)
        response = await post_activity(rig.session, rig.url, fetch_task(rig, "nosuchcommand"))
        body = await response.json()
        assert body["task"]["type"] == "message" and body["task"]["value"]
        await rig.settle()
        assert rig.fake.activities_sent() == []

    run(tmp_path, scenario)


def test_a_second_step_continues_the_dialog_and_buttons_reach_the_chat(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        handler = install(rig)
        card = await task_card(rig, fetch_task(rig, "testform"))
        two = filled(card, {"summary": TWO_STEPS, "kind": "pain"})
        second = await task_card(rig, submit_action(rig, two))
        assert list(inputs(second)) == ["why"] and handler.stored == []
        why = filled(second, {"why": "budgets"})
        done = await post_activity(rig.session, rig.url, submit_action(rig, why))
        assert (await done.json())["task"]["value"] == "Stored test feedback #1: because budgets"
        # An answer with a button cannot show in Teams' message: the 1:1 chat gets it too.
        button = filled(card, {"summary": WITH_BUTTON, "kind": "goal"})
        response = await post_activity(rig.session, rig.url, submit_action(rig, button))
        assert "#2: with a button" in (await response.json())["task"]["value"]
        (posted,) = await rig.replies()
        assert posted["conversation"]["id"] == PERSONAL_CONVERSATION_ID
        assert [b["title"] for b in submits(posted)] == ["Withdraw"]

    run(tmp_path, scenario)


def test_the_package_translates_the_action_into_every_language_of_the_bot(
    tmp_path: Path,
) -> None:
    settings = Settings(MicrosoftAppId=APP_ID, MicrosoftAppPassword="secret")  # type: ignore[call-arg]
    with zipfile.ZipFile(
        io.BytesIO(package(settings, url="https://personabot.fieldline.dev"))
    ) as z:
        data = json.loads(z.read("manifest.json"))
        info = data["localizationInfo"]
        assert info["defaultLanguageTag"] == "en"
        files = {a["languageTag"]: a["file"] for a in info["additionalLanguages"]}
        assert sorted(files) == ["da", "de", "fr", "nb", "sv"]
        titles = set()
        for language, name in files.items():
            text = json.loads(z.read(name))
            assert {"name.short", "name.full", "description.short", "description.full"} <= set(text)
            title = text["composeExtensions[0].commands[0].title"]
            description = text["composeExtensions[0].commands[0].description"]
            assert 0 < len(title) <= 32 and 0 < len(description) <= 128
            assert len(text["description.short"]) <= 80, language
            titles.add(title)
    assert len(titles) == 5  # really translated, not English five times
    assert "Send persona feedback" not in titles
