"""Feedback and proposals on Slack: the real server, signed requests, the fake Web API.

Sam (a seller) reports by DM, by the message shortcut's modal and by the Helpful
buttons; Ingrid (Frida's owner) approves with the proposal's button; the same button
clicked by Sara (who owns Tuva, not Frida) is refused and changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from form_payloads import global_shortcut, message_shortcut, view_submission
from payloads import block_actions, dm_message, next_ts
from review_rig import DAY, DM, FRIDA, INGRID, MONDAY, SAM, ReviewRig, run
from rig import text_of

from bot.adapters.slack.manifest import manifest
from bot.feedback_job import FeedbackJob
from storage.feedback import FeedbackStore
from storage.feedback_notices import FeedbackNotices
from storage.personas import PersonaRepository
from storage.votes import VoteStore

Json = dict[str, Any]
PAIN = "her new pain: auditors ask about unbilled work <!channel> @everyone <@U0INGRID>"


async def say(rig: ReviewRig, user: str, text: str) -> Json:
    """``user`` DMs the bot ``text``; the message the bot posted back in that DM."""
    before = len(rig.posts())
    response = await rig.slack_rig.event(
        dm_message(text, user=user, channel=f"D{user}", ts=next_ts())
    )
    assert response.status == 200
    calls = await rig.slack.wait_for("chat.postMessage", before + 1, timeout=10)
    (posted,) = [c.params for c in calls[before:]]
    return posted


def buttons(params: Json) -> dict[str, Json]:
    return {
        element["text"]["text"]: element
        for block in params.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("type") == "button"
    }


async def click(rig: ReviewRig, posted: Json, label: str, *, user: str) -> list[Json]:
    """``user`` clicks ``label`` on ``posted``; the answers (private, or the message edited)."""
    button = buttons(posted)[label]
    ts = rig.ts_of(posted)
    hook = rig.slack.response_url(f"{user}-{next_ts()}")
    before = len(rig.slack.calls_to("response_url"))
    edits = len(rig.slack.calls_to("chat.update"))
    response = await rig.slack_rig.form(
        block_actions(
            button["action_id"],
            button["value"],
            user=user,
            channel=posted["channel"],
            message_ts=ts,
            response_url=hook,
            text=label,
        )
    )
    assert response.status == 200
    await rig.slack_rig.settle()
    answers = rig.slack.calls_to("response_url")[before:]
    answers += rig.slack.calls_to("chat.update")[edits:]
    return [c.params for c in answers]


def test_dm_feedback_becomes_a_proposal_only_its_owner_can_approve(tmp_path: Path) -> None:
    async def scenario(rig: ReviewRig) -> None:
        stored = await say(rig, "U0SAM", f"feedback Frida: {PAIN}")
        assert "saved as feedback #1 about CFO Frida" in text_of(stored)
        store = FeedbackStore(db=rig.slack_rig.core.db)
        (mine,) = store.of_reporter("slack:U0SAM")
        # Stored as the user saw it: Slack's markup cleaned like any incoming text.
        assert mine.text.endswith("@channel @everyone @U0INGRID") and mine.reporter_email == SAM

        shown = await say(rig, "U0INGRID", "proposals")
        assert stored["channel"] == DM[SAM] and shown["channel"] == DM[INGRID]
        body = text_of(shown)
        assert "Proposal #1 · CFO Frida" in body
        # Quoted, never pinging: Slack's special mentions arrive escaped.
        assert "<!channel>" not in body and "<@U0INGRID>" not in body
        assert "<!everyone>" not in body and "@channel @everyone" in body
        assert set(buttons(shown)) >= {"Approve", "Edit", "Reject"}

        refused = await click(rig, shown, "Approve", user="U0SARA")
        assert "Only the owners of CFO Frida" in text_of(refused[-1])
        assert refused[-1].get("response_type") == "ephemeral"
        assert len(PersonaRepository(db=rig.slack_rig.core.db).history(FRIDA)) == 1

        answers = await click(rig, shown, "Approve", user="U0INGRID")
        assert any("version 2 is live now" in text_of(a) for a in answers)
        live = PersonaRepository(db=rig.slack_rig.core.db).get(FRIDA)
        assert live is not None and live.pains[-1] == mine.text
        again = await click(rig, shown, "Approve", user="U0INGRID")
        assert "nothing changed" in text_of(again[-1]) or "changed nothing" in text_of(again[-1])
        pains = await say(rig, "U0SAM", "what are Frida's pains?")
        assert "auditors ask about unbilled work" in text_of(pains)  # answered at once

    run(tmp_path, scenario)


def test_the_message_shortcut_opens_a_prefilled_modal_whose_submission_is_stored(
    tmp_path: Path,
) -> None:
    async def scenario(rig: ReviewRig) -> None:
        said = "Frida's CFO says the licence cost is too high for our margins this year"
        body = message_shortcut(
            "feedback",
            user="U0SAM",
            channel="C0SALES",
            message_text=said,
            message_ts=next_ts(),
            author="U0BUYER",
            response_url=rig.slack.response_url("shortcut"),
            trigger_id="111.222.feedback",
        )
        response = await rig.slack_rig.form(body)
        assert response.status == 200
        (call,) = await rig.slack.wait_for("views.open", 1, timeout=10)
        assert call.ok, call.response
        view = call.response["view"]
        inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
        assert list(inputs) == ["persona", "kind", "text", "evidence"]
        assert inputs["persona"]["initial_option"]["value"] == FRIDA  # guessed from the text
        assert inputs["text"]["initial_value"] == said
        entered = {"persona": FRIDA, "kind": "objection", "text": said, "evidence": "Deal 4711"}
        done = await rig.slack_rig.form(view_submission(view, entered, user="U0SAM"))
        assert done.status == 200 and await done.text() == ""  # the modal closes
        (mine,) = FeedbackStore(db=rig.slack_rig.core.db).of_reporter("slack:U0SAM")
        assert (mine.kind, mine.evidence) == ("objection", "Deal 4711")
        (confirmation,) = await rig.slack_rig.replies()
        assert "saved as feedback #1 about CFO Frida" in text_of(confirmation)

        blank = {"persona": FRIDA, "kind": "pain", "text": ""}
        refused = await rig.slack_rig.form(view_submission(view, blank, user="U0SAM"))
        assert (await refused.json())["errors"] == {"text": "Please fill this in."}

    run(tmp_path, scenario)


def test_helpful_buttons_count_one_vote_per_person_and_not_helpful_asks_why(
    tmp_path: Path,
) -> None:
    async def scenario(rig: ReviewRig) -> None:
        answer = await say(rig, "U0SAM", "who is Frida?")
        assert {"👍 Helpful", "👎 Not helpful"} <= set(buttons(answer))
        thanks = await click(rig, answer, "👍 Helpful", user="U0SAM")
        assert "Thanks for the vote" in text_of(thanks[-1])
        await click(rig, answer, "👍 Helpful", user="U0SAM")
        await click(rig, answer, "👍 Helpful", user="U0SARA")
        tally = VoteStore(db=rig.slack_rig.core.db).tally(FRIDA)
        assert (tally.helpful, tally.not_helpful) == (2, 0)

        before = len(rig.slack.calls_to("views.open"))
        button = buttons(answer)["👎 Not helpful"]
        response = await rig.slack_rig.form(
            block_actions(
                button["action_id"],
                button["value"],
                user="U0SAM",
                channel=answer["channel"],
                message_ts=rig.ts_of(answer),
                response_url=rig.slack.response_url("down"),
                trigger_id="333.444.why",
                text="👎 Not helpful",
            )
        )
        assert response.status == 200
        calls = await rig.slack.wait_for("views.open", before + 1, timeout=10)
        view = calls[-1].response["view"]
        tally = VoteStore(db=rig.slack_rig.core.db).tally(FRIDA)
        assert (tally.helpful, tally.not_helpful) == (1, 1)  # Sam changed his mind
        why = {"text": "She reports to the CEO now, not the board"}
        done = await rig.slack_rig.form(view_submission(view, why, user="U0SAM"))
        assert done.status == 200
        (mine,) = FeedbackStore(db=rig.slack_rig.core.db).of_reporter("slack:U0SAM")
        assert (mine.persona_id, mine.text) == (FRIDA, why["text"])

    run(tmp_path, scenario)


def test_owners_hear_of_proposals_by_dm_and_reporters_of_the_decision(tmp_path: Path) -> None:
    async def scenario(rig: ReviewRig) -> None:
        core = rig.slack_rig.core
        loop = core.feedback
        assert loop is not None
        job = FeedbackJob(
            catalog=core.live,
            notices=FeedbackNotices(db=core.db),
            proposals=loop.proposals,
            roles=loop.proposals.roles,
            texts=core.texts,
            people=[rig.slack_rig.adapter],
            notify_at=3,
        )
        await say(rig, "U0SAM", "feedback Frida: pain: chasing late payments at month end")
        first = await job.run(MONDAY)
        assert (first.batches, first.urgent) == (1, 0)  # the day's batch, to Ingrid
        (batch,) = [p for p in rig.posts()[-1:] if p.params["channel"] == DM[INGRID]]
        assert "Proposal #1 · CFO Frida" in text_of(batch.params)
        for user in ("U0SARA", "U0MIKKEL"):
            await say(rig, user, "feedback Frida: pain: chasing late payments every month end")
        second = await job.run(MONDAY)
        assert (second.batches, second.urgent) == (0, 1)  # 3 reporters: at once, once
        urgent = rig.posts()[-1].params
        assert urgent["channel"] == DM[INGRID] and "3 people have now reported" in text_of(urgent)
        assert (await job.run(MONDAY)).urgent == 0
        assert (await job.run(MONDAY + DAY)).batches == 0  # nothing new since the last batch
        rig.clock.now = MONDAY + DAY
        await say(rig, "U0SAM", "feedback Frida: goal: she wants payback within one year")
        assert (await job.run(MONDAY + DAY)).batches == 1
        batch_two = text_of(rig.posts()[-1].params)
        assert "Proposal #2 · CFO Frida" in batch_two and "Proposal #1 ·" not in batch_two

        edits = await click(rig, urgent, "Edit", user="U0INGRID")
        assert edits == []  # Edit opens a modal: nothing posted
        (opened,) = await rig.slack.wait_for("views.open", 1, timeout=10)
        view = opened.response["view"]
        fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
        assert fields["field"]["initial_option"]["value"] == "pains"
        entered = {
            "field": "pains",
            "op": "add",
            "target": "",
            "text": "Chasing late payments from housing associations at month end",
            "response": "",
        }
        saved = await rig.slack_rig.form(view_submission(view, entered, user="U0INGRID"))
        assert saved.status == 200
        shown = await say(rig, "U0INGRID", "approve 1")
        assert "version 2 is live now" in text_of(shown)
        told = await job.run(MONDAY)
        assert told.told == 3
        said = [text_of(p.params) for p in rig.posts() if p.params["channel"] == DM[SAM]]
        assert any("was approved by" in s and "version 2" in s for s in said)

    run(tmp_path, scenario)


def test_the_global_shortcut_opens_the_empty_feedback_form(tmp_path: Path) -> None:
    async def scenario(rig: ReviewRig) -> None:
        body = global_shortcut("feedback_form", user="U0SAM", trigger_id="555.666.global")
        assert (await rig.slack_rig.form(body)).status == 200
        (call,) = await rig.slack.wait_for("views.open", 1, timeout=10)
        view = call.response["view"]
        inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        assert inputs == ["persona", "kind", "text", "evidence"]
        shortcuts = yaml.safe_load(manifest("https://personabot.fieldline.no"))["features"][
            "shortcuts"
        ]
        ids = [s["callback_id"] for s in shortcuts]
        assert sorted(ids) == ["feedback", "feedback_form"]  # unique, as Slack wants

    run(tmp_path, scenario)
