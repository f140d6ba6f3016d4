"""``personabot serve`` as the container runs it: the Dockerfile's command, health, SIGTERM.

There is no Docker engine on the development machines, so the image's start command is
read from the ``Dockerfile`` (its ``ENV``, ``ENTRYPOINT``, ``CMD`` and ``HEALTHCHECK``)
and run here as a real process, with ``/data`` moved to a temporary directory, on SQLite
and on PostgreSQL. SIGTERM must let every acknowledged answer go out, commit the
question log and exit 0 within the shutdown budget.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
for folder in (HERE / "reliability", HERE / "slack", HERE / "teams"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from fake_connector import FakeConnectorThread  # noqa: E402
from fake_slack import FakeSlackThread  # noqa: E402
from procs import (  # noqa: E402
    Outcome,
    ServeProcess,
    SlackEvent,
    post_slack,
    post_teams,
    scratch_schema,
    teams_message,
)

DOCKERFILE = HERE.parent / "Dockerfile"


def dockerfile() -> tuple[dict[str, str], list[str], str]:
    """The final stage's ENV, its ENTRYPOINT + CMD, and the HEALTHCHECK command."""
    lines = DOCKERFILE.read_text().replace("\\\n", " ").splitlines()
    final = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    env: dict[str, str] = {}
    command: list[str] = []
    health = ""
    for line in final:
        instruction, _, rest = line.partition(" ")
        if instruction == "ENV":
            env.update(dict(part.split("=", 1) for part in shlex.split(rest)))
        elif instruction in ("ENTRYPOINT", "CMD"):
            command += json.loads(rest)
        elif instruction == "HEALTHCHECK":
            health = rest.split(" CMD ", 1)[1]
    return env, command, health


@pytest.fixture
def pg_url() -> Iterator[str]:
    with scratch_schema("serve") as url:
        yield url


def test_the_dockerfile_describes_the_image_the_issue_asks_for() -> None:
    text_ = DOCKERFILE.read_text()
    assert len(re.findall(r"^FROM python:3\.\d+-slim", text_, re.M)) == 2  # multi-stage, slim
    assert re.search(r"^USER personabot$", text_, re.M)  # not root
    assert re.search(r"^EXPOSE 3978$", text_, re.M)
    env, command, health = dockerfile()
    assert command == ["personabot", "serve"]
    assert env["PERSONABOT_PORT"] == "3978" and "/healthz" in health
    assert "PERSONABOT_CONTENT" not in env  # the example pack (in the package) is the default


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_images_start_command_serves_health_readiness_and_metrics(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env, command, health = dockerfile()
    data = tmp_path / "data"
    data.mkdir()
    if database == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = env["PERSONABOT_DATABASE_URL"].replace("/data/", f"{data}/")
    executable = Path(sys.executable).with_name(command[0])
    assert executable.exists(), "the console script the image runs is installed"
    server = ServeProcess(
        name="image",
        database_url=url,
        workdir=data,
        slack_api_url="http://127.0.0.1:9/api/",
        env={"PERSONABOT_LOG_LEVEL": "INFO"},
        command=[str(executable), *command[1:]],
        credentials=False,
    )
    try:
        server.start()
        asyncio.run(server.wait_ready())
        statuses = asyncio.run(_get_all(server, ["/healthz", "/readyz", "/metrics"]))
        assert statuses == [200, 200, 200]
        probe = subprocess.run(  # the HEALTHCHECK, as Docker would run it (shell form)
            ["/bin/sh", "-c", health],
            env={**os.environ, "PERSONABOT_PORT": str(server.port)},
            capture_output=True,
            timeout=30,
        )
        assert probe.returncode == 0, probe.stderr
    finally:
        code = server.stop()
    assert code == 0, server.log_tail()
    logged = [json.loads(line) for line in server.log_text().splitlines()]  # not a terminal
    serving = [r for r in logged if r["message"].startswith("personabot serving")]
    assert len(serving) == 1 and serving[0]["message"].endswith("Teams (local mode, no auth)")
    if database == "sqlite":
        assert (data / "personabot.db").exists()


def test_sigterm_sends_every_acknowledged_answer_then_exits_cleanly(tmp_path: Path) -> None:
    # The connector answers slowly, so replies are still on their way when SIGTERM comes.
    with FakeSlackThread() as slack, FakeConnectorThread(latency=0.3) as connector:
        server = ServeProcess(
            name="graceful",
            database_url=f"sqlite:///{tmp_path / 'bot.db'}",
            workdir=tmp_path,
            slack_api_url=slack.base_url,
        )
        server.start()
        try:
            asyncio.run(server.wait_ready())
            outcome = asyncio.run(_burst(server, connector.url, count=20))
            assert outcome.errors == 0 and outcome.total == 40
            started = time.monotonic()
            code = server.stop()
            took = time.monotonic() - started
        finally:
            server.kill()
        assert code == 0, server.log_tail()
        # Everything acknowledged before SIGTERM reached the platforms before the exit.
        assert len(connector.activities_sent()) == 20
        assert len(slack.calls_to("chat.postMessage")) == 20
        assert "unanswered" not in server.log_text()
        print(f"\nSIGTERM with 40 answers in flight: exit 0 after {took:.2f} s")

    # The question log was committed on the way out: all 40 questions are on record.
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM questions")).scalar() == 40
    engine.dispose()


async def _get_all(server: ServeProcess, paths: list[str]) -> list[int]:
    async with aiohttp.ClientSession() as session:
        statuses = []
        for path in paths:
            async with session.get(server.url(path)) as response:
                statuses.append(response.status)
        return statuses


async def _burst(server: ServeProcess, service_url: str, *, count: int) -> Outcome:
    outcome = Outcome()
    async with aiohttp.ClientSession() as session:
        slack = [
            post_slack(
                session,
                server.url("/slack/events"),
                SlackEvent.mention(
                    "who is Oskar?", user="U0SELLER", channel="C0SALES", ts=f"{n}.0"
                ),
                outcome,
            )
            for n in range(1, count + 1)
        ]
        teams = [
            post_teams(
                session,
                server.url("/api/messages"),
                teams_message(
                    "who is Frida?", service_url=service_url, conversation=f"a:{n}", user=n
                ),
                outcome,
            )
            for n in range(1, count + 1)
        ]
        await asyncio.gather(*slack, *teams)
    return outcome
