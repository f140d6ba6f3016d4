"""personabot in Teams: real HTTP activities to our server, replies to a fake Bot Connector."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import yaml
from activities import (
    AAD_OBJECT_ID,
    CHANNEL_CONVERSATION_ID,
    GROUP_CHAT_ID,
    PERSONAL_CONVERSATION_ID,
    card_submit,
    channel_mention,
    conversation_update_installed,
    group_chat_mention,
    installation_update,
    personal_message,
    post_activity,
    unknown_activity,
)
from teams_rig import EMAIL, TeamsRig, run, shown, submits

from bot.adapters.teams.cards import DATA_KEY, MORE
from bot.adapters.teams.outbound import NotifyError
from content.loader import EXAMPLE_PACK
from storage.questions import QuestionLog
from storage.references import ReferenceStore


def test_who_is_in_personal_chat_gets_the_persona_card(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        message = personal_message("who is Oskar?", service_url=rig.fake.url)
        response = await rig.post(message)
        assert response.status == 200
        (reply,) = await rig.replies()
        assert reply["replyToId"] == message["id"]
        assert reply["conversation"]["id"] == PERSONAL_CONVERSATION_ID
        text = shown(reply)
        assert "Operations Director Oskar" in text and "Decision-maker" in text
        assert "Owner" in text
        # the user's email came from a TeamsInfo member lookup, and was remembered
        stored = ReferenceStore(db=rig.core.db).by_email("teams", EMAIL)
        assert stored is not None and stored.conversation_id == PERSONAL_CONVERSATION_ID
        assert stored.aad_object_id == AAD_OBJECT_ID

    run(tmp_path, scenario)


def test_objection_is_answered_with_the_recommended_response(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(
            personal_message(
                "the technicians say they'll never use an app", service_url=rig.fake.url
            )
        )
        (reply,) = await rig.replies()
        found = rig.core.catalog.objection("operations-director-oskar", "technician-adoption")
        assert found is not None
        assert found[1].response.split(".")[0] in shown(reply)

    run(tmp_path, scenario)


def test_action_submit_round_trip(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("who is Frida?", service_url=rig.fake.url))
        (card,) = await rig.replies()
        button = next(
            b for b in submits(card) if str(b["data"][DATA_KEY]).startswith("objection:cfo-frida/")
        )
        click = card_submit(button["data"], service_url=rig.fake.url, reply_to_id=card["id"])
        assert (await rig.post(click)).status == 200
        _, answer = await rig.replies(2)
        assert answer["replyToId"] == click["id"]
        objection_id = button["data"][DATA_KEY].split("/")[1]
        found = rig.core.catalog.objection("cfo-frida", objection_id)
        assert found is not None and found[1].objection in shown(answer)

    run(tmp_path, scenario)


def test_mentions_are_stripped_in_channels_and_group_chats(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        post = channel_mention("who is Tuva?", service_url=rig.fake.url)
        await rig.post(post)
        (reply,) = await rig.replies()
        assert reply["conversation"]["id"] == f"{CHANNEL_CONVERSATION_ID};messageid={post['id']}"
        assert "Team Lead Tuva" in shown(reply)
        await rig.post(group_chat_mention("who is Oskar?", service_url=rig.fake.url))
        (reply,) = await rig.replies(1, conversation_id=GROUP_CHAT_ID)
        assert "Operations Director Oskar" in shown(reply)
        await rig.settle()
        asked = QuestionLog(db=rig.core.db).recent(platform="teams", user_id=AAD_OBJECT_ID)
        assert sorted(q.text for q in asked) == ["who is Oskar?", "who is Tuva?"]
        assert {q.user_email for q in asked} == {EMAIL}
        store = ReferenceStore(db=rig.core.db)
        channel = store.get("teams", f"conversation:{CHANNEL_CONVERSATION_ID}")
        assert channel is not None and channel.conversation_id == CHANNEL_CONVERSATION_ID

    run(tmp_path, scenario)


def test_welcome_once_on_install_and_the_reference_is_stored(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(conversation_update_installed(service_url=rig.fake.url))
        await rig.post(installation_update("add", service_url=rig.fake.url))
        (welcome,) = await rig.replies()
        assert "who is" in shown(welcome)
        await rig.settle()
        assert len(rig.fake.activities_sent()) == 1
        stored = ReferenceStore(db=rig.core.db).get("teams", f"user:{AAD_OBJECT_ID}")
        assert stored is not None and stored.conversation_id == PERSONAL_CONVERSATION_ID
        # added to a team: welcome in the channel
        await rig.post(conversation_update_installed(service_url=rig.fake.url, scope="team"))
        (_, team_welcome) = await rig.replies(2)
        assert team_welcome["conversation"]["id"] == CHANNEL_CONVERSATION_ID

    run(tmp_path, scenario)


def test_proactive_notify_reaches_a_user_with_a_stored_reference(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("help", service_url=rig.fake.url))
        await rig.replies()
        await rig.settle()
        conversation = await rig.adapter.notify(EMAIL.upper(), "Frida's card was updated [x](y)")
        assert conversation == PERSONAL_CONVERSATION_ID
        _, note = await rig.replies(2)
        assert "Frida's card was updated [x](y)" in shown(note)
        assert not note.get("replyToId")
        with pytest.raises(NotifyError):
            await rig.adapter.notify("nobody@fieldline.example", "hi")

    run(tmp_path, scenario)


def test_a_duplicate_activity_id_is_answered_once(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        message = personal_message("who is Tuva?", service_url=rig.fake.url)
        assert (await rig.post(message)).status == 200
        assert (await rig.post(message)).status == 200
        await rig.replies()
        await rig.settle()
        assert len(rig.fake.activities_sent()) == 1

    run(tmp_path, scenario)


def test_bad_input_is_answered_politely(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        # empty text: the help
        await rig.post(personal_message("", service_url=rig.fake.url))
        (help_reply,) = await rig.replies()
        assert "who is" in shown(help_reply)
        # an unknown submit payload: the polite fallback
        await rig.post(card_submit({"something": "else"}, service_url=rig.fake.url))
        _, fallback = await rig.replies(2)
        assert "I don't know that one" in shown(fallback)
        # huge text: still one valid answer under the size limit
        await rig.post(personal_message("who is Oskar? " * 3000, service_url=rig.fake.url))
        await rig.replies(3)
        # an activity type we do not act on, and a body that is not an activity
        assert (await rig.post(unknown_activity(service_url=rig.fake.url))).status == 200
        assert (await rig.post(b"not json")).status == 400
        assert (await rig.post(b"{}")).status == 400
        assert (await rig.post(b"[1, 2]")).status == 400
        assert (await rig.post(b'{"type": "message", "from": 7}')).status in (200, 400)
        await rig.settle()
        assert len(rig.fake.activities_sent()) == 3

    run(tmp_path, scenario)


def test_a_failing_handler_becomes_a_logged_apology(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario(rig: TeamsRig) -> None:
        def broken(incoming: object) -> object:
            raise RuntimeError("boom")

        monkeypatch.setattr(rig.core.router, "handle", broken)
        message = personal_message("who is Oskar?", service_url=rig.fake.url)
        with caplog.at_level(logging.ERROR):
            await rig.post(message)
            (apology,) = await rig.replies()
        assert "Sorry, something went wrong" in shown(apology)
        assert any("teams handler failed" in r.getMessage() for r in caplog.records)
        assert any(message["id"] in r.getMessage() for r in caplog.records)

    run(tmp_path, scenario)


def test_with_an_app_id_unauthenticated_requests_get_401(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        assert not rig.adapter.local
        url = rig.fake.url
        for activity in (
            personal_message("who is Oskar?", service_url=url),
            conversation_update_installed(service_url=url),
            installation_update(service_url=url),
            card_submit({DATA_KEY: "persona:cfo-frida"}, service_url=url),
        ):
            assert (await rig.post(activity)).status == 401
            for header in ("Bearer garbage", "Bearer e30.e30.", "Basic x"):
                response = await post_activity(rig.session, rig.url, activity, auth_header=header)
                assert response.status == 401  # a junk token is refused, never a 500
        await rig.settle()
        assert rig.fake.calls == []
        assert ReferenceStore(db=rig.core.db).by_email("teams", EMAIL) is None

    run(tmp_path, scenario, app_id="5353a86e-52fb-4979-8a69-c7efcd1b0bd3")


def test_local_mode_answers_only_local_service_urls(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        assert rig.adapter.local
        remote = personal_message("who is Oskar?", service_url="https://smba.example.net/emea/")
        assert (await rig.post(remote)).status == 403
        await rig.settle()
        assert rig.fake.calls == []

    run(tmp_path, scenario)


def test_a_bot_name_with_pattern_characters_is_stripped_literally(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        name = "persona+bot (beta)*"
        await rig.post(group_chat_mention("who is Frida?", service_url=rig.fake.url, bot_name=name))
        (reply,) = await rig.replies()
        assert "CFO Frida" in shown(reply)
        await rig.settle()
        asked = QuestionLog(db=rig.core.db).recent(platform="teams", user_id=AAD_OBJECT_ID)
        assert [q.text for q in asked] == ["who is Frida?"]

    run(tmp_path, scenario)


def test_a_huge_persona_fits_teams_limit_and_the_rest_is_one_click_away(tmp_path: Path) -> None:
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    path = pack / "personas/cfo-frida.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] = " ".join(
        f"Sentence {i} about how Frida weighs [every] <at>investment</at>." for i in range(400)
    )
    data["goals"] = [f"Goal {i}: " + "keep margins healthy " * 30 for i in range(80)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("what are Frida's goals?", service_url=rig.fake.url))
        (reply,) = await rig.replies()  # accepted by the fake: under 28 KB, schema-valid
        assert all(c.ok for c in rig.fake.calls_to("reply"))
        more = next(b for b in submits(reply) if b["data"][DATA_KEY].startswith(MORE))
        click = card_submit(more["data"], service_url=rig.fake.url, reply_to_id=reply["id"])
        await rig.post(click)
        await rig.settle()
        rest = rig.fake.activities_sent()[1:]
        assert rest and all(c.ok for c in rig.fake.calls)
        assert "Goal 79" in "".join(shown(a) for a in rest)

    run(tmp_path, scenario, content=pack)
