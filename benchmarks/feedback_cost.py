"""Part 3 of ``bench_feedback.py``: one feedback turn against one ask turn, in-process.

Through ``personabot serve`` both kinds wait in the same queue, so their latencies look
alike under load; this part measures the work of one turn itself. An App is built as the
server builds it (the question log queued), and sellers talk to its router as in
``personabot chat``: at each step the pending feedback is first brought up to the given
count (feedback DMs as ``bench_feedback.py`` sends them, grouped by the handler into
proposals), then ``sample`` feedback and ``sample`` questions alternate, each turn timed.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness import ROOT, ms, questions, ratio

sys.path.insert(0, str(ROOT))
from bot.app import build_app  # noqa: E402
from bot.console import ConsoleBot  # noqa: E402
from bot.settings import Settings  # noqa: E402

SELLERS = 25


@dataclass(frozen=True)
class Step:
    """The turns timed with ``pending`` feedback waiting for a decision (seconds)."""

    pending: int
    asks: list[float]
    feedback: list[float]


def quantile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank quantile; None for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def turn_costs(
    url: str,
    workdir: Path,
    *,
    steps: Sequence[int],
    sample: int,
    feedback_text: Callable[[int], str],
) -> list[Step]:
    """Time ``sample`` turns of each kind at each count of pending feedback."""
    workdir.mkdir(parents=True, exist_ok=True)
    app = build_app(Settings(database_url=url), queued_writes=True)
    out = io.StringIO()
    sellers = [
        ConsoleBot(router=app.router, out=out, user_email=f"seller{n}@cost.example")
        for n in range(SELLERS)
    ]
    asks = questions(sample * len(steps), seed=29)
    sent, found = 0, list[Step]()
    try:
        for pending in sorted(steps):
            while sent < pending:
                sellers[sent % SELLERS].say(feedback_text(500_000 + sent))
                sent += 1
            step = Step(pending=pending, asks=[], feedback=[])
            for n in range(sample):
                seller = sellers[n % SELLERS]
                started = time.perf_counter()
                seller.say(feedback_text(500_000 + sent))
                step.feedback.append(time.perf_counter() - started)
                sent += 1
                started = time.perf_counter()
                seller.say(asks[len(found) * sample + n])
                step.asks.append(time.perf_counter() - started)
                out.seek(0)
                out.truncate()
            app.turns.flush()
            found.append(step)
    finally:
        app.close()
    return found


def cost_table(steps: list[Step]) -> list[str]:
    """The Markdown table of part 3: one turn's time by pending feedback."""
    lines = [
        "| pending feedback | ask turn p50 / p99 (ms) | feedback turn p50 / p99 (ms) | "
        "feedback ÷ ask, p50 |",
        "|---|---|---|---|",
    ]
    for step in steps:
        a50, f50 = quantile(step.asks, 0.5), quantile(step.feedback, 0.5)
        r = ratio(f50, a50)
        lines.append(
            f"| {step.pending} | {ms(a50)} / {ms(quantile(step.asks, 0.99))} | {ms(f50)} / "
            f"{ms(quantile(step.feedback, 0.99))} | {'—' if r is None else f'{r:.1f}×'} |"
        )
    return lines
