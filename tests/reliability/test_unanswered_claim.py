"""A claimed event whose answer never went out is answered when Slack retries it.

Slack retries an event (``X-Slack-Retry-Num``) when its acknowledgement came late (over
3 s: a busy replica) or not at all. If the replica that claimed the first delivery fails
to send its answer, it releases the claim (keeping the question), so the retry — on any
replica — is answered instead of skipped as "already handled"; without a retry, the next
look for unanswered questions answers it (``tests/test_redelivery.py``). (A replica that
dies before answering leaves its claim unanswered; a retry takes it over once it is
stale, see ``tests/storage/test_storage_logs.py``.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
from fake_slack import FakeSlackThread
from procs import QUESTIONS, SLACK_PATH, Outcome, Postgres, ServerFactory, SlackEvent, post_slack

# The answer, the apology in the channel and the apology by direct message.
POSTS_PER_FAILED_ANSWER = 3
# A released claim: unanswered, its question kept, stale (PERSONABOT_REDELIVER_AFTER is
# 120 s by default; a release backdates the claim past it).
RELEASED = (
    "SELECT count(*) FROM processed_events WHERE answered_at IS NULL "
    "AND payload IS NOT NULL AND received_at < now() - interval '100 seconds'"
)


def test_a_retry_of_a_claimed_unanswered_event_is_answered(
    serve: ServerFactory,
    pg: Postgres,
    fake_slack: FakeSlackThread,
    figures: Callable[[str], None],
) -> None:
    async def scenario() -> None:
        failing = serve("claims-then-dies")
        await failing.wait_ready()
        event = SlackEvent.mention(
            QUESTIONS[0], user="U0REL001", channel="C0LEASE", ts="1850000000.000001"
        )
        # Slack refuses every post of the first replica: its answer never goes out.
        fake_slack.fail_with_error(
            "chat.postMessage", "internal_error", times=POSTS_PER_FAILED_ANSWER
        )
        outcome = Outcome()
        async with aiohttp.ClientSession() as session:
            await post_slack(session, failing.url(SLACK_PATH), event, outcome)
            await fake_slack.wait_for_async("chat.postMessage", POSTS_PER_FAILED_ANSWER, timeout=20)
            # It claimed the event, failed to answer and released the claim (stale at
            # once): unanswered, the question kept, free for the retry to take. Its
            # last post is not the release: killed before it, the retry would be skipped.
            deadline = asyncio.get_running_loop().time() + 20
            while pg.scalar(RELEASED) != 1:
                assert asyncio.get_running_loop().time() < deadline, "never released"
                await asyncio.sleep(0.05)  # polling the database against a deadline
            failing.kill()

            healthy = serve("gets-the-retry")
            await healthy.wait_ready()
            await post_slack(session, healthy.url(SLACK_PATH), event, outcome, retry_num=1)
        assert healthy.stop() == 0, healthy.log_tail()  # graceful: its answers are out
        assert outcome.errors == 0, outcome.failures
        answered = [
            c
            for c in fake_slack.calls_to("chat.postMessage")
            if c.ok and c.params.get("thread_ts") == event.ts
        ]
        figures(f"claimed by a replica that never answered; retry answered {len(answered)}x")
        assert len(answered) == 1
        # Answered: a further retry would be skipped for good.
        assert pg.scalar("SELECT count(*) FROM processed_events WHERE answered_at IS NOT NULL") == 1

    asyncio.run(scenario())
