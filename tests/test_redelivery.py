"""Questions a crashed replica acknowledged but never answered are answered late.

The crash is the database as a dead replica leaves it: the question claimed, with its
payload, minutes ago and never marked answered. The running server (our real app, on
the local fake Slack Web API and fake Bot Connector) finds it and answers it through the
platform's adapter; the end-to-end version with a real ``kill -9`` is in
``tests/reliability/test_kill9.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "teams"), str(HERE / "slack")]

from activities import personal_message, post_activity  # noqa: E402
from fake_connector import FakeConnector  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402
from payloads import app_mention, event_callback, new_event_id  # noqa: E402
from serving import served  # noqa: E402

from bot.adapters.teams.activity import activity_key  # noqa: E402
from bot.adapters.teams.server import TEAMS  # noqa: E402
from bot.server import REDELIVERY  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import ProcessedEvents  # noqa: E402

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
CRASHED_AT = NOW - dt.timedelta(minutes=5)


def test_a_question_a_dead_replica_acknowledged_is_answered_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        slack = FakeSlack()
        await slack.start()
        slack.add_user("U0SELLER", "seller@fieldline.example", "Sam Seller")
        try:
            async with FakeConnector() as connector:
                settings = Settings(
                    database_url=f"sqlite:///{tmp_path / 'bot.db'}",
                    SLACK_BOT_TOKEN="xoxb-late",  # type: ignore[call-arg]
                    SLACK_SIGNING_SECRET="late-signing-secret",  # type: ignore[call-arg]
                    slack_api_url=slack.base_url,
                    teams_local=True,
                )
                async with served(settings, clock=lambda: NOW) as server:
                    events = ProcessedEvents(db=server.core.db)
                    # What the dead replica left: two questions, claimed and stored.
                    mention = event_callback(
                        app_mention("who is Oskar?", user="U0SELLER", channel="C0X", ts="1.5"),
                        event_id=new_event_id(),
                    )
                    events.claim_many(
                        [mention["event_id"]],
                        "slack",
                        CRASHED_AT,
                        payloads={mention["event_id"]: json.dumps(mention)},
                    )
                    message = personal_message("who is Frida?", service_url=connector.url)
                    key = activity_key(message["conversation"]["id"], message["id"])
                    events.claim_many(
                        [key], "teams", CRASHED_AT, payloads={key: json.dumps(message)}
                    )
                    # And one it did answer: not again.
                    events.claim_many(["Ev-done"], "slack", CRASHED_AT, payloads={"Ev-done": "{}"})
                    events.answered(["Ev-done"], CRASHED_AT)

                    # The server's own look at start-up may take them first: either way,
                    # each is answered once.
                    await server.web_app[REDELIVERY].once()
                    (posted,) = await slack.wait_for("chat.postMessage", 1, timeout=10)
                    (sent,) = await connector.wait_for_activities(1, timeout=10)
                    await server.web_app[REDELIVERY].once()  # nothing left to answer
                assert posted.params["channel"] == "C0X" and posted.params["thread_ts"] == "1.5"
                assert "Oskar" in json.dumps(posted.params)
                assert sent["replyToId"] == message["id"] and "Frida" in json.dumps(sent)
                assert len(slack.calls_to("chat.postMessage")) == 1
                assert len(connector.activities_sent()) == 1
                # Marked answered, payloads dropped; a retry now is skipped for good.
                later = NOW + dt.timedelta(minutes=10)
                assert events.take_stale(later, token="x") == []
                assert not events.claim(mention["event_id"], "slack", later)
        finally:
            await slack.stop()

    asyncio.run(scenario())


def test_a_teams_reply_the_connector_refused_is_answered_again_later(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FakeConnector() as connector:
            settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}", teams_local=True)
            async with (
                served(settings, clock=lambda: NOW) as server,
                aiohttp.ClientSession() as http,
            ):
                # The answer and the apology are both refused (the connector is down).
                connector.fail_with(503, times=2)
                message = personal_message("who is Oskar?", service_url=connector.url)
                response = await post_activity(http, server.base + "/api/messages", message)
                assert response.status == 200
                await connector.wait_for_calls("reply", 2, timeout=10)
                await server.web_app[TEAMS].lanes.idle(10)
                assert connector.activities_sent() == []  # nothing reached the user yet
                # Not marked answered: the next look answers it (the connector is back).
                await server.web_app[REDELIVERY].once()
                (sent,) = await connector.wait_for_activities(1, timeout=10)
                await server.web_app[TEAMS].lanes.idle(10)
                await server.web_app[REDELIVERY].once()  # answered: not again
        assert sent["replyToId"] == message["id"] and "Oskar" in json.dumps(sent)
        assert len(connector.activities_sent()) == 1

    asyncio.run(scenario())
