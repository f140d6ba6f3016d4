"""Benchmark a live quiz in one busy channel: 300 players click within the same 2 seconds.

Issue 11's requirement: in one Slack channel and in one Teams channel conversation, 300
players click an answer within the same 2 seconds; every click is acknowledged in time
(Slack: within 3 s; Teams: an ``Action.Execute`` invoke within ~5 s), none gets a 503 or
no answer, and every answer is counted once.

One run, on 127.0.0.1 only, every wait bounded:

1. **Ours.** ``python -m bot serve`` serves Slack (HTTP mode, the local fake Slack Web
   API of ``tests/slack/fake_slack.py``) and Teams (local mode, the local fake Bot
   Connector of ``tests/teams/fake_connector.py``) from one process, SQLite unless
   ``--postgres``. Warm-up (not measured): a live quiz in another channel on each
   platform, a few players clicking. Then the pack admin types ``quiz live questions 1
   seconds 120`` in the Slack channel and in the Teams channel (the reveal comes long
   after the burst). ``--players`` players each click one button of the question (a
   seeded random pick) on each platform; every tenth also double-clicks another choice
   0.2 s later (a new ``action_ts`` / a new activity id). Each click is sent at its own
   time, evenly spread over ``--window`` seconds (open loop: a slow acknowledgement
   does not hold the next click back), from ``--concurrency`` client sessions: Slack's
   burst, then, once the server is idle again, Teams' (``--together``: both in the same
   window). Slack players are known to the fake's ``users.info``, Teams players to its
   member lookup (with their emails).
2. **Floor.** ``benchmarks/floor_live_quiz.py`` (bare bolt acking each click and
   answering it through ``response_url``; bare botbuilder answering each invoke with a
   card) gets the same burst, byte for byte.

Measured per platform: acknowledgement latency p50/p99/max (the Slack ack; the Teams
invoke's HTTP answer, which carries the refreshed card), non-200 answers and requests
with no answer, acknowledgements later than the platform waits, the harness's own lag
in sending, the private answers ("Got it" / "already answered": Slack's through the
``response_url``, Teams' in the invoke's card). Afterwards the ``quiz_answers`` rows of
the question's flow and step: one per player, none lost, none twice, each recording the
pick the player was told counted (a double click's second can overtake its first when
both are in flight at once: counted, not a target). Targets: no non-200 or missing
answer, no late acknowledgement, exactly ``--players`` answers counted, double clicks
not counted twice, every click answered privately ("got it" once per player, "already
answered" for each double click).

Usage::

    python benchmarks/bench_live_quiz.py [--players 300] [--window 2] [--concurrency 50]
                                         [--together] [--postgres URL] [--check]
                                         [--ours-cmd CMD]

Exit status 0 once measured (``--check``: 1 when a target is missed); 2 when a server
could not be started or a quiz did not start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness import (
    HOST,
    ROOT,
    HarnessError,
    Server,
    free_port,
    ms,
    ratio,
    scratch_schema,
    wait_ready,
)
from live_quiz_load import (  # puts the tests' fakes and builders on the path
    ALREADY,
    DOUBLE_AFTER,
    DOUBLE_EVERY,
    GOT_IT,
    LIMITS,
    PLATFORMS,
    SECRET,
    SLACK_CHANNEL,
    TEAMS_CHANNEL,
    TOKEN,
    WARM,
    WARM_PLAYERS,
    Audit,
    Click,
    Quiz,
    Side,
    add_people,
    audit,
    burst,
    counted_picks,
    send_burst,
    settle,
    slack_replies,
    slack_user,
    start_slack,
    start_teams,
    teams_member,
)
from run_all import machine

sys.path.insert(0, str(ROOT))
from cards import validate_activity_cards  # noqa: E402
from fake_connector import FakeConnectorThread  # noqa: E402
from fake_slack import FakeSlackThread  # noqa: E402

DROPPED_ENV = (
    "MicrosoftAppId",
    "MicrosoftAppPassword",
    "MicrosoftAppTenantId",
    "MicrosoftAppType",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TENANT_ID",
    "MICROSOFT_APP_TYPE",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "PERSONABOT_CONTENT",
)


@contextlib.contextmanager
def database(postgres: str, workdir: Path, name: str) -> Iterator[str]:
    """A SQLite file, or a scratch schema of a PostgreSQL database on this machine."""
    if not postgres:
        yield f"sqlite:///{workdir / f'{name}.db'}"
        return
    with scratch_schema(postgres, "bench_live") as url:
        yield url


# -- running -----------------------------------------------------------------------------------


def server_env(slack: FakeSlackThread, port: int, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    no_proxy = ",".join(filter(None, [env.get("NO_PROXY", ""), HOST, "localhost"]))
    env.update(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "PERSONABOT_SLACK_API_URL": slack.base_url,
            "PERSONABOT_TEAMS_LOCAL": "true",
            "PERSONABOT_HOST": HOST,
            "PERSONABOT_PORT": str(port),
            "PERSONABOT_DATABASE_URL": database_url,
            "PERSONABOT_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
        }
    )
    return env


@dataclass
class Run:
    """One server's figures."""

    sides: dict[str, Side]
    audits: dict[str, Audit] = field(default_factory=dict)
    server_cpu: dict[str, float] = field(default_factory=dict)  # per burst
    harness_cpu: dict[str, float] = field(default_factory=dict)
    invalid_cards: int = 0
    later_counted: dict[str, int] = field(default_factory=dict)  # double clicks


async def measure(
    server: Server,
    slack: FakeSlackThread,
    teams: FakeConnectorThread,
    args: argparse.Namespace,
    prepared: list[Click] | None,
) -> tuple[Run, list[Click], dict[str, Quiz]]:
    """Ours (``prepared`` None): warm up, start both quizzes, burst. The floor: the burst."""
    urls = {"slack": server.url("/slack/events"), "teams": server.url("/api/messages")}
    quizzes: dict[str, Quiz] = {}
    channels = {"slack": SLACK_CHANNEL, "teams": TEAMS_CHANNEL}
    warm_players = range(args.players, args.players + WARM_PLAYERS)
    if prepared is None:
        warm = {
            "slack": await start_slack(urls["slack"], slack, WARM["slack"]),
            "teams": await start_teams(urls["teams"], teams, WARM["teams"]),
        }
        warmup = burst(warm, slack, teams, players=warm_players, window=0.5, seed=1, channels=WARM)
        quizzes = {
            "slack": await start_slack(urls["slack"], slack, SLACK_CHANNEL),
            "teams": await start_teams(urls["teams"], teams, TEAMS_CHANNEL),
        }
        clicks = burst(
            quizzes,
            slack,
            teams,
            players=range(args.players),
            window=args.window,
            seed=args.seed,
            channels=channels,
        )
    else:
        warmup = [c for c in prepared if c.player in warm_players]
        clicks = [c for c in prepared if c.player not in warm_players]
    await send_burst(server, warmup, min(args.concurrency, len(warmup)))
    await asyncio.sleep(1.0)  # the warm-up's private answers go out
    run = Run(sides={})
    groups = [PLATFORMS] if args.together else [(p,) for p in PLATFORMS]
    for group in groups:
        before = len(slack.calls_to("response_url"))
        cpu, harness_cpu = server.cpu_seconds(), time.process_time()
        part = [c for c in clicks if c.platform in group]
        run.sides.update(await send_burst(server, part, args.concurrency, group))
        if "slack" in group:
            expected = sum(1 for c in part if c.platform == "slack")
            await slack_replies(slack, run.sides["slack"], expected, before)
        await settle(server)  # clicks the client gave up on are still worked out
        cpu_after = server.cpu_seconds()
        for p in group:
            run.harness_cpu[p] = time.process_time() - harness_cpu
            if cpu is not None and cpu_after is not None:
                run.server_cpu[p] = cpu_after - cpu
    for card in run.sides["teams"].cards.values():
        attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        run.invalid_cards += bool(validate_activity_cards({"attachments": [attachment]}))
    return run, warmup + clicks, quizzes


def run_server(
    name: str,
    argv: list[str],
    slack: FakeSlackThread,
    teams: FakeConnectorThread,
    workdir: Path,
    args: argparse.Namespace,
    prepared: list[Click] | None = None,
) -> tuple[Run, list[Click]]:
    with database(args.postgres if name == "personabot" else "", workdir, name) as url:
        port = free_port()
        server = Server(name, argv, server_env(slack, port, url), workdir, port)
        server.start()
        try:
            health = "/healthz" if name == "personabot" else None
            ready = asyncio.run(wait_ready(server, health_path=health))
            print(f"{name}: ready after {ready:.2f} s on port {port}", file=sys.stderr)
            run, clicks, quizzes = asyncio.run(measure(server, slack, teams, args, prepared))
        finally:
            server.stop()
        if name == "personabot":
            for platform_, quiz in quizzes.items():
                measured = [
                    c for c in clicks if c.platform == platform_ and c.player < args.players
                ]
                picks = counted_picks(measured, run.sides[platform_].answers)
                run.later_counted[platform_] = sum(
                    1 for c in measured if c.second and picks.get(c.player) == c.pick
                )
                keys = {
                    n: f"slack:{slack_user(n)}"
                    if platform_ == "slack"
                    else f"teams:{teams_member(n)['aadObjectId']}"
                    for n in {c.player for c in measured}
                }
                run.audits[platform_] = audit(url, quiz, keys, picks)
    problems = any(s.non_200 or s.failures for s in run.sides.values())
    if problems:
        for p, s in run.sides.items():
            print(f"{name} {p}: {dict(s.statuses)}, failures {s.failures[:3]}", file=sys.stderr)
        print(f"{name}: log tail:\n{server.log_tail()}", file=sys.stderr)
    return run, clicks


# -- the report --------------------------------------------------------------------------------


def report(ours: Run, floor: Run, players: int) -> tuple[str, bool]:
    """The Markdown table, and whether every target is met."""
    mark = {True: "✓", False: "✗"}
    met = True
    lines = [
        "| measure | Slack: personabot | Slack: floor (bolt) | ratio | "
        "Teams: personabot | Teams: floor (botbuilder) | ratio | target |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def row(label: str, cells: list[str], target: str = "", ok: bool | None = None) -> None:
        nonlocal met
        if ok is not None:
            met = met and ok
            target = f"{target} {mark[ok]}"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    def timing(q: float | None) -> list[str]:
        cells = []
        for p in PLATFORMS:
            o, f = ours.sides[p], floor.sides[p]
            a = o.percentile(q) if q is not None else max(o.latencies, default=None)
            b = f.percentile(q) if q is not None else max(f.latencies, default=None)
            r = ratio(a, b)
            cells += [ms(a), ms(b), "" if r is None else f"{r:.2f}×"]
        return cells

    expected_doubles = len(range(DOUBLE_EVERY - 1, players, DOUBLE_EVERY))
    o_s, o_t, f_s, f_t = (
        ours.sides["slack"],
        ours.sides["teams"],
        floor.sides["slack"],
        floor.sides["teams"],
    )
    row(
        "clicks sent (players + double clicks)",
        [str(o_s.sent), str(f_s.sent), "", str(o_t.sent), str(f_t.sent), ""],
        f"{players} + {expected_doubles} each",
    )
    row("ack p50 (ms)", timing(0.5))
    row("ack p99 (ms)", timing(0.99))
    in_time = all(
        s.late(LIMITS[p]) == 0 and len(s.latencies) == s.sent for p, s in ours.sides.items()
    )
    row("ack max (ms)", timing(None), "≤ 3000 Slack, ≤ 5000 Teams", in_time)
    clean = all(s.non_200 == 0 and not s.failures for s in ours.sides.values())
    row(
        "non-200 / no answer (timeout, reset)",
        [
            f"{o_s.non_200} / {len(o_s.failures)}",
            f"{f_s.non_200} / {len(f_s.failures)}",
            "",
            f"{o_t.non_200} / {len(o_t.failures)}",
            f"{f_t.non_200} / {len(f_t.failures)}",
            "",
        ],
        "0 / 0",
        clean,
    )
    row(
        "harness: worst lag sending a click (ms)",
        [ms(o_s.lag), ms(f_s.lag), "", ms(o_t.lag), ms(f_t.lag), ""],
    )

    def last(side: Side) -> str:
        return ms(side.last_reply - side.first) if side.last_reply else "—"

    row(
        "first click → last private answer (ms)",
        [last(o_s), last(f_s), "", last(o_t), last(f_t), ""],
    )
    told_ok = True
    cells = []
    for p in PLATFORMS:
        answers = ours.sides[p].answers
        got = sum(1 for t in answers.values() if GOT_IT in t)
        already = sum(1 for t in answers.values() if ALREADY in t)
        told_ok = told_ok and got == players and already == expected_doubles
        cells += [f"{got} / {already}", f"{len(floor.sides[p].answers)} (floor text)", ""]
    row(
        "private answers: got it / already answered",
        cells,
        f"{players} / {expected_doubles}",
        told_ok,
    )
    counted_ok = True
    cells = []
    for p in PLATFORMS:
        a = ours.audits[p]
        counted_ok = (
            counted_ok
            and a.rows == players == a.players
            and not (a.doubled or a.lost or a.strangers or a.wrong_pick)
        )
        cells += [f"{a.rows} ({a.players} players)", "—", ""]
    row(
        "answers stored for the question (distinct players)",
        cells,
        f"{players} ({players})",
        counted_ok,
    )
    cells = []
    for p in PLATFORMS:
        a = ours.audits[p]
        cells += [f"{a.lost} / {a.doubled} / {a.strangers} / {a.wrong_pick}", "—", ""]
    row("lost / counted twice / unknown player / not the pick told", cells, "0", counted_ok)
    cells = []
    for p in PLATFORMS:
        cells += [str(ours.later_counted.get(p, 0)), "—", ""]
    row("double clicks whose second click counted (both in flight at once)", cells)

    def cpu(label: str, field_: str) -> None:
        cells = []
        for p in PLATFORMS:
            o, f = getattr(ours, field_).get(p), getattr(floor, field_).get(p)
            cells += ["—" if o is None else f"{o:.2f}", "—" if f is None else f"{f:.2f}", ""]
        row(label, cells)

    cpu("server CPU during the burst (s)", "server_cpu")
    cpu("harness CPU during the burst: load + fakes (s)", "harness_cpu")
    row(
        "Teams cards answered, invalid against Adaptive Card 1.5 (checked 2)",
        ["", "", "", str(ours.invalid_cards), "", ""],
        "0",
        ours.invalid_cards == 0,
    )
    return "\n".join(lines), met


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=300)
    parser.add_argument("--window", type=float, default=2.0, help="seconds the clicks span")
    parser.add_argument("--concurrency", type=int, default=50, help="client sessions")
    parser.add_argument(
        "--together",
        action="store_true",
        help="both platforms' clicks in the same window (default: Slack's burst, then Teams')",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL on 127.0.0.1")
    parser.add_argument(
        "--ours-cmd", default="", help="command for ours (default: this interpreter, -m bot serve)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if min(args.players, args.concurrency) < 1 or not 0 < args.window <= 60:
        parser.error("--players and --concurrency must be ≥ 1, --window in (0, 60]")
    started = time.monotonic()
    with (
        FakeSlackThread() as slack,
        FakeConnectorThread(validate_every=10) as teams,
        tempfile.TemporaryDirectory(prefix="bench-live-") as tmp,
    ):
        add_people(slack, teams, args.players)
        ours_argv = (
            shlex.split(args.ours_cmd) if args.ours_cmd else [sys.executable, "-m", "bot", "serve"]
        )
        try:
            ours, clicks = run_server("personabot", ours_argv, slack, teams, Path(tmp), args)
            floor_argv = [sys.executable, str(ROOT / "benchmarks" / "floor_live_quiz.py")]
            floor, _ = run_server("floor", floor_argv, slack, teams, Path(tmp), args, clicks)
        except HarnessError as exc:
            print(f"bench_live_quiz: {exc}", file=sys.stderr)
            return 2
    table, met = report(ours, floor, args.players)
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"Measured {dt.date.today().isoformat()} in {time.monotonic() - started:.0f} s "
        f"({backend}; one live quiz question in one Slack channel and one Teams channel, "
        f"{args.players} players clicking within {args.window:g} s on each, every "
        f"{DOUBLE_EVERY}th double-clicking {DOUBLE_AFTER:g} s later; "
        f"{args.concurrency} client sessions):\n\nMachine: {machine()}\n"
    )
    print(table)
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
