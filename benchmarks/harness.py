"""What the platform benchmarks share: servers run as subprocesses, readiness, formatting.

Only 127.0.0.1 is ever contacted; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import aiohttp

HOST = "127.0.0.1"
# This tree, first on the servers' PYTHONPATH: ``-m bot`` runs the code under test, not
# whatever copy ``pip install .`` last put in the virtual environment.
ROOT = Path(__file__).resolve().parent.parent
# Questions about the example pack's personas, as sellers type them.
WHO_IS = [
    "who is Oskar?",
    "tell me about the CFO",
    "who is Tuva?",
    "who is Frida?",
    "who is Bjørn?",
    "what are Bjørn's biggest pains?",
    "what does Frida care about?",
    "tell me about the team lead",
    "what are Oskar's goals?",
]
OBJECTIONS = [
    "the customer says it's too expensive",
    "the technicians say they'll never use an app",
    "Bjørn thinks the cloud is a security risk",
    "the CFO says it isn't in the budget this year",
    "they don't want to be locked into a long contract",
    "it has to work with our accounting system",
    "the customer is worried about their data if they leave",
    "Tuva says her team hates paperwork",
]


class HarnessError(Exception):
    """A server could not be started or reached; nothing was measured."""


@contextlib.contextmanager
def scratch_schema(postgres: str, prefix: str) -> Iterator[str]:
    """A URL of a fresh schema ``<prefix>_<random>`` of PostgreSQL on this machine, dropped after.

    Raises:
        HarnessError: ``postgres`` is not on this machine.
    """
    from sqlalchemy import create_engine, text  # the servers' imports, not the harness's

    from storage import normalize_url

    base = normalize_url(postgres)
    if base.host not in ("127.0.0.1", "localhost", "::1"):
        raise HarnessError(f"--postgres must be on this machine, not {base.host}")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """A server under test, run as a subprocess."""

    def __init__(
        self, name: str, argv: Sequence[str], env: dict[str, str], workdir: Path, port: int
    ) -> None:
        self.name = name
        self.argv = list(argv)
        paths = [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
        self.env = {**env, "PYTHONPATH": os.pathsep.join(paths)}
        self.workdir = workdir
        self.port = port
        self.log = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, path: str) -> str:
        """The server's URL for ``path`` (``/slack/events``, ``/api/messages``)."""
        return f"http://{HOST}:{self.port}{path}"

    def start(self) -> None:
        try:
            with self.log.open("wb") as log:
                self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
                    self.argv,
                    env=self.env,
                    cwd=self.workdir,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
        except OSError as exc:
            raise HarnessError(f"{self.name}: cannot start {self.argv}: {exc}") from None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def cpu_seconds(self) -> float | None:
        """User + system CPU the server process used so far (Linux ``/proc``), else None."""
        if self.proc is None:
            return None
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def exited(self) -> bool:
        return self.proc is None or self.proc.poll() is not None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


async def wait_ready(server: Server, *, health_path: str | None, tries: int = 300) -> float:
    """Wait (bounded) until the server answers; return the seconds it took."""
    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for _ in range(tries):
            if server.exited():
                raise HarnessError(
                    f"{server.name} exited with status {server.proc and server.proc.returncode}"
                    f" before it was ready:\n{server.log_tail()}"
                )
            try:
                if not health_path:
                    _, writer = await asyncio.wait_for(
                        asyncio.open_connection(HOST, server.port), timeout=2
                    )
                    writer.close()
                    await writer.wait_closed()
                    return time.monotonic() - started
                url = f"http://{HOST}:{server.port}{health_path}"
                async with session.get(url) as resp:
                    if resp.status == 200:
                        return time.monotonic() - started
            except (OSError, aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
    raise HarnessError(
        f"{server.name} was not ready after {tries} tries (~{tries * 0.1:.0f} s):\n"
        f"{server.log_tail()}"
    )


def ms(seconds: float | None) -> str:
    """Seconds as milliseconds for a table cell."""
    return "—" if seconds is None else f"{seconds * 1000:.1f}"


def ratio(ours: float | None, floor: float | None) -> float | None:
    """``ours / floor``, or ``None`` when either is missing."""
    if ours is None or floor is None or floor <= 0:
        return None
    return ours / floor


def questions(count: int, seed: int) -> list[str]:
    """A deterministic half who-is, half objection mix."""
    rng = random.Random(seed)
    return [rng.choice(WHO_IS if i % 2 == 0 else OBJECTIONS) for i in range(count)]
