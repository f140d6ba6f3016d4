"""The Slack traffic of ``bench_feedback.py``: sellers' DMs, each waiting for its reply.

Each seller (a client of its own) sends its messages one after another, each once the
bot's reply to the previous one was posted in its DM (the floor: in the mention's
thread); :class:`Replies` hands each reply, as the fake Slack Web API recorded it, to
the seller waiting for it. Only 127.0.0.1 is contacted; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from bench_slack import SECRET
from fake_slack import Call, FakeSlackThread  # on the path bench_slack set
from harness import questions
from payloads import JSON, app_mention, dm_message, event_callback, json_body, sign

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


#: The first event number of each phase: every event id and feedback text its own.
FIRST = {"warmup": 0, "mixed": 100_000, "ask": 200_000, "feedback": 300_000}


def scripts(
    phase: str, args: argparse.Namespace, *, floor: bool = False
) -> list[list[tuple[str, bytes, str]]]:
    """Each seller's messages, (kind, body, channel), of one phase.

    ``mixed`` (and ``warmup``): seller ``s`` sends pairs, feedback then a question (odd
    sellers the other way round), ``--messages`` of each kind in all (``--warmup``);
    ``ask`` or ``feedback``: ``--messages`` of that kind alone. For the ``floor``, each
    message is a mention (the floor echoes those).
    """
    pairs = args.warmup if phase == "warmup" else args.messages
    asks = iter(questions(2 * pairs, seed=args.seed + FIRST[phase]))
    n = FIRST[phase]
    per_seller = []
    for seller in range(args.concurrency):
        user = f"U{seller + 1:04d}"
        if phase in ("ask", "feedback"):
            order: tuple[str, ...] = (phase,)
        else:
            order = ("feedback", "ask") if seller % 2 == 0 else ("ask", "feedback")
        script = []
        count = pairs // args.concurrency + (seller < pairs % args.concurrency)
        for _ in range(count):
            for kind in order:
                words = feedback_text(n) if kind == "feedback" else next(asks)
                tag = "floor" if floor else kind
                body, channel = event_body(tag, words, user=user, n=n)
                script.append((tag, body, channel))
                n += 1
        per_seller.append(script)
    return per_seller
