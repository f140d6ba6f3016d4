"""``kill -9`` of a server while it answers: nothing half-written, the next one carries on.

A crash (out of memory, a node lost) stops the process between any two instructions.
Every write is one transaction, so after a restart on the same database the data is
whole. Deliveries the crash cut off before their acknowledgement are re-delivered by
the platform; questions acknowledged but not yet answered (Slack and Teams never send
those again) were stored before the acknowledgement and are answered late by the
restarted server. What a crash can still cost: a duplicate answer for a question whose
answer went out in the last milliseconds before the crash (not yet marked answered),
and up to ~50 ms of the queued question log.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import aiohttp
from fake_connector import FakeConnectorThread
from fake_slack import FakeSlackThread
from procs import (
    QUESTIONS,
    SLACK_PATH,
    TEAMS_PATH,
    Outcome,
    Postgres,
    ServerFactory,
    SlackEvent,
    bounded,
    post_slack,
    post_teams,
    settled,
    teams_message,
)

from content.loader import EXAMPLE_PACK, load_pack
from storage.migrations import HEAD

PER_PLATFORM = 300
# The restarted server answers questions left unanswered this long (seconds) — after
# the restart, the crashed server's are all that old.
REDELIVER_AFTER = "1"
LATE_ANSWER_TIMEOUT = 30.0
CONCURRENCY = 20
KILL_AFTER_REPLIES = 40  # Slack replies seen before the kill: it lands mid-stream
AFTER = 20


def traffic(
    tag: str, count: int, ts_base: int, service_url: str
) -> tuple[list[SlackEvent], list[dict[str, Any]]]:
    """``count`` Slack mentions and ``count`` Teams messages, each question tagged."""
    texts = [f"{QUESTIONS[i % len(QUESTIONS)]} [{tag}{i}]" for i in range(count)]
    events = [
        SlackEvent.mention(
            text, user=f"U0REL{i % 20:03d}", channel="C0CRASH", ts=f"{ts_base}.{i:06d}"
        )
        for i, text in enumerate(texts)
    ]
    activities = [
        teams_message(text, service_url=service_url, conversation=f"a:crash-{i % 10}", user=i % 10)
        for i, text in enumerate(texts)
    ]
    return events, activities


def check_integrity(pg: Postgres, asked: set[str]) -> dict[str, int]:
    """Assert the database is whole after a crash; some counts for the figures."""
    assert {row[0] for row in pg.rows("SELECT version_num FROM alembic_version")} == {HEAD}
    pack = load_pack(EXAMPLE_PACK)
    assert pg.scalar("SELECT count(*) FROM live_pack") == 1
    versions = pg.rows(
        "SELECT persona_id, count(*), min(version), max(version) FROM persona_versions "
        "GROUP BY persona_id"
    )
    assert {row[0] for row in versions} == {p.id for p in pack.personas}
    assert all(row[2] == 1 and row[3] == row[1] for row in versions), versions  # 1..n
    imports = pg.rows("SELECT persona_id FROM persona_imports")
    assert sorted(row[0] for row in imports) == sorted(p.id for p in pack.personas)
    questions = pg.rows("SELECT platform, text, answer, intent FROM questions")
    assert all(q.text in asked and q.answer and q.intent for q in questions), questions[:3]
    assert all(q.platform in ("slack", "teams") for q in questions)
    claims = pg.rows("SELECT event_id, platform FROM processed_events")
    assert all(c.platform in ("slack", "teams") for c in claims)
    return {
        "questions": len(questions),
        "claims": len(claims),
    }


def test_kill9_mid_stream_leaves_whole_data_and_a_working_restart(
    serve: ServerFactory,
    pg: Postgres,
    fake_slack: FakeSlackThread,
    fake_connector: FakeConnectorThread,
    figures: Callable[[str], None],
) -> None:
    async def scenario() -> None:
        first = serve("before-crash")
        await first.wait_ready()
        events, activities = traffic("k", PER_PLATFORM, 1820000000, fake_connector.url)
        slack_status: dict[str, int | None] = {}
        teams_status: dict[str, int | None] = {}
        outcome = Outcome()

        async with aiohttp.ClientSession() as session:

            async def slack(event: SlackEvent) -> None:
                slack_status[event.event_id] = await post_slack(
                    session, first.url(SLACK_PATH), event, outcome
                )

            async def teams(activity: dict[str, Any]) -> None:
                teams_status[activity["id"]] = await post_teams(
                    session, first.url(TEAMS_PATH), activity, outcome
                )

            jobs = [j for pair in zip(events, activities, strict=True) for j in pair]
            sending = asyncio.ensure_future(
                bounded(
                    [slack(j) if isinstance(j, SlackEvent) else teams(j) for j in jobs],
                    CONCURRENCY,
                )
            )
            await fake_slack.wait_for_async("chat.postMessage", KILL_AFTER_REPLIES, timeout=30)
            assert not sending.done(), "all requests were sent before the kill: send more"
            first.kill()
            await sending
        assert first.proc is not None and first.proc.returncode == -9
        # What the dead server sent in its last moments is all recorded before it counts.
        await settled(fake_slack)
        await settled(fake_connector)

        answered_slack = {
            c.params.get("thread_ts") for c in fake_slack.calls_to("chat.postMessage")
        }
        answered_teams = {a.get("replyToId") for a in fake_connector.activities_sent()}
        cut_off_slack = [e for e in events if slack_status[e.event_id] != 200]
        cut_off_teams = [a for a in activities if teams_status[a["id"]] != 200]
        assert cut_off_slack and cut_off_teams, "the kill cut no request off: send more"
        acked_unanswered = sum(
            1 for e in events if slack_status[e.event_id] == 200 and e.ts not in answered_slack
        ) + sum(
            1 for a in activities if teams_status[a["id"]] == 200 and a["id"] not in answered_teams
        )
        replies_before = len(answered_slack) + len(answered_teams)

        second = serve("after-crash", env={"PERSONABOT_REDELIVER_AFTER": REDELIVER_AFTER})
        ready_in = await second.wait_ready()
        asked = {e.text for e in events} | {
            f"{QUESTIONS[i % len(QUESTIONS)]} [n{i}]" for i in range(AFTER)
        }
        counts = check_integrity(pg, asked)

        # The platforms re-deliver what the crash cut off; new questions keep coming.
        fresh_events, fresh_activities = traffic("n", AFTER, 1830000000, fake_connector.url)
        after = Outcome()
        async with aiohttp.ClientSession() as session:
            jobs2 = [
                *(
                    post_slack(session, second.url(SLACK_PATH), e, after, retry_num=1)
                    for e in cut_off_slack
                ),
                *(post_teams(session, second.url(TEAMS_PATH), a, after) for a in cut_off_teams),
                *(post_slack(session, second.url(SLACK_PATH), e, after) for e in fresh_events),
                *(post_teams(session, second.url(TEAMS_PATH), a, after) for a in fresh_activities),
            ]
            await bounded(jobs2, CONCURRENCY)
            # Every question of the crashed server gets its answer, late if need be.
            await _until_answered(fake_slack, fake_connector, events, activities)
        assert after.errors == 0, (after.statuses, after.failures[:5])
        assert second.stop() == 0, second.log_tail()  # graceful: every answer is out

        threads = Counter(
            c.params.get("thread_ts") for c in fake_slack.calls_to("chat.postMessage")
        )
        replies_to = Counter(a.get("replyToId") for a in fake_connector.activities_sent())
        # Answered before the crash: maybe twice (its answered mark was lost with it).
        # Everything else: exactly once, however the crash caught it.
        for event in [*events, *fresh_events]:
            expected = (1, 2) if event.ts in answered_slack else (1,)
            assert threads[event.ts] in expected, (event, threads[event.ts], second.log_tail())
        for activity in [*activities, *fresh_activities]:
            expected = (1, 2) if activity["id"] in answered_teams else (1,)
            assert replies_to[activity["id"]] in expected, activity["id"]
        twice = sum(1 for n in threads.values() if n == 2) + sum(
            1 for n in replies_to.values() if n == 2
        )
        late = second.log_text().count("late: its replica stopped before answering")
        logged_after = pg.scalar("SELECT count(*) FROM questions")
        figures(
            f"kill -9 after {outcome.total - len(outcome.failures)} of {2 * PER_PLATFORM} "
            f"requests answered 200 ({len(outcome.failures)} cut off): {replies_before} "
            f"replies out, {acked_unanswered} acknowledged but unanswered; "
            f"{counts['questions']} question rows, {counts['claims']} claims; restart ready in "
            f"{ready_in:.2f} s, data whole; {late} questions answered late, "
            f"{len(cut_off_slack) + len(cut_off_teams)} re-deliveries and {2 * AFTER} new "
            f"messages answered once each, every question of the crash answered "
            f"({twice} twice); {logged_after} question rows in the end"
        )

    asyncio.run(scenario())


def test_kill9_during_start_up_leaves_a_database_the_next_start_completes(
    serve: ServerFactory, pg: Postgres, figures: Callable[[str], None]
) -> None:
    async def scenario() -> None:
        app = f"personabot-startup-{pg.schema}"
        first = serve("start-up", app=app)
        deadline = asyncio.get_running_loop().time() + 30
        while pg.connections(app) == 0:  # it is migrating or importing the pack now
            assert first.running(), first.log_tail()
            assert asyncio.get_running_loop().time() < deadline, "it never connected"
            await asyncio.sleep(0.005)  # polling against a deadline
        first.kill()
        tables = {
            row[0]
            for row in pg.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = :s",
                s=pg.schema,
            )
        }
        imported = pg.scalar("SELECT count(*) FROM personas") if "personas" in tables else 0

        second = serve("restart", app=app)
        ready_in = await second.wait_ready()
        check_integrity(pg, set())
        figures(
            f"killed at start-up with {len(tables)} tables and {imported} personas "
            f"committed; the restart was ready in {ready_in:.2f} s with the schema at head "
            f"and the whole pack"
        )

    asyncio.run(scenario())


async def _until_answered(
    slack: FakeSlackThread,
    connector: FakeConnectorThread,
    events: list[SlackEvent],
    activities: list[dict[str, Any]],
) -> None:
    """Poll the fakes until every event and activity has a reply, against a deadline."""
    deadline = asyncio.get_running_loop().time() + LATE_ANSWER_TIMEOUT
    while True:
        threads = {c.params.get("thread_ts") for c in slack.calls_to("chat.postMessage")}
        replied = {a.get("replyToId") for a in connector.activities_sent()}
        missing = [e.ts for e in events if e.ts not in threads] + [
            a["id"] for a in activities if a["id"] not in replied
        ]
        if not missing:
            return
        assert asyncio.get_running_loop().time() < deadline, f"never answered: {missing[:5]}"
        await asyncio.sleep(0.1)  # polling interval against a deadline
