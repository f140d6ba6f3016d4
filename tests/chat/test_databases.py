"""The whole bot on each supported database: SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import datetime as dt

from test_quiz_live import ADMIN, Channel, click, fire
from testbot import Clock, build_bot

from bot.model import Incoming
from storage import QuestionLog
from storage.quiz import QuizStore


def test_a_conversation_survives_a_restart_on_every_database(database_url: str) -> None:
    first = build_bot(database=database_url)
    card = first.ask("who is Frida?")
    assert card.meta["persona"] == "cfo-frida"
    offered = card.cards[0].choices[0]

    restarted = build_bot(database=database_url)  # same database, fresh process state
    picked = restarted.ask("1")  # the choices Frida's card offered are still pending
    assert picked.meta["intent"] == "objection" and picked.meta["persona"] == "cfo-frida"
    assert restarted.app.import_report.unchanged and not restarted.app.import_report.created

    log = QuestionLog(db=restarted.app.db).recent(platform="console", user_id="local")
    assert [(q.text, q.intent) for q in log] == [
        (offered.label, "objection"),
        ("who is Frida?", "persona"),
    ]


def test_quizzes_and_live_quizzes_count_once_on_every_database(database_url: str) -> None:
    clock = Clock()
    bot = build_bot(database=database_url, clock=clock, user=ADMIN)
    question = bot.ask("quiz").then[0]
    pick = Incoming(
        user=bot.console.user,
        conversation=bot.console.conversation,
        text="",
        action=question.choices[0].value,
    )
    assert "correct" in bot.app.router.handle(pick).meta
    assert "answered already" in bot.app.router.handle(pick).text
    assert len(QuizStore(db=bot.app.db).answers(bot.console.user.key)) == 1
    bot.ask("stop")

    live = bot.ask("quiz live questions 1 seconds 10").then[0]
    got = click(bot, live, 0, who="ann@fieldline.example")
    assert "Got it" in got.text  # the insert reports that it counted, on PostgreSQL too
    assert "already answered" in click(bot, live, 1, who="ann@fieldline.example").text
    clock.now += dt.timedelta(seconds=10)
    channel = Channel()
    other = build_bot(database=database_url, clock=clock, user=ADMIN)  # a second server
    assert fire(other, channel) + fire(bot, channel) == 1
    assert fire(other, channel) == fire(bot, channel) == 0
    assert sum(t.startswith("Time's up!") for t in channel.texts()) == 1
