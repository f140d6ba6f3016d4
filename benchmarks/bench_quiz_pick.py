"""Benchmark quiz question picking on a 50-persona × 20-objection pack.

Generates the pack with :func:`bench_core.generate_pack`, builds the question bank once
(as :class:`content.quiz.questions.BankCache` does per catalog), then simulates learners
taking quizzes: each pick goes through the cache and :func:`content.quiz.spacing.pick`
with the learner's cards (spaced repetition included), and each answer updates a card.
The floor, measured in the same run, is ``random.sample`` of the same question ids.

Usage: ``python benchmarks/bench_quiz_pick.py [--picks 3000]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_core import generate_pack, percentile  # noqa: E402
from bot.i18n import Texts  # noqa: E402
from content.catalog import Catalog  # noqa: E402
from content.loader import load_pack  # noqa: E402
from content.quiz.questions import BankCache  # noqa: E402
from content.quiz.spacing import Card, answered, pick  # noqa: E402

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--picks", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pack = load_pack(generate_pack(Path(tmp) / "pack"))
    catalog = Catalog(
        personas=pack.personas,
        language=pack.language,
        pack_name=pack.info.name,
        review_every_days=pack.info.review_every_days,
    )
    texts = Texts(language=pack.language)
    cache = BankCache()
    start = time.perf_counter()
    bank = cache.get(catalog, texts)
    generate_ms = (time.perf_counter() - start) * 1000

    rng = random.Random(5)
    ids = [q.id for q in bank.questions]
    knows = set(rng.sample(ids, len(ids) * 2 // 3))
    ours: list[float] = []
    cpu: list[float] = []
    floor: list[float] = []
    learners: list[dict[str, Card]] = [{} for _ in range(5)]
    now = NOW
    for n in range(args.picks):
        cards = learners[n % len(learners)]
        if n % 50 == 0:  # a day passes; seasoned learners' cards spread over the boxes
            now += dt.timedelta(days=1)
        begin, begin_cpu = time.perf_counter(), time.process_time()
        questions = pick(cache.get(catalog, texts).questions, cards, now=now, rng=rng, count=1)
        ours.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
        begin = time.perf_counter()
        rng.sample(ids, 1)
        floor.append((time.perf_counter() - begin) * 1000)
        for q in questions:
            cards[q.id] = answered(cards.get(q.id), q.id, right=q.id in knows, now=now)
        if n == args.picks // 2:  # halfway, one learner has history of every question
            learners[0] = {
                qid: answered(None, qid, right=rng.random() < 0.7, now=now - dt.timedelta(days=2))
                for qid in ids
            }

    print(
        f"{len(pack.personas)} personas × {len(pack.personas[0].objections)} objections, "
        f"{len(bank)} questions, {args.picks} picks, {sys.version.split()[0]}"
    )
    print(f"bank generated once per catalog in {generate_ms:.0f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("| measure | personabot | its CPU time | floor (random.sample of the ids) | target |")
    print("|---|---|---|---|---|")
    for p, target in ((50, ""), (99, "≤ 10")):
        print(
            f"| next question p{p} (ms): cached bank + spaced-repetition pick "
            f"| {percentile(ours, p):.3f} | {percentile(cpu, p):.3f} "
            f"| {percentile(floor, p):.4f} | {target} |"
        )


if __name__ == "__main__":
    main()
