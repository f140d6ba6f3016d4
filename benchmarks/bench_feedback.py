"""Benchmark feedback: stored and confirmed beside ask turns on Slack; approvals seen elsewhere.

In one run, on 127.0.0.1 only, every wait bounded:

1. **Feedback beside asks** (issue 13: storing feedback and answering the user, p99 ≤
   1.5× an ask turn, through ``personabot serve`` on Slack, side by side). One ``python
   -m bot serve`` (HTTP mode, the local fake Slack Web API of ``tests/slack/fake_slack.py``
   on a background thread, SQLite unless ``--postgres``). ``--concurrency`` sellers each
   DM the bot in turn a ``feedback <persona>: <text>`` (each text its own, about the four
   example personas) and a question (who-is and objections, as ``bench_slack.py`` asks
   them), each message sent once the answer to the previous one was posted, half of the
   sellers starting with feedback: ``--messages`` of each kind (``feedback_traffic.py``)
   meet the same load. Per kind: the ack latency and the time from sending the event
   until the fake recorded the bot's ``chat.postMessage`` in that DM (the confirmation
   "saved as feedback #n", or the answer), p50/p95/p99. Then each kind alone,
   ``--messages`` of it from the same sellers, with the server's CPU per message (the
   queue both kinds share hides what one costs). Afterwards the ``feedback`` table must
   hold one row per feedback sent. The floor is ``bench_slack.py``'s (a bare slack-bolt
   app that acks and echoes each ``app_mention``), driven the same way with as many
   mentions: what bolt, aiohttp and the fake cost on this machine before any work.
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
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench_quiz import database
from bench_slack import ROOT, base_env
from fake_slack import FakeSlackThread  # on the path bench_slack set
from feedback_cost import cost_table, turn_costs
from feedback_traffic import Kind, Replies, converse, feedback_text, scripts
from feedback_visible import Visibility, approvals_seen
from harness import HarnessError, Server, free_port, ms, ratio, wait_ready
from run_all import machine
from sqlalchemy import create_engine, text

TARGET_P99 = 1.5  # feedback p99 ≤ this × ask p99 (event → reply posted)
TARGET_SEEN = 5.0  # an approval answered by another process within this many seconds


@dataclass
class Run:
    """One server's run: its kinds, CPU and Web API calls."""

    kinds: dict[str, Kind]
    cpu: dict[str, float | None] = field(default_factory=dict)  # server CPU of each phase
    web_calls: int = 0
    web_failed: int = 0
    stored: int | None = None  # feedback rows afterwards (ours)


async def measure(server: Server, fake: FakeSlackThread, args: argparse.Namespace) -> Run:
    """Warm up, then each phase; the figures of each kind and the CPU of each phase."""
    url = server.url("/slack/events")
    users = [f"U{n + 1:04d}" for n in range(args.concurrency)]
    channels = [f"{p}{u}" for u in users for p in ("D", "C")]
    floor = server.name == "floor"
    phases = ("mixed",) if floor else ("mixed", "ask", "feedback")
    run = Run(kinds={})
    with Replies(fake, channels) as replies:
        warm = scripts("warmup", args, floor=floor)
        await asyncio.gather(*(converse(url, replies, s, None, args.timeout) for s in warm))
        fake.clear()
        for phase in phases:
            names = ("floor",) if floor else ("feedback", "ask") if phase == "mixed" else (phase,)
            kinds = {name: Kind() for name in names}
            cpu = server.cpu_seconds()
            todo = scripts(phase, args, floor=floor)
            await asyncio.gather(*(converse(url, replies, s, kinds, args.timeout) for s in todo))
            after = server.cpu_seconds()
            run.cpu[phase] = None if cpu is None or after is None else after - cpu
            alone = "" if phase == "mixed" else " alone"
            run.kinds.update({f"{name}{alone}": k for name, k in kinds.items()})
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
    fb1, ask1 = ours.kinds["feedback alone"], ours.kinds["ask alone"]
    mark = {True: "✓", False: "✗"}
    r = ratio(fb.p("replies", 0.99), ask.p("replies", 0.99))
    ok = r is not None and r <= TARGET_P99
    lines = [
        "| measure | feedback DMs | ask DMs | floor (bolt echo) | feedback ÷ ask | target |",
        "|---|---|---|---|---|---|",
    ]

    def row(label: str, f: Kind, a: Kind, e: Kind | None, what: str, q: float) -> None:
        r = ratio(f.p(what, q), a.p(what, q))
        tail = " |"
        if q == 0.99 and r is not None:
            tail = f"{r:.2f}× |" + (
                f" ≤ {TARGET_P99}× {mark[r <= TARGET_P99]}" if what == "replies" else ""
            )
        lines.append(
            f"| {label} p{round(q * 100)} (ms) | {ms(f.p(what, q))} | {ms(a.p(what, q))} | "
            f"{ms(e.p(what, q)) if e else ''} | {tail} |"
        )

    for q in (0.5, 0.95, 0.99):
        row("side by side: event → reply posted", fb, ask, echo, "replies", q)
    for q in (0.5, 0.99):
        row("side by side: ack", fb, ask, echo, "acks", q)
    for q in (0.5, 0.99):
        row("each kind alone: event → reply posted", fb1, ask1, None, "replies", q)
    n = max(1, args.messages)
    per = {k: ours.cpu.get(k) for k in ("feedback", "ask")}
    cpu = {k: None if v is None else v / n for k, v in per.items()}
    floor_cpu = floor.cpu.get("mixed")
    r_cpu = ratio(cpu["feedback"], cpu["ask"])
    kinds = (fb, ask, fb1, ask1)
    wanted = args.warmup + 2 * args.messages
    clean = all(not (k.errors or k.missing or k.unexpected) for k in kinds)
    clean = clean and ours.stored == wanted
    lines += [
        f"| each kind alone: server CPU a message (ms) | {ms(cpu['feedback'])} | "
        f"{ms(cpu['ask'])} | {ms(None if floor_cpu is None else floor_cpu / (2 * n))} | "
        f"{'—' if r_cpu is None else f'{r_cpu:.1f}×'} | |",
        f"| messages sent: side by side + alone | {fb.sent} + {fb1.sent} | {ask.sent} + "
        f"{ask1.sent} | {echo.sent} | | |",
        f"| errors (non-200), replies missing, unexpected | "
        f"{sum(k.errors for k in kinds[::2])}, {sum(k.missing for k in kinds[::2])}, "
        f"{sum(k.unexpected for k in kinds[::2])} | {sum(k.errors for k in kinds[1::2])}, "
        f"{sum(k.missing for k in kinds[1::2])}, {sum(k.unexpected for k in kinds[1::2])} | "
        f"{echo.errors}, {echo.missing}, — | | 0 {mark[clean]} |",
        f"| feedback rows stored (warm-up included) | {ours.stored} of {wanted} | | | | all |",
        f"| Web API calls (failed) | {ours.web_calls} ({ours.web_failed}) | | "
        f"{floor.web_calls} ({floor.web_failed}) | | |",
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
