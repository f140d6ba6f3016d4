"""A load run: 1,000 Slack events and 1,000 Teams messages from 50 clients, one process.

Zero errors (every request answered 200, every message answered exactly once) and
stable memory. Memory is read from ``/proc/<pid>/status`` (``VmRSS``) once the first
half has been answered (warm: every code path, cache and pool is in use by then) and
again once the second half has been answered. Start-up and warm-up growth (caches,
pools, interned strings) happens in the first half; a leak instead grows with the
traffic, so the second half (1,000 messages) would add as much again. The criterion
allows it :data:`MAX_GROWTH_MIB` (allocator noise), so a leak of about 10 KiB per
message or more fails the run.
"""

from __future__ import annotations

import asyncio
import time
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
    ServeProcess,
    ServerFactory,
    SlackEvent,
    bounded,
    latency_line,
    post_slack,
    post_teams,
    teams_message,
)

PER_PLATFORM = 1_000
CLIENTS = 50
CONVERSATIONS = 50
MAX_GROWTH_MIB = 10.0


async def half(
    server: ServeProcess,
    fake_slack: FakeSlackThread,
    fake_connector: FakeConnectorThread,
    *,
    start: int,
    count: int,
    outcome: Outcome,
) -> tuple[list[SlackEvent], list[dict[str, Any]], float]:
    """Send ``count`` messages per platform; return them and when all were answered."""
    events = [
        SlackEvent.mention(
            QUESTIONS[i % len(QUESTIONS)],
            user=f"U0REL{i % 20:03d}",
            channel=f"C0LOAD{i % 10}",
            ts=f"1840000000.{i:06d}",
        )
        for i in range(start, start + count)
    ]
    activities = [
        teams_message(
            QUESTIONS[i % len(QUESTIONS)],
            service_url=fake_connector.url,
            conversation=f"a:load-{i % CONVERSATIONS}",
            user=i % CONVERSATIONS,
        )
        for i in range(start, start + count)
    ]
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CLIENTS)) as session:
        jobs = []
        for event, activity in zip(events, activities, strict=True):
            jobs.append(post_slack(session, server.url(SLACK_PATH), event, outcome))
            jobs.append(post_teams(session, server.url(TEAMS_PATH), activity, outcome))
        await bounded(jobs, CLIENTS)
    total = start + count
    await fake_slack.wait_for_async("chat.postMessage", total, timeout=120)
    await fake_connector.wait_for_activities_async(total, timeout=120)
    return events, activities, time.monotonic() - started


def test_load_run_has_no_errors_and_stable_memory(
    serve: ServerFactory,
    pg: Postgres,
    fake_slack: FakeSlackThread,
    fake_connector: FakeConnectorThread,
    figures: Callable[[str], None],
) -> None:
    async def scenario() -> None:
        server = serve("load")
        await server.wait_ready()
        started_rss = server.rss_mib()
        outcome = Outcome()
        size = PER_PLATFORM // 2
        events, activities, first_seconds = await half(
            server, fake_slack, fake_connector, start=0, count=size, outcome=outcome
        )
        warm_rss = server.rss_mib()
        more_events, more_activities, second_seconds = await half(
            server, fake_slack, fake_connector, start=size, count=size, outcome=outcome
        )
        end_rss = server.rss_mib()
        assert server.stop() == 0, server.log_tail()  # graceful: nothing more can be sent

        assert outcome.total == 2 * PER_PLATFORM
        assert outcome.errors == 0, (outcome.statuses, outcome.failures[:5])
        threads = Counter(
            c.params.get("thread_ts") for c in fake_slack.calls_to("chat.postMessage")
        )
        assert all(c.ok for c in fake_slack.calls_to("chat.postMessage"))
        assert set(threads) == {e.ts for e in [*events, *more_events]}
        assert set(threads.values()) == {1}
        replies = Counter(a.get("replyToId") for a in fake_connector.activities_sent())
        assert set(replies) == {a["id"] for a in [*activities, *more_activities]}
        assert set(replies.values()) == {1}
        assert all(c.ok for c in fake_connector.calls if c.operation in ("send", "reply"))
        apologies = [
            c for c in fake_slack.calls_to("chat.postMessage") if "went wrong" in str(c.params)
        ]
        assert apologies == []
        logged = pg.scalar("SELECT count(*) FROM questions")
        assert logged == 2 * PER_PLATFORM

        growth = end_rss - warm_rss
        figures(
            f"{PER_PLATFORM} Slack events + {PER_PLATFORM} Teams messages, {CLIENTS} "
            f"clients, one process: {outcome.errors} errors, every reply once, "
            f"{logged} questions logged; {latency_line(outcome)}; halves answered in "
            f"{first_seconds:.2f} s and {second_seconds:.2f} s "
            f"({2 * PER_PLATFORM / (first_seconds + second_seconds):.0f} msg/s); RSS "
            f"{started_rss:.1f} MiB at start, {warm_rss:.1f} after the first half, "
            f"{end_rss:.1f} after the second (+{growth:.1f} MiB, limit {MAX_GROWTH_MIB})"
        )
        assert growth < MAX_GROWTH_MIB, (started_rss, warm_rss, end_rss)

    asyncio.run(scenario())
