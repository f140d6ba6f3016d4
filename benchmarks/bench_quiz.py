"""Benchmark quizzes on Slack: answer clicks beside questions asked, then 1,000 players at once.

In one run of ``python -m bot serve`` (HTTP mode, the local fake Slack Web API from
``tests/slack/fake_slack.py`` on a background thread, SQLite unless ``--postgres``), on
127.0.0.1 only, every wait bounded:

1. **Clicks beside asks.** ``--players`` users each DM ``quiz`` (not measured) and get
   their first question. Then ``5 × players`` answer clicks (signed ``block_actions``
   posts of a button read from the fake's recorded ``chat.postMessage``) and as many
   ``app_mention`` questions (who-is and objections, as ``bench_slack.py`` sends them)
   go to ``POST /slack/events`` from ``--concurrency`` clients, strictly alternating, so
   both kinds meet the same load. Ack latency p50/p99 of each kind; target: click ack
   p99 ≤ 1.5× ask ack p99.
2. **Many players.** ``--users`` users play at once from the same clients: each DMs
   ``quiz``, then clicks an answer (a seeded random choice) to each question as it is
   posted, until the score arrives. Every request goes through one FIFO queue, so all
   the quizzes run side by side. Afterwards the ``quiz_answers`` table is read: exactly
   one row per (user, question step) clicked, each from the user's one quiz, none
   missing, none extra, and each recording the choice clicked (right or wrong as the
   quiz's own answer key says). Targets: 0 errors (non-200 acks, failed Web API calls,
   unexpected replies), 0 lost or double-counted answers, every player finished.

Usage::

    python benchmarks/bench_quiz.py [--players 100] [--users 1000] [--concurrency 50]
                                    [--timeout 150] [--postgres URL] [--check] [--ours-cmd CMD]

``--postgres URL`` runs the server on a fresh schema of that PostgreSQL database
(dropped afterwards) instead of a SQLite file. Exit status 0 once measured (``--check``:
1 when a target is missed); 2 when the server could not be started.
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from bench_slack import ROOT, USERS, base_env, build_bodies
from fake_slack import FakeSlackThread  # on the path bench_slack set
from harness import HarnessError, Server, free_port, ms, ratio, scratch_schema, wait_ready
from payloads import JSON
from quiz_players import (
    Audit,
    Job,
    Player,
    Reader,
    Sent,
    audit,
    clients,
    dm_job,
    make_players,
    post,
)
from run_all import machine

sys.path.insert(0, str(ROOT))
from handlers.quiz import LENGTH as QUESTIONS  # noqa: E402 - a quiz's length

TARGET_P99 = 1.5  # click ack p99 ≤ this × ask ack p99


async def beside_asks(
    server: Server, fake: FakeSlackThread, args: argparse.Namespace
) -> tuple[Sent, list[Player], int]:
    """Clicks and asks strictly alternating; returns what was sent, the players, replies."""
    url = server.url("/slack/events")
    players = make_players("A", args.players, args.seed, fake)
    asks = build_bodies(len(players) * QUESTIONS, start=100, seed=args.seed)
    warmup = build_bodies(20, start=0, seed=args.seed + 50)
    clicks: asyncio.Queue[Job] = asyncio.Queue()
    reader = Reader(fake, players, clicks, others=len(asks) + len(warmup))
    deadline = time.monotonic() + args.timeout
    fake.clear()
    reading = asyncio.ensure_future(reader.run(deadline))
    warm = Sent()
    async with clients(args.concurrency) as sessions:  # the quizzes start, unmeasured
        starts = [dm_job(p, n) for n, p in enumerate(players)]
        starts += [Job("ask", b, JSON) for b in warmup]
        await _drain(sessions, iter(starts), url, warm)
        while clicks.qsize() < len(players) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # every first question posted
        sent = Sent()
        slots = iter(range(2 * len(asks)))

        async def client(session: aiohttp.ClientSession) -> None:
            for slot in slots:
                if slot % 2 == 0:
                    await post(session, url, Job("ask", asks[slot // 2], JSON), sent)
                    continue
                try:
                    job = await asyncio.wait_for(clicks.get(), deadline - time.monotonic())
                except TimeoutError:
                    return
                await post(session, url, job, sent)

        await asyncio.gather(*(client(s) for s in sessions))
    await reading  # every score and ask reply posted, or the deadline
    return sent, players, sum(c.ok for c in reader.other_posts) - len(warmup)


async def _drain(
    sessions: Sequence[aiohttp.ClientSession], jobs: Iterator[Job], url: str, sent: Sent
) -> None:
    async def client(session: aiohttp.ClientSession) -> None:
        for job in jobs:
            await post(session, url, job, sent)

    await asyncio.gather(*(client(s) for s in sessions))


# -- phase 2: many players at once ----------------------------------------------------------


async def many_players(
    server: Server, fake: FakeSlackThread, args: argparse.Namespace
) -> tuple[Sent, list[Player], float | None]:
    """``--users`` quizzes played side by side; returns what was sent, players, seconds."""
    url = server.url("/slack/events")
    players = make_players("B", args.users, args.seed + 1, fake)
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for n, player in enumerate(players):
        queue.put_nowait(dm_job(player, 10_000 + n))
    reader = Reader(fake, players, queue)
    deadline = time.monotonic() + args.timeout
    fake.clear()
    reading = asyncio.ensure_future(reader.run(deadline))
    sent = Sent()

    async def client(session: aiohttp.ClientSession) -> None:
        while not reader.all_done.is_set():
            getting = asyncio.ensure_future(queue.get())
            finished = asyncio.ensure_future(reader.all_done.wait())
            await asyncio.wait({getting, finished}, return_when=asyncio.FIRST_COMPLETED)
            finished.cancel()
            if not getting.done():
                getting.cancel()
                return
            await post(session, url, getting.result(), sent)

    async with clients(args.concurrency) as sessions:
        await asyncio.gather(*(client(s) for s in sessions))
    await reading
    scores = [p.posts[-1].at for p in players if p.done]
    took = max(scores) - sent.first if len(scores) == len(players) else None
    return sent, players, took


@contextlib.contextmanager
def database(args: argparse.Namespace, workdir: Path) -> Iterator[str]:
    """The server's database URL: a SQLite file, or a scratch PostgreSQL schema."""
    if not args.postgres:
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    with scratch_schema(args.postgres, "bench_quiz") as url:
        yield url


@dataclass
class Figures:
    beside: Sent
    asks_answered: int
    players_a: list[Player]
    many: Sent
    players_b: list[Player]
    many_seconds: float | None
    audit: Audit
    web_errors: int
    server_cpu: float | None
    harness_cpu: float


def run(fake: FakeSlackThread, workdir: Path, args: argparse.Namespace) -> Figures:
    with database(args, workdir) as url:
        port = free_port()
        env = base_env(fake, port, workdir)
        env["PERSONABOT_DATABASE_URL"] = url
        argv = (
            shlex.split(args.ours_cmd) if args.ours_cmd else [sys.executable, "-m", "bot", "serve"]
        )
        server = Server("personabot", argv, env, workdir, port)
        server.start()
        try:
            ready = asyncio.run(wait_ready(server, health_path="/healthz"))
            print(f"personabot: ready after {ready:.2f} s on port {port}", file=sys.stderr)
            cpu, harness_cpu = server.cpu_seconds(), time.process_time()
            beside, players_a, asks_answered = asyncio.run(beside_asks(server, fake, args))
            web_errors = sum(not c.ok for c in fake.calls)
            many, players_b, seconds = asyncio.run(many_players(server, fake, args))
            web_errors += sum(not c.ok for c in fake.calls)
            cpu_after, harness_cpu = server.cpu_seconds(), time.process_time() - harness_cpu
        finally:
            server.stop()
        result = audit(url, players_b, many.acked)
    if many.errors or beside.errors or web_errors:
        print(f"log tail:\n{server.log_tail()}", file=sys.stderr)
    return Figures(
        beside=beside,
        asks_answered=asks_answered,
        players_a=players_a,
        many=many,
        players_b=players_b,
        many_seconds=seconds,
        audit=result,
        web_errors=web_errors,
        server_cpu=None if cpu is None or cpu_after is None else cpu_after - cpu,
        harness_cpu=harness_cpu,
    )


def report(f: Figures, args: argparse.Namespace) -> tuple[str, bool]:
    """The Markdown tables, and whether every target is met."""
    click, ask = f.beside.of("click"), f.beside.of("ask")
    r = ratio(click.percentile(0.99), ask.percentile(0.99))
    p99_ok = r is not None and r <= TARGET_P99
    unexpected_a = sum(p.unexpected for p in f.players_a)
    unfinished_a = sum(not p.done for p in f.players_a)
    mark = {True: "✓", False: "✗"}
    lines = [
        "| measure | quiz answer clicks | ask mentions | ratio | target |",
        "|---|---|---|---|---|",
        f"| ack p50 (ms) | {ms(click.percentile(0.5))} | {ms(ask.percentile(0.5))} | | |",
        f"| ack p99 (ms) | {ms(click.percentile(0.99))} | {ms(ask.percentile(0.99))} | "
        f"{'—' if r is None else f'{r:.2f}×'} | ≤ {TARGET_P99}× {mark[p99_ok]} |",
        f"| requests (acked 200) | {click.sent} ({len(click.latencies)}) | "
        f"{ask.sent} ({len(ask.latencies)}) | | |",
        f"| errors (non-200) | {click.errors} | {ask.errors} | | 0 |",
        f"| replies missing | {unfinished_a} quizzes unfinished, {unexpected_a} unexpected | "
        f"{ask.sent - f.asks_answered} | | 0 |",
    ]
    many = f.many
    dm, clicks = many.of("dm"), many.of("click")
    a = f.audit
    players = len(f.players_b)
    finished = sum(p.done for p in f.players_b)
    unexpected = sum(p.unexpected for p in f.players_b)
    errors = many.errors + f.web_errors + unexpected + f.beside.errors + unexpected_a
    counted_ok = a.lost == 0 and a.doubled == 0 and a.extra == 0 and a.misrecorded == 0
    clean = errors == 0 and counted_ok and a.flows_off == 0 and finished == players
    seconds = f.many_seconds
    rate = (dm.sent + clicks.sent) / (many.last - many.first) if many.last > many.first else 0.0
    lines += [
        "",
        f"| {players} players, {args.concurrency} clients | figure | target |",
        "|---|---|---|",
        f"| quizzes finished | {finished} of {players} | all {mark[finished == players]} |",
        f"| first `quiz` → last score posted (s) | "
        f"{'—' if seconds is None else f'{seconds:.1f}'} | |",
        f"| requests acked (`quiz` DMs + clicks), per second | {dm.sent} + {clicks.sent}, "
        f"{rate:.0f}/s | |",
        f"| click ack p50 / p99 (ms) | {ms(clicks.percentile(0.5))} / "
        f"{ms(clicks.percentile(0.99))} | |",
        f"| `quiz` DM ack p50 / p99 (ms) | {ms(dm.percentile(0.5))} / "
        f"{ms(dm.percentile(0.99))} | |",
        f"| errors: non-200, failed Web API calls, unexpected replies | {many.errors}, "
        f"{f.web_errors}, {unexpected} | 0 {mark[errors == 0]} |",
        f"| answers stored for clicks sent | {a.rows} for {a.clicks} | equal "
        f"{mark[a.rows == a.clicks]} |",
        f"| lost / double-counted / extra answers | {a.lost} / {a.doubled} / {a.extra} | "
        f"0 {mark[counted_ok]} |",
        f"| answers recording another choice than clicked | {a.misrecorded} | 0 |",
        f"| quizzes whose step ≠ answers stored | {a.flows_off} | 0 |",
        f"| CPU of both parts (s): server, harness (load + fake Slack) | "
        f"{'—' if f.server_cpu is None else f'{f.server_cpu:.1f}'}, {f.harness_cpu:.1f} | |",
    ]
    return "\n".join(lines), p99_ok and clean


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=100, help="quizzes beside the asks")
    parser.add_argument("--users", type=int, default=1000, help="players at once")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=150.0, help="bound of each part (s)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL on 127.0.0.1")
    parser.add_argument(
        "--ours-cmd", default="", help="command for ours (default: this interpreter, -m bot serve)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if min(args.players, args.users, args.concurrency) < 1:
        parser.error("--players, --users and --concurrency must be ≥ 1")
    started = time.monotonic()
    with FakeSlackThread() as fake, tempfile.TemporaryDirectory(prefix="bench-quiz-") as tmp:
        for n in range(1, USERS + 1):
            fake.add_user(f"U{n:04d}", f"user{n}@example.com", f"User {n}")
        try:
            figures = run(fake, Path(tmp), args)
        except HarnessError as exc:
            print(f"bench_quiz: {exc}", file=sys.stderr)
            return 2
    text_, met = report(figures, args)
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"Measured {dt.date.today().isoformat()} in {time.monotonic() - started:.0f} s "
        f"({backend}; {args.players} quizzes beside {args.players * QUESTIONS} asks, then "
        f"{args.users} players; {args.concurrency} concurrent clients; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}):\n\nMachine: {machine()}\n"
    )
    print(text_)
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
