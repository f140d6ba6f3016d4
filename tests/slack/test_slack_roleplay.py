"""A role-play through `personabot serve` on Slack: DMs, channel threads, a model's voice.

The buyer's lines carry a context block with the persona's name above what they say; the
coach's marks quote the seller's words, escaped so nothing pings. With a model
configured, Slack's acknowledgement never waits for it: the buyer's line follows.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import pytest
from fakes.fake_llm import FakeLLMThread
from payloads import app_mention, dm_message, next_ts
from rig import NOW, SlackRig, text_of

from content.loader import EXAMPLE_PACK, load_pack
from storage.flows import FlowStore
from storage.roleplay import RoleplayStore

SELLER = "U0SELLER"
FRIDA = load_pack(EXAMPLE_PACK).persona("cfo-frida")
assert FRIDA is not None and FRIDA.quote is not None
QUOTE: str = FRIDA.quote  # "Every week a job sits uninvoiced is a week I'm financing …"
MODEL_LINE = "Fine, but what about my cash flow?"

Params = dict[str, Any]
Run = Callable[..., None]  # the slack_run fixture (conftest.py)


# -- helpers --------------------------------------------------------------------------


def model_answer(rig: SlackRig) -> str:
    """The current objection's response: what the pack says a good seller says."""
    flow = FlowStore(db=rig.core.db).active(f"slack:{SELLER}", now=NOW)
    assert flow is not None and flow.kind == "roleplay", "no role-play running"
    return str(flow.data["scenario"]["turns"][int(flow.data["turn"])]["model"])


def speaker(params: Params) -> str | None:
    """Who speaks in a message: the name in its leading context block, if it has one."""
    blocks = params.get("blocks") or []
    if not blocks or blocks[0]["type"] != "context":
        return None
    return str(blocks[0]["elements"][0]["text"]).strip("*")


async def posted(rig: SlackRig, count: int) -> list[Params]:
    """The ``count`` messages posted after those seen so far (waits for them)."""
    before = len(rig.slack.calls_to("chat.postMessage"))
    return (await rig.replies(before + count))[before:]


async def say(rig: SlackRig, text: str, *, answers: int) -> list[Params]:
    """DM the bot ``text`` as the seller; the ``answers`` messages it posts in reply."""
    before = len(rig.slack.calls_to("chat.postMessage"))
    response = await rig.event(dm_message(text, user=SELLER, ts=next_ts()))
    assert response.status == 200
    return (await rig.replies(before + answers))[before:]


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the flow ---------------------------------------------------------------------------


def test_a_roleplay_in_a_dm_runs_end_to_end_in_character(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        (listing,) = await say(rig, "roleplay", answers=1)
        assert "cfo-frida" in text_of(listing) and "team-lead-tuva" in text_of(listing)
        assert "6 objections" in text_of(listing)

        intro, line = await say(rig, "roleplay frida", answers=2)
        assert "A first meeting with CFO Frida" in text_of(intro) and speaker(intro) is None
        assert speaker(line) == "CFO Frida (objection 1/6)"
        assert QUOTE in text_of(line)
        assert line["channel"] == "D0USER" and not line.get("thread_ts")

        for number in range(2, 7):
            marks, line = await say(rig, model_answer(rig), answers=2)
            assert "✓" in text_of(marks) and "you said “" in text_of(marks)
            assert speaker(marks) is None  # the coach speaks as the bot
            assert speaker(line) == f"CFO Frida (objection {number}/6)"
        marks, result = await say(rig, model_answer(rig), answers=2)
        assert "✓" in text_of(marks)
        assert "/100, passed (pass mark 70)." in text_of(result)
        assert "Model answers:" in text_of(result)

        (history,) = await say(rig, "roleplay history", answers=1)
        assert "A first meeting with CFO Frida" in text_of(history)
        assert "passed" in text_of(history)
        (done,) = RoleplayStore(db=rig.core.db).history(f"slack:{SELLER}")
        assert done.completed and done.passed

    slack_run(scenario)


def test_a_weak_answer_is_pushed_back_and_stop_keeps_the_history(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        await say(rig, "roleplay cfo-frida", answers=2)
        pushed, hint = await say(rig, "I hear you, let me get back to you on that.", answers=2)
        assert speaker(pushed) == "CFO Frida (objection 1/6)"  # the same objection, again
        assert "And what about" in text_of(pushed)
        assert "A second chance" in text_of(hint) and speaker(hint) is None

        marks, line = await say(rig, model_answer(rig), answers=2)
        assert "✓" in text_of(marks)
        assert speaker(line) == "CFO Frida (objection 2/6)"

        (stopped,) = await say(rig, "stop", answers=1)
        assert "Role-play stopped after 1 of 6 objections" in text_of(stopped)
        (history,) = await say(rig, "roleplay history", answers=1)
        assert "A first meeting with CFO Frida" in text_of(history)
        assert "stopped" in text_of(history)
        assert FlowStore(db=rig.core.db).active(f"slack:{SELLER}", now=NOW) is None

    slack_run(scenario)


def test_a_roleplay_in_a_channel_thread_stays_there_and_pings_nobody(slack_run: Run) -> None:
    async def scenario(rig: SlackRig) -> None:
        started = next_ts()
        await rig.event(app_mention("roleplay frida", user=SELLER, channel="C0SALES", ts=started))
        intro, line = await posted(rig, 2)
        for message in (intro, line):
            assert message["channel"] == "C0SALES" and message["thread_ts"] == started
        assert speaker(line) == "CFO Frida (objection 1/6)"

        # Typing @here and @channel, Slack sends special mentions; quoting them must not ping.
        good = model_answer(rig)
        answer = f"<!here> <!channel> {good}"
        reply = app_mention(answer, user=SELLER, channel="C0SALES", ts=next_ts(), thread_ts=started)
        assert (await rig.event(reply)).status == 200
        marks, following = await posted(rig, 2)
        for message in (marks, following):
            assert message["channel"] == "C0SALES" and message["thread_ts"] == started
        opening = " ".join(good.split()[:3])
        assert "✓" in text_of(marks) and f"@channel {opening}" in text_of(marks)  # quoted
        assert speaker(following) == "CFO Frida (objection 2/6)"
        for call in rig.slack.calls_to("chat.postMessage"):
            shown = text_of(call.params)
            assert "<!" not in shown and "<@" not in shown, shown

    slack_run(scenario)


# -- the model's voice -----------------------------------------------------------------


def test_slack_is_acknowledged_while_the_model_thinks_and_the_line_follows(
    slack_run: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeLLMThread() as llm:
        monkeypatch.setenv("PERSONABOT_LLM_URL", llm.url)
        monkeypatch.setenv("PERSONABOT_LLM_MODEL", "persona-7b")
        monkeypatch.setenv("PERSONABOT_LLM_TIMEOUT", "30")  # the model is released first

        async def scenario(rig: SlackRig) -> None:
            rig.slack.add_user("U0OTHER", "other@fieldline.example", "Olli Other")
            llm.answer(f"Frida: {MODEL_LINE}")
            _, first = await say(rig, "roleplay frida", answers=2)
            assert speaker(first) == "CFO Frida (objection 1/6)"
            assert text_of(first).endswith(MODEL_LINE)  # voiced, without the "Frida:" prefix

            llm.stall()
            good = model_answer(rig)
            answer = dm_message(good, user=SELLER, ts=next_ts())
            assert (await rig.event(answer, timeout=20)).status == 200
            # Acknowledged, and marked, with the model still stalled ...
            (marks,) = await posted(rig, 1)
            assert "✓" in text_of(marks) and "you said “" in text_of(marks)
            # ... and nobody else waits for it either: acknowledged and answered meanwhile.
            other = dm_message("who is Tuva?", user="U0OTHER", channel="D0OTHER", ts=next_ts())
            assert (await rig.event(other, timeout=20)).status == 200
            (tuva,) = await posted(rig, 1)
            assert tuva["channel"] == "D0OTHER" and "Tuva" in text_of(tuva)
            assert speaker(tuva) is None  # the buyer has not spoken yet

            llm.release()
            (line,) = await posted(rig, 1)
            assert line["channel"] == "D0USER"
            assert speaker(line) == "CFO Frida (objection 2/6)"
            assert text_of(line).endswith(MODEL_LINE) and "Frida:" not in text_of(line)
            flow = FlowStore(db=rig.core.db).active(f"slack:{SELLER}", now=NOW)
            assert flow is not None and flow.data["line"] == MODEL_LINE  # kept for a restart

            request = llm.requests[-1]
            assert request.json["model"] == "persona-7b"
            assert QUOTE in request.content_of("system")[0]  # grounded in Frida
            assert json.dumps(good, ensure_ascii=False) in request.content_of("user")[0]

        slack_run(scenario)


def test_a_dead_model_endpoint_falls_back_to_the_scripted_line_silently(
    slack_run: Run, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PERSONABOT_LLM_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("PERSONABOT_LLM_MODEL", "persona-7b")

    async def scenario(rig: SlackRig) -> None:
        _, first = await say(rig, "roleplay frida", answers=2)
        assert speaker(first) == "CFO Frida (objection 1/6)"
        flow = FlowStore(db=rig.core.db).active(f"slack:{SELLER}", now=NOW)
        assert flow is not None
        assert text_of(first).endswith(str(flow.data["says"][0]))  # scripted, word for word
        marks, line = await say(rig, model_answer(rig), answers=2)
        assert "✓" in text_of(marks)
        assert speaker(line) == "CFO Frida (objection 2/6)"
        assert text_of(line).endswith(str(flow.data["says"][1]))
        shown = "\n".join(text_of(c.params) for c in rig.slack.calls_to("chat.postMessage"))
        assert "Sorry" not in shown and "went wrong" not in shown
        warnings = [r.getMessage() for r in caplog.records if r.name == "bot.voice"]
        assert warnings and all("cannot connect" in w for w in warnings)  # only in the log

    slack_run(scenario)
