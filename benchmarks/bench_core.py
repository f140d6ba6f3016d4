"""Benchmark the core: answer latency, start-up to first answer, pack import.

Generates a pack of 50 personas × 20 objections, then measures, side by side with a
floor in the same run:

* answer latency in-process through the full router (understanding, card, question log
  and choice state written to SQLite) vs. the same router with an echo handler (floor);
* ``personabot ask`` start-up to first answer vs. a bare ``python -c pass`` (floor);
* importing the pack into a fresh SQLite database, and re-importing it unchanged.

Usage: ``python benchmarks/bench_core.py [--questions 2000]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_app  # noqa: E402
from bot.model import ConversationRef, Incoming, Reply, User  # noqa: E402
from bot.settings import Settings  # noqa: E402
from content.loader import load_pack  # noqa: E402
from handlers.ask import AskHandler  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.personas import PersonaRepository  # noqa: E402

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
TOPICS = [
    ("price", "The price is too high for what we get", ["too expensive", "cheaper elsewhere"]),
    ("timing", "Now is not the right time, come back next quarter", ["not this year", "busy"]),
    ("integration", "It has to work with our ERP system", ["API", "connector to accounting"]),
    ("security", "We need a security review before any cloud tool", ["ISO 27001", "pen test"]),
    ("adoption", "Our people will not use another tool", ["they hate typing", "low usage"]),
    ("migration", "Moving our historic data is too risky", ["data import", "lose history"]),
    ("contract", "We will not sign a three-year contract", ["lock-in", "price hikes"]),
    ("support", "We worry about support in our time zone", ["local support", "response times"]),
    ("training", "Training everyone takes too long", ["onboarding time", "courses"]),
    ("mobile", "Field staff need it offline on their phones", ["no signal", "app"]),
]
WORDS = [
    "pipeline",
    "forecast",
    "invoice",
    "warehouse",
    "dispatch",
    "compliance",
    "audit",
    "payroll",
    "roster",
    "ticket",
    "quote",
    "margin",
    "churn",
    "renewal",
    "onboarding",
    "rollout",
    "workflow",
    "dashboard",
    "approval",
    "budget",
]


def generate_pack(root: Path, personas: int = 50, objections: int = 20) -> Path:
    """Write a synthetic but valid pack of ``personas`` × ``objections``."""
    rng = random.Random(7)
    (root / "personas").mkdir(parents=True)
    (root / "pack.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "Benchmark pack",
                "language": "en",
                "review_every_days": 90,
                "admins": ["admin@bench.example"],
            }
        ),
        encoding="utf-8",
    )
    for i in range(personas):
        pid = f"persona-{i:02d}"
        objs = []
        for j in range(objections):
            oid, said, phrasings = TOPICS[j % len(TOPICS)]
            extra = " ".join(rng.sample(WORDS, 3))
            objs.append(
                {
                    "id": f"{oid}-{j // len(TOPICS)}" if j >= len(TOPICS) else oid,
                    "objection": f"{said} ({extra})",
                    "phrasings": [*phrasings, f"what about {extra}?"],
                    "response": f"Acknowledge the concern about {oid}. Show evidence on {extra}. "
                    "Offer a concrete next step.",
                    "proof_points": [f"Case study on {extra}", "Customer reference"],
                }
            )
        persona = {
            "id": pid,
            "name": f"Role {i} Person{i}",
            "aliases": [f"Person{i}", f"role {i}"],
            "role": f"Role {i} at a mid-size company, owns {' and '.join(rng.sample(WORDS, 2))}.",
            "summary": "A synthetic persona for benchmarking. " * 3,
            "decision_role": "influencer",
            "goals": [f"Improve {w}" for w in rng.sample(WORDS, 4)],
            "pains": [f"Manual {w}" for w in rng.sample(WORDS, 4)],
            "objections": objs,
            "evidence": [{"source": "Interviews", "kind": "interview", "date": "2026-03-01"}],
            "owners": [f"owner{i}@bench.example"],
            "last_reviewed": "2026-09-01",
        }
        (root / "personas" / f"{pid}.yaml").write_text(yaml.safe_dump(persona), encoding="utf-8")
    return root


def questions(n: int) -> list[str]:
    """A deterministic mix of who-is, field, objection and out-of-scope questions."""
    rng = random.Random(11)
    out = []
    for k in range(n):
        i = rng.randrange(50)
        kind = k % 4
        if kind == 0:
            out.append(f"who is Person{i}?")
        elif kind == 1:
            out.append(f"what are role {i}'s biggest pains?")
        elif kind == 2:
            _, said, phrasings = TOPICS[rng.randrange(len(TOPICS))]
            out.append(f"customer says {rng.choice(phrasings)}, what do I say?")
        else:
            out.append(rng.choice(["what's for lunch?", "wifi password?", "when is payday"]))
    return out


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(call: Callable[[Incoming], object], messages: list[Incoming]) -> list[float]:
    """Per-message latency of ``call`` in milliseconds."""
    out = []
    for message in messages:
        start = time.perf_counter()
        call(message)
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench_latency(pack: Path, tmp: Path, n: int) -> dict[str, list[float]]:
    """The answer alone, the full turn, and the full turn with an echo handler (floor)."""
    app = build_app(
        Settings(content=pack, database_url=f"sqlite:///{tmp / 'latency.db'}"), clock=lambda: NOW
    )
    user = User(platform="bench", id="u1")
    where = ConversationRef(platform="bench", id="c1")
    messages = [Incoming(user=user, conversation=where, text=q) for q in questions(n)]
    ask = AskHandler(catalog=app.live, texts=app.texts, clock=lambda: NOW)
    timed(app.router.handle, messages[:100])  # warm-up
    results = {
        "answer": timed(ask.handle, messages),
        "turn": timed(app.router.handle, messages),
    }
    app.router.text_handler = lambda message: Reply(text=message.text)
    results["echo"] = timed(app.router.handle, messages)
    return results


def bench_startup(pack: Path, tmp: Path, runs: int = 5) -> dict[str, list[float]]:
    """``personabot ask`` to first answer, on a ready and on an empty database, vs. bare Python."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
    cmd = [sys.executable, "-m", "bot", "ask", "--content", str(pack), "who is Person7?"]

    def run(command: list[str], database: Path) -> float:
        env["PERSONABOT_DATABASE_URL"] = f"sqlite:///{database}"
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True, cwd=ROOT)
        return (time.perf_counter() - start) * 1000

    run(cmd, tmp / "ready.db")  # migrate + import once
    out: dict[str, list[float]] = {"ready": [], "empty": [], "floor": []}
    for i in range(runs):
        out["ready"].append(run(cmd, tmp / "ready.db"))
        out["empty"].append(run(cmd, tmp / f"empty-{i}.db"))
        out["floor"].append(run([sys.executable, "-c", "pass"], tmp / "unused.db"))
    return out


def bench_import(pack: Path, tmp: Path) -> tuple[float, float, float]:
    """Load+validate, first import into a fresh database, and unchanged re-import (ms)."""
    start = time.perf_counter()
    loaded = load_pack(pack)
    load_ms = (time.perf_counter() - start) * 1000
    db = Database(url=f"sqlite:///{tmp / 'import.db'}")
    db.upgrade()
    repo = PersonaRepository(db=db)
    start = time.perf_counter()
    repo.import_pack(loaded, origin="bench", now=NOW)
    first_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    repo.import_pack(loaded, origin="bench", now=NOW)
    again_ms = (time.perf_counter() - start) * 1000
    return load_ms, first_ms, again_ms


def main() -> None:
    """Run all benchmarks and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        pack = generate_pack(tmp / "pack")
        load_ms, first_ms, again_ms = bench_import(pack, tmp)
        latency = bench_latency(pack, tmp, args.questions)
        startup = bench_startup(pack, tmp)
    med = statistics.median
    print(f"50 personas × 20 objections, {args.questions} questions, {sys.version.split()[0]}")
    print("| measure | personabot | floor | ratio | target |")
    print("|---|---|---|---|---|")
    for p, target in ((50, "≤ 1"), (99, "≤ 5")):
        answer = percentile(latency["answer"], p)
        turn, echo = percentile(latency["turn"], p), percentile(latency["echo"], p)
        print(f"| answer p{p} (ms): understand + compose the reply | {answer:.2f} | | | {target} |")
        print(
            f"| full turn p{p} (ms): router + question log and choices in SQLite "
            f"| {turn:.2f} | {echo:.2f} (echo handler, same router and database) "
            f"| {turn / echo:.1f}× | |"
        )
    floor = med(startup["floor"])
    for kind, label in (("ready", "migrated database"), ("empty", "empty database")):
        ours = med(startup[kind])
        print(
            f"| `personabot ask` start-up to first answer, {label}, median (ms) | {ours:.0f} "
            f"| {floor:.0f} (`python -c pass`) | {ours / floor:.0f}× | ≤ 1500 |"
        )
    print(f"| load + validate pack (ms) | {load_ms:.0f} | | | |")
    print(f"| import into an empty database (ms) | {first_ms:.0f} | | | |")
    print(f"| load + validate + import, total (ms) | {load_ms + first_ms:.0f} | | | ≤ 2000 |")
    print(f"| re-import unchanged (ms) | {again_ms:.0f} | | | |")


if __name__ == "__main__":
    main()
