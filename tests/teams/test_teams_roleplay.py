"""A role-play through `personabot serve` on Teams: personal chat, a model's voice.

The buyer's lines are cards headed by the persona's name (a bold Medium TextBlock); the
coach's marks are cards without one. Every card posted is a valid Adaptive Card 1.5
(``TeamsRig.replies`` checks each against the schema). With a model configured, Teams'
acknowledgement never waits for it: the buyer's line follows as its own message.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from activities import AAD_OBJECT_ID, PERSONAL_CONVERSATION_ID, member, personal_message
from cards import adaptive_attachments, validate_activity_cards
from fakes.fake_llm import FakeLLMThread
from teams_rig import NOW, TeamsRig, run, shown

from content.loader import EXAMPLE_PACK, load_pack
from storage.flows import FlowStore
from storage.roleplay import RoleplayStore

SELLER = f"teams:{AAD_OBJECT_ID}"
FRIDA = load_pack(EXAMPLE_PACK).persona("cfo-frida")
assert FRIDA is not None and FRIDA.quote is not None
QUOTE: str = FRIDA.quote  # "Every week a job sits uninvoiced is a week I'm financing …"
MODEL_LINE = "Fine, but what about my cash flow?"
OTHER_EMAIL = "olli.other@fieldline.example"
OTHER_CONVERSATION = "a:1OtherPersonalChatWithTheBot"

Json = dict[str, Any]


# -- helpers --------------------------------------------------------------------------


def model_answer(rig: TeamsRig) -> str:
    """The current objection's response: what the pack says a good seller says."""
    flow = FlowStore(db=rig.core.db).active(SELLER, now=NOW)
    assert flow is not None and flow.kind == "roleplay", "no role-play running"
    return str(flow.data["scenario"]["turns"][int(flow.data["turn"])]["model"])


def speaker(activity: Json) -> str | None:
    """Who speaks in a message: its card's header (a bold Medium TextBlock), if it has one."""
    (card,) = adaptive_attachments(activity)
    first = card["body"][0]
    if first.get("size") != "Medium" or first.get("weight") != "Bolder":
        return None
    return str(first["text"]).replace("\\", "")


async def posted(rig: TeamsRig, count: int) -> list[Json]:
    """The ``count`` activities sent after those seen so far (waits; checks their cards)."""
    before = len(rig.fake.activities_sent())
    return (await rig.replies(before + count))[before:]


async def say(rig: TeamsRig, text: str, *, answers: int) -> list[Json]:
    """Write ``text`` to the bot in personal chat; the ``answers`` messages it sends back."""
    before = len(rig.fake.activities_sent())
    assert (await rig.post(personal_message(text, service_url=rig.fake.url))).status == 200
    return (await rig.replies(before + answers))[before:]


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def all_cards_valid(rig: TeamsRig) -> None:
    for activity in rig.fake.activities_sent():
        assert validate_activity_cards(activity) == [], shown(activity)


# -- the flow ---------------------------------------------------------------------------


def test_a_roleplay_in_personal_chat_runs_end_to_end_in_character(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        (listing,) = await say(rig, "roleplay", answers=1)
        assert "cfo-frida" in shown(listing) and "team-lead-tuva" in shown(listing)
        assert "6 objections" in shown(listing)

        intro, line = await say(rig, "roleplay frida", answers=2)
        assert "A first meeting with CFO Frida" in shown(intro) and speaker(intro) is None
        assert speaker(line) == "CFO Frida (objection 1/6)"
        assert QUOTE in shown(line)
        assert line["conversation"]["id"] == PERSONAL_CONVERSATION_ID

        for number in range(2, 7):
            marks, line = await say(rig, model_answer(rig), answers=2)
            assert "✓" in shown(marks) and "you said “" in shown(marks)
            assert speaker(marks) is None  # the coach speaks as the bot
            assert speaker(line) == f"CFO Frida (objection {number}/6)"
        marks, result = await say(rig, model_answer(rig), answers=2)
        assert "✓" in shown(marks)
        assert "/100, passed (pass mark 70)." in shown(result)
        assert "Model answers:" in shown(result)

        (history,) = await say(rig, "roleplay history", answers=1)
        assert "A first meeting with CFO Frida" in shown(history) and "passed" in shown(history)
        (done,) = RoleplayStore(db=rig.core.db).history(SELLER)
        assert done.completed and done.passed
        all_cards_valid(rig)

    run(tmp_path, scenario)


def test_a_weak_answer_is_pushed_back_and_stop_keeps_the_history(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await say(rig, "roleplay cfo-frida", answers=2)
        pushed, hint = await say(rig, "I hear you, let me get back to you on that.", answers=2)
        assert speaker(pushed) == "CFO Frida (objection 1/6)"  # the same objection, again
        assert "And what about" in shown(pushed)
        assert "A second chance" in shown(hint) and speaker(hint) is None

        marks, line = await say(rig, model_answer(rig), answers=2)
        assert "✓" in shown(marks)
        assert speaker(line) == "CFO Frida (objection 2/6)"

        (stopped,) = await say(rig, "stop", answers=1)
        assert "Role-play stopped after 1 of 6 objections" in shown(stopped)
        (history,) = await say(rig, "roleplay history", answers=1)
        assert "A first meeting with CFO Frida" in shown(history) and "stopped" in shown(history)
        assert FlowStore(db=rig.core.db).active(SELLER, now=NOW) is None
        all_cards_valid(rig)

    run(tmp_path, scenario)


# -- the model's voice -----------------------------------------------------------------


def test_teams_is_acknowledged_while_the_model_thinks_and_the_line_follows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeLLMThread() as llm:
        monkeypatch.setenv("PERSONABOT_LLM_URL", llm.url)
        monkeypatch.setenv("PERSONABOT_LLM_MODEL", "persona-7b")
        monkeypatch.setenv("PERSONABOT_LLM_TIMEOUT", "30")  # the model is released first

        async def scenario(rig: TeamsRig) -> None:
            olli = member(email=OTHER_EMAIL, name="Olli Other")
            rig.fake.add_member(OTHER_CONVERSATION, olli)
            llm.answer(f"Frida: {MODEL_LINE}")
            _, first = await say(rig, "roleplay frida", answers=2)
            assert speaker(first) == "CFO Frida (objection 1/6)"
            assert shown(first).endswith(MODEL_LINE)  # voiced, without the "Frida:" prefix

            llm.stall()
            good = model_answer(rig)
            answer = personal_message(good, service_url=rig.fake.url)
            assert (await rig.post(answer)).status == 200
            # Acknowledged, and marked, with the model still stalled ...
            (marks,) = await posted(rig, 1)
            assert "✓" in shown(marks) and "you said “" in shown(marks)
            # ... and nobody else waits for it either: acknowledged and answered meanwhile.
            other = personal_message(
                "who is Tuva?",
                service_url=rig.fake.url,
                user_id=olli["id"],
                aad_object_id=olli["aadObjectId"],
                user_name="Olli Other",
                conversation_id=OTHER_CONVERSATION,
            )
            assert (await rig.post(other)).status == 200
            (tuva,) = await posted(rig, 1)
            assert tuva["conversation"]["id"] == OTHER_CONVERSATION and "Tuva" in shown(tuva)

            llm.release()
            (line,) = await posted(rig, 1)
            assert line["conversation"]["id"] == PERSONAL_CONVERSATION_ID
            assert speaker(line) == "CFO Frida (objection 2/6)"
            assert shown(line).endswith(MODEL_LINE) and "Frida:" not in shown(line)
            flow = FlowStore(db=rig.core.db).active(SELLER, now=NOW)
            assert flow is not None and flow.data["line"] == MODEL_LINE  # kept for a restart

            request = llm.requests[-1]
            assert request.json["model"] == "persona-7b"
            assert QUOTE in request.content_of("system")[0]  # grounded in Frida
            assert json.dumps(good, ensure_ascii=False) in request.content_of("user")[0]
            all_cards_valid(rig)

        run(tmp_path, scenario)


def test_a_dead_model_endpoint_falls_back_to_the_scripted_line_silently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PERSONABOT_LLM_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("PERSONABOT_LLM_MODEL", "persona-7b")

    async def scenario(rig: TeamsRig) -> None:
        _, first = await say(rig, "roleplay frida", answers=2)
        assert speaker(first) == "CFO Frida (objection 1/6)"
        flow = FlowStore(db=rig.core.db).active(SELLER, now=NOW)
        assert flow is not None
        assert shown(first).endswith(str(flow.data["says"][0]))  # scripted, word for word
        marks, line = await say(rig, model_answer(rig), answers=2)
        assert "✓" in shown(marks)
        assert speaker(line) == "CFO Frida (objection 2/6)"
        assert shown(line).endswith(str(flow.data["says"][1]))
        everything = "\n".join(shown(a) for a in rig.fake.activities_sent())
        assert "Sorry" not in everything and "went wrong" not in everything
        warnings = [r.getMessage() for r in caplog.records if r.name == "bot.voice"]
        assert warnings and all("cannot connect" in w for w in warnings)  # only in the log
        all_cards_valid(rig)

    run(tmp_path, scenario)
