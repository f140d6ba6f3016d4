"""Two ``serve`` processes on one PostgreSQL get each Slack event and its retries: one reply.

Slack retries an event (same ``event_id``, ``X-Slack-Retry-Num``) when it thinks the
first delivery failed; behind a load balancer the retries land on any replica, possibly
while the first delivery is still being handled. Here every event is delivered three
times (the original and two retries), spread over both processes and sent all at once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable

import aiohttp
from fake_slack import FakeSlackThread
from procs import (
    QUESTIONS,
    SLACK_PATH,
    Outcome,
    Postgres,
    ServerFactory,
    SlackEvent,
    bounded,
    latency_line,
    post_slack,
)

EVENTS = 100
DELIVERIES = 3  # the original and two retries
CONCURRENCY = 50
TOKEN_A = "xoxb-replica-a"
TOKEN_B = "xoxb-replica-b"


def test_each_event_gets_one_reply_across_two_replicas(
    serve: ServerFactory, fake_slack: FakeSlackThread, pg: Postgres, figures: Callable[[str], None]
) -> None:
    async def scenario() -> None:
        # Each replica posts with its own token, so the fake tells who answered.
        first = serve("replica-a", env={"SLACK_BOT_TOKEN": TOKEN_A})
        await first.wait_ready()  # the first one migrates and imports the pack
        second = serve("replica-b", env={"SLACK_BOT_TOKEN": TOKEN_B})
        await second.wait_ready()
        replicas = [first.url(SLACK_PATH), second.url(SLACK_PATH)]
        rng = random.Random(5)
        events = [
            SlackEvent.mention(
                QUESTIONS[i % len(QUESTIONS)],
                user=f"U0REL{i % 20:03d}",
                channel=f"C0REL{i % 7}",
                ts=f"1800000000.{i:06d}",
            )
            for i in range(EVENTS)
        ]
        deliveries = [
            (event, retry, replicas[(i + retry) % 2])  # the retries go to the other replica
            for i, event in enumerate(events)
            for retry in range(DELIVERIES)
        ]
        rng.shuffle(deliveries)
        outcome = Outcome()
        started = time.monotonic()
        async with aiohttp.ClientSession() as session:
            await bounded(
                [
                    post_slack(session, url, event, outcome, retry_num=retry or None)
                    for event, retry, url in deliveries
                ],
                CONCURRENCY,
            )
        await fake_slack.wait_for_async("chat.postMessage", EVENTS, timeout=60)
        answered = time.monotonic() - started
        # A graceful stop lets every acknowledged delivery finish: after it, nothing can
        # post any more, so the count below is final, not a snapshot.
        assert first.stop() == 0, first.log_tail()
        assert second.stop() == 0, second.log_tail()

        assert outcome.errors == 0, (outcome.statuses, outcome.failures[:5])
        posts = fake_slack.calls_to("chat.postMessage")
        per_thread = Counter(call.params.get("thread_ts") for call in posts)
        assert set(per_thread) == {event.ts for event in events}
        assert max(per_thread.values()) == 1, [t for t, n in per_thread.items() if n > 1]
        assert all(call.ok for call in posts)
        claimed = pg.scalar("SELECT count(*) FROM processed_events WHERE platform = 'slack'")
        assert claimed == EVENTS
        by_replica = Counter(call.token for call in posts)
        assert sum(by_replica.values()) == EVENTS
        figures(
            f"{EVENTS} events x {DELIVERIES} deliveries over 2 processes, {CONCURRENCY} "
            f"clients: {outcome.total} requests, {outcome.errors} errors, "
            f"{len(posts)} replies ({len(per_thread)} threads, max {max(per_thread.values())}"
            f" per thread; replica a {by_replica[TOKEN_A]}, b {by_replica[TOKEN_B]}), all "
            f"replies in {answered:.2f} s, {latency_line(outcome)}"
        )

    asyncio.run(scenario())
