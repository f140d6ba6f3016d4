"""Real ``personabot serve`` processes for the reliability suite, and what drives them.

:class:`ServeProcess` starts the server as a subprocess (our interpreter, ``-m bot
serve``) with Slack pointed at the local fake Slack Web API and Teams in local mode
beside it, on a free port of 127.0.0.1, in a scrubbed environment (no developer
``.env``, no real credentials). Readiness is ``GET /readyz`` polled against a deadline.

The traffic helpers build signed Slack ``app_mention`` deliveries (with Slack's retry
headers when asked) and Teams personal messages, post them and time them. Only
127.0.0.1 is ever contacted; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from activities import personal_message
from payloads import JSON, app_mention, event_callback, json_body, new_event_id, sign
from server_thread import ServerThread
from sqlalchemy import Engine, create_engine, text

from storage import normalize_url

HOST = "127.0.0.1"
TOKEN = "xoxb-reliability"
SECRET = "reliability-signing-secret-0123456789"
SLACK_PATH = "/slack/events"
TEST_DATABASE_ENV = "PERSONABOT_TEST_DATABASE_URL"
TEAMS_PATH = "/api/messages"
# Servers listen on ports from here up to the kernel's ephemeral range (see free_port).
PRIVATE_PORTS_FROM = 20000
# Variables of the developer's environment that would change what ``serve`` does.
SCRUBBED_PREFIXES = ("PERSONABOT_", "SLACK_", "Microsoft", "MICROSOFT_")
# Questions about the example pack, as sellers ask them (who-is and objections).
QUESTIONS = (
    "who is Oskar?",
    "tell me about the CFO",
    "what are Bjørn's biggest pains?",
    "what does Frida care about?",
    "the customer says it's too expensive",
    "the technicians say they'll never use an app",
    "Bjørn thinks the cloud is a security risk",
    "Tuva says her team hates paperwork",
)


ROOT = Path(__file__).resolve().parents[2]


def scrubbed_env(**extra: str) -> dict[str, str]:
    """The environment for our subprocesses: the developer's, scrubbed, plus ``extra``.

    ``PYTHONPATH`` puts this tree first, so a subprocess runs the code under test, not
    whatever copy ``pip install .`` last put in the virtual environment.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
    paths = [str(ROOT), *filter(None, [base.get("PYTHONPATH")])]
    return {**base, "PYTHONPATH": os.pathsep.join(paths), **extra}


def free_port() -> int:
    """A free port of 127.0.0.1 for a server, below the kernel's ephemeral range.

    The server binds it only once started (a second or more later). A port of the
    ephemeral range could meanwhile become the local port of any outgoing connection on
    the machine (these tests open thousands), and the server could not listen; ports
    below the range are never handed out that way.
    """
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    pick = random.SystemRandom()
    for _ in range(200):
        port = pick.randrange(PRIVATE_PORTS_FROM, max(low, PRIVATE_PORTS_FROM + 1000))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue  # in use: another one
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class NotReady(Exception):
    """A server exited or did not become ready in time; the message has its log's tail."""


class ServeProcess:
    """One ``personabot serve`` subprocess.

    Args:
        name: A label for logs and messages.
        database_url: ``PERSONABOT_DATABASE_URL``.
        workdir: Its working directory (its log file goes there too).
        slack_api_url: The fake Slack Web API's base URL.
        port: The port to listen on (default: a free one).
        env: More environment on top.
        command: The command line (default: this interpreter, ``-m bot serve``).
        credentials: Whether to configure Slack (the fake's token and signing secret)
            and Teams local mode; without, ``serve`` runs as on a fresh install.
    """

    def __init__(
        self,
        *,
        name: str,
        database_url: str,
        workdir: Path,
        slack_api_url: str,
        port: int | None = None,
        env: dict[str, str] | None = None,
        command: Sequence[str] = (sys.executable, "-m", "bot", "serve"),
        credentials: bool = True,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.port = port or free_port()
        self.workdir = workdir
        self.log = workdir / f"{name}.log"
        self.env = {
            **scrubbed_env(),
            "PERSONABOT_DATABASE_URL": database_url,
            "PERSONABOT_HOST": HOST,
            "PERSONABOT_PORT": str(self.port),
            "PERSONABOT_LOG_LEVEL": "WARNING",
            "PERSONABOT_SLACK_API_URL": slack_api_url,
            **(
                {
                    "PERSONABOT_TEAMS_LOCAL": "true",
                    "SLACK_BOT_TOKEN": TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET,
                }
                if credentials
                else {}
            ),
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The process id (after :meth:`start`)."""
        assert self.proc is not None, "not started"
        return self.proc.pid

    def url(self, path: str) -> str:
        """This server's URL for ``path``."""
        return f"http://{HOST}:{self.port}{path}"

    def start(self) -> ServeProcess:
        """Start the process (returns at once; see :meth:`wait_ready`)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and package
                self.command,
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        return self

    def running(self) -> bool:
        """Whether the process was started and has not exited."""
        return self.proc is not None and self.proc.poll() is None

    async def wait_ready(self, timeout: float = 30.0) -> float:
        """Poll ``GET /readyz`` until it answers 200; return the seconds it took.

        Raises:
            NotReady: The process exited, or was not ready within ``timeout`` seconds.
        """
        started = time.monotonic()
        deadline = started + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while time.monotonic() < deadline:
                if not self.running():
                    code = self.proc.returncode if self.proc else None
                    raise NotReady(f"{self.name} exited ({code}):\n{self.log_tail()}")
                try:
                    async with session.get(self.url("/readyz")) as resp:
                        if resp.status == 200:
                            return time.monotonic() - started
                except (OSError, aiohttp.ClientError, TimeoutError):
                    pass  # not listening yet
                await asyncio.sleep(0.05)  # polling interval against a deadline
        raise NotReady(f"{self.name} not ready within {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: the process dies at once, mid-whatever, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM and wait: a graceful shutdown (answers in flight go out first)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def rss_mib(self) -> float:
        """The process's resident memory (``VmRSS`` in ``/proc``), in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS in /proc status")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the process's output."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        """Everything the process wrote."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


ServerFactory = Callable[..., ServeProcess]
"""``serve(name, app=…, env=…)``: start a server on the test's schema (a fixture)."""


async def settled(fake: ServerThread, timeout: float = 10.0) -> None:
    """Wait until a fake server has handled every request that reached it.

    After a ``kill -9`` the dead server's last requests may still be unread in the
    fake's sockets. One poll of its loop reads them all (the kernel has them once the
    process is reaped) and starts their handlers; once none is left running, the fake's
    record holds everything the dead server sent.
    """

    async def quiet() -> None:
        loop, me = asyncio.get_running_loop(), asyncio.current_task()
        deadline = loop.time() + timeout
        await asyncio.sleep(0.01)  # at least one poll of the sockets
        while any(task is not me and not task.done() for task in asyncio.all_tasks()):
            if loop.time() > deadline:
                raise TimeoutError(f"the fake was still busy after {timeout} s")
            await asyncio.sleep(0.01)  # polling interval against a deadline

    await asyncio.wrap_future(fake.submit(quiet()))


# -- the database --------------------------------------------------------------------------


class Postgres:
    """A fresh schema on the test PostgreSQL server, and SQL against it.

    Attributes:
        schema: The schema's name.
    """

    def __init__(self, base: str, *, prefix: str = "rel") -> None:
        self._base = normalize_url(base)
        self.schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
        self.admin: Engine = create_engine(self._base, isolation_level="AUTOCOMMIT")

    def url(self, application_name: str) -> str:
        """A URL for a server: this schema, connections named ``application_name``."""
        query = {"options": f"-csearch_path={self.schema}", "application_name": application_name}
        return self._base.update_query_dict(query).render_as_string(hide_password=False)

    def rows(self, sql: str, **params: Any) -> list[Any]:
        """Run ``sql`` in this schema; its rows."""
        with self.admin.connect() as connection:
            connection.execute(text(f'SET search_path TO "{self.schema}"'))
            return list(connection.execute(text(sql), params))

    def scalar(self, sql: str, **params: Any) -> Any:
        """The first column of the first row of ``sql``."""
        rows = self.rows(sql, **params)
        return rows[0][0] if rows else None

    def terminate(self, application_name: str) -> int:
        """``pg_terminate_backend`` every connection named ``application_name``; how many."""
        with self.admin.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND application_name = :name"
                ),
                {"name": application_name},
            ).scalar()
        return int(killed or 0)

    def connections(self, application_name: str) -> int:
        """How many connections named ``application_name`` are open."""
        with self.admin.connect() as connection:
            count = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = :name"
                ),
                {"name": application_name},
            ).scalar()
        return int(count or 0)

    def create(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))

    def drop(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.admin.dispose()


@contextlib.contextmanager
def scratch_schema(prefix: str) -> Iterator[str]:
    """The URL of a fresh schema on the test PostgreSQL server, dropped afterwards.

    Skips the test without ``PERSONABOT_TEST_DATABASE_URL``.
    """
    base = os.environ.get(TEST_DATABASE_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {TEST_DATABASE_ENV}")
    database = Postgres(base, prefix=prefix)
    database.create()
    try:
        yield database.url(f"personabot-{database.schema}")
    finally:
        database.drop()


# -- traffic -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlackEvent:
    """One Slack ``app_mention`` event; the bot answers in the thread ``ts``."""

    event_id: str
    ts: str
    text: str
    body: bytes

    @classmethod
    def mention(cls, text: str, *, user: str, channel: str, ts: str) -> SlackEvent:
        """A fresh event (new ``event_id``) asking ``text``."""
        event_id = new_event_id()
        envelope = event_callback(
            app_mention(text, user=user, channel=channel, ts=ts), event_id=event_id
        )
        return cls(event_id=event_id, ts=ts, text=text, body=json_body(envelope))


@dataclass
class Outcome:
    """What the clients saw: HTTP statuses, failures and latencies."""

    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def record(self, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(seconds)

    @property
    def errors(self) -> int:
        """Requests that failed or were not answered 200."""
        return len(self.failures) + sum(n for s, n in self.statuses.items() if s != 200)

    @property
    def total(self) -> int:
        """Requests sent."""
        return len(self.failures) + sum(self.statuses.values())


async def post_slack(
    session: aiohttp.ClientSession,
    url: str,
    event: SlackEvent,
    outcome: Outcome,
    *,
    retry_num: int | None = None,
) -> int | None:
    """Deliver ``event`` signed (a retry when ``retry_num`` is given); the status or None."""
    headers = {"Content-Type": JSON, **sign(event.body, SECRET, int(time.time()))}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return await _post(session, url, event.body, headers, outcome)


async def post_teams(
    session: aiohttp.ClientSession, url: str, activity: dict[str, Any], outcome: Outcome
) -> int | None:
    """Post a Teams activity (local mode: no token); the status or None."""
    body = json_body(activity)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    return await _post(session, url, body, headers, outcome)


async def _post(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: dict[str, str],
    outcome: Outcome,
) -> int | None:
    started = time.monotonic()
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=30)
        ) as resp:
            await resp.read()
            outcome.record(resp.status, time.monotonic() - started)
            return resp.status
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        outcome.failures.append(f"{type(exc).__name__}: {exc}")
        return None


def teams_message(text: str, *, service_url: str, conversation: str, user: int) -> dict[str, Any]:
    """A personal Teams message from user number ``user`` in ``conversation``."""
    return personal_message(
        text,
        service_url=service_url,
        conversation_id=conversation,
        user_id=f"29:reliability-user-{user}",
        aad_object_id=f"00000000-0000-4000-8000-{user:012d}",
        user_name=f"User {user}",
    )


async def bounded(jobs: Sequence[Any], concurrency: int) -> list[Any]:
    """Run the awaitables in ``jobs`` with at most ``concurrency`` in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Any) -> Any:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(j) for j in jobs)))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values``, nearest-rank; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_line(outcome: Outcome) -> str:
    """``p50 … ms, p99 … ms`` of the requests' latencies."""
    p50 = percentile(outcome.latencies, 50) * 1000
    p99 = percentile(outcome.latencies, 99) * 1000
    return f"ack p50 {p50:.1f} ms, p99 {p99:.1f} ms"
