"""Persona reviews in the console: due dates, prompts kept for an owner's next chat, clicks."""

from __future__ import annotations

import asyncio
import datetime as dt

from testbot import BotUnderTest, Clock, MakeBot

from bot.console import ConsoleInbox
from bot.review_job import ReviewReport, review_job
from content.freshness import freshness
from content.loader import EXAMPLE_PACK, load_pack
from storage.reviews import ReviewStore

ADMIN = "ingrid.solberg@fieldline.example"  # pack admin, owns Frida and Oskar
TUVA_OWNER = "sara.nyman@fieldline.example"
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def send(bot: BotUnderTest, at: dt.datetime) -> ReviewReport:
    """One run of the review job, prompts kept for the owners' next chat."""
    return asyncio.run(review_job(bot.app, [ConsoleInbox()]).run(at, working_hours=False))


def statuses(bot: BotUnderTest, at: dt.date) -> dict[str, str]:
    assert bot.app.reviews is not None
    return {s.persona_id: s.status for s in bot.app.reviews.statuses(at)}


def test_due_follows_each_personas_own_cadence_and_the_packs_default() -> None:
    pack = load_pack(EXAMPLE_PACK)
    found = {
        s.persona_id: s
        for s in freshness(
            pack.personas, pack_cadence=pack.info.review_every_days, at=dt.date(2026, 12, 7)
        )
    }
    frida = found["cfo-frida"]  # last reviewed 2026-05-12, every 120 days
    assert (frida.due_on, frida.status, frida.days_overdue) == (
        dt.date(2026, 9, 9),
        "overdue",
        89,
    )
    assert found["team-lead-tuva"].status == "due"  # 2026-10-01 + the pack's 60 days
    assert found["it-manager-bjorn"].status == "fresh"
    never = freshness(
        [pack.personas[0].model_copy(update={"last_reviewed": None})],
        pack_cadence=90,
        at=dt.date(2026, 12, 7),
    )[0]
    assert (never.status, never.due_on) == ("due", dt.date(2026, 12, 7))  # never reviewed


def test_an_owner_answers_a_prompt_kept_for_their_next_chat(make_bot: MakeBot) -> None:
    clock = Clock(MONDAY)
    owner = make_bot(clock=clock, user=ADMIN)
    report = send(owner, MONDAY)
    assert report.sent == 3  # Frida (Ingrid), Tuva (Mikkel and Sara)
    assert send(owner, MONDAY).sent == 0  # one prompt per persona, owner and due period
    shown = owner.console.greet()
    assert "Time to review CFO Frida" in shown.text
    assert "Last reviewed 209 days ago" in owner.out.getvalue()
    owner.ask("1")  # Still accurate
    assert "✓ CFO Frida reviewed: still accurate (by ingrid.solberg@fieldline.example" in (
        owner.out.getvalue()
    )
    assert statuses(owner, MONDAY.date())["cfo-frida"] == "fresh"
    assert owner.console.greet().text == ""  # nothing waits any more


def test_snooze_holds_a_persona_for_seven_days(make_bot: MakeBot) -> None:
    clock = Clock(MONDAY)
    owner = make_bot(clock=clock, user=TUVA_OWNER)
    send(owner, MONDAY)
    owner.console.greet()
    owner.ask("2")  # Snooze 7 days
    assert "snoozed by sara.nyman@fieldline.example until 2026-12-14" in owner.out.getvalue()
    assert send(owner, MONDAY + dt.timedelta(days=3)).sent == 0
    later = send(owner, MONDAY + dt.timedelta(days=8))
    assert later.sent == 2  # due again: a new due period... only once the snooze ends


def test_a_prompt_decided_by_one_owner_is_closed_for_the_other(make_bot: MakeBot) -> None:
    clock = Clock(MONDAY)
    sara = make_bot(clock=clock, user=TUVA_OWNER)
    send(sara, MONDAY)
    sara.console.greet()
    sara.ask("1")
    mikkel = make_bot(clock=clock, user="mikkel.dahl@fieldline.example")
    assert mikkel.console.greet().text == ""  # closed: Sara reviewed Tuva


def test_only_owners_and_admins_may_answer_and_a_second_click_changes_nothing(
    make_bot: MakeBot,
) -> None:
    clock = Clock(MONDAY)
    owner = make_bot(clock=clock, user=ADMIN)
    send(owner, MONDAY)
    owner.console.greet()
    prompt = ReviewStore(db=owner.app.db).waiting_for(ADMIN, platform="console")[0]
    value = f"review:{prompt.id}:{prompt.nonce}:reviewed"
    stranger = make_bot(clock=clock, user="someone@fieldline.example")
    assert "Only the persona's owners" in stranger.app.router.handle(_click(stranger, value)).text
    owner.ask("1")
    again = owner.app.router.handle(_click(owner, value))
    assert "already decided by ingrid.solberg@fieldline.example" in again.text


def test_reminder_after_seven_days_then_the_admins_are_told_once(make_bot: MakeBot) -> None:
    clock = Clock(MONDAY)
    owner = make_bot(clock=clock, user=TUVA_OWNER)
    send(owner, MONDAY)
    assert send(owner, MONDAY + dt.timedelta(days=6)).reminded == 0
    assert send(owner, MONDAY + dt.timedelta(days=7)).reminded == 3
    assert send(owner, MONDAY + dt.timedelta(days=8)).reminded == 0
    assert send(owner, MONDAY + dt.timedelta(days=13)).escalated == 0
    assert send(owner, MONDAY + dt.timedelta(days=14)).escalated == 3
    assert send(owner, MONDAY + dt.timedelta(days=15)).escalated == 0


def test_reviews_and_remind_are_for_pack_admins(make_bot: MakeBot) -> None:
    clock = Clock(MONDAY)
    seller = make_bot(clock=clock, user="seller@fieldline.example")
    assert "Only pack admins can use reviews" in seller.ask("reviews").text
    assert "Only pack admins can use remind" in seller.ask("remind frida").text
    admin = make_bot(clock=clock, user=ADMIN)
    board = admin.ask("reviews").text
    assert "Freshness: 50% of personas reviewed within their cadence." in board
    assert "CFO Frida: overdue, due 2026-09-09" in board
    assert "no persona called “the ceo”" in admin.ask("remind the ceo").text
    assert "goes to its owners" not in admin.ask("remind me who frida is").text
    assert "goes to its owners" in admin.ask("remind oskar").text
    assert send(admin, MONDAY).sent == 4  # Oskar on request (fresh), plus the three due


def _click(bot: BotUnderTest, value: str):  # type: ignore[no-untyped-def]
    from bot.model import Incoming

    return Incoming(
        user=bot.console.user,
        conversation=bot.console.conversation,
        text="Still accurate",
        action=value,
    )


def test_a_review_recorded_another_way_closes_its_prompts_no_reminder_follows(
    make_bot: MakeBot,
) -> None:
    clock = Clock(MONDAY)
    owner = make_bot(clock=clock, user=TUVA_OWNER)
    send(owner, MONDAY)
    ReviewStore(db=owner.app.db).record(
        "team-lead-tuva", kind="approved", by=TUVA_OWNER, at=MONDAY + dt.timedelta(days=1)
    )
    later = send(owner, MONDAY + dt.timedelta(days=7))
    assert later.reminded == 1  # Frida's owner only: Tuva was reviewed by an approval
    assert send(owner, MONDAY + dt.timedelta(days=14)).escalated == 1


def test_a_review_in_chat_shows_on_the_persona_card(make_bot: MakeBot) -> None:
    clock = Clock(MONDAY)
    owner = make_bot(clock=clock, user=ADMIN)
    assert "Review overdue" in owner.card_text(owner.ask("who is frida?"))
    send(owner, MONDAY)
    owner.console.greet()
    owner.ask("1")  # Still accurate
    card = owner.card_text(owner.ask("who is frida?"))
    assert "Last reviewed 2026-12-07" in card and "Review overdue" not in card


def test_health_shows_to_admins_in_reviews_and_to_owners_on_the_card(make_bot: MakeBot) -> None:
    clock = Clock(MONDAY)
    admin = make_bot(clock=clock, user=ADMIN)  # owns Frida, whose review is overdue
    board = admin.ask("reviews").text
    assert "Pack health: 92/100." in board
    assert "CFO Frida: overdue" in board and "Health 85/100 (last_reviewed -15)" in board
    assert "Health 85/100 (last_reviewed -15)" in admin.card_text(admin.ask("who is frida?"))
    seller = make_bot(clock=clock, user="seller@fieldline.example")
    assert "Health" not in seller.card_text(seller.ask("who is frida?"))  # owners only
    send(admin, MONDAY)
    admin.console.greet()
    admin.ask("1")  # Still accurate: the review counts for the score at once
    assert "Health 100/100" in admin.card_text(admin.ask("who is frida?"))
