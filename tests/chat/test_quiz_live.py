"""The live channel quiz: admins start it, everyone answers once, the deadline reveals once."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from testbot import BotUnderTest, Clock, MakeBot

from bot.flows import FlowAction
from bot.model import ConversationRef, Incoming, Reply, User
from bot.timers import CLAIM_FOR, fire_due
from storage.flows import FlowStore
from storage.quiz import QuizStore
from storage.timers import Timers

ADMIN = "ingrid.solberg@fieldline.example"


class Channel:
    """What the bot sent to conversations (the timers' outbound port)."""

    def __init__(self) -> None:
        self.sent: list[tuple[ConversationRef, Reply]] = []

    async def send(self, reply: Reply, *, to: ConversationRef) -> None:
        self.sent.append((to, reply))

    def texts(self) -> list[str]:
        return [m.text for _, reply in self.sent for m in reply.messages()]


def fire(bot: BotUnderTest, channel: Channel) -> int:
    """Run the scheduler's timer job once, as the scheduler replica would."""
    timers = Timers(db=bot.app.db)
    handlers = bot.app.timer_handlers
    return asyncio.run(
        fire_due(timers, handlers=handlers, senders={"console": channel.send}, now=bot.app.clock())
    )


def click(bot: BotUnderTest, question: Reply, index: int, *, who: str) -> Reply:
    """``who`` clicks choice ``index`` of a live question in the admin's conversation."""
    choice = question.choices[index]
    return bot.app.router.handle(
        Incoming(
            user=User(platform="console", id=who, email=who, name=who.split("@")[0]),
            conversation=bot.console.conversation,
            text=choice.label,
            action=choice.value,
        )
    )


def right_index(bot: BotUnderTest, question: Reply) -> int:
    action = FlowAction.parse(question.choices[0].value)
    assert action is not None
    flow = FlowStore(db=bot.app.db).get(action.flow_id)
    assert flow is not None
    data: dict[str, Any] = dict(flow.data)
    return int(data["questions"][int(data["index"])]["answer"])


def start(
    make_bot: MakeBot, clock: Clock, arguments: str = "questions 2 seconds 10"
) -> tuple[BotUnderTest, Reply]:
    bot = make_bot(user=ADMIN, clock=clock)
    reply = bot.ask(f"quiz live {arguments}")
    assert "Live quiz! 2 questions, 10 seconds each." in reply.text
    return bot, reply.then[0]


def test_only_an_admin_starts_a_live_quiz(make_bot: MakeBot) -> None:
    seller = make_bot(user="sam@fieldline.example")
    assert "Only a pack admin" in seller.ask("quiz live").text
    assert "Only a pack admin" in seller.ask("quiz live stop").text


def test_answers_are_private_counted_once_and_revealed_once_at_the_deadline(
    make_bot: MakeBot,
) -> None:
    clock = Clock()
    bot, question = start(make_bot, clock)
    assert all(c.personal for c in question.choices)
    right = right_index(bot, question)
    wrong = (right + 1) % len(question.choices)
    clock.now += dt.timedelta(seconds=2)
    got = click(bot, question, right, who="ann@fieldline.example")
    assert got.private and "Got it" in got.text
    again = click(bot, question, wrong, who="ann@fieldline.example")
    assert again.private and "already answered" in again.text
    click(bot, question, wrong, who="bob@fieldline.example")

    channel = Channel()
    assert fire(bot, channel) == 0  # not due yet: nothing revealed
    clock.now += dt.timedelta(seconds=8)
    assert fire(bot, channel) == 1
    (reveal,) = channel.sent
    texts = channel.texts()
    assert (
        texts[0].startswith("Time's up! The right answer:") and "1 of 2 answered right" in texts[0]
    )
    assert "Question 2/2" in texts[1]
    assert fire(bot, channel) == 0 and len(channel.sent) == 1  # revealed once

    answers = QuizStore(db=bot.app.db).answers("console:ann@fieldline.example")
    assert [(a.correct, a.points > 10) for a in answers] == [(True, True)]  # fast: a bonus
    late = click(bot, question, right, who="cy@fieldline.example")
    assert "answered already" in late.text or "changed nothing" in late.text

    next_question = reveal[1].then[0]
    clock.now += dt.timedelta(seconds=10)
    click(bot, next_question, right_index(bot, next_question), who="bob@fieldline.example")
    fire(bot, channel)
    final = channel.texts()[-1]
    assert "last question" in final and " 1. ann · " in final and "bob · " in final


def test_a_second_replica_or_a_lapsed_claim_never_reveals_twice(make_bot: MakeBot) -> None:
    clock = Clock()
    bot, question = start(make_bot, clock)
    other = make_bot(user=ADMIN, clock=clock)  # a second replica on the same database
    clock.now += dt.timedelta(seconds=10)
    channel = Channel()
    # The first replica claims the deadline but dies before doing the work...
    claimed = Timers(db=bot.app.db).claim_due(now=clock.now, claim_for=CLAIM_FOR)
    assert len(claimed) == 1
    assert fire(other, channel) == 0  # ...held: nobody else takes it meanwhile
    clock.now += CLAIM_FOR + dt.timedelta(seconds=1)
    assert fire(other, channel) == 1  # lapsed: the other replica reveals
    assert fire(bot, channel) == 0
    reveals = [t for t in channel.texts() if t.startswith("Time's up!")]
    assert len(reveals) == 1
    # The dead replica's claim, run late, finds the step moved on: nothing sent.
    (timer,) = claimed
    assert bot.app.timer_handlers[timer.kind](timer, clock.now) == []


def test_an_admin_stops_a_live_quiz_and_bad_settings_are_explained(make_bot: MakeBot) -> None:
    clock = Clock()
    bot, question = start(make_bot, clock)
    assert "already running" in bot.ask("quiz live").text
    stopped = bot.ask("quiz live stop")
    assert "stopped" in stopped.text
    assert "changed nothing" in click(bot, question, 0, who="ann@fieldline.example").text
    channel = Channel()
    clock.now += dt.timedelta(seconds=30)
    assert fire(bot, channel) == 0 and channel.sent == []
    assert "1 to 20 questions" in bot.ask("quiz live questions 50").text
    assert "needs a number" in bot.ask("quiz live seconds soon").text
    assert "no persona or quiz called" in bot.ask("quiz live nobody").text


def test_a_live_quiz_never_takes_a_persons_typed_text(make_bot: MakeBot) -> None:
    clock = Clock()
    bot, _ = start(make_bot, clock)
    reply = bot.ask("who is Oskar?")
    assert reply.cards and reply.cards[0].title.startswith("Operations Director")
