"""Benchmark the dashboard's data and ``personabot report`` on PostgreSQL (issue 15).

A fresh schema of the PostgreSQL database on this machine (``--postgres URL``, else
``PERSONABOT_TEST_DATABASE_URL``), the example pack, and a year of generated activity
(``tests/insights/activity.py``): 100,000 questions, 20,000 quiz answers, 2,000 feedback
items (a third grouped into proposals, most decided), 10,000 helpful votes, 400 role-plays
and 400 people, inserted in bulk, then ``VACUUM ANALYZE``. Timed:

1. ``GET /admin/data`` (the figures of the default 30 days, all personas) from our real
   server on 127.0.0.1 with a pack admin's session cookie, ``--requests`` times in a row:
   p50, p95, max. Budget: p95 ≤ 300 ms. The floor, in the same run: ``GET /healthz`` on
   the same server (HTTP and aiohttp alone), and the bare indexed count of the window's
   questions.
2. ``personabot report`` (text) as a process, ``--runs`` times: median and max wall time.
   Budget: ≤ 2 s. The floor: ``python -m bot --help`` (the interpreter and the CLI's imports).
3. ``EXPLAIN (ANALYZE, BUFFERS)`` of every statement the 30-day figures run: none may read
   an activity table (questions, quiz answers and cards, flows, role-plays, feedback,
   proposals, votes) by a sequential scan.

Usage: ``python benchmarks/bench_dashboard.py [--postgres URL] [--questions 100000]
[--requests 40] [--runs 5]``. Prints Markdown. Exit status 1 when a budget is missed or a
sequential scan shows, 2 without PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "insights"))

import aiohttp  # noqa: E402
import harness  # noqa: E402
from activity import generate  # noqa: E402
from aiohttp import web  # noqa: E402
from run_all import machine  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402

from bot.app import App, build_app  # noqa: E402
from bot.dashboard.figures import Figures, period_of  # noqa: E402
from bot.dashboard.links import COOKIE, Signer  # noqa: E402
from bot.server import build_web_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import normalize_url  # noqa: E402
from storage.insights_signin import SigninLinks  # noqa: E402

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
KEY = "bench-" + "k" * 40
ADMIN = "ingrid.solberg@fieldline.example"
ACTIVITY_TABLES = (
    "questions",
    "quiz_answers",
    "quiz_cards",
    "flows",
    "roleplays",
    "feedback",
    "proposals",
    "answer_votes",
)
DATA_BUDGET_MS = 300.0
REPORT_BUDGET_S = 2.0


@contextlib.contextmanager
def scratch_schema(postgres: str) -> Iterator[str]:
    """A fresh schema of the PostgreSQL database on this machine (see harness), dropped after."""
    try:
        with harness.scratch_schema(postgres, "bench_dashboard") as url:
            yield url
    except harness.HarnessError as exc:
        raise SystemExit(str(exc)) from None


def fill(app: App, url: str, *, questions: int) -> float:
    """Generate a year of activity and VACUUM ANALYZE; the seconds it took."""
    start = time.perf_counter()
    generate(
        app.db,
        personas=[p.id for p in app.catalog.personas],
        now=NOW,
        days=365,
        questions=questions,
        quiz_answers=20_000,
        feedback=2_000,
        users=400,
    )
    engine = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def time_http(app: App, settings: Settings, requests: int) -> dict[str, list[float]]:
    """``GET /admin/data`` and ``GET /healthz`` on our server: milliseconds each."""
    runner = web.AppRunner(build_web_app(app, settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    signer = Signer(key=KEY.encode(), links=SigninLinks(db=app.db), public_url=base)
    cookie = {"Cookie": f"{COOKIE}={signer.session(ADMIN, now=NOW)}"}
    out: dict[str, list[float]] = {"data": [], "healthz": []}
    try:
        async with aiohttp.ClientSession() as session:
            for path, key in (("/admin/data", "data"), ("/healthz", "healthz")):
                for index in range(requests + 2):
                    start = time.perf_counter()
                    async with session.get(base + path, headers=cookie) as response:
                        assert response.status == 200, (path, response.status)
                        await response.read()
                    if index >= 2:  # two warm-up requests
                        out[key].append((time.perf_counter() - start) * 1000)
    finally:
        await runner.cleanup()
    return out


def time_bare_count(url: str, requests: int) -> list[float]:
    """The floor under the data: the window's questions counted, milliseconds."""
    engine = create_engine(normalize_url(url))
    since = NOW - dt.timedelta(days=30)
    times = []
    with engine.connect() as conn:
        for _ in range(requests):
            start = time.perf_counter()
            conn.execute(
                text("SELECT count(*) FROM questions WHERE asked_at >= :s AND asked_at < :u"),
                {"s": since, "u": NOW},
            ).scalar_one()
            times.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    return times


def time_process(args: list[str], url: str, runs: int, pycache: str) -> list[tuple[float, float]]:
    """Wall and CPU seconds of ``python -m bot <args>`` against the database, each run.

    Bytecode is cached (in ``pycache``, outside the tree) as for an installed package, and
    a first run, not timed, writes it.
    """
    skipped = ("PERSONABOT_", "SLACK_", "PYTHONDONTWRITEBYTECODE")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(skipped)},
        "PYTHONPATH": str(ROOT),
        "PYTHONPYCACHEPREFIX": pycache,
        "PERSONABOT_DATABASE_URL": url,
    }
    times = []
    for index in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and package
            [sys.executable, "-m", "bot", *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        if index:
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            times.append((time.perf_counter() - start, cpu))
    return times


def explain_all(app: App) -> list[tuple[str, list[str]]]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of every statement the 30-day figures run."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(app.db.engine, "before_cursor_execute", capture)
    try:
        Figures(db=app.db, pack=app.pack, personas=lambda: app.catalog.personas).collect(
            period_of(today=NOW.date())
        )
    finally:
        event.remove(app.db.engine, "before_cursor_execute", capture)
    plans = []
    with app.db.engine.connect() as conn:
        for statement, params in seen:
            cursor = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, COSTS OFF, BUFFERS) " + statement, params
            )
            plans.append((statement, [row[0] for row in cursor]))
    return plans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("PERSONABOT_TEST_DATABASE_URL", ""))
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.postgres:
        print(
            "bench_dashboard: needs --postgres URL or PERSONABOT_TEST_DATABASE_URL", file=sys.stderr
        )
        return 2
    print(
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on PostgreSQL "
        f"(scratch schema)\n\nMachine: {machine()}"
    )
    with scratch_schema(args.postgres) as url:
        settings = Settings(
            database_url=url,
            secret_key=KEY,
            public_url="http://127.0.0.1",  # type: ignore[arg-type]
        )
        app = build_app(settings, clock=lambda: NOW)
        try:
            filled = fill(app, url, questions=args.questions)
            print(
                f"\nSet-up (not timed below): {args.questions:,} questions over 365 days, "
                "20,000 quiz answers, 2,000 feedback items, "
                f"{args.questions // 10:,} votes, 400 role-plays, 400 people; "
                f"inserted and VACUUM ANALYZEd in {filled:.1f} s."
            )
            http = asyncio.run(time_http(app, settings, args.requests))
            bare = time_bare_count(url, args.requests)
            plans = explain_all(app)
        finally:
            app.close()
        since = (NOW.date() - dt.timedelta(days=29)).isoformat()
        with tempfile.TemporaryDirectory(prefix="bench-dashboard-pyc-") as pycache:
            report = time_process(["report", "--since", since], url, args.runs, pycache)
            floor = time_process(["--help"], url, args.runs, pycache)

    data, health = http["data"], http["healthz"]
    p95 = percentile(data, 0.95)
    print("\n| What (30 days, all personas) | p50 | p95 | max | budget |\n|---|---|---|---|---|")
    print(
        f"| `GET /admin/data`, {len(data)} requests | {statistics.median(data):.0f} ms | "
        f"{p95:.0f} ms | {max(data):.0f} ms | p95 ≤ {DATA_BUDGET_MS:.0f} ms |"
    )
    print(
        f"| floor: `GET /healthz`, same server | {statistics.median(health):.1f} ms | "
        f"{percentile(health, 0.95):.1f} ms | {max(health):.1f} ms | |"
    )
    print(
        f"| floor: bare count of the window's questions | {statistics.median(bare):.1f} ms | "
        f"{percentile(bare, 0.95):.1f} ms | {max(bare):.1f} ms | |"
    )
    print("\n| What | wall, median | wall, max | CPU, median | budget |\n|---|---|---|---|---|")
    wall = [w for w, _ in report]
    for label, runs_of, budget in (
        (f"`personabot report` (text, 30 days), {len(report)} runs", report, "≤ 2 s"),
        ("floor: `python -m bot --help`", floor, ""),
    ):
        walls, cpus = [w for w, _ in runs_of], [c for _, c in runs_of]
        print(
            f"| {label} | {statistics.median(walls):.2f} s | {max(walls):.2f} s | "
            f"{statistics.median(cpus):.2f} s | {budget} |"
        )
    scans = []
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {len(plans)} statements of the 30-day figures:")
    for statement, lines in plans:
        head = " ".join(statement.split())[:160]
        print(f"\n```\n-- {head}…\n" + "\n".join(lines) + "\n```")
        for line in lines:
            found = re.search(r"Seq Scan on (\w+)", line)
            if found and found.group(1) in ACTIVITY_TABLES:
                scans.append(found.group(1))
    met = p95 <= DATA_BUDGET_MS and max(wall) <= REPORT_BUDGET_S and not scans
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"\nLoad average at the end: {load}. "
        f"Sequential scans of activity tables: {', '.join(scans) or 'none'}. "
        f"Budgets {'met' if met else 'MISSED'}."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
