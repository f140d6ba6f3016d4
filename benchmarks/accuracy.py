"""Answering accuracy and calibration on the development sets, in-process.

Scores every dev set (the shared English and Danish ones, and the Norwegian, Swedish and
German ones in ``tests/accuracy``) the way ``shared/eval/score.py`` does, without a
subprocess, and reports how often each confidence band is right. The thresholds in
``content/ranking.py`` (``SURE``, ``LOW``) were chosen with this script on these sets only.

Usage: ``python benchmarks/accuracy.py [--misses] [--sweep] [--json]``; ``--sweep`` shows what
other answer thresholds would have scored (the first choice answered at or above each).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from content.loader import load_pack  # noqa: E402
from content.retrieval import Retriever, Understanding  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev"
OWN = ROOT / "tests" / "accuracy"
EXAMPLES = ROOT / "content" / "example_packs"
#: Language → (pack directory, questions file).
SETS = {
    "en": (DEV / "pack-en", DEV / "questions-en.jsonl"),
    "da": (DEV / "pack-da", DEV / "questions-da.jsonl"),
    "nb": (EXAMPLES / "nb", OWN / "questions-nb.jsonl"),
    "sv": (OWN / "packs" / "sv", OWN / "questions-sv.jsonl"),
    "de": (OWN / "packs" / "de", OWN / "questions-de.jsonl"),
}
BANDS = (0.0, 0.3, 0.5, 0.7, 0.9, 1.01)


@dataclass(frozen=True)
class Result:
    """One question: its label, what the bot did and what it would have answered."""

    label: dict[str, str | None]
    answered: dict[str, str | None]
    best: dict[str, str | None]
    confidence: float


def judge(label: dict[str, str | None], got: dict[str, str | None]) -> bool:
    """``score.py``'s rule for one question."""
    if label["intent"] == "unknown":
        return got.get("intent") not in ("persona", "objection")
    if got.get("intent") != label["intent"]:
        return False
    if label["intent"] == "persona":
        return got.get("persona") == label["persona"]
    if got.get("objection") != label["objection"]:
        return False
    return label["persona"] is None or got.get("persona") == label["persona"]


def _as_answer(u: Understanding) -> dict[str, str | None]:
    return {"intent": u.intent, "persona": u.persona_id, "objection": u.objection_id}


def _best(u: Understanding) -> tuple[dict[str, str | None], float]:
    """What the bot answers, or for an unsure answer its first choice."""
    if u.intent in ("persona", "objection") or not u.candidates:
        return _as_answer(u), u.confidence
    c = u.candidates[0]
    intent = "persona" if c.objection_id is None else "objection"
    return {"intent": intent, "persona": c.persona_id, "objection": c.objection_id}, u.confidence


def run(language: str) -> list[Result]:
    """Every question of one dev set through a retriever over its pack."""
    pack_dir, questions = SETS[language]
    pack = load_pack(pack_dir)
    retriever = Retriever(
        personas=pack.personas, language=pack.info.language, synonyms=pack.info.synonyms
    )
    out = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        label = json.loads(line)
        understood = retriever.understand(label["q"])
        best, confidence = _best(understood)
        out.append(Result(label, _as_answer(understood), best, confidence))
    return out


def main() -> None:
    """Print accuracy per language and calibration per confidence band."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list the questions missed")
    parser.add_argument("--json", action="store_true", help="print one JSON summary")
    parser.add_argument("--sweep", action="store_true", help="score other answer thresholds")
    args = parser.parse_args()
    summary: dict[str, object] = {}
    bands: list[list[int]] = [[0, 0] for _ in BANDS[:-1]]
    print("| set | questions | right | accuracy | out of scope refused |")
    print("|---|---:|---:|---:|---:|")
    for language, (_pack, questions) in SETS.items():
        if not questions.exists():
            continue
        results = run(language)
        right = sum(judge(r.label, r.answered) for r in results)
        scope = [r for r in results if r.label["intent"] == "unknown"]
        refused = sum(judge(r.label, r.answered) for r in scope)
        summary[language] = right / len(results)
        print(
            f"| {language} | {len(results)} | {right} | {right / len(results):.3f} "
            f"| {refused}/{len(scope)} |"
        )
        for r in results:
            band = next(i for i in range(len(BANDS) - 1) if r.confidence < BANDS[i + 1])
            if r.best["intent"] in ("persona", "objection"):
                bands[band][0] += judge(r.label, r.best)
                bands[band][1] += 1
            if args.misses and not judge(r.label, r.answered):
                print(
                    f"miss {language}: {r.label['q']!r} want {r.label} got {r.answered} "
                    f"(best {r.best}, {r.confidence:.3f})"
                )
    print("\n| confidence | answers (or first choices) | right |")
    print("|---|---:|---:|")
    for i, (right_n, total) in enumerate(bands):
        share = f"{right_n / total:.0%}" if total else "–"
        print(f"| {BANDS[i]:.1f}–{min(BANDS[i + 1], 1.0):.1f} | {total} | {share} |")
    if args.sweep:
        sweep([r for language in SETS for r in run(language)])
    if args.json:
        print(json.dumps(summary))


def sweep(results: list[Result]) -> None:
    """Accuracy and out-of-scope refusals had the bot answered its best at other thresholds.

    Only what the thresholds decide is varied: a question the bot answers or offers choices
    for is answered with its best candidate when that is at least as confident as the
    threshold, and refused otherwise.
    """
    print("\n| answer at | accuracy (all sets) | out of scope refused |")
    print("|---|---:|---:|")
    scope = [r for r in results if r.label["intent"] == "unknown"]
    for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):

        def answer(r: Result, at: float = threshold) -> dict[str, str | None]:
            if r.best["intent"] in ("persona", "objection") and r.confidence >= at:
                return r.best
            return {"intent": "unknown", "persona": None, "objection": None}

        right = sum(judge(r.label, answer(r)) for r in results)
        refused = sum(judge(r.label, answer(r)) for r in scope)
        print(f"| {threshold:.2f} | {right / len(results):.3f} | {refused}/{len(scope)} |")


if __name__ == "__main__":
    main()
