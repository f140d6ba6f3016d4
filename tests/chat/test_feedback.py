"""Feedback from the front line becomes proposals that owners decide, in the console."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping

import pytest
from testbot import BotUnderTest, Clock, MakeBot

from bot.console import ConsoleInbox
from bot.model import Incoming, Reply
from bot.review_job import review_job

SELLER = "seller@fieldline.example"
OTHER_SELLER = "kim@fieldline.example"
FRIDA_OWNER = "ingrid.solberg@fieldline.example"  # also a pack admin
TUVA_OWNER = "sara.nyman@fieldline.example"  # owns Tuva only, no admin
NEW_PAIN = "her new pain is chasing late payments from housing associations at month end"


def submit(bot: BotUnderTest, action: str, values: Mapping[str, str]) -> Reply:
    """Submit a form (as a platform would: its action with the values)."""
    console = bot.console
    message = Incoming(
        user=console.user,
        conversation=console.conversation,
        text="",
        action=action,
        form=dict(values),
    )
    return bot.app.router.handle(message)


def click(bot: BotUnderTest, value: str) -> Reply:
    console = bot.console
    message = Incoming(
        user=console.user,
        conversation=console.conversation,
        text="",
        action=value,
        typed_choices=False,
    )
    return bot.app.router.handle(message)


def buttons(reply: Reply) -> dict[str, str]:
    found = {c.label: c.value for c in reply.choices}
    for card in reply.cards:
        found.update({c.label: c.value for c in card.choices})
    return found


def test_seller_feedback_becomes_a_proposal_the_owner_approves_and_everyone_sees(
    make_bot: MakeBot,
) -> None:
    reader = make_bot(user="reader@fieldline.example")  # another process, started before
    seller = make_bot(user=SELLER)
    saved = seller.ask(f"feedback Frida: {NEW_PAIN}")
    assert "saved as feedback #1 about CFO Frida" in saved.text

    owner = make_bot(user=FRIDA_OWNER)
    listed = owner.ask("proposals")
    card = owner.card_text(listed)
    assert "Proposal #1 · CFO Frida" in card
    assert f"+ {NEW_PAIN}" in card  # the diff: one pain added
    assert "reporters: 1" in card
    assert set(buttons(listed)) == {"Approve", "Edit", "Reject"}

    approved = owner.ask("approve 1")
    assert "version 2 is live now" in approved.text

    reader.app.live.refresh()  # what the revision check does within a second
    pains = reader.card_text(reader.ask("what are Frida's pains?"))
    assert NEW_PAIN in pains
    assert "approved" in seller.ask("my feedback").text


def test_a_non_owner_cannot_approve_by_command_or_by_a_forwarded_button(
    make_bot: MakeBot,
) -> None:
    make_bot(user=SELLER).ask(f"feedback Frida: {NEW_PAIN}")
    owner_view = make_bot(user=FRIDA_OWNER).ask("proposals")
    approve = buttons(owner_view)["Approve"]

    outsider = make_bot(user=TUVA_OWNER)
    assert "Only the owners of CFO Frida" in outsider.ask("approve 1").text
    refused = click(outsider, approve)
    assert "Only the owners of CFO Frida" in refused.text
    assert "Proposals go to" not in refused.text
    still = make_bot(user=FRIDA_OWNER).ask("proposals")
    assert "Proposal #1" in make_bot(user=FRIDA_OWNER).card_text(still)  # still pending


def test_the_same_thing_reported_twice_is_one_proposal_with_two_reporters(
    make_bot: MakeBot,
) -> None:
    make_bot(user=SELLER).ask(f"feedback Frida: {NEW_PAIN}")
    second = make_bot(user=OTHER_SELLER).ask(
        "feedback Frida: pain: chasing late payments from housing associations every month end"
    )
    assert "1 other people reported the same" in second.text
    other = "feedback Frida: another pain is the audit of subcontractor hours"
    make_bot(user=OTHER_SELLER).ask(other)
    owner = make_bot(user=FRIDA_OWNER)
    listed = owner.ask("proposals")
    assert len(listed.cards) == 2
    assert "reporters: 2" in listed.cards[0].subtitle  # the most reported first


def test_feedback_without_a_persona_is_saved_first_then_sorted(make_bot: MakeBot) -> None:
    seller = make_bot(user=SELLER)
    held = seller.ask("feedback the finance people now ask for monthly billing")
    assert "Saved as feedback #1" in held.text
    frida = next(c.value for c in held.choices if "Frida" in c.label)
    someone_else = click(make_bot(user=OTHER_SELLER), frida)  # a forwarded button
    assert "isn't yours to sort" in someone_else.text
    sorted_ = click(seller, frida)
    assert "saved as feedback #1 about CFO Frida" in sorted_.text
    again = click(seller, frida)
    assert "has its persona already" in again.text
    seller.ask("feedback they now want everything on one invoice")
    assert "Feedback #2 is withdrawn" in seller.ask("withdraw 2").text  # unsorted: fine too


def test_bad_input_gets_a_clear_answer_and_stores_nothing(make_bot: MakeBot) -> None:
    seller = make_bot(user=SELLER)
    assert "empty" in seller.ask("feedback Frida:").text
    too_long = seller.ask("feedback Frida: " + "x" * 2001)
    assert "2001 characters" in too_long.text and "Nothing was saved" in too_long.text
    assert "haven't sent any feedback" in seller.ask("my feedback").text
    owner = make_bot(user=FRIDA_OWNER)
    assert "no proposal #42" in owner.ask("approve 42").text
    assert "Which proposal?" in owner.ask("approve").text


def test_a_decided_proposal_is_not_decided_twice(make_bot: MakeBot) -> None:
    make_bot(user=SELLER).ask(f"feedback Frida: {NEW_PAIN}")
    owner = make_bot(user=FRIDA_OWNER)
    listed = owner.ask("proposals")
    reject = buttons(listed)["Reject"]
    asked = click(owner, reject)
    assert asked.form is not None  # the reason, optional
    done = submit(owner, asked.form.action, {"reason": "we heard the opposite in 5 deals"})
    assert "rejected by" in done.text
    assert "we heard the opposite in 5 deals" in done.text
    again = owner.ask("approve 1")
    assert "was rejected by ingrid.solberg@fieldline.example" in again.text
    status = make_bot(user=SELLER).ask("my feedback").text
    assert "rejected" in status


def test_reporters_withdraw_their_own_feedback_until_it_is_decided(make_bot: MakeBot) -> None:
    seller = make_bot(user=SELLER)
    seller.ask(f"feedback Frida: {NEW_PAIN}")
    assert "You have no feedback #1" in make_bot(user=OTHER_SELLER).ask("withdraw 1").text
    assert "withdrawn" in seller.ask("withdraw 1").text
    assert "No proposals are waiting" in make_bot(user=FRIDA_OWNER).ask("proposals").text


def test_a_new_objection_needs_its_response_written_before_approval(make_bot: MakeBot) -> None:
    make_bot(user=SELLER).ask(
        "feedback Frida: customers say they won't pay for a module they can't export from"
    )
    owner = make_bot(user=FRIDA_OWNER)
    listed = owner.ask("proposals")
    assert "New objection" in listed.cards[0].subtitle
    assert "draft" in owner.ask("approve 1").text.casefold()
    form = click(owner, buttons(listed)["Edit"]).form
    assert form is not None
    values = {f.name: f.value for f in form.fields}
    values["response"] = "Show the open export API and the CSV export in the demo."
    edited = submit(owner, form.action, values)
    assert "is edited" in edited.text
    assert "version 2 is live" in owner.ask("approve 1").text
    answer = owner.ask("they won't pay for a module they can't export from")
    assert "open export API" in owner.card_text(answer)


def test_an_edit_that_points_at_nothing_is_refused_in_the_form(make_bot: MakeBot) -> None:
    make_bot(user=SELLER).ask(f"feedback Frida: {NEW_PAIN}")
    owner = make_bot(user=FRIDA_OWNER)
    form = owner.ask("edit 1").form
    assert form is not None
    values = {f.name: f.value for f in form.fields}
    values.update(op="modify", target="a pain she never had")
    refused = submit(owner, form.action, values)
    assert "target" in refused.form_errors
    assert refused.form is not None  # shown again, as submitted


def test_answers_carry_votes_counted_once_per_user_and_not_helpful_asks_why(
    make_bot: MakeBot,
) -> None:
    seller = make_bot(user=SELLER)
    answer = seller.ask("who is Frida?")
    votes = buttons(answer)
    assert {"👍 Helpful", "👎 Not helpful"} <= set(votes)
    assert "Thanks for the vote" in click(seller, votes["👍 Helpful"]).text
    assert "voted that already" in click(seller, votes["👍 Helpful"]).text
    down = click(seller, votes["👎 Not helpful"])  # a change of mind counts
    assert down.form is not None
    told = submit(seller, down.form.action, {"text": "her budget cycle changed to quarterly"})
    assert "saved as feedback #1 about CFO Frida" in told.text
    tally = seller.app.feedback
    assert tally is not None
    counts = tally.votes.store.tally("cfo-frida")
    assert (counts.helpful, counts.not_helpful) == (0, 1)


def test_the_review_prompt_shows_pending_proposals_and_not_helpful_votes(
    make_bot: MakeBot,
) -> None:
    monday = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    seller = make_bot(user=SELLER, clock=Clock(monday))
    seller.ask(f"feedback Frida: {NEW_PAIN}")
    make_bot(user=OTHER_SELLER, clock=Clock(monday)).ask(
        "feedback Frida: pain: chasing late payments from housing associations every month end"
    )
    down = buttons(seller.ask("who is Frida?"))["👎 Not helpful"]
    click(seller, down)

    owner = make_bot(user=FRIDA_OWNER, clock=Clock(monday))
    asyncio.run(review_job(owner.app, [ConsoleInbox()]).run(monday, working_hours=False))
    prompt = owner.console.greet()
    shown = owner.card_text(prompt)
    assert "1 proposed changes waiting, from 2 reporters" in shown
    assert "1 answers voted not helpful" in shown
    listed = click(owner, buttons(prompt)["Review proposals"])
    assert "Proposal #1 · CFO Frida" in owner.card_text(listed)
    owner.ask("approve 1")  # an approval counts as a review: Frida is fresh again
    assert owner.app.reviews is not None
    status = {s.persona_id: s.status for s in owner.app.reviews.statuses(monday.date())}
    assert status["cfo-frida"] == "fresh"


def test_feedback_text_stays_out_of_the_logs_even_when_storing_fails(
    make_bot: MakeBot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    seller = make_bot(user=SELLER)
    seller.ask("feedback Frida: the secret deal with Acme hinges on monthly billing")
    loop = seller.app.feedback
    assert loop is not None

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(loop.feedback.store, "submit", broken)
    failed = seller.ask("feedback Frida: the secret deal with Acme needs a discount")
    assert "went wrong" in failed.text and "saved" not in failed.text  # no false "thanks"
    assert "handler failed" in caplog.text
    assert "secret deal" not in caplog.text and "Acme" not in caplog.text


def test_a_rejection_reason_keeps_its_words(make_bot: MakeBot) -> None:
    make_bot(user=SELLER).ask(f"feedback Frida: {NEW_PAIN}")
    owner = make_bot(user=FRIDA_OWNER)
    done = owner.ask("reject 1 assumptions about payments are ours to check")
    assert "Reason: assumptions about payments are ours to check." in done.text
