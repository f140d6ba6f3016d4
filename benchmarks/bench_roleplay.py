"""Benchmark role-play scoring on a 50-persona × 20-objection pack, with no model configured.

Generates the pack with :func:`bench_core.generate_pack` and builds the scorer as
:class:`handlers.roleplay.RoleplayHandler` does once per catalog (every scenario, then
one :class:`content.roleplay.scoring.Scorer` over the texts of their rubrics and
lines). Then it marks seller answers with :meth:`Scorer.mark`, three per turn of the
1,000: a reworded answer (the model answer with words dropped and neighbours swapped,
deterministically), a weak one that addresses nothing, and a long one (the model answer
padded to about six times its length). The floor, measured in the same run on the same
(turn, answer) pairs, is a trivial lexical overlap: the share of the model answer's
lower-cased words that the answer also has (a set intersection).

Then a full role-play turn in process through the router (``build_app`` on a temporary
SQLite database, as the console runs it): sellers start ``roleplay persona-NN`` and
answer every turn with a reworded answer; each answer reads the flow, marks it, and
writes the flow (and, on the last turn, the result) in one transaction. Its floor is the
same router and database with an echo handler, for a user with no role-play running.

Usage: ``python benchmarks/bench_roleplay.py [--answers 3000] [--sessions 20]``. Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_core import generate_pack, percentile  # noqa: E402
from benchmarks.run_all import machine  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.i18n import Texts  # noqa: E402
from bot.model import ConversationRef, Incoming, Reply, User  # noqa: E402
from bot.settings import Settings  # noqa: E402
from content.catalog import Catalog  # noqa: E402
from content.loader import EXAMPLE_PACK, load_pack  # noqa: E402
from content.roleplay.scenario import Scenario, Turn, scenarios  # noqa: E402
from content.roleplay.scoring import Scorer  # noqa: E402
from content.schema import Pack  # noqa: E402
from storage.flows import FlowStore  # noqa: E402

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
TARGET_P99_MS = 20.0
WEAK = (
    "I hear you, let me get back to you on that.",
    "We are the market leader and our customers love us, so it will be fine.",
    "Good question. I will check with my manager and send you an email.",
    "Honestly every vendor has that problem, ours is no different.",
    "Let's not worry about that now and look at the demo first.",
)
PADDING = (
    "To be completely transparent with you, I want to make sure we cover everything you "
    "might be wondering about, because in my experience customers in your position often "
    "have a number of related questions that come up later in the process, and it is "
    "always better to address them early, so that nobody is surprised when we get to the "
    "contract stage and the people in your team who were not in this meeting start asking."
)
_WORD = re.compile(r"\w+")


def build(pack: Pack, catalog: Catalog, texts: Texts) -> tuple[list[Scenario], Scorer]:
    """Every scenario and the scorer, as the role-play handler builds them per catalog."""
    found = scenarios(catalog.personas, pack.scenarios, texts, catalog.language)
    corpus = [
        text
        for scenario in found
        for turn in scenario.turns
        for text in (*turn.lines, *(e for p in turn.points for e in p.evidence))
    ]
    return found, Scorer(language=catalog.language, corpus=corpus)


def reworded(model: str, rng: random.Random) -> str:
    """The model answer said differently: a word in six dropped, neighbours swapped."""
    kept = [w for w in model.split() if rng.random() >= 1 / 6]
    for i in range(0, len(kept) - 1, 3):
        kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return "I think " + " ".join(kept)


def long_answer(model: str) -> str:
    """The model answer buried in padding: about six times its length."""
    return f"{PADDING} {model} {PADDING} {model}"


def answers_for(turns: Sequence[Turn], count: int, seed: int) -> list[tuple[str, Turn, str]]:
    """``count`` (kind, turn, answer) triples: reworded, weak, long, turn after turn."""
    rng = random.Random(seed)
    out: list[tuple[str, Turn, str]] = []
    for n in range(count):
        turn, kind = turns[(n // 3) % len(turns)], ("reworded", "weak", "long")[n % 3]
        if kind == "reworded":
            answer = reworded(turn.model, rng)
        elif kind == "weak":
            answer = rng.choice(WEAK)
        else:
            answer = long_answer(turn.model)
        out.append((kind, turn, answer))
    return out


def overlap(model_words: set[str], answer: str) -> float:
    """The floor: the share of the model answer's words the answer has."""
    said = {w.lower() for w in _WORD.findall(answer)}
    return len(said & model_words) / max(len(model_words), 1)


def floor_index(turns: Sequence[Turn]) -> dict[int, set[str]]:
    """The floor's one-off cost: each turn's model answer as a set of lower-cased words."""
    return {id(t): {w.lower() for w in _WORD.findall(t.model)} for t in turns}


def bench_marks(
    scorer: Scorer, models: dict[int, set[str]], triples: Sequence[tuple[str, Turn, str]]
) -> tuple[dict[str, list[float]], dict[str, list[float]], list[float], dict[str, list[int]]]:
    """Per answer: our wall time by kind, the floor's, our CPU time, and the scores."""
    ours: dict[str, list[float]] = {"all": []}
    floor: dict[str, list[float]] = {"all": []}
    scores: dict[str, list[int]] = {}
    cpu: list[float] = []
    for kind, turn, answer in triples:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        marked = scorer.mark(turn, answer)
        took = (time.perf_counter() - begin) * 1000
        cpu.append((time.process_time() - begin_cpu) * 1000)
        begin = time.perf_counter()
        overlap(models[id(turn)], answer)
        floored = (time.perf_counter() - begin) * 1000
        for key in ("all", kind):
            ours.setdefault(key, []).append(took)
            floor.setdefault(key, []).append(floored)
        scores.setdefault(kind, []).append(marked.score)
    return ours, floor, cpu, scores


def example_marks(count: int) -> tuple[int, float, list[float], list[float], list[float]]:
    """The same answer kinds on the bundled example pack (real, longer responses).

    Returns the number of turns, the mean model-answer length in words, our wall and CPU
    times per answer, and the floor's.
    """
    pack = load_pack(EXAMPLE_PACK)
    catalog = Catalog(
        personas=pack.personas,
        language=pack.language,
        pack_name=pack.info.name,
        review_every_days=pack.info.review_every_days,
    )
    found, scorer = build(pack, catalog, Texts(language=pack.language))
    every = [t for s in found for t in s.turns]
    triples = answers_for(every, count, seed=9)
    bench_marks(scorer, floor_index(every), triples[:100])  # warm-up
    ours, floor, cpu, _ = bench_marks(scorer, floor_index(every), triples)
    words = sum(len(t.model.split()) for t in every) / len(every)
    return len(every), words, ours["all"], cpu, floor["all"]


def timed(call: Callable[[Incoming], Reply], message: Incoming) -> tuple[float, float]:
    """Wall and CPU milliseconds of one turn."""
    begin, begin_cpu = time.perf_counter(), time.process_time()
    call(message)
    return (time.perf_counter() - begin) * 1000, (time.process_time() - begin_cpu) * 1000


def bench_turns(pack_dir: Path, tmp: Path, sessions: int) -> dict[str, list[float]]:
    """A full role-play turn through the router on SQLite, and the echo floor."""
    app = build_app(
        Settings(content=pack_dir, database_url=f"sqlite:///{tmp / 'roleplay.db'}"),
        clock=lambda: NOW,
    )
    flows = FlowStore(db=app.db)
    rng = random.Random(13)
    keys = ("first", "start", "answer", "answer_cpu", "echo", "echo_cpu")
    out: dict[str, list[float]] = {key: [] for key in keys}
    for n in range(sessions):
        user = User(platform="bench", id=f"seller{n}", name=f"Seller {n}")
        where = ConversationRef(platform="bench", id=f"dm{n}")

        def say(text: str, user: User = user, where: ConversationRef = where) -> Incoming:
            return Incoming(user=user, conversation=where, text=text)

        took, _ = timed(app.router.handle, say(f"roleplay persona-{n % 50:02d}"))
        out["first" if n == 0 else "start"].append(took)  # the first builds the scorer
        while (flow := flows.active(user.key, now=NOW)) is not None:
            model = str(flow.data["scenario"]["turns"][int(flow.data["turn"])]["model"])
            took, cpu = timed(app.router.handle, say(reworded(model, rng)))
            out["answer"].append(took)
            out["answer_cpu"].append(cpu)
            turn = int(flow.data["turn"])  # CPU and flow size by turn (the flow grows)
            out.setdefault(f"cpu@{turn}", []).append(cpu)
            out.setdefault(f"kB@{turn}", []).append(len(json.dumps(flow.data)) / 1000)
    app.router.text_handler = lambda message: Reply(text=message.text)
    idle = User(platform="bench", id="idle")
    where = ConversationRef(platform="bench", id="idle")
    for n in range(len(out["answer"])):
        message = Incoming(user=idle, conversation=where, text=f"echo {n} {rng.random()}")
        took, cpu = timed(app.router.handle, message)
        out["echo"].append(took)
        out["echo_cpu"].append(cpu)
    return out


def row(measure: str, ours: float, floor: float | None, target: str = "", note: str = "") -> str:
    if floor is None:
        return f"| {measure} | {ours:.2f} | | | {target} |"
    times = ours / floor if floor > 0 else None
    ratio = "" if times is None else f"{times:.0f}×" if times >= 10 else f"{times:.1f}×"
    shown = f"{floor:.4f}" if floor < 0.1 else f"{floor:.2f}"
    return f"| {measure} | {ours:.2f} | {shown}{note} | {ratio} | {target} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--sessions", type=int, default=20, help="role-plays through the router")
    args = parser.parse_args()
    for name in [k for k in os.environ if k.startswith("PERSONABOT_LLM_")]:
        del os.environ[name]  # no model configured: the persona's lines are scripted
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        pack_dir = generate_pack(tmp / "pack")
        pack = load_pack(pack_dir)
        catalog = Catalog(
            personas=pack.personas,
            language=pack.language,
            pack_name=pack.info.name,
            review_every_days=pack.info.review_every_days,
        )
        texts = Texts(language=pack.language)
        begin = time.perf_counter()
        found, scorer = build(pack, catalog, texts)
        cold_ms = (time.perf_counter() - begin) * 1000
        begin = time.perf_counter()
        build(pack, catalog, texts)
        warm_ms = (time.perf_counter() - begin) * 1000
        begin = time.perf_counter()
        every = [t for s in found for t in s.turns]
        models = floor_index(every)
        index_ms = (time.perf_counter() - begin) * 1000

        triples = answers_for(every, args.answers, seed=5)
        bench_marks(scorer, models, triples[:100])  # warm-up
        ours, floor, cpu, scores = bench_marks(scorer, models, triples)
        turns = bench_turns(pack_dir, tmp, args.sessions)
    example_turns, example_words, example, example_cpu, example_floor = example_marks(args.answers)

    print(
        f"{len(pack.personas)} personas × {len(pack.personas[0].objections)} objections, "
        f"{len(found)} scenarios, {len(every)} turns, {args.answers} answers "
        f"(reworded / weak / long), no model configured"
    )
    print(f"machine: {machine()}")
    mean = {k: sum(v) / len(v) for k, v in scores.items()}
    print("mean score: " + ", ".join(f"{k} {mean[k]:.0f}" for k in ("reworded", "weak", "long")))
    print("| measure | ours | floor | ratio | target |")
    print("|---|---|---|---|---|")
    lexical = " (word-set overlap)"
    print(
        row(
            "build the scorer for the pack, once per catalog (ms): scenarios + Scorer",
            cold_ms,
            index_ms,
            note=" (model answers' word sets)",
        )
    )
    print(row("the same, built again in the same process (ms)", warm_ms, index_ms))
    for p in (50, 99):
        target = f"≤ {TARGET_P99_MS:.0f}" if p == 99 else ""
        p99 = percentile(ours["all"], p)
        if p == 99:
            target += " ✓" if p99 <= TARGET_P99_MS else " ✗"
        print(row(f"mark one answer p{p} (ms)", p99, percentile(floor["all"], p), target, lexical))
    print(row("mark one answer max (ms)", max(ours["all"]), max(floor["all"]), note=lexical))
    print(row("mark one answer p99, CPU time (ms)", percentile(cpu, 99), None))
    print(row("mark one answer max, CPU time (ms)", max(cpu), None))
    for kind in ("reworded", "weak", "long"):
        print(
            row(
                f"mark p99, {kind} answers (ms)",
                percentile(ours[kind], 99),
                percentile(floor[kind], 99),
                note=lexical,
            )
        )
    bundled = f"bundled example pack ({example_turns} turns, ~{example_words:.0f}-word responses)"
    for p in (50, 99):
        ours_p, floor_p = percentile(example, p), percentile(example_floor, p)
        print(row(f"mark one answer p{p}, {bundled} (ms)", ours_p, floor_p, note=lexical))
    print(row(f"mark one answer p99, CPU time, {bundled} (ms)", percentile(example_cpu, 99), None))
    same = " (echo handler, same router and database)"
    for p, kind in ((50, ""), (99, ""), (99, "_cpu")):
        label = ", CPU time" if kind else ""
        print(
            row(
                f"full role-play answer turn p{p}{label} (ms): router + flow in SQLite",
                percentile(turns["answer" + kind], p),
                percentile(turns["echo" + kind], p),
                note=same,
            )
        )
    if turns["start"]:
        starts = f"start a role-play p50 (ms), {len(turns['start'])} starts"
        print(row(starts, percentile(turns["start"], 50), None))
    print(row("first start in the process, scorer built (ms)", turns["first"][0], None))
    print(f"({len(turns['answer'])} answer turns through the router in {args.sessions} role-plays)")
    last = max(int(k.split("@")[1]) for k in turns if k.startswith("cpu@"))
    print(
        "answer turn CPU p50 by turn (ms), flow JSON read (kB): "
        + ", ".join(
            f"turn {n + 1} {percentile(turns[f'cpu@{n}'], 50):.2f}, "
            f"{percentile(turns[f'kB@{n}'], 50):.0f}"
            for n in sorted({0, last // 2, last - 1, last})
        )
    )


if __name__ == "__main__":
    main()
