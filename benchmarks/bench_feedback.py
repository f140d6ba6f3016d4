"""Benchmark feedback: stored and confirmed beside ask turns on Slack; approvals seen elsewhere.

In one run, on 127.0.0.1 only, every wait bounded:

1. **Feedback beside asks** (issue 13: storing feedback and answering the user, p99 ≤
   1.5× an ask turn, through ``personabot serve`` on Slack, side by side). One ``python
   -m bot serve`` (HTTP mode, the local fake Slack Web API of ``tests/slack/fake_slack.py``
   on a background thread, SQLite unless ``--postgres``). ``--concurrency`` sellers each
   DM the bot in turn a ``feedback <persona>: <text>`` (each text its own, about the four
   example personas) and a question (who-is and objections, as ``bench_slack.py`` asks
   them), each message sent once the answer to the previous one was posted, half of the
   sellers starting with feedback: ``--messages`` of each kind meet the same load. Per
   kind: the ack latency and the time from sending the event until the fake recorded the
   bot's ``chat.postMessage`` in that DM (the confirmation "saved as feedback #n", or the
   answer), p50/p95/p99. Afterwards the ``feedback`` table must hold one row per feedback
   sent. The floor is ``bench_slack.py``'s (a bare slack-bolt app that acks and echoes each
   ``app_mention``), driven the same way with as many mentions: what bolt, aiohttp and the
   fake cost on this machine before any work.
2. **An approval seen by another process** (issue 13: within 5 s). A seller's feedback
   is approved by a pack admin in this process (an App built here, ``feedback …`` then
   ``approve N`` as in ``personabot chat``), each round about another persona's pains.
   Meanwhile ``personabot ask --json`` runs as a separate process reading questions from
   its standard input (an App started before the approval, its catalog a
   ``LiveCatalog``), asked "what are <persona>'s pains?" every ``--ask-every`` seconds; the
   delay is from sending ``approve N`` until it answers with the new pain. Then the same
   with a fresh ``personabot ask "<question>"`` process started at the approval.
3. **One turn's work.** Both kinds wait in the same queue in part 1; ``feedback_cost.py``
   times single feedback and ask turns in-process as the pending feedback grows.

Usage::

    python benchmarks/bench_feedback.py [--messages 500] [--concurrency 25] [--warmup 10]
                                        [--rounds 5] [--ask-every 0.02] [--postgres URL]
                                        [--cost-steps 0,500,1000,2000] [--cost-sample 50]
                                        [--timeout 120] [--check]

Exit status 0 once measured (``--check``: 1 when a target is missed); 2 when a server
could not be started.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from bench_quiz import database
from bench_slack import ROOT, SECRET, base_env
from fake_slack import Call, FakeSlackThread  # on the path bench_slack set
from feedback_cost import cost_table, turn_costs
from feedback_visible import Visibility, approvals_seen
from harness import HarnessError, Server, free_port, ms, questions, ratio, wait_ready
from payloads import JSON, app_mention, dm_message, event_callback, json_body, sign
from run_all import machine
from sqlalchemy import create_engine, text

TARGET_P99 = 1.5  # feedback p99 ≤ this × ask p99 (event → reply posted)
TARGET_SEEN = 5.0  # an approval answered by another process within this many seconds
CONFIRMED = re.compile(r"saved as feedback #\d+ about")
PERSONAS = ("Frida", "Bjørn", "Oskar", "Tuva")
HEARD = (
    "customers now ask for monthly billing instead of a yearly licence",
    "the auditors want a log of every change to a work order",
    "they compare us with a cheaper local competitor every time",
    "technicians need the app to work offline in basements",
    "the board asks for payback within twelve months now",
    "dispatchers say the schedule view is too slow on old laptops",
    "they worry that the migration will stop billing for a month",
    "security wants single sign-on before any pilot starts",
    "housing associations ask for photos of every finished job",
    "the union wants to see what the app tracks about technicians",
)
CUSTOMERS = ("Nordvarme", "Fjordbygg", "Ekstrøm VVS", "Kallax El", "Berg & Sønn", "Solvik")


@dataclass
class Kind:
    """The figures of one kind of message (feedback, ask, or the floor's echo)."""

    sent: int = 0
    errors: int = 0
    acks: list[float] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)  # event sent → reply posted (s)
    missing: int = 0
    unexpected: int = 0  # a reply that was not what this kind gets

    def p(self, values: str, q: float) -> float | None:
        """The ``q`` quantile (nearest rank) of ``acks`` or ``replies``; None for none."""
        ordered: list[float] = sorted(self.acks if values == "acks" else self.replies)
        if not ordered:
            return None
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class Run:
    """One server's run: its kinds, CPU and Web API calls."""

    kinds: dict[str, Kind]
    server_cpu: float | None = None
    web_calls: int = 0
    web_failed: int = 0
    stored: int | None = None  # feedback rows afterwards (ours)


class Replies:
    """Hands each DM's (or channel's) next ``chat.postMessage`` to the client waiting on it.

    Installed on the fake's own thread (its record of each call), so the time is the
    fake's: when it answered the post.
    """

    def __init__(self, fake: FakeSlackThread, channels: Sequence[str]) -> None:
        self._fake = fake
        self._loop = asyncio.get_running_loop()
        self.queues: dict[str, asyncio.Queue[Call]] = {c: asyncio.Queue() for c in channels}
        self._original = fake.fake._record

    def __enter__(self) -> Replies:
        def record(call: Call) -> None:
            self._original(call)
            queue = self.queues.get(str(call.params.get("channel", "")))
            if call.method == "chat.postMessage" and queue is not None:
                self._loop.call_soon_threadsafe(queue.put_nowait, call)

        self._fake.fake._record = record  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        vars(self._fake.fake).pop("_record", None)  # the fake's own again


def text_of(params: dict[str, Any]) -> str:
    """Everything a posted message shows: its text and every text in its blocks."""
    parts = [str(params.get("text", ""))]
    stack: list[Any] = [params.get("blocks", [])]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            parts += [v for k, v in node.items() if k == "text" and isinstance(v, str)]
            stack += [v for k, v in node.items() if not (k == "text" and isinstance(v, str))]
        elif isinstance(node, list):
            stack += node
    return "\n".join(parts)


def feedback_text(n: int) -> str:
    """The ``n``-th feedback DM: persona and words rotate; every text its own."""
    heard = HEARD[n % len(HEARD)]
    return (
        f"feedback {PERSONAS[n % len(PERSONAS)]}: {heard}, "
        f"{CUSTOMERS[n // len(HEARD) % len(CUSTOMERS)]} said so on call {n}"
    )


def event_body(kind: str, words: str, *, user: str, n: int) -> tuple[bytes, str]:
    """A signed-ready event (ours: a DM; the floor: a mention) and its reply channel."""
    ts = f"{1_880_000_000 + n}.{n % 1_000_000:06d}"
    if kind == "floor":
        channel = f"C{user}"
        event = app_mention(words, user=user, channel=channel, ts=ts)
    else:
        channel = f"D{user}"
        event = dm_message(words, user=user, channel=channel, ts=ts)
    return json_body(event_callback(event, event_id=f"Ev{kind[:2]}{n:09d}")), channel


async def converse(
    url: str,
    replies: Replies,
    script: list[tuple[str, bytes, str]],
    kinds: dict[str, Kind] | None,
    timeout: float,
) -> None:
    """One seller: send each (kind, body, channel), waiting for its reply before the next."""
    timeout_ = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout_) as session:
        for kind, body, channel in script:
            figures = kinds[kind] if kinds is not None else Kind()
            figures.sent += 1
            headers = {"Content-Type": JSON, **sign(body, SECRET, int(time.time()))}
            started = time.monotonic()
            try:
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            if status != 200:
                figures.errors += 1
                continue
            figures.acks.append(time.monotonic() - started)
            try:
                call = await asyncio.wait_for(replies.queues[channel].get(), timeout)
            except TimeoutError:
                figures.missing += 1
                continue
            figures.replies.append(call.at - started)
            said = text_of(call.params)
            if (kind == "feedback") != bool(CONFIRMED.search(said)) and kind != "floor":
                figures.unexpected += 1


def scripts(kind_of: str, args: argparse.Namespace, *, measured: bool) -> list[list[Any]]:
    """Each seller's messages, (kind, body, channel): as many feedback as asks in all.

    Seller ``s`` sends pairs, feedback then a question (odd sellers: the other way
    round); the floor gets a mention for each.
    """
    pairs = args.messages if measured else args.warmup
    asks = iter(questions(pairs, seed=args.seed + (0 if measured else 50)))
    n = 100_000 if measured else 0  # event ids and texts of their own
    per_seller: list[list[Any]] = []
    for seller in range(args.concurrency):
        user = f"U{seller + 1:04d}"
        order = ("feedback", "ask") if seller % 2 == 0 else ("ask", "feedback")
        script = []
        count = pairs // args.concurrency + (seller < pairs % args.concurrency)
        for _ in range(count):
            for kind in order:
                words = feedback_text(n) if kind == "feedback" else next(asks)
                tag = "floor" if kind_of == "floor" else kind
                body, channel = event_body(tag, words, user=user, n=n)
                script.append((tag, body, channel))
                n += 1
        per_seller.append(script)
    return per_seller


async def measure(server: Server, fake: FakeSlackThread, args: argparse.Namespace) -> Run:
    """Warm up, then every seller's messages in turn; the figures of each kind."""
    url = server.url("/slack/events")
    users = [f"U{n + 1:04d}" for n in range(args.concurrency)]
    channels = [f"{p}{u}" for u in users for p in ("D", "C")]
    names = ("floor",) if server.name == "floor" else ("feedback", "ask")
    kinds = {name: Kind() for name in names}
    with Replies(fake, channels) as replies:
        warm = scripts(server.name, args, measured=False)
        await asyncio.gather(*(converse(url, replies, s, None, args.timeout) for s in warm))
        fake.clear()
        cpu = server.cpu_seconds()
        todo = scripts(server.name, args, measured=True)
        await asyncio.gather(*(converse(url, replies, s, kinds, args.timeout) for s in todo))
        after = server.cpu_seconds()
    run = Run(kinds=kinds, server_cpu=None if cpu is None or after is None else after - cpu)
    run.web_calls = len(fake.calls)
    run.web_failed = sum(not c.ok for c in fake.calls)
    return run


def serve(
    name: str, fake: FakeSlackThread, workdir: Path, url: str, args: argparse.Namespace
) -> Run:
    port = free_port()
    env = {**base_env(fake, port, workdir), "PERSONABOT_DATABASE_URL": url}
    script = [str(ROOT / "benchmarks" / "floor_bolt_echo.py")] if name == "floor" else []
    argv = [sys.executable, *script] if script else [sys.executable, "-m", "bot", "serve"]
    server = Server(name, argv, env, workdir, port)
    server.start()
    try:
        health = None if name == "floor" else "/healthz"
        ready = asyncio.run(wait_ready(server, health_path=health))
        print(f"{name}: ready after {ready:.2f} s on port {port}", file=sys.stderr)
        run = asyncio.run(measure(server, fake, args))
    finally:
        server.stop()
    if any(k.errors or k.missing or k.unexpected for k in run.kinds.values()):
        print(f"{name}: log tail:\n{server.log_tail()}", file=sys.stderr)
    if name != "floor":
        engine = create_engine(url)
        with engine.connect() as connection:
            run.stored = int(
                connection.execute(text("SELECT count(*) FROM feedback")).scalar() or 0
            )
        engine.dispose()
    return run


def side_by_side(ours: Run, floor: Run, args: argparse.Namespace) -> tuple[list[str], bool]:
    """The Markdown table of part 1, and whether its targets are met."""
    fb, ask, echo = ours.kinds["feedback"], ours.kinds["ask"], floor.kinds["floor"]
    mark = {True: "✓", False: "✗"}
    r = ratio(fb.p("replies", 0.99), ask.p("replies", 0.99))
    ok = r is not None and r <= TARGET_P99
    r_ack = ratio(fb.p("acks", 0.99), ask.p("acks", 0.99))
    lines = [
        "| measure | feedback DMs | ask DMs | floor (bolt echo) | feedback ÷ ask | target |",
        "|---|---|---|---|---|---|",
    ]
    for q in (0.5, 0.95, 0.99):
        tail = f"{r:.2f}× | ≤ {TARGET_P99}× {mark[ok]}" if q == 0.99 and r is not None else " |"
        lines.append(
            f"| event → reply posted p{round(q * 100)} (ms) | {ms(fb.p('replies', q))} | "
            f"{ms(ask.p('replies', q))} | {ms(echo.p('replies', q))} | {tail} |"
        )
    for q in (0.5, 0.99):
        tail = f"{r_ack:.2f}× |" if q == 0.99 and r_ack is not None else " |"
        lines.append(
            f"| ack p{round(q * 100)} (ms) | {ms(fb.p('acks', q))} | {ms(ask.p('acks', q))} | "
            f"{ms(echo.p('acks', q))} | {tail} |"
        )
    wanted = fb.sent + args.warmup
    clean = all(not (k.errors or k.missing or k.unexpected) for k in (fb, ask)) and (
        ours.stored == wanted
    )
    lines += [
        f"| messages sent | {fb.sent} | {ask.sent} | {echo.sent} | | |",
        f"| errors (non-200), replies missing, unexpected | {fb.errors}, {fb.missing}, "
        f"{fb.unexpected} | {ask.errors}, {ask.missing}, {ask.unexpected} | {echo.errors}, "
        f"{echo.missing}, — | | 0 {mark[clean]} |",
        f"| feedback rows stored (warm-up included) | {ours.stored} of {wanted} | | | | all |",
        f"| Web API calls while measured (failed) | {ours.web_calls} ({ours.web_failed}) | | "
        f"{floor.web_calls} ({floor.web_failed}) | | |",
        f"| server CPU while measured (s), both kinds | "
        f"{'—' if ours.server_cpu is None else f'{ours.server_cpu:.2f}'} | | "
        f"{'—' if floor.server_cpu is None else f'{floor.server_cpu:.2f}'} | | |",
    ]
    return lines, ok and clean


def seen_table(seen: Visibility) -> tuple[list[str], bool]:
    """The Markdown table of part 2, and whether every approval was seen in time."""
    mark = {True: "✓", False: "✗"}
    lines = [
        "| approval → another process answers with it | median (ms) | max (ms) | seen | target |",
        "|---|---|---|---|---|",
    ]
    ok = True
    for label, delays, missed in (
        ("`personabot ask` running (stdin), its LiveCatalog", seen.live, seen.live_missed),
        ("a fresh `personabot ask` started at the approval", seen.fresh, seen.fresh_missed),
    ):
        ordered = sorted(delays)
        within = not missed and bool(ordered) and ordered[-1] <= TARGET_SEEN
        ok = ok and within
        median = ordered[len(ordered) // 2] if ordered else None
        lines.append(
            f"| {label} | {ms(median)} | {ms(ordered[-1] if ordered else None)} | "
            f"{len(ordered)} of {len(ordered) + missed} | ≤ {TARGET_SEEN:.0f} s {mark[within]} |"
        )
    lines.append(
        f"| the approval itself (`approve N` in this process), median (ms) | "
        f"{ms(sorted(seen.approve)[len(seen.approve) // 2] if seen.approve else None)}"
        " | | | |"
    )
    return lines, ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500, help="of each kind")
    parser.add_argument("--concurrency", type=int, default=25, help="sellers at once")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured, of each kind")
    parser.add_argument("--rounds", type=int, default=5, help="approvals of each part 2 way")
    parser.add_argument("--ask-every", type=float, default=0.02, help="seconds between asks")
    parser.add_argument("--timeout", type=float, default=120.0, help="bound of each wait (s)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--cost-steps", default="0,500,1000,2000", help="pending feedback of part 3's steps"
    )
    parser.add_argument("--cost-sample", type=int, default=50, help="turns of each kind a step")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL on 127.0.0.1")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if min(args.messages, args.concurrency, args.rounds) < 1 or args.warmup < 0:
        parser.error("--messages, --concurrency and --rounds must be ≥ 1, --warmup ≥ 0")
    try:
        steps = [int(n) for n in args.cost_steps.split(",") if n.strip()]
    except ValueError:
        parser.error("--cost-steps: whole numbers separated by commas")
    started = time.monotonic()
    with FakeSlackThread() as fake, tempfile.TemporaryDirectory(prefix="bench-feedback-") as tmp:
        workdir = Path(tmp)
        for n in range(1, args.concurrency + 1):
            fake.add_user(f"U{n:04d}", f"seller{n}@example.com", f"Seller {n}")
        try:
            floor = serve("floor", fake, workdir, f"sqlite:///{workdir / 'floor.db'}", args)
            with database(args, workdir) as url:
                ours = serve("personabot", fake, workdir, url, args)
            with database(args, workdir / "seen") as url:
                seen = approvals_seen(url, workdir, rounds=args.rounds, every=args.ask_every)
            with database(args, workdir / "cost") as url:
                costs = turn_costs(
                    url,
                    workdir / "cost",
                    steps=steps,
                    sample=args.cost_sample,
                    feedback_text=feedback_text,
                )
        except HarnessError as exc:
            print(f"bench_feedback: {exc}", file=sys.stderr)
            return 2
    part1, ok1 = side_by_side(ours, floor, args)
    part2, ok2 = seen_table(seen)
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"Measured {dt.date.today().isoformat()} in {time.monotonic() - started:.0f} s "
        f"({backend}; {args.messages} feedback and {args.messages} ask DMs from "
        f"{args.concurrency} sellers at once, {args.warmup} of each to warm up; "
        f"{args.rounds} approvals each way; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}):\n\nMachine: {machine()}\n"
    )
    print("\n".join(part1))
    print()
    print("\n".join(part2))
    print()
    print("\n".join(cost_table(costs)))
    return 1 if args.check and not (ok1 and ok2) else 0


if __name__ == "__main__":
    sys.exit(main())
