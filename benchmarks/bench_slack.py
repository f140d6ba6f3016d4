"""Benchmark Slack event handling: ``personabot serve`` beside a minimal slack-bolt floor.

In one run, on this machine (load generator and the local fake Slack Web API included):

1. starts the fake Slack Web API (``tests/slack/fake_slack.py``) in a background thread;
2. for the floor (``benchmarks/floor_bolt_echo.py``: bolt ``AsyncApp`` on aiohttp that acks
   and echoes each ``app_mention`` with ``chat.postMessage``) and then for ours
   (``python -m bot serve``), each as a subprocess on a free port of 127.0.0.1:

   * waits until it is ready (``GET /healthz`` for ours, a TCP connect for the floor;
     a bounded number of tries),
   * sends a few warm-up mentions and waits for their replies (not measured),
   * sends N signed ``app_mention`` event callbacks (unique ``event_id``; who-is and
     objection questions about the example pack's Oskar, Tuva, Frida and Bjørn) to
     ``POST /slack/events`` from C concurrent aiohttp clients,
   * measures each request's ack latency (p50, p99), the throughput over the send phase,
     the time from the first send until the fake recorded the N-th reply
     (``chat.postMessage``), errors (non-200 or failed requests) and lost replies;
3. prints a Markdown table with ours, the floor and the ratios against the targets (ack
   p99 ≤ 1.5×, time to all replies ≤ 1.5×, throughput ≥ 0.7×, zero errors and lost
   replies).

Usage::

    python benchmarks/bench_slack.py [--events 1000] [--concurrency 50] [--only-floor]
                                     [--warmup 20] [--reply-timeout 60] [--check]
                                     [--ours-cmd CMD] [--ours-health PATH]

``--ours-cmd``/``--ours-health`` replace ``python -m bot serve`` and ``/healthz`` (e.g. to
try the harness with the floor standing in for ours: ``--ours-cmd "python
benchmarks/floor_bolt_echo.py" --ours-health ""``).

Exit status 0 once measured (``--check``: 1 when a target is missed); 2 when a server
could not be started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from harness import (
    HOST,
    HarnessError,
    Server,
    free_port,
    ms,
    questions,
    ratio,
    wait_ready,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "slack"))
sys.path.insert(0, str(ROOT / "tests"))  # server_thread, shared by the fakes

from fake_slack import FakeSlackThread  # noqa: E402
from payloads import JSON, app_mention, event_callback, json_body, sign  # noqa: E402

TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret-0123456789abcdef"
USERS = 50
CHANNELS = 10
# Environment that would switch ``personabot serve`` away from HTTP mode / this setup.
DROPPED_ENV = ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "PERSONABOT_CONTENT")


@dataclass
class Result:
    """One server's figures."""

    name: str
    sent: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, successful acks
    send_seconds: float = 0.0
    replies: int = 0
    failed_replies: int = 0
    all_replies_seconds: float | None = None
    error_samples: list[str] = field(default_factory=list)
    server_cpu: float | None = None  # seconds of CPU the server used while measured
    harness_cpu: float = 0.0  # seconds of CPU of this process: load generator + fake Slack
    api_calls: dict[str, int] = field(default_factory=dict)  # Web API calls while measured

    @property
    def lost(self) -> int:
        return max(0, self.sent - self.replies)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
        return ordered[index]

    @property
    def throughput(self) -> float:
        return self.sent / self.send_seconds if self.send_seconds > 0 else float("nan")


def build_bodies(count: int, *, start: int, seed: int) -> list[bytes]:
    """Signed-ready JSON bodies of ``count`` app_mention event callbacks."""
    now = int(time.time())
    bodies = []
    for i, text in enumerate(questions(count, seed), start=start):
        ts = f"{1_800_000_000 + i}.{i % 1_000_000:06d}"
        event = app_mention(
            text,
            user=f"U{(i % USERS) + 1:04d}",
            channel=f"C{(i % CHANNELS) + 1:04d}",
            ts=ts,
        )
        envelope = event_callback(event, event_id=f"Ev{seed:02d}{i:08d}", event_time=now)
        bodies.append(json_body(envelope))
    return bodies


async def send_all(
    url: str, bodies: Sequence[bytes], concurrency: int, result: Result | None
) -> tuple[float, float]:
    """POST every body, signed, from ``concurrency`` clients; return (first send, last ack)."""
    next_index = iter(range(len(bodies)))
    first_send: list[float] = []
    last_ack = 0.0

    async def client() -> None:
        nonlocal last_ack
        connector = aiohttp.TCPConnector(limit=1)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            for index in next_index:
                body = bodies[index]
                headers = {"Content-Type": JSON, **sign(body, SECRET, int(time.time()))}
                started = time.monotonic()
                if not first_send:
                    first_send.append(started)
                status, problem = 0, ""
                try:
                    async with session.post(url, data=body, headers=headers) as resp:
                        await resp.read()
                        status = resp.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                ended = time.monotonic()
                last_ack = max(last_ack, ended)
                if result is None:
                    continue
                result.sent += 1
                if status == 200:
                    result.latencies.append(ended - started)
                else:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(problem or f"HTTP {status}")

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return (first_send[0] if first_send else time.monotonic()), last_ack


async def measure(
    server: Server,
    fake: FakeSlackThread,
    *,
    events: int,
    concurrency: int,
    warmup: int,
    reply_timeout: float,
    seed: int,
) -> Result:
    """Warm up, then send ``events`` mentions and wait for their replies."""
    result = Result(server.name)
    if warmup:
        fake.clear()
        await send_all(
            server.url("/slack/events"),
            build_bodies(warmup, start=0, seed=seed + 50),
            min(concurrency, warmup),
            None,
        )
        try:
            await fake.wait_for_async("chat.postMessage", warmup, timeout=reply_timeout)
        except TimeoutError as exc:
            raise HarnessError(f"{server.name}: warm-up replies missing: {exc}") from None
    bodies = build_bodies(events, start=warmup, seed=seed)
    fake.clear()
    server_cpu, harness_cpu = server.cpu_seconds(), time.process_time()
    first, last_ack = await send_all(server.url("/slack/events"), bodies, concurrency, result)
    result.send_seconds = last_ack - first
    with contextlib.suppress(TimeoutError):  # missing replies are counted as lost below
        await fake.wait_for_async("chat.postMessage", events, timeout=reply_timeout)
    cpu_after = server.cpu_seconds()
    if server_cpu is not None and cpu_after is not None:
        result.server_cpu = cpu_after - server_cpu
    result.harness_cpu = time.process_time() - harness_cpu
    result.api_calls = dict(Counter(c.method for c in fake.calls).most_common())
    posts = fake.calls_to("chat.postMessage")
    ok = [c for c in posts if c.ok]
    result.replies = len(ok)
    result.failed_replies = len(posts) - len(ok)
    if len(ok) >= events:
        result.all_replies_seconds = ok[events - 1].at - first
    return result


def base_env(fake: FakeSlackThread, port: int, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "PERSONABOT_SLACK_API_URL": fake.base_url,
            "PERSONABOT_HOST": HOST,
            "PERSONABOT_PORT": str(port),
            "PERSONABOT_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "PERSONABOT_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run_one(
    name: str, fake: FakeSlackThread, workdir: Path, args: argparse.Namespace, seed: int
) -> Result:
    port = free_port()
    env = base_env(fake, port, workdir)
    if name == "floor":
        argv = [sys.executable, str(ROOT / "benchmarks" / "floor_bolt_echo.py")]
        health: str | None = None
    else:
        argv = (
            shlex.split(args.ours_cmd) if args.ours_cmd else [sys.executable, "-m", "bot", "serve"]
        )
        health = args.ours_health or None
    server = Server(name, argv, env, workdir, port)
    server.start()
    try:
        ready = asyncio.run(wait_ready(server, health_path=health))
        print(f"{name}: ready after {ready:.2f} s on port {port}", file=sys.stderr)
        result = asyncio.run(
            measure(
                server,
                fake,
                events=args.events,
                concurrency=args.concurrency,
                warmup=args.warmup,
                reply_timeout=args.reply_timeout,
                seed=seed,
            )
        )
    finally:
        server.stop()
    if result.errors or result.lost:
        print(f"{name}: samples of errors: {result.error_samples}", file=sys.stderr)
        print(f"{name}: log tail:\n{server.log_tail()}", file=sys.stderr)
    return result


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def table(floor: Result, ours: Result | None) -> tuple[str, bool]:
    """The Markdown table, and whether every target is met (always True without ours)."""
    rows: list[tuple[str, str, str, str, str]] = []
    met = True

    def row(
        label: str,
        o: float | None,
        f: float | None,
        show: str,
        target: str = "",
        check: str | None = None,
    ) -> None:
        nonlocal met
        r = ratio(o, f)
        if check and ours is not None:
            bound = float(target.split()[-1].rstrip("×"))
            ok = r is not None and (r <= bound if check == "max" else r >= bound)
            met = met and ok
            target = f"{target} {'✓' if ok else '✗'}"
        value = {
            "ms": ms,
            "rate": lambda v: "—" if v is None else f"{v:.0f}",
            "int": lambda v: "—" if v is None else f"{v:.0f}",
            "sec": lambda v: "—" if v is None else f"{v:.2f}",
        }[show]
        rows.append(
            (
                label,
                value(o if ours is not None else None),
                value(f),
                fmt_ratio(r) if check else "",
                target,
            )
        )

    o = ours
    row("ack p50 (ms)", o and o.percentile(0.50), floor.percentile(0.50), "ms")
    row("ack p99 (ms)", o and o.percentile(0.99), floor.percentile(0.99), "ms", "≤ 1.5×", "max")
    row("throughput (events/s)", o and o.throughput, floor.throughput, "rate", "≥ 0.7×", "min")
    row(
        "first send → all replies posted (ms)",
        o and o.all_replies_seconds,
        floor.all_replies_seconds,
        "ms",
        "≤ 1.5×",
        "max",
    )
    row("server CPU while measured (s)", o and o.server_cpu, floor.server_cpu, "sec")
    row("harness CPU: load + fake Slack (s)", o and o.harness_cpu, floor.harness_cpu, "sec")
    row("errors (non-200)", o and o.errors, floor.errors, "int", "0")
    row("lost replies", o and o.lost, floor.lost, "int", "0")
    row("failed chat.postMessage", o and o.failed_replies, floor.failed_replies, "int", "0")
    if ours is not None:
        clean = ours.errors == 0 and ours.lost == 0 and ours.failed_replies == 0
        met = met and clean
    header = "| measure | personabot | floor (bolt echo) | ratio | target |\n|---|---|---|---|---|"
    lines = [header] + ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines), met


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured mentions first")
    parser.add_argument("--reply-timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only-floor", action="store_true", help="measure the floor alone")
    parser.add_argument(
        "--ours-cmd",
        default="",
        help="command for ours (default: this interpreter with -m bot serve)",
    )
    parser.add_argument(
        "--ours-health",
        default="/healthz",
        help="readiness path for ours; empty: wait for a TCP connect",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.events < 1 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--events and --concurrency must be ≥ 1, --warmup ≥ 0")

    with FakeSlackThread() as fake, tempfile.TemporaryDirectory(prefix="bench-slack-") as tmp:
        for n in range(1, USERS + 1):
            fake.add_user(f"U{n:04d}", f"user{n}@example.com", f"User {n}")
        try:
            floor = run_one("floor", fake, Path(tmp), args, args.seed)
            ours = (
                None if args.only_floor else run_one("personabot", fake, Path(tmp), args, args.seed)
            )
        except HarnessError as exc:
            print(f"bench_slack: {exc}", file=sys.stderr)
            return 2

    text, met = table(floor, ours)
    when = dt.date.today().isoformat()
    print(
        f"Measured {when} ({args.events} app_mention events, {args.concurrency} concurrent "
        f"clients, {args.warmup} warm-up; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}):\n"
    )
    print(text)
    print("\nWeb API calls while measured:")
    for result in (floor, ours):
        if result is not None:
            calls = ", ".join(f"{m} {n}" for m, n in result.api_calls.items()) or "none"
            print(f"- {result.name}: {calls}")
    if ours is None:
        print("\n(--only-floor: personabot not measured)")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
