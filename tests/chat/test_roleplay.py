"""Role-play in the console: list, start, answer, push-back, score, stop, resume, history."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from fakes.fake_llm import FakeLLMThread
from testbot import TODAY, BotUnderTest, Clock, MakeBot

from content.loader import EXAMPLE_PACK, load_pack
from storage.flows import FlowStore
from storage.roleplay import RoleplayStore

ADMIN = "ingrid.solberg@fieldline.example"
RENEWAL = """
id: renewal
title: Frida questions the renewal
persona: cfo-frida
situation: A year in, Frida reviews the contract before it renews.
opening: Before I sign another year, convince me it paid off.
turns:
  - objection: payback
  - objection: Why should the price go up with the index?
    rubric:
      - {point: Show the year's saved billing days, evidence: [billing days], weight: 3}
      - {point: Offer a price cap, evidence: [price cap, cap], weight: 1}
pass_mark: 60
"""
FRIDA = load_pack(EXAMPLE_PACK).persona("cfo-frida")
assert FRIDA is not None


def current_turn(bot: BotUnderTest) -> int:
    flow = FlowStore(db=bot.app.db).active(bot.console.user.key, now=bot.app.clock())
    assert flow is not None and flow.kind == "roleplay", "no role-play running"
    return int(flow.data["turn"])


def model_answer(bot: BotUnderTest) -> str:
    """The current objection's response: what the pack says a good seller says."""
    flow = FlowStore(db=bot.app.db).active(bot.console.user.key, now=bot.app.clock())
    assert flow is not None
    return str(flow.data["scenario"]["turns"][int(flow.data["turn"])]["model"])


def test_roleplay_lists_every_persona_with_objections(bot: BotUnderTest) -> None:
    listing = bot.ask("roleplay").text
    assert "cfo-frida" in listing and "team-lead-tuva" in listing
    assert "6 objections" in listing


def test_a_roleplay_runs_end_to_end_in_character_and_explains_its_score(
    bot: BotUnderTest,
) -> None:
    bot.ask("roleplay frida")
    shown = bot.out.getvalue()
    assert "A first meeting with CFO Frida" in shown
    assert "[CFO Frida (objection 1/6)]" in shown  # the buyer speaks in character
    assert FRIDA.quote is not None and FRIDA.quote in shown
    for number in range(6):
        assert current_turn(bot) == number
        bot.ask(model_answer(bot))
        shown = bot.out.getvalue()
        assert "✓" in shown and "you said “" in shown  # what earned each point, quoted
    assert "Result: " in shown and "/100, passed (pass mark 70)." in shown
    assert "Model answers:" in shown
    results = RoleplayStore(db=bot.app.db).history(bot.console.user.key)
    assert len(results) == 1 and results[0].completed and results[0].passed
    assert [line["who"] for line in results[0].transcript][:3] == ["buyer", "seller", "coach"]
    registry = bot.app.metrics.registry
    assert registry.get_sample_value("personabot_roleplay_starts_total") == 1
    assert registry.get_sample_value("personabot_roleplay_completions_total") == 1
    assert registry.get_sample_value("personabot_roleplay_score_count") == 1


def test_a_weak_answer_gets_one_push_back_then_counts_the_better_try(bot: BotUnderTest) -> None:
    bot.ask("roleplay cfo-frida")
    bot.ask("I hear you, let me get back to you on that.")
    shown = bot.out.getvalue()
    assert "And what about" in shown and "A second chance" in shown
    assert current_turn(bot) == 0  # still the first objection
    bot.ask(model_answer(bot))
    assert current_turn(bot) == 1
    assert "✓" in bot.out.getvalue()
    bot.ask("ok")  # weak again on the next objection: pushed back once, not twice
    bot.ask("ok")
    assert current_turn(bot) == 2
    assert "✗" in bot.out.getvalue()


def test_help_during_a_roleplay_reminds_instead_of_scoring(bot: BotUnderTest) -> None:
    bot.ask("roleplay frida")
    reply = bot.ask("help")
    assert "Answer the buyer in your own words" in reply.text
    assert "[CFO Frida (objection 1/6)]" in bot.out.getvalue().split("Answer the buyer")[-1]
    assert current_turn(bot) == 0 and "And what about" not in bot.out.getvalue()


def test_an_answer_that_starts_with_a_command_word_is_an_answer(bot: BotUnderTest) -> None:
    bot.ask("roleplay frida")
    reply = bot.ask("Reviews from our customers show the payback within a year")
    assert "Only pack admins" not in reply.text  # not the reviews command
    assert "And what about" in reply.text  # the buyer's answer to a weak answer
    assert "Progress of" in bot.ask("progress").text  # the word alone is still the command


def test_stop_ends_it_and_keeps_what_was_marked(bot: BotUnderTest) -> None:
    bot.ask("roleplay frida")
    bot.ask(model_answer(bot))
    reply = bot.ask("stop")
    assert "Role-play stopped after 1 of 6 objections" in reply.text
    history = bot.ask("roleplay history").text
    assert "A first meeting with CFO Frida" in history and "stopped" in history
    assert "what can" not in bot.ask("who is Frida?").text.casefold()  # asking works again


def test_a_restart_resumes_at_the_same_turn(make_bot: MakeBot) -> None:
    first = make_bot()
    first.ask("roleplay frida")
    first.ask(model_answer(first))
    line = FlowStore(db=first.app.db).active(first.console.user.key, now=first.app.clock())
    assert line is not None
    restarted = make_bot()  # a new process on the same database
    assert current_turn(restarted) == 1
    assert str(line.data["line"]) in restarted.ask("roleplay").text
    restarted.ask(model_answer(restarted))
    assert current_turn(restarted) == 2


def test_naming_the_running_scenario_resumes_it_and_another_keeps_it_as_stopped(
    bot: BotUnderTest,
) -> None:
    bot.ask("roleplay frida")
    bot.ask(model_answer(bot))
    bot.ask("roleplay frida")
    assert current_turn(bot) == 1  # carried on, not started again
    bot.ask("roleplay tuva")
    assert current_turn(bot) == 0
    stopped = RoleplayStore(db=bot.app.db).history(bot.console.user.key)
    assert [(r.scenario_id, r.completed) for r in stopped] == [("cfo-frida", False)]


def test_a_roleplay_replaced_by_a_quiz_or_left_to_expire_is_kept_in_the_history(
    make_bot: MakeBot,
) -> None:
    clock = Clock(TODAY)
    bot = make_bot(clock=clock)
    bot.ask("roleplay frida")
    bot.ask(model_answer(bot))
    bot.ask("quiz")  # the role-play ends without a word
    other = make_bot(clock=clock, user="walked.away@fieldline.example")
    other.ask("roleplay tuva")
    clock.now = TODAY + dt.timedelta(days=3)  # past the role-play's 2 days
    assert [step(clock.now) for step in bot.app.sweeps] == [2]
    assert [step(clock.now) for step in bot.app.sweeps] == [0]  # recorded once
    kept = {r.user_key: r for r in RoleplayStore(db=bot.app.db).history()}
    frida = kept[bot.console.user.key]
    assert (frida.scenario_id, frida.completed, frida.score is not None) == (
        "cfo-frida",
        False,
        True,
    )
    assert kept[other.console.user.key].score is None  # nothing was marked


def test_unknown_scenario_names_the_ones_there_are(bot: BotUnderTest) -> None:
    reply = bot.ask("roleplay the ceo").text
    assert "no persona or scenario called “the ceo”" in reply and "cfo-frida" in reply


def test_history_is_your_own_and_a_pack_admin_sees_everyones(make_bot: MakeBot) -> None:
    seller = make_bot(user="seller@fieldline.example")
    seller.ask("roleplay tuva")
    seller.ask("stop")
    other = make_bot(user="other@fieldline.example")
    assert "No role-plays yet" in other.ask("roleplay history").text
    admin = make_bot(user=ADMIN)
    everyone = admin.ask("roleplay history").text
    assert "everyone" in everyone and "seller@fieldline.example" in everyone


def test_an_authored_scenario_plays_with_its_own_situation_and_pass_mark(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    (pack / "scenarios").mkdir()
    (pack / "scenarios" / "renewal.yaml").write_text(RENEWAL, encoding="utf-8")
    bot = make_bot(content=pack)
    assert "renewal: Frida questions the renewal (2 objections)" in bot.ask("roleplay").text
    bot.ask("roleplay renewal")
    shown = bot.out.getvalue()
    assert "Frida reviews the contract before it renews" in shown
    assert "[CFO Frida (objection 1/2)] Before I sign another year" in shown
    bot.ask(model_answer(bot))
    bot.ask("We saved you nine billing days this year, and I can put a cap on the price.")
    assert "/100, passed (pass mark 60)." in bot.out.getvalue()


def test_a_configured_model_voices_the_buyer_but_never_the_score(
    monkeypatch: pytest.MonkeyPatch, make_bot: MakeBot
) -> None:
    with FakeLLMThread() as llm:
        llm.answer("Frida: Fine, but what about my cash flow?")
        monkeypatch.setenv("PERSONABOT_LLM_URL", llm.url)
        monkeypatch.setenv("PERSONABOT_LLM_MODEL", "persona-7b")
        voiced = make_bot()
        voiced.ask("roleplay frida")
        assert "[CFO Frida (objection 1/6)] Fine, but what about my cash flow?" in (
            voiced.out.getvalue()
        )
        system = llm.requests[0].content_of("system")[0]
        assert FRIDA.quote is not None and FRIDA.quote in system  # grounded in the persona
        voiced.ask(model_answer(voiced))
        voiced_marks = voiced.out.getvalue().split("On “")[1]
    monkeypatch.delenv("PERSONABOT_LLM_URL")
    monkeypatch.delenv("PERSONABOT_LLM_MODEL")
    scripted = make_bot(user="someone.else@fieldline.example")
    scripted.ask("roleplay frida")
    scripted.ask(model_answer(scripted))
    assert (
        scripted.out.getvalue().split("On “")[1].split("\n\n")[0] == (voiced_marks.split("\n\n")[0])
    )
