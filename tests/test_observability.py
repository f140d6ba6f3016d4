"""What an operator sees of ``personabot serve``: metrics, logs with request ids, no secrets.

The real server answers Slack (signed requests, replies to the local fake Slack Web API)
and Teams in local mode (replies to the local fake Bot Connector) in one process; the
tests read ``GET /metrics`` and the log stream the way an operator's tools would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import re
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "teams"), str(HERE / "slack")]

from activities import personal_message, post_activity  # noqa: E402
from fake_connector import FakeConnector  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402
from payloads import JSON, app_mention, event_callback, new_event_id, next_ts  # noqa: E402
from payloads import post_signed as post_signed_slack  # noqa: E402
from serving import Served, served  # noqa: E402

from bot.adapters.teams.server import TEAMS  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.logs import (  # noqa: E402
    Redactor,
    configure_logging,
    request_context,
    settings_secrets,
    unconfigure_logging,
)
from bot.model import Incoming, Reply  # noqa: E402
from bot.server import announce, build_web_app  # noqa: E402
from bot.settings import Settings  # noqa: E402

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
SIGNING_SECRET = "5e1f0c3a9b7d4e2f8a6c1b3d5e7f9a0b"
SLACK_TOKEN = "xoxb-1111-2222-observabilitytoken"
USER_TOKEN = "xoxp-3333-4444-someone-elses-token"  # not in the settings: masked by shape
STEP = 0.003  # seconds each answer takes on the test timer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class StepTimer:
    """A monotonic timer that moves ``STEP`` seconds every time it is read twice."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return (self.reads // 2) * STEP


class Terminal(io.StringIO):
    """A text stream that says it is a terminal, as a person's shell would."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Capture what the installed handler writes; the root logger is restored after."""
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    yield stream
    unconfigure_logging()
    root.setLevel(level)


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every log line, each parsed as one JSON object (fails on any other line)."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def samples(exposition: str) -> Samples:
    """Every sample of a Prometheus text exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when it was never recorded (a counter not yet touched)."""
    return found.get((name, frozenset(labels.items())), 0.0)


@dataclass
class Bot:
    """Our server answering Slack and Teams, the fakes it answers to, an HTTP client."""

    server: Served
    slack: FakeSlack
    connector: FakeConnector
    session: aiohttp.ClientSession

    async def teams(self, text: str, **kwargs: Any) -> aiohttp.ClientResponse:
        activity = personal_message(text, service_url=self.connector.url, **kwargs)
        return await post_activity(self.session, self.server.base + "/api/messages", activity)

    async def slack_mention(self, text: str) -> aiohttp.ClientResponse:
        event = app_mention(text, user="U0SELLER", channel="C0SALES", ts=next_ts())
        body = event_callback(event, event_id=new_event_id())
        url = self.server.base + "/slack/events"
        return await post_signed_slack(self.session, url, body, JSON, SIGNING_SECRET)

    async def teams_settled(self) -> None:
        """Every acknowledged Teams turn has run (its lane is gone)."""
        await self.server.web_app[TEAMS].lanes.idle(10)

    async def get(self, path: str, **headers: str) -> tuple[aiohttp.ClientResponse, str]:
        async with self.session.get(self.server.base + path, headers=headers) as response:
            return response, await response.text()

    async def metrics(self) -> Samples:
        response, body = await self.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return samples(body)


def both_platforms(tmp_path: Path, slack_api_url: str) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'observed.db'}",
        SLACK_BOT_TOKEN=SLACK_TOKEN,  # type: ignore[call-arg]
        SLACK_SIGNING_SECRET=SIGNING_SECRET,  # type: ignore[call-arg]
        slack_api_url=slack_api_url,
        teams_local=True,
    )


@asynccontextmanager
async def running(tmp_path: Path, log_stream: io.StringIO) -> AsyncIterator[Bot]:
    """Our server (Slack and local-mode Teams), logging JSON lines to ``log_stream``."""
    slack = FakeSlack()
    await slack.start()
    slack.add_user("U0SELLER", "seller@fieldline.example", "Sam Seller")
    settings = both_platforms(tmp_path, slack.base_url)
    configure_logging("INFO", stream=log_stream, secrets=settings_secrets(settings))
    try:
        async with (
            FakeConnector() as connector,
            served(settings, clock=lambda: NOW) as server,
            aiohttp.ClientSession() as session,
        ):
            server.core.router.timer = StepTimer()
            yield Bot(server, slack, connector, session)
    finally:
        await slack.stop()


def test_metrics_count_questions_by_platform_and_intent(
    tmp_path: Path, log_stream: io.StringIO
) -> None:
    async def scenario() -> None:
        async with running(tmp_path, log_stream) as bot:
            before = await bot.metrics()
            assert (
                value(before, "personabot_questions_total", platform="teams", intent="persona") == 0
            )
            assert (await bot.teams("who is Oskar?")).status == 200
            assert (await bot.teams("what's for lunch?")).status == 200
            await bot.connector.wait_for_activities(2, timeout=10)
            assert (await bot.slack_mention("who is the CFO?")).status == 200
            await bot.slack.wait_for("chat.postMessage", 1, timeout=10)
            await bot.get("/no/such/page")

            found = await bot.metrics()
            questions = "personabot_questions_total"
            assert value(found, questions, platform="teams", intent="persona") == 1
            assert value(found, questions, platform="teams", intent="unknown") == 1
            assert value(found, questions, platform="slack", intent="persona") == 1
            assert value(found, questions, platform="slack", intent="unknown") == 0
            assert value(found, "personabot_unanswered_total", platform="teams") == 1
            assert value(found, "personabot_unanswered_total", platform="slack") == 0
            # Every answer took STEP (3 ms) on the test timer: all in the 5 ms bucket.
            latency = "personabot_answer_seconds"
            assert value(found, latency + "_count", platform="teams") == 2
            assert value(found, latency + "_sum", platform="teams") == pytest.approx(2 * STEP)
            assert value(found, latency + "_bucket", platform="teams", le="0.0025") == 0
            assert value(found, latency + "_bucket", platform="teams", le="0.005") == 2
            assert value(found, latency + "_count", platform="slack") == 1
            requests = "personabot_http_requests_total"
            assert value(found, requests, route="/api/messages", status="200") == 2
            assert value(found, requests, route="/slack/events", status="200") == 1
            assert value(found, requests, route="/metrics", status="200") == 1  # the first scrape
            assert value(found, requests, route="other", status="404") == 1  # never the raw path
            assert not any("/no/such/page" in str(labels) for _, labels in found)
            assert value(found, "process_cpu_seconds_total") > 0
            assert value(found, "personabot_errors_total", platform="teams", kind="handler") == 0

    asyncio.run(scenario())


def test_a_failing_handler_is_counted_and_logged_with_the_request_id_and_no_secret(
    tmp_path: Path, log_stream: io.StringIO
) -> None:
    def broken(message: Incoming) -> Reply:
        raise RuntimeError(f"cannot verify with {SIGNING_SECRET}")

    async def scenario() -> tuple[str, str]:
        async with running(tmp_path, log_stream) as bot:
            assert (await bot.teams("who is Oskar?")).status == 200
            await bot.connector.wait_for_activities(1, timeout=10)
            await bot.teams_settled()
            bot.server.core.router.text_handler = broken
            teams = await bot.teams(f"my token is {USER_TOKEN}, who is Frida?")
            assert teams.status == 200
            apology = (await bot.connector.wait_for_activities(2, timeout=10))[1]
            assert "something went wrong" in json.dumps(apology)
            await bot.teams_settled()
            slack = await bot.slack_mention("who is Ib?")
            (posted,) = await bot.slack.wait_for("chat.postMessage", 1, timeout=10)
            assert "something went wrong" in json.dumps(posted.params)
            found = await bot.metrics()
            assert value(found, "personabot_errors_total", platform="teams", kind="handler") == 1
            assert value(found, "personabot_errors_total", platform="slack", kind="handler") == 1
            assert value(found, "personabot_questions_total", platform="teams", intent="error") == 1
            return teams.headers["X-Request-Id"], slack.headers["X-Request-Id"]

    teams_request, slack_request = asyncio.run(scenario())
    assert teams_request != slack_request
    teams, slack = [r for r in records(log_stream) if r["message"].startswith("handler failed")]
    # Logged in the turns that ran after the acknowledgement, with their request's id.
    assert teams["request_id"] == teams_request and teams["level"] == "ERROR"
    assert slack["request_id"] == slack_request
    assert teams["logger"] == "bot.router"
    assert "RuntimeError: cannot verify with ***" in teams["exc"]
    assert "text='my token is xoxp-***, who is Frida?'" in teams["message"]
    output = log_stream.getvalue()
    assert SIGNING_SECRET not in output and USER_TOKEN not in output


def test_a_reply_slack_refuses_is_counted_as_a_delivery_error(
    tmp_path: Path, log_stream: io.StringIO
) -> None:
    async def scenario() -> Samples:
        async with running(tmp_path, log_stream) as bot:
            # The answer and the apology in the channel are refused; the DM apology goes.
            bot.slack.fail_with_error("chat.postMessage", "channel_not_found", times=2)
            assert (await bot.slack_mention("who is Oskar?")).status == 200
            await bot.slack.wait_for("chat.postMessage", 3, timeout=10)
            return await bot.metrics()

    found = asyncio.run(scenario())
    assert value(found, "personabot_errors_total", platform="slack", kind="delivery") == 1
    assert value(found, "personabot_errors_total", platform="slack", kind="handler") == 0


def test_queued_teams_turns_of_one_conversation_log_with_their_own_request_ids(
    tmp_path: Path, log_stream: io.StringIO
) -> None:
    def broken(message: Incoming) -> Reply:
        raise RuntimeError(f"failed on {message.text}")

    async def scenario() -> list[str]:
        async with running(tmp_path, log_stream) as bot:
            bot.server.core.router.text_handler = broken
            # Posted together: the second waits in the conversation's lane behind the first.
            first, second = await asyncio.gather(bot.teams("first"), bot.teams("second"))
            await bot.teams_settled()
            return [first.headers["X-Request-Id"], second.headers["X-Request-Id"]]

    ids = asyncio.run(scenario())
    failures = {
        r["message"].rsplit("text=", 1)[1]: r["request_id"]
        for r in records(log_stream)
        if r["message"].startswith("handler failed")
    }
    assert failures == {"'first'": ids[0], "'second'": ids[1]}


def test_every_response_carries_a_request_id_and_log_lines_repeat_it(
    tmp_path: Path, log_stream: io.StringIO
) -> None:
    async def scenario() -> list[str]:
        async with running(tmp_path, log_stream) as bot:
            given, _ = await bot.get("/healthz", **{"X-Request-Id": "lb-7f3a:42"})
            fresh, _ = await bot.get("/healthz")
            hostile, _ = await bot.get("/healthz", **{"X-Request-Id": "x" * 65})
            missing, _ = await bot.get("/nowhere", **{"X-Request-Id": "bad id\\n{}"})
            answered = await bot.teams("who is Oskar?")
            await bot.connector.wait_for_activities(1, timeout=10)
            return [r.headers["X-Request-Id"] for r in (given, fresh, hostile, missing, answered)]

    given, fresh, hostile, missing, answered = asyncio.run(scenario())
    assert given == "lb-7f3a:42"  # a load balancer's id is kept, so logs line up
    for generated in (fresh, hostile, missing, answered):
        assert re.fullmatch(r"[0-9a-f]{12}", generated)
    assert len({fresh, hostile, missing, answered}) == 4
    access = {r["request_id"]: r for r in records(log_stream) if r["logger"] == "bot.http"}
    assert access[missing]["route"] == "other" and access[missing]["status"] == 404
    assert access[missing]["level"] == "INFO"
    assert access[answered]["route"] == "/api/messages" and access[answered]["status"] == 200
    for record in records(log_stream):
        dt.datetime.fromisoformat(record["time"])  # ISO-8601
        assert record["time"].endswith("Z")


def test_a_crashing_route_is_a_logged_500_counted_as_an_error(
    tmp_path: Path, log_stream: io.StringIO
) -> None:
    def crash() -> bytes:
        raise OSError(f"{SLACK_TOKEN} cannot reach postgresql://bot:pw-in-url@db/personabot")

    async def scenario() -> tuple[str, Samples]:
        async with running(tmp_path, log_stream) as bot:
            exposition = bot.server.core.metrics.exposition
            bot.server.core.metrics.exposition = crash  # type: ignore[method-assign]
            response, body = await bot.get("/metrics")
            assert response.status == 500 and "Traceback" not in body
            bot.server.core.metrics.exposition = exposition  # type: ignore[method-assign]
            return response.headers["X-Request-Id"], await bot.metrics()

    request_id, found = asyncio.run(scenario())
    assert value(found, "personabot_errors_total", platform="server", kind="http") == 1
    assert value(found, "personabot_http_requests_total", route="/metrics", status="500") == 1
    (failure,) = [r for r in records(log_stream) if r["message"].startswith("request failed")]
    assert failure["request_id"] == request_id
    assert "OSError: *** cannot reach postgresql://bot:***@db/personabot" in failure["exc"]
    assert SLACK_TOKEN not in log_stream.getvalue()
    assert "pw-in-url" not in log_stream.getvalue()


@pytest.mark.parametrize("terminal", [False, True], ids=["json", "text"])
def test_serve_without_credentials_says_what_is_enabled_in_one_line(
    tmp_path: Path, log_stream: io.StringIO, terminal: bool
) -> None:
    stream: io.StringIO = Terminal() if terminal else log_stream
    configure_logging("WARNING", stream=stream)  # PERSONABOT_LOG_LEVEL's default
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bare.db'}")
    core = build_app(settings, clock=lambda: NOW)
    try:
        announce(build_web_app(core, settings))  # what serve does once it listens
    finally:
        core.db.dispose()
    lines = [line for line in stream.getvalue().splitlines() if "personabot serving" in line]
    assert len(lines) == 1
    (line,) = lines
    if terminal:
        assert not line.startswith("{")
        assert " WARNING bot.server: personabot serving " in line
        assert line.endswith(": Teams (local mode, no auth)")
    else:
        record = json.loads(line)
        assert record["level"] == "WARNING" and record["logger"] == "bot.server"
        assert record["message"].endswith(": Teams (local mode, no auth)")


def test_on_a_terminal_lines_are_readable_with_the_request_id_and_masked_tracebacks(
    log_stream: io.StringIO,
) -> None:
    terminal = Terminal()
    configure_logging("INFO", stream=terminal, secrets=["hunter2-but-longer"])
    log = logging.getLogger("personabot.test")
    with request_context("req-1"):
        try:
            raise ValueError("login with hunter2-but-longer failed")
        except ValueError:
            log.exception("could not log in as %s", "admin")
    log.info("outside any request")
    text = terminal.getvalue()
    first, *rest = text.splitlines()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR personabot\.test \[req-1\]: "
        r"could not log in as admin",
        first,
    )
    assert "Traceback (most recent call last):" in rest
    assert "ValueError: login with *** failed" in rest
    assert rest[-1].endswith(" INFO personabot.test: outside any request")
    assert "hunter2" not in text


def test_json_lines_carry_extra_fields_and_one_record_is_one_line(
    log_stream: io.StringIO,
) -> None:
    configure_logging("DEBUG", stream=log_stream)
    log = logging.getLogger("personabot.test")
    log.debug(
        "two\nlines", extra={"persona": "cfo-frida", "count": 3, "dsn": "postgresql://a:b@h/d"}
    )
    (record,) = records(log_stream)
    assert record["message"] == "two\nlines" and record["level"] == "DEBUG"
    assert record["persona"] == "cfo-frida" and record["count"] == 3
    assert record["dsn"] == "postgresql://a:***@h/d"
    assert "request_id" not in record  # outside a request


@pytest.mark.parametrize(
    ("logged", "shown"),
    [
        ("token xoxb-17-42-AbCdEf123 sent", "token xoxb-*** sent"),
        ("user token xoxp-1-2-3-abc", "user token xoxp-***"),
        ("app token xapp-1-A0001-123-deadbeef", "app token xapp-***"),
        ("rotated xoxe.xoxp-1-Mi0yLTE", "rotated xoxe.xoxp-***"),
        ("{'Authorization': 'Bearer abc.def-ghi_jkl'}", "{'Authorization': 'Bearer ***'}"),
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***"),
        ("authorization=abcdef123", "authorization=***"),
        ("sent Bearer 0123456789abcdef", "sent Bearer ***"),
        ("jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl end", "jwt *** end"),
        (
            "cannot connect to postgresql+psycopg://bot:s3cr%40t@db:5432/personabot",
            "cannot connect to postgresql+psycopg://bot:***@db:5432/personabot",
        ),
        (
            "GET /slack/oauth_redirect?code=1&client_secret=abc&state=x",
            "GET /slack/oauth_redirect?code=1&client_secret=***&state=x",
        ),
        ("password=swordfish; retry", "password=***; retry"),
        ("the signing secret is planted-secret-value!", "the signing secret is ***"),
        ("url-encoded planted-secret-value%21 too", "url-encoded *** too"),
    ],
)
def test_secrets_are_masked(logged: str, shown: str) -> None:
    assert Redactor(["planted-secret-value!"])(logged) == shown


@pytest.mark.parametrize(
    "harmless",
    [
        "who is the basic bearer of bad news?",
        "POST http://127.0.0.1:3978/api/messages 200",
        "the customer says it's too expensive",
        "xoxo from the team",
        "sqlite:////data/personabot.db",
        "postgresql://postgres@127.0.0.1:5432/test",
    ],
)
def test_ordinary_text_is_left_alone(harmless: str) -> None:
    assert Redactor(["planted-secret-value!"])(harmless) == harmless


def test_the_settings_secrets_are_every_secret_field_and_the_database_password() -> None:
    settings = Settings(
        database_url="postgresql://bot:db-password@db/personabot",
        SLACK_BOT_TOKEN=SLACK_TOKEN,  # type: ignore[call-arg]
        SLACK_SIGNING_SECRET=SIGNING_SECRET,  # type: ignore[call-arg]
        SLACK_CLIENT_ID="123.456",  # type: ignore[call-arg]
        SLACK_CLIENT_SECRET="client-secret-value",  # type: ignore[call-arg]
        MicrosoftAppId="5353a86e-52fb-4979-8a69-c7efcd1b0bd3",  # type: ignore[call-arg]
        MicrosoftAppPassword="ms-app-password",  # type: ignore[call-arg]
    )
    assert set(settings_secrets(settings)) == {
        SLACK_TOKEN,
        SIGNING_SECRET,
        "client-secret-value",
        "ms-app-password",
        "db-password",
    }


def test_the_command_line_logs_json_with_the_settings_secrets_masked(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    log_stream: io.StringIO,
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("PERSONABOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PERSONABOT_LOG_LEVEL", "INFO")
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    assert main(["ask", "who is Oskar?"]) == 0
    logging.getLogger("personabot.test").warning("the secret is %s", SIGNING_SECRET)
    err = capsys.readouterr().err
    logged = [json.loads(line) for line in err.splitlines()]  # standard error is no terminal
    assert logged[0]["message"] == "upgrading database schema"
    assert logged[-1]["message"] == "the secret is ***"
    assert SIGNING_SECRET not in err


def test_a_failed_question_log_write_is_counted_and_retried(
    tmp_path: Path, log_stream: io.StringIO
) -> None:
    async def scenario() -> Samples:
        async with running(tmp_path, log_stream) as bot:
            loop = asyncio.get_running_loop()
            retried = asyncio.Event()
            attempts: list[int] = []

            def flaky_flush() -> None:  # runs in a worker thread, like the real one
                attempts.append(1)
                if len(attempts) == 1:
                    raise OSError("database is locked")
                loop.call_soon_threadsafe(retried.set)

            bot.server.core.turns.flush = flaky_flush  # type: ignore[method-assign]
            await asyncio.wait_for(retried.wait(), 10)  # the first failure was handled
            return await bot.metrics()

    found = asyncio.run(scenario())
    assert value(found, "personabot_errors_total", platform="all", kind="question_log") == 1
    (failure,) = [
        r
        for r in records(log_stream)
        if r["message"].startswith("could not write the question log")
    ]
    assert failure["level"] == "ERROR" and "OSError: database is locked" in failure["exc"]
