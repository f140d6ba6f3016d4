"""Benchmark persona reviews (issue 14): due personas with their context, and 500 prompts.

Two parts, each on a fresh schema of a PostgreSQL database on this machine
(``--postgres URL``, else ``PERSONABOT_TEST_DATABASE_URL``):

1. **Due personas with their context.** A generated pack of 1,000 personas (the generator
   of ``bench_core.py``) with mixed cadences (the pack's 90 days, or 30, 180 or 365) and
   last reviews (never, or up to 400 days ago), imported as ``personabot`` imports it;
   100,000 questions spread over the personas and the past year (one in ten about none,
   one in six a content gap), 20,000 quiz answers, 3,000 role-plays, 150 reviews and 50
   snoozes recorded in chat, inserted in bulk, then ``ANALYZE``. Timed, several times:
   every persona's status (:meth:`handlers.review.ReviewHandler.statuses`: the catalog,
   the reviews and snoozes in the database), then the context of every due persona
   (questions, content gaps with the newest five, quiz answers right/total, role-plays and
   their average, each since the persona's last review), once per persona
   (:meth:`ReviewContexts.of`, four statements each) and batched
   (:meth:`ReviewContexts.of_many`, four statements in all). The floor, in the same run,
   is one bare statement: the questions counted per persona (``GROUP BY persona_id``).
   Both ways must give the same contexts. ``EXPLAIN (ANALYZE)`` of both question queries
   follows the table.
2. **500 prompts through Slack with rate limits.** 250 due personas with two owners each
   (drawn from 100 people, so an owner gets several prompts), the local fake Slack Web API
   (``tests/slack/fake_slack.py``) answering every 100th ``users.lookupByEmail``,
   ``conversations.open`` and ``chat.postMessage`` with HTTP 429 and ``Retry-After: 1``
   (once three in a row); :class:`bot.review_job.ReviewJob` through a real
   :class:`SlackAdapter` (``run(now, working_hours=False)``, as ``personabot reviews
   send``), twice. The DMs the fake accepted are counted per (persona, owner), read from
   each prompt's buttons: duplicates, lost and misdelivered must be 0, and the second
   run must send nothing.

Usage: ``python benchmarks/bench_reviews.py [--postgres URL] [--personas 1000]
[--questions 100000] [--prompt-personas 250] [--repeat 5] [--rate-limit-every 100]``.
Prints Markdown tables. Exit status 1 when a count or the 1-second budget is missed, 2
when PostgreSQL is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "slack"))
sys.path.insert(0, str(ROOT / "tests"))  # server_thread, shared by the fakes

import harness  # noqa: E402
from bench_core import generate_pack  # noqa: E402
from fake_slack import FakeSlackThread  # noqa: E402
from run_all import machine  # noqa: E402
from sqlalchemy import ClauseElement, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.app import App, build_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from content.loader import load_pack  # noqa: E402
from content.schema import Pack  # noqa: E402
from storage.models import (  # noqa: E402
    QuestionRow,
    QuizAnswerRow,
    ReviewPromptRow,
    ReviewRow,
    RoleplayRow,
)
from storage.review_context import ReviewContext, question_counts, wanted_rows  # noqa: E402

NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)
AT = NOW.date()
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CADENCES = (None, 30, 180, 365)  # None: the pack's 90 days
TOKEN = "xoxb-bench-reviews"
SECRET = "bench-signing-secret-0123456789abcdef"
INDEX = "ix_questions_persona_id_asked_at"
BUDGET_S = 1.0


# -- the data ---------------------------------------------------------------------------------


def make_pack(root: Path, count: int, *, owners: int, pool: int, all_due: bool) -> Pack:
    """A generated pack of ``count`` personas, cadences and last reviews varied."""
    rng = random.Random(count * 31 + owners)
    pack = load_pack(generate_pack(root / "pack", personas=count, objections=2))
    personas = []
    for i, persona in enumerate(pack.personas):
        cadence = rng.choice(CADENCES)
        days = cadence or pack.info.review_every_days
        if rng.random() < 0.1:
            last = None  # never reviewed: due at once
        elif all_due:
            last = AT - dt.timedelta(days=days + rng.randint(0, 60))
        else:
            last = AT - dt.timedelta(days=rng.randint(0, 400))
        people = rng.sample(range(pool), owners) if pool > owners else [i]
        personas.append(
            persona.model_copy(
                update={
                    "review_every_days": cadence,
                    "last_reviewed": last,
                    "owners": [owner_email(p) for p in people],
                }
            )
        )
    return pack.model_copy(update={"personas": tuple(personas)})


def owner_email(n: int) -> str:
    return f"owner{n}@bench.example"


@contextlib.contextmanager
def scratch_schema(postgres: str) -> Iterator[str]:
    """A fresh schema of the PostgreSQL database on this machine (see harness), dropped after."""
    try:
        with harness.scratch_schema(postgres, "bench_reviews") as url:
            yield url
    except harness.HarnessError as exc:
        raise SystemExit(str(exc)) from None


def start_app(root: Path, url: str, pack: Pack, **slack: Any) -> App:
    settings = Settings(content=root, database_url=url, **slack)
    return build_app(settings, pack=pack, clock=lambda: NOW)


def fill(
    app: App, personas: list[str], *, questions: int, answers: int, plays: int, reviews: int
) -> None:
    """Questions, quiz answers, role-plays, reviews and snoozes, in bulk, then ANALYZE."""
    rng = random.Random(42)

    def when() -> dt.datetime:
        return NOW - dt.timedelta(seconds=rng.randrange(365 * 86400))

    rows: list[dict[str, Any]] = []
    with app.db.session(write=True) as session:
        for n in range(questions):
            pid = None if n % 10 == 9 else rng.choice(personas)
            confidence = rng.random() * 0.5 if rng.random() < 1 / 6 else 0.5 + rng.random() / 2
            rows.append(
                {
                    "asked_at": when(),
                    "platform": "slack",
                    "user_id": f"U{n % 500:04d}",
                    "user_email": None,
                    "conversation_id": f"D{n % 500:04d}",
                    "text": f"question {n} about {pid or 'lunch'}",
                    "intent": "persona" if pid else "unknown",
                    "persona_id": pid,
                    "objection_id": None,
                    "confidence": confidence,
                    "answer": "…",
                }
            )
            if len(rows) == 10_000:
                session.execute(insert(QuestionRow), rows)
                rows = []
        if rows:
            session.execute(insert(QuestionRow), rows)
        session.execute(
            insert(QuizAnswerRow),
            [
                {
                    "flow_id": f"quiz{n // 10}",
                    "step": n % 10,
                    "user_key": f"slack:U{n // 10 % 500:04d}",
                    "question_id": f"q{n}",
                    "kind": "objection",
                    "persona_id": rng.choice(personas),
                    "correct": rng.random() < 0.7,
                    "points": 10,
                    "answered_at": when(),
                }
                for n in range(answers)
            ],
        )
        rows = []
        for n in range(plays):
            ended = when()
            rows.append(
                {
                    "flow_id": f"play{n}",
                    "user_key": f"slack:U{n % 500:04d}",
                    "user_name": None,
                    "user_email": None,
                    "scenario_id": "first-call",
                    "title": "First call",
                    "persona_id": rng.choice(personas),
                    "score": rng.randint(0, 100),
                    "pass_mark": 70,
                    "completed": rng.random() < 0.8,
                    "transcript": [],
                    "started_at": ended - dt.timedelta(minutes=10),
                    "ended_at": ended,
                }
            )
        session.execute(insert(RoleplayRow), rows)
        reviewed = rng.sample(personas, min(len(personas), reviews))
        snoozes = reviews // 4
        if reviewed:
            session.execute(
                insert(ReviewRow),
                [
                    {
                        "persona_id": pid,
                        "kind": "snoozed" if k < snoozes else ("approved" if k % 2 else "reviewed"),
                        "by_email": owner_email(0),
                        "at": NOW - dt.timedelta(days=rng.randint(0, 120)),
                        "until": NOW + dt.timedelta(days=rng.randint(-3, 7))
                        if k < snoozes
                        else None,
                    }
                    for k, pid in enumerate(reviewed)
                ],
            )
    with app.db.session(write=True) as session:
        for table in ("questions", "quiz_answers", "roleplays", "reviews"):
            session.execute(text(f"ANALYZE {table}"))


# -- part 1: due personas with their context --------------------------------------------------


def since_of(last: dt.date | None) -> dt.datetime:
    """A persona's review context starts at its last review (as the review job reads it)."""
    return dt.datetime.combine(last, dt.time(), tzinfo=dt.UTC) if last else EPOCH


def explain(session: Session, statement: ClauseElement) -> list[str]:
    """``EXPLAIN (ANALYZE)`` of ``statement`` with its bound values, one line per node."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    result = session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, COSTS OFF, BUFFERS) " + compiled.string, compiled.params
    )
    return [str(row[0]) for row in result]


def bench_contexts(app: App, repeat: int) -> dict[str, Any]:
    """Time statuses, contexts one by one and batched, and the floor; check they agree."""
    handler = app.reviews
    assert handler is not None
    contexts = handler.contexts
    floor_query = select(QuestionRow.persona_id, func.count()).group_by(QuestionRow.persona_id)
    times: dict[str, list[float]] = {"statuses": [], "each": [], "batched": [], "floor": []}
    due: dict[str, dt.datetime] = {}
    one: dict[str, ReviewContext] = {}
    many: dict[str, ReviewContext] = {}
    statuses = []
    for _ in range(repeat):
        start = time.perf_counter()
        statuses = handler.statuses(AT)
        due = {s.persona_id: since_of(s.last_reviewed) for s in statuses if s.needs_review}
        times["statuses"].append(time.perf_counter() - start)
        start = time.perf_counter()
        many = contexts.of_many(due)
        times["batched"].append(time.perf_counter() - start)
        start = time.perf_counter()
        one = {pid: contexts.of(pid, since=since) for pid, since in due.items()}
        times["each"].append(time.perf_counter() - start)
        start = time.perf_counter()
        with app.db.session() as session:
            counted = session.execute(floor_query).all()
        times["floor"].append(time.perf_counter() - start)
    first = next(iter(due))
    with app.db.session() as session:
        dialect = session.get_bind().dialect
        session.execute(text("SET LOCAL jit = off"))
        plans = {
            f"one persona ({first}, since {due[first].date()})": explain(
                session,
                select(func.count(), func.count().filter(QuestionRow.confidence < 0.5)).where(
                    QuestionRow.persona_id == first, QuestionRow.asked_at >= due[first]
                ),
            ),
            f"batched ({len(due)} due personas, each since its last review)": explain(
                session, question_counts(wanted_rows(due, dialect))
            ),
        }
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plans["batched, with `SET LOCAL enable_seqscan = off` (the index is usable)"] = explain(
            session, question_counts(wanted_rows(due, dialect))
        )
    return {
        "times": times,
        "personas": len(statuses),
        "status_counts": Counter(s.status for s in statuses),
        "due": len(due),
        "snoozed": sum(1 for s in statuses if s.snoozed_until),
        "same": one == many,
        "groups": len(counted),
        "questions": sum(c.questions for c in many.values()),
        "gaps": sum(c.gap_count for c in many.values()),
        "plans": plans,
    }


# -- part 3: prompts through the fake Slack ---------------------------------------------------


async def rate_limits(
    fake: FakeSlackThread, method: str, every: int, limited: Counter[str]
) -> None:
    """Answer every ``every``-th call of ``method`` with 429 (the second time three in a row)."""
    k = 1
    while True:
        await fake.wait_for_async(method, k * every, timeout=3600)
        times = 3 if k == 2 and method == "chat.postMessage" else 1
        fake.fail_with_rate_limit(method, times=times, retry_after=1)
        limited[method] += times
        k += 1


async def send_prompts(
    app: App, fake: FakeSlackThread, settings: Settings, every: int
) -> dict[str, Any]:
    """Run the review job twice through a real SlackAdapter; count what the fake got."""
    from bot.adapters.slack import SlackAdapter
    from bot.review_job import review_job

    job = review_job(app, [SlackAdapter(core=app, settings=settings)])
    methods = ("users.lookupByEmail", "conversations.open", "chat.postMessage")
    armed: Counter[str] = Counter()
    tasks = [asyncio.create_task(rate_limits(fake, m, every, armed)) for m in methods]
    start = time.perf_counter()
    first = await job.run(NOW, working_hours=False)
    first_s = time.perf_counter() - start
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    posted_first = len(fake.calls_to("chat.postMessage"))
    start = time.perf_counter()
    second = await job.run(NOW, working_hours=False)
    second_s = time.perf_counter() - start
    return {
        "first": first,
        "second": second,
        "first_s": first_s,
        "second_s": second_s,
        "posts_second": len(fake.calls_to("chat.postMessage")) - posted_first,
        "armed": armed,
    }


def count_dms(app: App, fake: FakeSlackThread, users: dict[str, str]) -> dict[str, Any]:
    """Accepted DMs per (persona, owner), from the prompt id in each message's buttons."""
    with app.db.session() as session:
        prompts = {
            r.id: (r.persona_id, r.owner_email, r.status)
            for r in session.scalars(select(ReviewPromptRow))
        }
    handler = app.reviews
    assert handler is not None
    expected = {
        (s.persona_id, owner) for s in handler.statuses(AT) if s.needs_review for owner in s.owners
    }
    got: Counter[tuple[str, str]] = Counter()
    misdelivered = 0
    posts = fake.calls_to("chat.postMessage")
    for call in posts:
        if not call.ok:
            continue
        ids = {
            str(element["value"]).split(":")[1]
            for block in call.params.get("blocks", [])
            for element in block.get("elements", [])
            if str(element.get("value", "")).startswith("review:")
        }
        for prompt_id in ids:
            persona_id, owner, _ = prompts[prompt_id]
            got[(persona_id, owner)] += 1
            misdelivered += call.params.get("channel") != "D" + users[owner]
    calls = fake.calls
    status_429 = Counter(c.method for c in calls if c.status == 429)
    waited = 0.0  # from each 429 to the retry of the same method (the job sends one at a time)
    for i, call in enumerate(calls):
        if call.status == 429:
            retry = next((c for c in calls[i + 1 :] if c.method == call.method), None)
            waited += (retry.at - call.at) if retry else 0.0
    return {
        "expected": len(expected),
        "delivered": len(got),
        "duplicates": sum(n - 1 for n in got.values() if n > 1),
        "lost": len(expected - set(got)),
        "unexpected": len(set(got) - expected),
        "misdelivered": misdelivered,
        "accepted_posts": sum(1 for c in posts if c.ok),
        "prompt_statuses": Counter(status for _, _, status in prompts.values()),
        "answered_429": status_429,
        "waited_s": waited,
    }


# -- the report -------------------------------------------------------------------------------


def report_contexts(r: dict[str, Any], args: argparse.Namespace) -> bool:
    t = {k: (statistics.median(v), max(v)) for k, v in r["times"].items()}
    statuses, each, batched, floor = t["statuses"], t["each"], t["batched"], t["floor"]
    total_each = (statuses[0] + each[0], statuses[1] + each[1])
    total_batched = (statuses[0] + batched[0], statuses[1] + batched[1])
    met = total_batched[1] <= BUDGET_S and bool(r["same"])
    mark = "✓" if met else "✗"
    counts = ", ".join(f"{n} {s}" for s, n in sorted(r["status_counts"].items()))
    print(
        f"\n{r['personas']} personas ({counts}; {r['snoozed']} of them snoozed, so "
        f"{r['due']} to review), "
        f"{args.questions:,} questions ({r['groups']} persona groups), {args.repeat} runs: "
        f"median / max (ms)\n"
    )
    print("| measure | personabot | floor | ratio | target |")
    print("|---|---|---|---|---|")

    def row(label: str, value: tuple[float, float], target: str = "", vs: bool = False) -> None:
        ratio = f"{value[0] / floor[0]:.0f}×" if vs else ""
        floor_cell = f"{floor[0] * 1000:.1f} / {floor[1] * 1000:.1f}" if vs else ""
        print(
            f"| {label} | {value[0] * 1000:.1f} / {value[1] * 1000:.1f} | {floor_cell} "
            f"| {ratio} | {target} |"
        )

    row("statuses of all personas (catalog + reviews and snoozes in the database)", statuses)
    row(f"context of the {r['due']} personas to review, batched (`of_many`, 6 statements)", batched)
    row(f"context of the {r['due']} personas to review, one by one (`of`, 6 statements each)", each)
    row(
        "**statuses + context of every due persona, batched**",
        total_batched,
        f"≤ 1000 {mark}",
        True,
    )
    row("statuses + context of every due persona, one by one", total_each, "", True)
    print(
        f"| floor: questions counted per persona, one `GROUP BY` statement | "
        f"{floor[0] * 1000:.1f} / {floor[1] * 1000:.1f} | | | |"
    )
    same = "yes ✓" if r["same"] else "NO ✗"
    print(f"| one by one and batched give the same {r['due']} contexts | {same} | | | equal |")
    print(
        f"\nThe due personas' contexts hold {r['questions']:,} questions, {r['gaps']:,} of "
        "them content gaps."
    )
    for label, plan in r["plans"].items():
        uses = "uses" if any(INDEX in line for line in plan) else "does NOT use"
        print(f"\nEXPLAIN (ANALYZE) of the question query, {label} — {uses} `{INDEX}`:\n")
        print("```")
        print("\n".join(plan))
        print("```")
    return met


def report_prompts(sent: dict[str, Any], dms: dict[str, Any], personas: int) -> bool:
    first, second = sent["first"], sent["second"]
    clean = bool(
        dms["duplicates"] == 0
        and dms["lost"] == 0
        and dms["unexpected"] == 0
        and dms["misdelivered"] == 0
        and second.sent == 0
        and sent["posts_second"] == 0
        and first.failed == 0
    )
    limited = ", ".join(f"{m} {n}" for m, n in sorted(dms["answered_429"].items()))
    print(
        f"\n{personas} due personas × 2 owners (from 100 people) = {dms['expected']} prompts; "
        f"the fake Slack answered HTTP 429 with Retry-After: 1 to {limited}\n"
    )

    def line(*cells: object) -> None:
        print("| " + " | ".join(str(c) for c in cells) + " |")

    line("measure", "personabot", "target")
    print("|---|---|---|")
    line(
        "first run: prompts sent / failed / unreachable",
        f"{first.sent} / {first.failed} / {first.unreachable}",
        f"{dms['expected']} / 0 / 0",
    )
    line("first run: time (s), rate limits included", f"{sent['first_s']:.1f}", "")
    busy = sent["first_s"] - dms["waited_s"]
    line(
        "of which waiting out Retry-After (s): from each 429 to its retry",
        f"{dms['waited_s']:.1f}",
        "",
    )
    line(
        "the rest per prompt (ms): claim, context, lookup + open + post, mark sent",
        f"{busy / max(1, first.sent) * 1000:.1f}",
        "",
    )
    line("DMs the fake accepted (chat.postMessage ok)", dms["accepted_posts"], dms["expected"])
    line("(persona, owner) pairs prompted", f"{dms['delivered']} of {dms['expected']}", "all")
    line(
        "duplicates / lost / not due / wrong DM",
        f"{dms['duplicates']} / {dms['lost']} / {dms['unexpected']} / {dms['misdelivered']}",
        f"0 / 0 / 0 / 0 {'✓' if clean else '✗'}",
    )
    line("second run: prompts sent, DMs posted", f"{second.sent}, {sent['posts_second']}", "0, 0")
    line("second run: time (s)", f"{sent['second_s']:.2f}", "")
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(dms["prompt_statuses"].items()))
    line("review_prompts rows by status", statuses, f"sent {dms['expected']}")
    return clean


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("PERSONABOT_TEST_DATABASE_URL", ""))
    parser.add_argument("--personas", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--prompt-personas", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rate-limit-every", type=int, default=100)
    args = parser.parse_args()
    if not args.postgres:
        print(
            "bench_reviews: needs --postgres URL or PERSONABOT_TEST_DATABASE_URL", file=sys.stderr
        )
        return 2
    print(
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on PostgreSQL "
        f"(scratch schemas)\n\nMachine: {machine()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-reviews-") as tmp:
        root = Path(tmp)
        pack = make_pack(root / "one", args.personas, owners=1, pool=0, all_due=False)
        with scratch_schema(args.postgres) as url:
            start = time.perf_counter()
            app = start_app(root / "one", url, pack)
            imported = time.perf_counter() - start
            start = time.perf_counter()
            fill(
                app,
                [p.id for p in pack.personas],
                questions=args.questions,
                answers=20_000,
                plays=3_000,
                reviews=200,
            )
            filled = time.perf_counter() - start
            print(
                f"\nSet-up (not timed below): {args.personas} personas imported in "
                f"{imported:.1f} s; "
                f"{args.questions:,} questions, 20,000 quiz answers, 3,000 role-plays, 150 reviews "
                f"and 50 snoozes inserted and analysed in {filled:.1f} s."
            )
            try:
                met = report_contexts(bench_contexts(app, args.repeat), args)
            finally:
                app.close()
        pack = make_pack(root / "two", args.prompt_personas, owners=2, pool=100, all_due=True)
        with scratch_schema(args.postgres) as url, FakeSlackThread() as fake:
            users = {owner_email(n): f"U{n + 1:04d}" for n in range(100)}
            for email, user in users.items():
                fake.add_user(user, email, email.split("@")[0])
            slack = {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "slack_api_url": fake.base_url,
            }
            app = start_app(root / "two", url, pack, **slack)
            try:
                fill(
                    app,
                    [p.id for p in pack.personas],
                    questions=10_000,
                    answers=2_000,
                    plays=300,
                    reviews=0,
                )
                settings = Settings(content=root / "two", database_url=url, **slack)
                sent = asyncio.run(send_prompts(app, fake, settings, args.rate_limit_every))
                clean = report_prompts(sent, count_dms(app, fake, users), args.prompt_personas)
            finally:
                app.close()
    return 0 if met and clean else 1


if __name__ == "__main__":
    sys.exit(main())
