"""Quizzes in the console: start, answer, score, stop, resume, replays, progress, boards."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from testbot import BotUnderTest, Clock, MakeBot

from bot.model import Incoming, User
from handlers.quiz import snapshot
from handlers.quiz_views import question_reply
from storage.flows import FlowStore
from storage.quiz import QuizStore

ADMIN = "ingrid.solberg@fieldline.example"


def current(bot: BotUnderTest) -> dict[str, Any]:
    """The question the console user is on (what the flow keeps)."""
    flow = FlowStore(db=bot.app.db).active(bot.console.user.key, now=bot.app.clock())
    assert flow is not None, "no quiz running"
    return dict(flow.data["questions"][int(flow.data["index"])])


def answer(bot: BotUnderTest, *, right: bool) -> str:
    """Answer the current question by typing a choice number; the text shown."""
    question = current(bot)
    index = int(question["answer"]) if right else (int(question["answer"]) + 1) % 4
    index = min(index, len(question["choices"]) - 1)
    if not right and index == int(question["answer"]):
        index = 0 if index else 1
    bot.ask(str(index + 1))
    return bot.out.getvalue()


def test_a_quiz_asks_five_questions_scores_them_and_says_what_to_practise(
    bot: BotUnderTest,
) -> None:
    start = bot.ask("quiz")
    assert "5" in start.text
    shown = bot.out.getvalue()
    assert "Question 1/5" in shown and "[1]" in shown and "[4]" in shown
    answer(bot, right=True)
    assert "✓ Right!" in bot.out.getvalue()
    answer(bot, right=False)
    assert "✗ Not quite. The right answer:" in bot.out.getvalue()
    for _ in range(3):
        answer(bot, right=True)
    assert "Done: 4/5 right." in bot.out.getvalue()
    assert "Practise next:" in bot.out.getvalue()
    answers = QuizStore(db=bot.app.db).answers(bot.console.user.key)
    assert [a.correct for a in answers] == [True, False, True, True, True]
    registry = bot.app.metrics.registry
    assert registry.get_sample_value("personabot_quiz_answers_total", {"result": "wrong"}) == 1
    assert registry.get_sample_value("personabot_quiz_completions_total") == 1


def test_every_question_has_its_right_answer_among_distinct_choices(bot: BotUnderTest) -> None:
    bot.ask("quiz")
    for _ in range(5):
        question = current(bot)
        choices = question["choices"]
        assert len(set(choices)) == len(choices) >= 3
        assert 0 <= int(question["answer"]) < len(choices)
        answer(bot, right=True)


def test_text_that_is_no_answer_gets_a_reminder_with_the_choices(bot: BotUnderTest) -> None:
    bot.ask("quiz")
    before = current(bot)
    reply = bot.ask("what's for lunch?")
    assert "isn't one of the answers" in reply.text
    assert len(reply.choices) == len(before["choices"])
    assert current(bot) == before  # nothing counted


def test_a_choice_can_be_typed_as_its_text(make_bot: MakeBot) -> None:
    bot = make_bot()
    bot.ask("quiz")
    question = current(bot)
    bot.ask(question["choices"][int(question["answer"])].upper())
    assert "✓ Right!" in bot.out.getvalue()


def test_stop_ends_the_quiz_with_the_score_so_far(bot: BotUnderTest) -> None:
    bot.ask("quiz")
    answer(bot, right=True)
    reply = bot.ask("stop")
    assert "1/1" in reply.text
    assert FlowStore(db=bot.app.db).active(bot.console.user.key, now=bot.app.clock()) is None
    assert "nothing running" in bot.ask("stop").text


def test_a_restarted_bot_resumes_the_quiz_at_the_same_question(make_bot: MakeBot) -> None:
    first = make_bot()
    first.ask("quiz")
    answer(first, right=True)
    on = current(first)
    second = make_bot()  # a restart: a new process on the same database
    reply = second.ask("quiz")
    assert on["prompt"] in reply.text and "Question 2/5" in reply.text
    assert all(
        choice in reply.text or choice in [c.label for c in reply.choices]
        for choice in on["choices"]
    )
    second.ask(str(int(on["answer"]) + 1))
    assert "✓ Right!" in second.out.getvalue()


def test_a_second_click_an_old_button_and_someone_elses_click_change_nothing(
    bot: BotUnderTest,
) -> None:
    question = bot.ask("quiz").then[0]
    button = question.choices[0]
    me = Incoming(
        user=bot.console.user, conversation=bot.console.conversation, text="", action=button.value
    )
    other = dataclasses.replace(me, user=User(platform="console", id="someone-else"))
    assert "someone else's quiz" in bot.app.router.handle(other).text
    bot.app.router.handle(me)
    replay = bot.app.router.handle(me)
    assert "answered already" in replay.text
    assert len(QuizStore(db=bot.app.db).answers(bot.console.user.key)) == 1
    broken = dataclasses.replace(me, action="flow:nope:1:x:0")
    assert "changed nothing" in bot.app.router.handle(broken).text


def test_a_wrong_answer_comes_back_in_a_later_quiz(make_bot: MakeBot) -> None:
    clock = Clock()
    bot = make_bot(clock=clock)
    bot.ask("quiz")
    missed = current(bot)["id"]
    answer(bot, right=False)
    for _ in range(4):
        answer(bot, right=True)
    clock.now += dt.timedelta(days=1)
    bot.ask("quiz")
    asked = []
    for _ in range(5):
        asked.append(current(bot)["id"])
        answer(bot, right=True)
    assert missed in asked


def test_quiz_about_one_persona_and_an_unknown_one(bot: BotUnderTest) -> None:
    bot.ask("quiz frida")
    assert current(bot)["persona"] == "cfo-frida"
    bot.ask("stop")
    reply = bot.ask("quiz nobody")
    assert "no persona or quiz called “nobody”" in reply.text
    assert "CFO Frida" in reply.text


def test_progress_shows_mastery_per_persona_and_the_track(bot: BotUnderTest) -> None:
    bot.ask("quiz")
    for _ in range(5):
        answer(bot, right=True)
    reply = bot.ask("progress")
    assert "CFO Frida" in reply.text and "%" in reply.text
    assert "Onboarding track:" in reply.text


def test_someone_elses_progress_only_for_their_manager_or_an_admin(make_bot: MakeBot) -> None:
    seller = make_bot(user="sam.seller@fieldline.example")
    seller.ask("quiz")
    answer(seller, right=True)
    curious = make_bot(user="colleague@fieldline.example")
    assert "Only the manager" in curious.ask("progress sam.seller@fieldline.example").text
    admin = make_bot(user=ADMIN)
    assert "Progress of" in admin.ask("progress sam.seller@fieldline.example").text


def test_the_leaderboard_ranks_players_and_hidden_ones_disappear_for_others(
    make_bot: MakeBot,
) -> None:
    ann = make_bot(user="ann@fieldline.example")
    ann.ask("quiz")
    for _ in range(5):
        answer(ann, right=True)
    bob = make_bot(user="bob@fieldline.example")
    bob.ask("quiz")
    answer(bob, right=True)
    board = bob.ask("leaderboard").text
    assert "This week" in board and "All time" in board
    assert " 1. ann@fieldline.example · 50" in board
    assert " 2. bob@fieldline.example · 10" in board
    assert "hidden" in ann.ask("leaderboard hide").text
    board = bob.ask("leaderboard").text
    assert "ann@" not in board and " 1. bob@fieldline.example · 10" in board
    assert " 1. ann@fieldline.example · 50" in ann.ask("leaderboard").text  # still sees herself
    ann.ask("leaderboard show")
    assert "ann@" in bob.ask("leaderboard").text


def test_choices_too_long_for_a_button_are_lettered_and_a_letter_answers(
    bot: BotUnderTest,
) -> None:
    handler = bot.app.router.flows.handlers["quiz"]  # type: ignore[union-attr]
    response = next(q for q in handler.bank().questions if q.kind == "response")
    assert max(len(c) for c in response.choices) > 60  # responses are paragraphs
    flow = FlowStore(db=bot.app.db).start(
        kind="quiz",
        user_key=bot.console.user.key,
        conversation_key=bot.console.conversation.key,
        data={"questions": [snapshot(response)], "index": 0, "right": 0},
        now=bot.app.clock(),
        ttl=dt.timedelta(days=1),
    )
    shown = question_reply(flow, bot.app.texts)
    letters = "ABCD"[: len(response.choices)]
    assert [c.label for c in shown.choices] == list(letters)
    for letter, choice in zip(letters, response.choices, strict=True):
        assert f"{letter}. {choice}" in shown.text
    typed = Incoming(  # on Slack or Teams, typed text goes to the quiz
        user=bot.console.user,
        conversation=bot.console.conversation,
        text=letters[response.answer].lower(),
        typed_choices=False,
    )
    assert bot.app.router.handle(typed).meta["correct"] is True


def test_help_tells_how_to_train(bot: BotUnderTest) -> None:
    text = bot.ask("help").text
    assert "quiz, progress, leaderboard" in text


def test_asking_for_the_quiz_again_shows_the_question_and_keeps_its_buttons(
    bot: BotUnderTest,
) -> None:
    first = bot.ask("quiz").then[0]
    again = bot.ask("quiz")
    assert again.text == first.text
    right = current(bot)["answer"]
    click = Incoming(
        user=bot.console.user,
        conversation=bot.console.conversation,
        text="",
        action=first.choices[int(right)].value,
    )
    assert bot.app.router.handle(click).meta["correct"] is True
