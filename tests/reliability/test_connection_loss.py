"""PostgreSQL drops the server's connections while requests flow; the server copes alone.

A database restart, a failover or an idle-connection reaper ends a server's connections
without warning. Here ``pg_terminate_backend`` ends every connection of one ``serve``
process (picked out by its ``application_name``) again and again while Slack events
and Teams messages arrive. Every message must get its answer or a short "try again"
apology (never silence, never two replies), the server must recover by itself (same
process, no restart), and every question must reach the question log.
"""

from __future__ import annotations

import asyncio
import threading
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
    ServerFactory,
    SlackEvent,
    bounded,
    latency_line,
    post_slack,
    post_teams,
    teams_message,
)

from bot.i18n import Texts

PER_PLATFORM = 150
AFTER = 20  # messages per platform once the terminations have stopped
CONCURRENCY = 20
CONVERSATIONS = 10
# Pause between two rounds of terminations: a chaos pattern, not synchronisation.
CHAOS_PAUSE = 0.01
APOLOGY = Texts(language="en")("error")


class Chaos:
    """Terminates one application's PostgreSQL connections until stopped (a thread)."""

    def __init__(self, pg: Postgres, application_name: str) -> None:
        self._pg = pg
        self._app = application_name
        self._stop = threading.Event()
        self.rounds = 0
        self.killed = 0
        self._thread = threading.Thread(target=self._run, name="chaos", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.killed += self._pg.terminate(self._app)
            self.rounds += 1
            self._stop.wait(CHAOS_PAUSE)

    def __enter__(self) -> Chaos:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


def tagged(i: int, phase: str) -> str:
    """A question with a tag that makes it unique in the question log."""
    return f"{QUESTIONS[i % len(QUESTIONS)]} [{phase}{i}]"


async def send_round(
    *,
    server_url: Callable[[str], str],
    service_url: str,
    phase: str,
    count: int,
    outcome: Outcome,
) -> tuple[list[SlackEvent], list[dict[str, Any]]]:
    """Send ``count`` Slack mentions and ``count`` Teams messages, interleaved."""
    events = [
        SlackEvent.mention(
            tagged(i, phase),
            user=f"U0REL{i % 20:03d}",
            channel="C0CHAOS",
            ts=f"{1_810_000_000 + ord(phase)}.{i:06d}",
        )
        for i in range(count)
    ]
    activities = [
        teams_message(
            tagged(i, phase),
            service_url=service_url,
            conversation=f"a:chaos-{phase}-{i % CONVERSATIONS}",
            user=i % CONVERSATIONS,
        )
        for i in range(count)
    ]
    async with aiohttp.ClientSession() as session:
        jobs = []
        for event, activity in zip(events, activities, strict=True):
            jobs.append(post_slack(session, server_url(SLACK_PATH), event, outcome))
            jobs.append(post_teams(session, server_url(TEAMS_PATH), activity, outcome))
        await bounded(jobs, CONCURRENCY)
    return events, activities


def slack_replies(fake: FakeSlackThread, events: list[SlackEvent]) -> dict[str, list[str]]:
    """The replies posted in each event's thread (by the event's ``ts``)."""
    wanted = {event.ts for event in events}
    found: dict[str, list[str]] = {ts: [] for ts in wanted}
    for call in fake.calls_to("chat.postMessage"):
        if call.params.get("thread_ts") in wanted:
            found[call.params["thread_ts"]].append(str(call.params.get("text", "")))
    return found


def teams_replies(
    fake: FakeConnectorThread, activities: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """The replies sent to each activity (by ``replyToId``), as the text they show."""
    wanted = {activity["id"] for activity in activities}
    found: dict[str, list[str]] = {i: [] for i in wanted}
    for sent in fake.activities_sent():
        if sent.get("replyToId") in wanted:
            found[sent["replyToId"]].append(repr(sent))
    return found


async def wait_for_replies(
    slack: FakeSlackThread, teams: FakeConnectorThread, slack_total: int, teams_total: int
) -> None:
    await slack.wait_for_async("chat.postMessage", slack_total, timeout=60)
    await teams.wait_for_activities_async(teams_total, timeout=60)


def test_terminated_connections_lose_nothing_and_need_no_restart(
    serve: ServerFactory,
    pg: Postgres,
    fake_slack: FakeSlackThread,
    fake_connector: FakeConnectorThread,
    figures: Callable[[str], None],
) -> None:
    app_name = f"personabot-chaos-{pg.schema}"

    async def scenario() -> None:
        server = serve("chaos", app=app_name)
        await server.wait_ready()
        pid = server.pid
        during = Outcome()
        started = time.monotonic()
        with Chaos(pg, app_name) as chaos:
            events, activities = await send_round(
                server_url=server.url,
                service_url=fake_connector.url,
                phase="d",
                count=PER_PLATFORM,
                outcome=during,
            )
            await wait_for_replies(fake_slack, fake_connector, PER_PLATFORM, PER_PLATFORM)
        chaos_seconds = time.monotonic() - started
        assert chaos.killed > 0, "no connection was terminated: the test tested nothing"

        # Every message got exactly one reply: its answer or the apology.
        assert during.errors == 0, (during.statuses, during.failures[:5])
        replies = [*slack_replies(fake_slack, events).values()]
        replies += [*teams_replies(fake_connector, activities).values()]
        assert [r for r in replies if len(r) != 1] == []
        apologies = sum(1 for r in replies if "went wrong" in r[0])

        # Afterwards: answered by the same process, no apology, no restart.
        after = Outcome()
        later_events, later_activities = await send_round(
            server_url=server.url,
            service_url=fake_connector.url,
            phase="a",
            count=AFTER,
            outcome=after,
        )
        await wait_for_replies(
            fake_slack, fake_connector, PER_PLATFORM + AFTER, PER_PLATFORM + AFTER
        )
        assert after.errors == 0, (after.statuses, after.failures[:5])
        later = [*slack_replies(fake_slack, later_events).values()]
        later += [*teams_replies(fake_connector, later_activities).values()]
        assert [r for r in later if len(r) != 1] == []
        assert [r for r in later if "went wrong" in r[0]] == []
        assert server.running() and server.pid == pid

        # Nothing the users sent is lost: the queued question log catches up.
        expected = {tagged(i, "d") for i in range(PER_PLATFORM)}
        expected |= {tagged(i, "a") for i in range(AFTER)}
        caught_up = time.monotonic()
        logged: Counter[str] = Counter()
        while time.monotonic() - caught_up < 20:
            logged = Counter(
                row[0] for row in pg.rows("SELECT text FROM questions WHERE text LIKE '%[%]'")
            )
            if set(logged) >= expected and sum(logged.values()) >= 2 * len(expected):
                break
            await asyncio.sleep(0.05)  # polling the database against a deadline
        missing = expected - set(logged)
        assert missing == set(), sorted(missing)[:5]
        short = [t for t in expected if logged[t] < 2]  # asked on Slack and on Teams
        assert short == [], (len(short), apologies, server.log_tail(60))
        duplicated = sum(n - 2 for n in logged.values() if n > 2)
        log = server.log_text()
        figures(
            f"{2 * PER_PLATFORM} messages (Slack + Teams, {CONCURRENCY} clients) during "
            f"{chaos.rounds} rounds of pg_terminate_backend ({chaos.killed} connections "
            f"ended, {chaos_seconds:.2f} s): {during.errors} errors, "
            f"{len(replies) - apologies} answered, {apologies} apologies, 0 silent; "
            f"{latency_line(during)}; afterwards {2 * AFTER}/{2 * AFTER} answered without "
            f"restart; question log complete ({sum(logged.values())} rows, {duplicated} "
            f"duplicated) {time.monotonic() - caught_up:.2f} s after the last reply; "
            f"{log.count('trying again')} writes retried on a new connection, "
            f"{log.count('without a claim')} claim batches granted unclaimed"
        )

    asyncio.run(scenario())
