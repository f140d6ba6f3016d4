"""The weekly digest: what it shows (built from real use through the test bot) and its claims."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from test_quiz import answer
from test_roleplay import model_answer
from testbot import TODAY, BotUnderTest, Clock, MakeBot, build_bot

from bot.digest_job import (
    RETRY_AFTER,
    DigestJob,
    Target,
    digest_builder,
    digest_job,
    iso_week,
    parse_target,
    this_weeks_moment,
)
from bot.model import ConversationRef, Reply
from bot.render.text import render_text
from bot.settings import SettingsError, load_settings
from content.loader import EXAMPLE_PACK
from storage import Database
from storage.digests import DigestPosts
from storage.personas import PersonaRepository
from storage.reviews import ReviewStore

ADMIN = "ingrid.solberg@fieldline.example"
MONTH_AGO = TODAY - dt.timedelta(days=30)
# TODAY is Sunday 2026-11-22 (ISO week 2026-W47); the example pack is then 75% fresh:
# CFO Frida's review was due on 2026-09-09.


def digest(bot: BotUnderTest) -> Reply:
    return digest_builder(bot.app).build(until=bot.app.clock())


def a_week_of_use(make_bot: Callable[..., BotUnderTest], clock: Clock) -> dict[str, BotUnderTest]:
    """Three sellers ask, quiz and role-play during the week before TODAY."""
    clock.now = TODAY - dt.timedelta(days=2)
    asker = make_bot(clock=clock, user="sam@fieldline.example")
    for question in ("Who is Oskar?", "who is oskar", "WHO IS OSKAR", "who is Frida?"):
        asker.ask(question)
    asker.ask("what about the weather?")
    asker.ask("can you book my flights")  # asked by one person only: stays private
    colleague = make_bot(clock=clock, user="kim@fieldline.example")
    colleague.ask("Who is Oskar?")
    colleague.ask("What about the weather")
    learner = make_bot(clock=clock, user="lena@fieldline.example")
    learner.ask("quiz")
    for _ in range(5):
        answer(learner, right=True)
    learner.ask("roleplay frida")
    for _ in range(6):
        learner.ask(model_answer(learner))
    shy = make_bot(clock=clock, user="shy@fieldline.example")
    shy.ask("quiz")
    for _ in range(5):
        answer(shy, right=True)
    shy.ask("leaderboard hide")
    stopper = make_bot(clock=clock, user="stopper@fieldline.example")
    stopper.ask("quiz")
    answer(stopper, right=True)
    stopper.ask("stop")  # stopped quizzes are no completions
    clock.now = TODAY
    return {"asker": asker, "learner": learner, "shy": shy, "stopper": stopper}


def test_the_digest_shows_the_week_in_action_and_the_freshness_percentage(
    database_url: str,
) -> None:
    def make_bot(*, clock: Clock, user: str | None = None) -> BotUnderTest:
        return build_bot(database=database_url, clock=clock, user=user)

    clock = Clock(now=MONTH_AGO)
    make_bot(clock=clock)  # the pack is imported a month ago
    bots = a_week_of_use(make_bot, clock)
    reply = digest(bots["asker"])
    shown = bots["asker"].card_text(reply)
    (card,) = reply.cards
    assert card.title == "Personas in action, week of 2026-11-15"
    assert card.badges == ("Freshness 75%",)
    assert reply.meta["freshness"] == 75 and "freshness 75%" in reply.text
    fields = {f.label: f for f in card.fields}
    freshness = fields["Freshness"]
    assert "75% of personas reviewed within their cadence (3 of 4)" in freshness.text
    assert freshness.items == (
        "CFO Frida: overdue since 2026-09-09; owners: ingrid.solberg@fieldline.example",
    )
    assert fields["Most asked"].items == ("“Who is Oskar?” (4×)",)  # Frida: one asker
    assert fields["Unanswered"].items == ("“what about the weather?” (2×)",)
    assert "flights" not in shown
    assert fields["Practice"].items == (
        "Quizzes completed: 2 (players: 2)",
        "Role-plays completed: 1 (players: 1, passed: 1)",
    )
    # the player who hid from leaderboards is left out; the stopper scored 10
    assert fields["Top learners (quiz points this week)"].items == (
        "1. lena@fieldline.example: 50 points",
        "2. stopper@fieldline.example: 10 points",
    )
    assert "shy@" not in shown
    assert fields["Updated this week"].text == "No persona changed this week."
    # the console shows it too
    assert "== Personas in action, week of 2026-11-15 ==  [Freshness 75%]" in render_text(reply)


def test_updates_name_who_edited_and_why_and_reviews_raise_the_freshness(
    make_bot: MakeBot,
) -> None:
    clock = Clock(now=MONTH_AGO)
    bot = make_bot(clock=clock)
    personas = PersonaRepository(db=bot.app.db)
    tuva = personas.get("team-lead-tuva")
    assert tuva is not None
    edited = tuva.model_copy(update={"role": tuva.role + " She now runs two depots."})
    personas.save_edit(
        edited,
        author="mikkel.dahl@fieldline.example",
        note="Sales feedback: Tuva runs two depots since the merger",
        now=TODAY - dt.timedelta(days=3),
    )
    ReviewStore(db=bot.app.db).record(
        "cfo-frida", kind="reviewed", by=ADMIN, at=TODAY - dt.timedelta(days=1)
    )
    clock.now = TODAY
    reply = digest(bot)
    fields = {f.label: f for f in reply.cards[0].fields}
    assert fields["Updated this week"].items == (
        "Team Lead Tuva: edited by mikkel.dahl@fieldline.example "
        "(“Sales feedback: Tuva runs two depots since the merger”)",
        f"CFO Frida: confirmed still accurate by {ADMIN}",
    )
    assert reply.cards[0].badges == ("Freshness 100%",)
    assert fields["Freshness"].text.endswith("(4 of 4). None is due for review.")
    assert fields["Freshness"].items == ()
    # an edit older than the week is not this week's news
    clock.now = TODAY + dt.timedelta(days=8)
    later = {f.label: f for f in digest(bot).cards[0].fields}
    assert later["Updated this week"].text == "No persona changed this week."


def test_a_new_pack_lists_its_personas_as_added_and_nothing_else_is_empty_handed(
    make_bot: MakeBot,
) -> None:
    clock = Clock(now=TODAY - dt.timedelta(days=1))
    bot = make_bot(clock=clock)
    clock.now = TODAY
    fields = {f.label: f for f in digest(bot).cards[0].fields}
    assert (
        "Operations Director Oskar: added from the content pack"
        in fields["Updated this week"].items
    )
    assert fields["Most asked"].text == "No questions this week."
    assert fields["Unanswered"].text == "None: every question found an answer."
    assert fields["Top learners (quiz points this week)"].text == (
        "Nobody scored quiz points this week."
    )


def test_no_top_learners_when_the_pack_has_no_leaderboards(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    info = pack / "pack.yaml"
    info.write_text(info.read_text(encoding="utf-8") + "leaderboard: false\n", encoding="utf-8")
    clock = Clock(now=TODAY - dt.timedelta(days=1))
    bot = make_bot(content=pack, clock=clock, user="lena@fieldline.example")
    bot.ask("quiz")
    for _ in range(5):
        answer(bot, right=True)
    clock.now = TODAY
    reply = digest(bot)
    labels = [f.label for f in reply.cards[0].fields]
    assert "Top learners (quiz points this week)" not in labels
    assert "lena@" not in bot.card_text(reply)
    assert "Quizzes completed: 1 (players: 1)" in bot.card_text(reply)


# -- when, where and once -------------------------------------------------------------------


def test_this_weeks_moment_is_the_configured_day_and_time_in_the_time_zone() -> None:
    sunday = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
    monday = this_weeks_moment(sunday, day="monday", time="09:00", timezone="Europe/Copenhagen")
    assert monday == dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC)
    friday = this_weeks_moment(sunday, day="friday", time="15:30", timezone="UTC")
    assert friday == dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
    assert iso_week(monday) == "2026-W47"
    # late Sunday in UTC is already Monday of the next week in Copenhagen
    night = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    moment = this_weeks_moment(night, day="monday", time="09:00", timezone="Europe/Copenhagen")
    assert iso_week(moment) == "2026-W48" and night < moment


def test_targets_and_settings_are_checked() -> None:
    assert parse_target("slack:C0123") == Target(platform="slack", id="C0123")
    assert parse_target("teams:19:abc@thread.tacv2") == Target(
        platform="teams", id="19:abc@thread.tacv2"
    )
    assert parse_target("#sales") == Target(platform="slack", id="#sales")
    assert parse_target("Ingrid@Fieldline.example").key == "email:ingrid@fieldline.example"
    with pytest.raises(ValueError, match="is not slack:<channel id>"):
        parse_target("C0123")
    settings = load_settings(
        digest_channel="teams:19:abc@thread.tacv2", digest_day="Friday", digest_time="7:05"
    )
    assert (settings.digest_day, settings.digest_time) == ("friday", "07:05")
    wrong: list[tuple[Callable[[], object], str]] = [
        (lambda: load_settings(digest_channel="C0123"), "'C0123' is not slack:<channel id>"),
        (lambda: load_settings(digest_channel="slack:general"), "is not slack:<channel id>"),
        (lambda: load_settings(digest_day="someday"), "'someday' is not a day of the week"),
        (lambda: load_settings(digest_time="25:00"), "'25:00' is not a time of day, HH:MM"),
    ]
    for load, problem in wrong:
        with pytest.raises(SettingsError) as raised:
            load()
        assert problem in str(raised.value)


class Channel:
    """A platform's outbound port that keeps what it was sent (or fails when told to)."""

    def __init__(self) -> None:
        self.sent: list[tuple[Reply, ConversationRef]] = []
        self.failing = False

    async def send(self, reply: Reply, *, to: ConversationRef) -> None:
        if self.failing:
            raise RuntimeError("channel_not_found")
        self.sent.append((reply, to))


def job_of(bot: BotUnderTest, channel: Channel, **settings: Any) -> DigestJob:
    app = dataclasses.replace(bot.app, settings=bot.app.settings.model_copy(update=settings))
    return digest_job(app, {"slack": channel.send})


def test_a_week_missed_while_the_server_was_down_is_posted_late_once(
    bot: BotUnderTest,
) -> None:
    channel = Channel()
    job = job_of(bot, channel, digest_day="sunday", digest_time="23:00")
    target = Target(platform="slack", id="C0DIGEST")
    monday = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # down through Sunday 23:00
    late = asyncio.run(job.run(target, monday))
    assert (late.status, late.week) == ("sent", "2026-W47")
    assert asyncio.run(job.run(target, monday + dt.timedelta(minutes=1))).status == "not_yet"
    assert len(channel.sent) == 1
    days_later = asyncio.run(
        job.run(Target(platform="slack", id="C0LATE"), monday + dt.timedelta(days=3))
    )
    assert days_later.status == "not_yet"  # too late to catch up: this week's comes Sunday


def test_the_job_posts_once_the_moment_passed_and_once_a_week(bot: BotUnderTest) -> None:
    channel = Channel()
    job = job_of(bot, channel, digest_day="sunday", digest_time="10:00")
    target = Target(platform="slack", id="C0DIGEST")
    before = asyncio.run(job.run(target, TODAY))  # Sunday 09:30
    assert before.status == "not_yet" and not before and channel.sent == []
    first = asyncio.run(job.run(target, TODAY + dt.timedelta(hours=1)))
    assert first.status == "sent" and first.week == "2026-W47"
    ((reply, to),) = channel.sent
    assert to == ConversationRef(platform="slack", id="C0DIGEST")
    assert reply.cards[0].badges == ("Freshness 75%",)
    # covers the week up to the moment it was due
    assert reply.meta["until"] == "2026-11-22T10:00:00+00:00"
    for minutes in (1, 2, 600):  # the scheduler's next runs, a restart, another replica
        again = asyncio.run(job.run(target, TODAY + dt.timedelta(hours=1, minutes=minutes)))
        assert again.status == "taken"
    assert len(channel.sent) == 1
    # another target is its own post; next week is a new one
    assert asyncio.run(job.send(Target(platform="slack", id="C0OTHER"), TODAY)).status == "sent"
    next_week = asyncio.run(job.run(target, TODAY + dt.timedelta(days=7, hours=1)))
    assert next_week.status == "sent" and next_week.week == "2026-W48"
    assert len(channel.sent) == 3


def test_a_failed_post_is_tried_again_later_not_every_minute(bot: BotUnderTest) -> None:
    channel = Channel()
    channel.failing = True
    job = job_of(bot, channel)
    target = Target(platform="slack", id="C0DIGEST")
    failed = asyncio.run(job.run(target, TODAY))
    assert failed.status == "failed" and "channel_not_found" in failed.error
    channel.failing = False
    soon = asyncio.run(job.run(target, TODAY + dt.timedelta(minutes=1)))
    assert soon.status == "taken" and channel.sent == []
    retried = asyncio.run(job.run(target, TODAY + RETRY_AFTER + dt.timedelta(minutes=1)))
    assert retried.status == "sent" and len(channel.sent) == 1
    post = DigestPosts(db=bot.app.db).get("2026-W47", "slack:C0DIGEST")
    assert post is not None and post.status == "sent" and post.attempts == 2


def test_a_digest_for_a_platform_not_served_fails_with_a_clear_reason(bot: BotUnderTest) -> None:
    job = job_of(bot, Channel())
    result = asyncio.run(job.send(Target(platform="teams", id="19:x@thread.tacv2"), TODAY))
    assert result.status == "failed" and "no teams adapter is configured" in result.error


def test_a_post_is_claimed_once_per_week_and_target(database: Database) -> None:
    posts = DigestPosts(db=database)
    hold = dt.timedelta(minutes=10)
    first = posts.claim("2026-W47", "slack:C1", now=TODAY, claim_for=hold)
    assert first is not None and first.status == "sending"
    assert posts.claim("2026-W47", "slack:C1", now=TODAY, claim_for=hold) is None
    assert posts.claim("2026-W47", "slack:C2", now=TODAY, claim_for=hold) is not None
    # its sender died: the claim lapses and another run takes it, with a new token
    later = TODAY + dt.timedelta(minutes=11)
    second = posts.claim("2026-W47", "slack:C1", now=later, claim_for=hold)
    assert second is not None and second.token != first.token and second.attempts == 2
    assert not posts.sent(first, now=later, message={})  # the dead sender's claim is gone
    assert posts.sent(second, now=later, message={"id": "1"})
    for when in (later, later + dt.timedelta(days=2)):
        assert posts.claim("2026-W47", "slack:C1", now=when, claim_for=hold) is None
        assert (
            posts.claim("2026-W47", "slack:C1", now=when, claim_for=hold, retry_failed=True) is None
        )
    stored = posts.get("2026-W47", "slack:C1")
    assert stored is not None and stored.status == "sent" and stored.message == {"id": "1"}
    # a failure waits for its retry time, unless an admin sends by hand
    third = posts.claim("2026-W48", "slack:C1", now=TODAY, claim_for=hold)
    assert third is not None
    assert posts.failed(third, retry_at=TODAY + RETRY_AFTER, error="channel_not_found")
    assert posts.claim("2026-W48", "slack:C1", now=TODAY, claim_for=hold) is None
    by_hand = posts.claim("2026-W48", "slack:C1", now=TODAY, claim_for=hold, retry_failed=True)
    assert by_hand is not None and by_hand.error == "channel_not_found"


def test_racing_claims_post_once(database: Database) -> None:
    posts = DigestPosts(db=database)

    def claim(_: int) -> bool:
        hold = dt.timedelta(minutes=10)
        return posts.claim("2026-W47", "slack:C1", now=TODAY, claim_for=hold) is not None

    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(claim, range(16)))
    assert won.count(True) == 1


def test_digest_show_prints_the_week_without_posting(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONABOT_", "SLACK_"))}
    env["PERSONABOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'show.db'}"
    shown = subprocess.run(
        [sys.executable, "-m", "bot", "digest", "show", "--at", "2026-11-22"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert "== Personas in action, week of 2026-11-15 ==  [Freshness 75%]" in shown.stdout
    assert "CFO Frida: overdue since 2026-09-09" in shown.stdout
