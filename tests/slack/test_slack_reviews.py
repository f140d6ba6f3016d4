"""Review prompts on Slack (issue 14): the real adapter, the real server, the fake Web API.

The example pack on 2026-12-07 (a Monday): CFO Frida (owner Ingrid) and Team Lead Tuva
(owners Mikkel and Sara) are due, IT Manager Bjørn and Operations Director Oskar are
fresh. Ingrid and Mikkel are the pack's admins.

``personabot reviews send`` and ``reviews due`` run as real processes against the test's
database and the fake Slack; the scheduler's review job runs in-process with a clock the
test moves (another replica holds the scheduler lease, so the server's own scheduler
never runs it behind the test's back). Clicks are signed ``block_actions`` payloads
posted to our server. Nothing waits for time to pass.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from review_rig import (
    DAY,
    DM,
    FRIDA,
    INGRID,
    MIKKEL,
    MONDAY,
    SAM,
    SARA,
    TUVA,
    USERS,
    ReviewRig,
    never_reviewed_pack,
    review_buttons,
    run,
)
from rig import text_of

from storage.reviews import RETRY_AFTER, ReviewStore


def test_reviews_send_prompts_each_due_owner_once_and_still_accurate_resets_the_clock(
    tmp_path: Path,
) -> None:
    async def scenario(rig: ReviewRig) -> None:
        before = await rig.due(MONDAY.date())
        assert {p: s["status"] for p, s in before.items()} == {
            FRIDA: "overdue",
            TUVA: "due",
            "it-manager-bjorn": "fresh",
            "operations-director-oskar": "fresh",
        }

        code, out, err = await rig.cli("reviews", "send", "--at", "2026-12-07")
        assert code == 0, err
        assert "3 sent, 0 unreachable" in out
        assert len(rig.posts()) == 3  # one DM prompt per due persona per owner, nothing else
        (frida,) = rig.prompts(to=INGRID)
        (tuva_m,) = rig.prompts(to=MIKKEL)
        (tuva_s,) = rig.prompts(to=SARA)
        assert "CFO Frida" in text_of(frida) and "Team Lead Tuva" not in text_of(frida)
        assert "Team Lead Tuva" in text_of(tuva_m) and "Team Lead Tuva" in text_of(tuva_s)
        assert set(review_buttons(frida)) == {"reviewed", "snoozed", "not_mine"}
        assert [c.params["email"] for c in rig.slack.calls_to("users.lookupByEmail")] == [
            INGRID,
            MIKKEL,
            SARA,
        ]

        code, out, err = await rig.cli("reviews", "send", "--at", "2026-12-07")
        assert code == 0, err
        assert "0 sent" in out
        assert len(rig.posts()) == 3  # the second run sent nothing
        assert (await rig.run_job(MONDAY)).sent == 0  # nor does the scheduler's job in serve

        answers = await rig.click(frida, "reviewed", by=INGRID, action_ts="1796000000.000001")
        assert answers == []  # the prompt itself is the answer: edited in place
        (edit,) = rig.updates()
        assert edit["channel"] == DM[INGRID] and edit["ts"] == rig.ts_of(frida)
        shown = text_of(edit)
        assert "CFO Frida" in shown and INGRID in shown and "2026-12-07 10:00 UTC" in shown
        assert review_buttons(edit) == {}  # decided: no buttons left

        after = await rig.due(MONDAY.date())
        assert after[FRIDA]["status"] == "fresh"
        assert after[FRIDA]["last_reviewed"] == "2026-12-07"
        assert after[FRIDA]["due_on"] == "2027-04-06"  # 120 days on
        assert after[TUVA]["status"] == "due"

        again = await rig.click(frida, "reviewed", by=INGRID, action_ts="1796000000.000002")
        (said,) = again
        expected = rig.slack_rig.core.texts(
            "review.already", name="CFO Frida", by=INGRID, when="2026-12-07 10:00 UTC"
        )
        assert text_of(said).startswith(expected)
        assert len(rig.updates()) == 1  # changed nothing
        assert len(rig.posts()) == 3
        reviewed = ReviewStore(db=rig.slack_rig.core.db).last_reviewed()
        assert reviewed == {FRIDA: MONDAY.date()}

    run(tmp_path, scenario)


def test_a_click_by_someone_who_owns_nothing_changes_nothing_and_says_so(
    tmp_path: Path,
) -> None:
    async def scenario(rig: ReviewRig) -> None:
        report = await rig.run_job(MONDAY)
        assert report.sent == 3
        (frida,) = rig.prompts(to=INGRID)
        (said,) = await rig.click(frida, "reviewed", by=SAM, action_ts="1796000000.000001")
        assert text_of(said).startswith(rig.slack_rig.core.texts("review.not_owner"))
        assert said["replace_original"] is False  # told privately; the prompt stays
        assert rig.updates() == []
        # Sara owns Tuva, not Frida, and is no admin: no better.
        (said,) = await rig.click(frida, "snoozed", by=SARA, action_ts="1796000000.000002")
        assert text_of(said).startswith(rig.slack_rig.core.texts("review.not_owner"))
        assert rig.updates() == []
        frida_now = rig.status(FRIDA, MONDAY.date())
        assert frida_now.needs_review and frida_now.snoozed_until is None
        # The owner's own click still works afterwards.
        assert await rig.click(frida, "reviewed", by=INGRID, action_ts="1796000000.000003") == []
        (edit,) = rig.updates()
        assert INGRID in text_of(edit)

    run(tmp_path, scenario)


def test_snooze_holds_the_persona_seven_days_then_its_owners_are_prompted_again(
    tmp_path: Path,
) -> None:
    async def scenario(rig: ReviewRig) -> None:
        await rig.run_job(MONDAY)
        (tuva,) = rig.prompts(to=MIKKEL)
        assert await rig.click(tuva, "snoozed", by=MIKKEL, action_ts="1796000000.000001") == []
        (edit,) = rig.updates()
        assert edit["ts"] == rig.ts_of(tuva)
        assert MIKKEL in text_of(edit) and "2026-12-14" in text_of(edit)
        assert review_buttons(edit) == {}

        # Sara's prompt for Tuva was closed with it: her click changes nothing.
        (sara,) = rig.prompts(to=SARA)
        (said,) = await rig.click(sara, "reviewed", by=SARA, action_ts="1796000000.000002")
        assert MIKKEL in text_of(said) and len(rig.updates()) == 1
        assert TUVA not in ReviewStore(db=rig.slack_rig.core.db).last_reviewed()

        for day in range(1, 7):  # held for the week: not due, nothing sent, nothing reminded
            at = MONDAY + day * DAY
            status = rig.status(TUVA, at.date())
            assert status.snoozed_until == dt.date(2026, 12, 14) and not status.needs_review
            report = await rig.run_job(at, working_hours=False)
            assert (report.sent, report.reminded, report.escalated) == (0, 0, 0)
        assert len(rig.posts()) == 3

        after = MONDAY + 7 * DAY
        status = rig.status(TUVA, after.date())
        assert status.needs_review and status.status == "due"
        code, out, err = await rig.cli("reviews", "due", "--at", after.date().isoformat())
        assert code == 0, err
        assert any("Team Lead Tuva" in line and "snoozed" not in line for line in out.splitlines())
        report = await rig.run_job(after)
        assert report.sent == 2  # due again: both owners get a new prompt, once
        assert len(rig.prompts(to=MIKKEL)) == 2 and len(rig.prompts(to=SARA)) == 2
        assert (await rig.run_job(after + DAY)).sent == 0

    run(tmp_path, scenario)


def test_an_owner_slack_does_not_know_is_reported_and_each_admin_told_once(
    tmp_path: Path,
) -> None:
    known = {user: who for user, who in USERS.items() if who[0] != SARA}

    async def scenario(rig: ReviewRig) -> None:
        code, out, err = await rig.cli("reviews", "send", "--at", "2026-12-07")
        assert code == 0, err
        assert "2 sent, 1 unreachable (admins told)" in out and "1 escalations" in out
        assert "Traceback" not in err
        assert f"{SARA} unreachable: slack: users_not_found" in err  # the log line
        assert len(rig.prompts(to=INGRID)) == 1 and len(rig.prompts(to=MIKKEL)) == 1
        lookups = rig.slack.calls_to("users.lookupByEmail")
        assert [c.response.get("error") for c in lookups if c.params["email"] == SARA] == [
            "users_not_found"
        ]
        for admin in (INGRID, MIKKEL):  # pack.yaml's admins: one escalation DM each
            told = rig.notes(admin)
            assert len(told) == 1, told
            assert "Team Lead Tuva" in told[0] and "users_not_found" in told[0]
        assert len(rig.posts()) == 4  # two prompts, two escalations

        code, out, err = await rig.cli("reviews", "send", "--at", "2026-12-07")
        assert code == 0, err
        assert "0 sent, 0 unreachable" in out and "0 escalations" in out
        assert len(rig.posts()) == 4  # nobody is told twice

    run(tmp_path, scenario, users=known)


def test_rate_limits_are_waited_out_with_no_duplicate_and_no_loss(tmp_path: Path) -> None:
    async def scenario(rig: ReviewRig) -> None:
        # Within the client's retries: every call is answered at the second or third try.
        rig.slack.fail_with_rate_limit("users.lookupByEmail", times=1, retry_after=0)
        rig.slack.fail_with_rate_limit("conversations.open", times=1, retry_after=0)
        rig.slack.fail_with_rate_limit("chat.postMessage", times=2, retry_after=0)
        report = await rig.run_job(MONDAY)
        assert (report.sent, report.failed, report.unreachable) == (3, 0, 0)
        limited = [c for c in rig.posts() if c.status == 429]
        assert len(limited) == 2 and all(c.headers for c in limited)
        assert sorted(p["channel"] for p in rig.prompts()) == [
            DM[INGRID],
            DM[MIKKEL],
            DM[SARA],
        ]
        assert (await rig.run_job(MONDAY + dt.timedelta(minutes=1))).sent == 0

    run(tmp_path, scenario)


def test_a_rate_limit_longer_than_the_client_waits_is_tried_again_not_lost(
    tmp_path: Path,
) -> None:
    async def scenario(rig: ReviewRig) -> None:
        # Four 429s in a row outlast the client's three retries: the post of Frida's
        # prompt to Ingrid (the first prompt) fails this run, the others go out.
        rig.slack.fail_with_rate_limit("chat.postMessage", times=4, retry_after=0)
        report = await rig.run_job(MONDAY)
        assert (report.sent, report.failed, report.unreachable) == (2, 1, 0)
        assert rig.prompts(to=INGRID) == []
        assert (report.escalated, rig.notes(INGRID), rig.notes(MIKKEL)) == (0, [], [])

        # A failed prompt waits RETRY_AFTER (15 minutes), not a minute: no retry storm.
        assert (await rig.run_job(MONDAY + dt.timedelta(minutes=1))).failed == 0
        # At the retry (as `reviews send` runs it) the lookup of Ingrid is rate limited
        # as long: still only a failure to try again, not an owner Slack does not know.
        rig.slack.fail_with_rate_limit("users.lookupByEmail", times=4, retry_after=0)
        later = MONDAY + RETRY_AFTER + dt.timedelta(minutes=1)
        report = await rig.run_job(later, working_hours=False)
        assert (report.sent, report.failed, report.unreachable, report.escalated) == (0, 1, 0, 0)
        assert rig.notes(INGRID) == [] and rig.notes(MIKKEL) == []  # no false alarm

        report = await rig.run_job(later + RETRY_AFTER + dt.timedelta(minutes=1))
        assert (report.sent, report.failed) == (1, 0)
        report = await rig.run_job(later + 2 * RETRY_AFTER + dt.timedelta(minutes=2))
        assert report.sent == 0
        for owner in (INGRID, MIKKEL, SARA):  # each prompt arrived, once
            assert len(rig.prompts(to=owner)) == 1, owner

    run(tmp_path, scenario)


def test_prompts_go_out_in_working_hours_then_one_reminder_then_one_escalation(
    tmp_path: Path,
) -> None:
    async def scenario(rig: ReviewRig) -> None:
        texts = rig.slack_rig.core.texts
        # 07:00 in Copenhagen (the owners' Slack tz) on a Monday: too early for anyone.
        early = await rig.run_job(MONDAY.replace(hour=6))
        assert (early.sent, early.outside_hours) == (0, 3) and rig.posts() == []
        assert (await rig.run_job(MONDAY)).sent == 3
        owners = (INGRID, MIKKEL, SARA)
        remind_at = MONDAY + 7 * DAY  # PERSONABOT_REVIEW_REMIND_DAYS=7 after the prompt

        nothing = await rig.run_job(remind_at - dt.timedelta(minutes=1))
        assert (nothing.sent, nothing.reminded, nothing.escalated) == (0, 0, 0)
        assert len(rig.posts()) == 3

        report = await rig.run_job(remind_at)
        assert (report.sent, report.reminded, report.escalated) == (0, 3, 0)
        for owner in owners:  # one reminder each, the prompt again with working buttons
            first, reminder = rig.prompts(to=owner)
            name = "CFO Frida" if owner == INGRID else "Team Lead Tuva"
            assert text_of(reminder).startswith(texts("review.reminder", name=name))
            assert review_buttons(reminder) == review_buttons(first)
        assert (await rig.run_job(remind_at + dt.timedelta(minutes=1))).reminded == 0
        assert len(rig.posts()) == 6

        escalate_at = remind_at + 7 * DAY  # missed the reminder as long again
        assert (await rig.run_job(escalate_at - dt.timedelta(minutes=1))).escalated == 0
        report = await rig.run_job(escalate_at)
        assert (report.sent, report.reminded, report.escalated) == (0, 0, 3)
        for admin in (INGRID, MIKKEL):  # each admin hears of each missed prompt, once
            told = rig.notes(admin)
            assert len(told) == 3, told
            expected = [
                texts(
                    "review.escalated",
                    name=name,
                    reason=texts("review.reason_missed", owner=owner, due=due),
                )
                for name, owner, due in (
                    ("CFO Frida", INGRID, "2026-09-09"),
                    ("Team Lead Tuva", MIKKEL, "2026-11-30"),
                    ("Team Lead Tuva", SARA, "2026-11-30"),
                )
            ]
            assert all(sum(e in t for t in told) == 1 for e in expected), told
        assert rig.notes(SARA) == []  # no admin: not told

        for later in (escalate_at + dt.timedelta(minutes=1), escalate_at + DAY):
            report = await rig.run_job(later)
            assert (report.sent, report.reminded, report.escalated) == (0, 0, 0)
        assert len(rig.posts()) == 12  # 3 prompts, 3 reminders, 2 × 3 escalations
        # Weeks later the only news is IT Manager Bjørn, due since 2026-12-23: no nagging.
        report = await rig.run_job(escalate_at + 30 * DAY)
        assert (report.sent, report.reminded, report.escalated) == (1, 0, 0)
        assert "IT Manager Bjørn" in text_of(rig.prompts(to=MIKKEL)[-1])

        # The reminder's button still decides the prompt, and edits the reminder in place.
        _, reminder = rig.prompts(to=INGRID)
        assert await rig.click(reminder, "reviewed", by=INGRID, action_ts="1797000000.1") == []
        (edit,) = rig.updates()
        assert edit["ts"] == rig.ts_of(reminder) and INGRID in text_of(edit)

    run(tmp_path, scenario)


def test_a_persona_never_reviewed_is_prompted_once_not_every_day(tmp_path: Path) -> None:
    async def scenario(rig: ReviewRig) -> None:
        assert (await rig.run_job(MONDAY)).sent == 4
        oskar = [p for p in rig.prompts(to=INGRID) if "Operations Director Oskar" in text_of(p)]
        assert len(oskar) == 1
        for day in (1, 2, 3):  # still due, in the same period: no new prompt each day
            report = await rig.run_job(MONDAY + day * DAY)
            assert report.sent == 0, f"day {day}: {report}"

        # Snoozed on Thursday, Oskar is held for the week, then prompted again, once.
        (prompt,) = oskar
        rig.clock.now = MONDAY + 3 * DAY
        assert await rig.click(prompt, "snoozed", by=INGRID, action_ts="1796000000.1") == []
        for day in range(4, 10):  # the weekend too: as `reviews send` would run
            report = await rig.run_job(MONDAY + day * DAY, working_hours=False)
            assert report.sent == 0, f"day {day}: {report}"
        assert (await rig.run_job(MONDAY + 10 * DAY)).sent == 1
        assert (await rig.run_job(MONDAY + 11 * DAY)).sent == 0
        again = [p for p in rig.prompts(to=INGRID) if "Operations Director Oskar" in text_of(p)]
        assert len(again) == 2

    run(tmp_path, scenario, content=never_reviewed_pack(tmp_path))
