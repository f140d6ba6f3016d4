"""Asking the bot about personas and objections, as a seller would in chat."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest
import yaml
from testbot import TODAY, BotUnderTest, Clock, MakeBot

from bot.model import Incoming, Reply
from content.loader import EXAMPLE_PACK
from storage.personas import PersonaRepository
from storage.questions import QuestionLog


def ids(reply: Reply) -> tuple[object, object, object]:
    return reply.meta["intent"], reply.meta["persona"], reply.meta["objection"]


@pytest.mark.parametrize(
    "question, persona",
    [
        ("who is Oskar?", "operations-director-oskar"),
        ("tell me about the CFO", "cfo-frida"),
        ("what does the ops director care about", "operations-director-oskar"),
        ("who is Bjorn", "it-manager-bjorn"),  # typed without ø
        ("quick rundown of the foreman persona pls", "team-lead-tuva"),
        ("which of our personas is the gatekeeper?", "it-manager-bjorn"),
        ("tell me about the operations director", "operations-director-oskar"),  # from name
        ("what does the service technician team lead care about", "team-lead-tuva"),  # role
    ],
)
def test_who_is_answers_with_the_persona(bot: BotUnderTest, question: str, persona: str) -> None:
    reply = bot.ask(question)
    assert ids(reply) == ("persona", persona, None)
    assert reply.cards and reply.cards[0].title == bot.app.catalog.persona(persona).name  # type: ignore[union-attr]


def test_persona_card_shows_what_a_seller_needs(bot: BotUnderTest) -> None:
    card = bot.card_text(bot.ask("who is Oskar?"))
    oskar = bot.app.catalog.persona("operations-director-oskar")
    assert oskar is not None
    assert oskar.summary in card
    assert oskar.quote and f"In their words: “{oskar.quote}”" in card
    assert oskar.goals[0] in card and oskar.pains[0] in card
    assert "Decision role: Decision-maker" in card
    assert oskar.objections[0].objection in card
    assert f"Owner: {', '.join(oskar.owners)}" in card
    assert "Last reviewed 2026-10-20" in card and "next review due 2027-02-17" in card
    assert "Review overdue" not in card


def test_overdue_badge_follows_the_injected_clock(make_bot: MakeBot) -> None:
    clock = Clock()
    bot = make_bot(clock=clock)
    # Frida: reviewed 2026-05-12, pack cadence 120 days -> due 2026-09-09.
    assert "Review overdue" in bot.ask("who is Frida?").cards[0].badges
    # Tuva has her own 60-day cadence: reviewed 2026-10-01 -> due 2026-11-30.
    assert "Review overdue" not in bot.ask("who is Tuva?").cards[0].badges
    clock.now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert "Review overdue" in bot.ask("who is Tuva?").cards[0].badges


def test_asking_about_one_field_puts_that_field_first(bot: BotUnderTest) -> None:
    reply = bot.ask("what are Oskar's biggest pains?")
    assert ids(reply) == ("persona", "operations-director-oskar", None)
    assert "pains" in reply.text.lower()
    first = reply.cards[0].fields[0]
    oskar = bot.app.catalog.persona("operations-director-oskar")
    assert first.label == "Pains" and list(first.items) == oskar.pains  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "question, objection",
    [
        ("the technicians say they'll never use an app", "technician-adoption"),
        ("customer says there's no mobile coverage where they work", "offline"),
        ("prospect is afraid their data is stuck with us if they leave", "lock-in"),
        ("they want to wait, it's their busiest season", "timing"),
    ],
)
def test_objection_answers_with_the_response(
    bot: BotUnderTest, question: str, objection: str
) -> None:
    reply = bot.ask(question)
    intent, persona, got = ids(reply)
    assert (intent, got) == ("objection", objection)
    found = bot.app.catalog.objection(str(persona), objection)
    assert found is not None
    card = bot.card_text(reply)
    assert found[1].response in card
    assert all(point in card for point in found[1].proof_points)
    assert found[0].name in card


def test_named_persona_gets_their_own_version_and_others_are_listed(bot: BotUnderTest) -> None:
    frida = bot.ask("Frida says it's too expensive")
    oskar = bot.ask("Oskar thinks the price is too high")
    assert ids(frida) == ("objection", "cfo-frida", "price")
    assert ids(oskar) == ("objection", "operations-director-oskar", "price")
    assert "Also heard from: " in bot.card_text(frida)
    assert "Operations Director Oskar" in bot.card_text(frida)


@pytest.mark.parametrize(
    "question",
    [
        "what's for lunch?",
        "how do I reset my password? locked out again",
        "is the office open between christmas and new year?",
        "when is the summer party",
    ],
)
def test_out_of_scope_gets_an_honest_dont_know_with_a_hint(
    bot: BotUnderTest, question: str
) -> None:
    reply = bot.ask(question)
    assert reply.meta["intent"] not in ("persona", "objection")
    assert reply.meta["persona"] is None and reply.meta["objection"] is None
    assert not reply.cards
    if not reply.choices:
        assert "I don't know" in reply.text and "who is" in reply.text


def test_help_uses_real_examples_from_the_pack(bot: BotUnderTest) -> None:
    reply = bot.ask("help")
    assert reply.meta["intent"] == "help"
    assert "who is CFO Frida?" in reply.text
    assert reply.choices


def test_typing_a_number_picks_a_choice(bot: BotUnderTest) -> None:
    card = bot.ask("who is Oskar?").cards[0]
    picked = bot.ask("1")
    assert ids(picked) == (
        "objection",
        "operations-director-oskar",
        card.choices[0].value.split("/")[1],
    )


def test_a_choice_number_out_of_range_gets_help_not_an_error(bot: BotUnderTest) -> None:
    bot.ask("who is Oskar?")
    reply = bot.ask("9")
    assert "There is no choice 9" in reply.text


def test_pending_choices_survive_a_restart(make_bot: MakeBot) -> None:
    make_bot().ask("who is Tuva?")
    again = make_bot()  # a new process on the same database
    assert ids(again.ask("2"))[0] == "objection"


def test_every_question_is_recorded(bot: BotUnderTest) -> None:
    bot.ask("who is Oskar?")
    bot.ask("what's for lunch?")
    log = QuestionLog(db=bot.app.db).recent(platform="console", user_id="local", limit=5)
    assert [q.text for q in log] == ["what's for lunch?", "who is Oskar?"]
    assert log[1].intent == "persona" and log[1].persona_id == "operations-director-oskar"
    assert log[1].confidence > 0.5 and log[1].asked_at == TODAY
    assert log[0].intent == "unknown" and log[0].persona_id is None


def test_a_failing_handler_apologises_and_logs_context(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(message: Incoming) -> Reply:
        raise RuntimeError("boom")

    bot.app.router.text_handler = broken
    with caplog.at_level(logging.ERROR):
        reply = bot.ask("who is Oskar?")
    assert "Sorry, something went wrong" in reply.text
    assert "handler failed" in caplog.text and "who is Oskar?" in caplog.text


def test_chat_edits_survive_a_restart(make_bot: MakeBot) -> None:
    first = make_bot()
    oskar = first.app.catalog.persona("operations-director-oskar")
    assert oskar is not None
    edited = oskar.model_copy(update={"summary": "Edited in chat after a win/loss review."})
    PersonaRepository(db=first.app.db).save_edit(
        edited, author="owner@fieldline.example", note="feedback", now=TODAY
    )
    restarted = make_bot()  # re-imports the unchanged example pack
    assert "Edited in chat after a win/loss review." in restarted.card_text(
        restarted.ask("who is Oskar?")
    )


def test_a_number_with_nothing_to_pick_says_so(bot: BotUnderTest) -> None:
    reply = bot.ask("2")
    assert "no choices to pick" in reply.text
    assert reply.meta["intent"] == "unknown" and not reply.cards


def test_a_wrong_number_offers_the_same_choices_again(bot: BotUnderTest) -> None:
    offered = bot.ask("who is Oskar?").cards[0].choices
    retry = bot.ask("9")
    assert retry.choices == offered
    assert ids(bot.ask("1"))[0] == "objection"  # still pending after the mistake


def test_old_choices_expire(make_bot: MakeBot) -> None:
    clock = Clock()
    bot = make_bot(clock=clock)
    bot.ask("who is Oskar?")
    clock.now = TODAY + dt.timedelta(hours=2)
    assert "no choices to pick" in bot.ask("1").text


def test_mistakes_and_failures_are_recorded_too(bot: BotUnderTest) -> None:
    bot.ask("7")

    def broken(message: Incoming) -> Reply:
        raise RuntimeError("boom")

    bot.app.router.text_handler = broken
    bot.ask("who is Oskar?")
    log = QuestionLog(db=bot.app.db).recent(platform="console", user_id="local")
    assert [(q.text, q.intent) for q in log] == [("who is Oskar?", "error"), ("7", "unknown")]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("who is the decision maker?", {"operations-director-oskar", "cfo-frida"}),
        ("frida or tuva?", {"cfo-frida", "team-lead-tuva"}),
    ],
)
def test_ambiguous_personas_are_offered_as_choices(
    bot: BotUnderTest, question: str, expected: set[str]
) -> None:
    reply = bot.ask(question)
    assert reply.meta["intent"] == "unknown" and not reply.cards
    assert {c.value.removeprefix("persona:") for c in reply.choices} == expected


@pytest.mark.parametrize(
    "question",
    [
        "the customer says the weather is lovely today",
        "my manager says I should book vacation",
        "the prospect asked where the toilets are",
        "the customer says happy holidays",  # "holiday" is only in a response text
    ],
)
def test_sales_framing_alone_does_not_make_an_answer(bot: BotUnderTest, question: str) -> None:
    reply = bot.ask(question)
    assert reply.meta["intent"] not in ("persona", "objection")


def test_a_named_persona_without_that_objection_still_gets_the_answer(bot: BotUnderTest) -> None:
    # Tuva has no price objection; Frida and Oskar do.
    reply = bot.ask("Tuva says the licence cost is too high")
    intent, persona, objection = ids(reply)
    assert (intent, objection) == ("objection", "price")
    assert persona in ("cfo-frida", "operations-director-oskar")


def test_asking_for_a_personas_objections_shows_the_persona(bot: BotUnderTest) -> None:
    reply = bot.ask("show me Tuva's objections")
    assert ids(reply) == ("persona", "team-lead-tuva", None)
    assert reply.cards[0].fields[0].label == "Top objections"


def test_a_pack_without_objections_gets_help_without_objection_examples(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    for path in (pack / "personas").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["objections"] = []
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    bot = make_bot(content=pack)
    assert '""' not in bot.ask("help").text
    unknown = bot.ask("what's for lunch?").text
    assert "I don't know" in unknown and "buyer said" not in unknown


def test_the_dont_know_hint_uses_a_real_objection_from_the_pack(bot: BotUnderTest) -> None:
    hint = bot.ask("what's for lunch?").text
    example = bot.app.catalog.example_objection()
    assert example is not None and example[1].objection in hint
    # ...and following the hint works.
    assert bot.ask(f"the customer says {example[1].objection}").meta["intent"] == "objection"


def test_platforms_with_buttons_keep_no_pending_choices(bot: BotUnderTest) -> None:
    from bot.model import ConversationRef, User

    where = ConversationRef(platform="slack", id="C1")
    user = User(platform="slack", id="U1")
    card = bot.app.router.handle(
        Incoming(user=user, conversation=where, text="who is Oskar?", typed_choices=False)
    )
    assert card.cards[0].choices  # the buttons are there...
    typed = bot.app.router.handle(
        Incoming(user=user, conversation=where, text="1", typed_choices=False)
    )
    assert typed.meta["intent"] != "objection"  # ...but "1" is just text there
