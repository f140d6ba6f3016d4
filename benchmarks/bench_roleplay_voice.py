"""Benchmark role-play answers on Slack with a slow model voicing the buyer (issue 12).

Issue 12's requirement: with the LLM configured, the acknowledgement never waits for the
model; on Slack the buyer's line follows as its own message, so the 3-second ack holds
with a model that takes 10 s.

One run, on 127.0.0.1 only, every wait bounded. The fake Slack Web API
(``tests/slack/fake_slack.py``) and the fake model server (``tests/fakes/fake_llm.py``,
answering every request ``--delay`` seconds late) run in background threads. Then
``python -m bot serve`` (Slack HTTP mode, SQLite) runs twice, each time on a fresh database:

* **with the model**: ``PERSONABOT_LLM_URL`` on the fake model server,
  ``PERSONABOT_LLM_TIMEOUT=15``;
* **no model** (the floor, the scripted lines): the same, without ``PERSONABOT_LLM_*``.

In each, ``--sellers`` sellers each DM ``roleplay frida`` (all at once) and the harness
waits until every intro and first buyer line is posted. It reads each seller's current
model answer from the flow table (``storage.flows.FlowStore``), then the sellers DM it,
each at its own time, evenly spread over ``--window`` seconds (open loop). One second
after the last answer, as many other users DM ``who is Tuva?`` while the model thinks.

Measured for the answers: ack latency (HTTP 200 of the signed ``POST /slack/events``)
p50/p99/max, the time from sending the answer until the fake records the marks
(``chat.postMessage``) and until it records the buyer's next line; for the other
users' questions: ack and answer. Checked: every marks message has a ✓, every next line
is objection 2's, with the model every line is in the model's words; the server log's
"answering it anyway" errors are counted (an event acknowledged after ``bot.claims``
stopped waiting, 2 s, for its claim to be stored). Targets: answer ack max ≤ 3000 ms with
the slow model; the marks not delayed by the model (posted before the model could have
answered); others' acks ≤ 3000 ms; no such claim, nothing missing, no non-200.

Usage::

    python benchmarks/bench_roleplay_voice.py [--sellers 20] [--delay 10] [--window 2]
                                              [--reply-timeout 180] [--check]

Prints a Markdown table with the machine and its load average. Exit status 0 once
measured (``--check``: 1 when a target is missed); 2 when a server could not be started.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from harness import HOST, ROOT, HarnessError, Server, free_port, ms, wait_ready
from run_all import machine

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "slack"))
sys.path.insert(0, str(ROOT / "tests"))  # server_thread and fakes, shared by the fakes

from fake_slack import Call, FakeSlackThread  # noqa: E402
from fakes.fake_llm import FakeLLMThread  # noqa: E402
from payloads import JSON, dm_message, event_callback, json_body, sign  # noqa: E402

from storage.db import Database  # noqa: E402
from storage.flows import FlowStore  # noqa: E402

TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret-0123456789abcdef"
MODEL_LINE = "Fine, but what about my cash flow?"
ACK_LIMIT = 3.0  # seconds Slack waits for an acknowledgement
DROPPED_ENV = (
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "PERSONABOT_CONTENT",
    "PERSONABOT_LLM_URL",
    "PERSONABOT_LLM_API_KEY",
    "PERSONABOT_LLM_MODEL",
    "PERSONABOT_LLM_TIMEOUT",
)


@dataclass
class Result:
    """One server run's figures (seconds)."""

    name: str
    start_acks: list[float] = field(default_factory=list)
    starts_posted: float | None = None  # first start sent → last first line posted
    answer_acks: list[float] = field(default_factory=list)
    marks: list[float] = field(default_factory=list)  # answer sent → marks posted
    lines: list[float] = field(default_factory=list)  # answer sent → next line posted
    other_acks: list[float] = field(default_factory=list)
    other_answers: list[float] = field(default_factory=list)  # question sent → answer posted
    errors: int = 0  # non-200 or failed requests
    missing: int = 0  # messages never posted
    wrong: int = 0  # marks without ✓, a next line that is not objection 2's
    voiced: int = 0  # next lines in the model's words
    model_requests: int = 0
    claim_timeouts: int = 0  # events acked before their claim was stored (bot.claims)
    server_cpu: float | None = None


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank), ``None`` when there are no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def text_of(params: dict[str, Any]) -> str:
    """Everything a posted message shows: its text and every text in its blocks."""
    parts = [str(params.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(params.get("blocks") or [])
    return "\n".join(parts)


class Sender:
    """Signed DM events to ``POST /slack/events``, each with its ack latency."""

    def __init__(self, *, url: str, session: aiohttp.ClientSession, tag: str) -> None:
        self.url = url
        self.session = session
        self.tag = tag
        self.count = 0

    async def dm(self, text: str, *, user: str, channel: str) -> tuple[float, float | None]:
        """Send one DM; return (when it was sent, ack latency or ``None`` if not 200)."""
        self.count += 1
        ts = f"{1_800_000_000 + self.count}.{self.count:06d}"
        event = dm_message(text, user=user, channel=channel, ts=ts)
        envelope = event_callback(event, event_id=f"Ev{self.tag}{self.count:06d}")
        body = json_body(envelope)
        headers = {"Content-Type": JSON, **sign(body, SECRET, int(time.time()))}
        sent = time.monotonic()
        try:
            async with self.session.post(self.url, data=body, headers=headers) as resp:
                await resp.read()
                ok = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        return sent, (time.monotonic() - sent) if ok else None


async def posts_until(
    fake: FakeSlackThread, wanted: dict[str, int], timeout: float
) -> dict[str, list[Call]]:
    """The posts per channel once each channel of ``wanted`` has its count (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        by_channel: dict[str, list[Call]] = {}
        for call in fake.calls_to("chat.postMessage"):
            if call.ok:
                by_channel.setdefault(str(call.params.get("channel")), []).append(call)
        done = all(len(by_channel.get(c, [])) >= n for c, n in wanted.items())
        if done or time.monotonic() > deadline:
            return by_channel
        await asyncio.sleep(0.05)


def seller(n: int) -> tuple[str, str]:
    return f"U{n:04d}", f"D{n:04d}"


def other(n: int) -> tuple[str, str]:
    return f"U{5000 + n:04d}", f"D{5000 + n:04d}"


async def spread(count: int, window: float, send: Callable[[int], Any]) -> list[Any]:
    """Call ``send(i)`` for i < count, each at its own time over ``window`` (open loop)."""
    begin = time.monotonic()

    async def at(i: int) -> Any:
        await asyncio.sleep(max(0.0, begin + window * i / max(count, 1) - time.monotonic()))
        return await send(i)

    return list(await asyncio.gather(*(at(i) for i in range(count))))


async def measure(
    server: Server, fake: FakeSlackThread, db_url: str, args: argparse.Namespace
) -> Result:
    """Starts, then answers and others' questions; what was posted and when."""
    result = Result(server.name)
    sellers = [seller(n) for n in range(1, args.sellers + 1)]
    others = [other(n) for n in range(1, args.sellers + 1)]
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        send = Sender(url=server.url("/slack/events"), session=session, tag=server.name[:2])
        fake.clear()
        begin = time.monotonic()
        starts = await asyncio.gather(
            *(send.dm("roleplay frida", user=u, channel=c) for u, c in sellers)
        )
        result.start_acks = [ack for _, ack in starts if ack is not None]
        posted = await posts_until(fake, {c: 2 for _, c in sellers}, args.reply_timeout)
        if any(len(posted.get(c, [])) < 2 for _, c in sellers):
            raise HarnessError(f"{server.name}: a role-play did not start:\n{server.log_tail()}")
        result.starts_posted = max(posted[c][1].at for _, c in sellers) - begin

        flows, now = FlowStore(db=Database(url=db_url)), dt.datetime.now(dt.UTC)
        answers = []
        for user, _ in sellers:
            flow = flows.active(f"slack:{user}", now=now)
            if flow is None:
                raise HarnessError(f"{server.name}: no role-play running for {user}")
            turn = flow.data["scenario"]["turns"][int(flow.data["turn"])]
            answers.append(str(turn["model"]))

        fake.clear()
        cpu = server.cpu_seconds()
        answered = await spread(
            len(sellers),
            args.window,
            lambda i: send.dm(answers[i], user=sellers[i][0], channel=sellers[i][1]),
        )
        await asyncio.sleep(1.0)  # the model is thinking about every answer by now
        asked = await spread(
            len(others),
            args.window,
            lambda i: send.dm("who is Tuva?", user=others[i][0], channel=others[i][1]),
        )
        wanted = {c: 2 for _, c in sellers} | {c: 1 for _, c in others}
        posted = await posts_until(fake, wanted, args.reply_timeout)
        after = server.cpu_seconds()
        if cpu is not None and after is not None:
            result.server_cpu = after - cpu

    for (sent, ack), (_, channel) in zip(answered, sellers, strict=True):
        if ack is None:
            result.errors += 1
        else:
            result.answer_acks.append(ack)
        got = posted.get(channel, [])
        result.missing += max(0, 2 - len(got))
        if got:
            result.marks.append(got[0].at - sent)
            result.wrong += "✓" not in text_of(got[0].params)
        if len(got) > 1:
            result.lines.append(got[1].at - sent)
            result.wrong += "objection 2/" not in text_of(got[1].params)
            result.voiced += MODEL_LINE in text_of(got[1].params)
    for (sent, ack), (_, channel) in zip(asked, others, strict=True):
        if ack is None:
            result.errors += 1
        else:
            result.other_acks.append(ack)
        got = posted.get(channel, [])
        result.missing += max(0, 1 - len(got))
        if got:
            result.other_answers.append(got[0].at - sent)
    result.errors += len(starts) - len(result.start_acks)
    return result


def run_one(
    name: str, fake: FakeSlackThread, llm: FakeLLMThread | None, args: argparse.Namespace
) -> Result:
    """Serve on a fresh SQLite database in a fresh directory; measure; stop."""
    with tempfile.TemporaryDirectory(prefix="bench-roleplay-voice-") as tmp:
        workdir, port = Path(tmp), free_port()
        db_url = f"sqlite:///{workdir / 'bench.db'}"
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        env.update(
            {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "PERSONABOT_SLACK_API_URL": fake.base_url,
                "PERSONABOT_HOST": HOST,
                "PERSONABOT_PORT": str(port),
                "PERSONABOT_DATABASE_URL": db_url,
                "PERSONABOT_LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if llm is not None:
            env["PERSONABOT_LLM_URL"] = llm.url
            env["PERSONABOT_LLM_MODEL"] = "persona-slow"
            env["PERSONABOT_LLM_TIMEOUT"] = "15"
        server = Server(name, [sys.executable, "-m", "bot", "serve"], env, workdir, port)
        server.start()
        try:
            ready = asyncio.run(wait_ready(server, health_path="/healthz"))
            print(f"{name}: ready after {ready:.2f} s on port {port}", file=sys.stderr)
            before = len(llm.requests) if llm is not None else 0
            result = asyncio.run(measure(server, fake, db_url, args))
            result.model_requests = (len(llm.requests) if llm is not None else 0) - before
        finally:
            server.stop()
        log = server.log.read_text(encoding="utf-8", errors="replace")
        result.claim_timeouts = sum("answering it anyway" in line for line in log.splitlines())
        if result.errors or result.missing or result.wrong:
            print(f"{name}: log tail:\n{server.log_tail()}", file=sys.stderr)
        return result


def report(slow: Result, floor: Result, args: argparse.Namespace) -> tuple[str, bool]:
    """The Markdown table, and whether every target is met."""
    lines = [
        f"| measure | model answering after {args.delay:.0f} s | no model (floor) | target |",
        "|---|---|---|---|",
    ]
    met = True

    def row(
        label: str, pick: Callable[[Result], Any], target: str = "", ok: bool | None = None
    ) -> None:
        nonlocal met
        cells = []
        for result in (slow, floor):
            value = pick(result)
            cells.append(ms(value) if isinstance(value, float | type(None)) else str(value))
        if ok is not None:
            met = met and ok
            target = f"{target} {'✓' if ok else '✗'}"
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {target} |")

    n = args.sellers
    row("answer: ack p50 (ms)", lambda r: quantile(r.answer_acks, 0.5))
    row("answer: ack p99 (ms)", lambda r: quantile(r.answer_acks, 0.99))
    slow_ack = max(slow.answer_acks, default=None)
    row(
        "answer: ack max (ms)",
        lambda r: max(r.answer_acks, default=None),
        f"≤ {ACK_LIMIT * 1000:.0f}",
        slow_ack is not None and slow_ack <= ACK_LIMIT and len(slow.answer_acks) == n,
    )
    row("answer → marks posted p50 (ms)", lambda r: quantile(r.marks, 0.5))
    slow_marks = max(slow.marks, default=None)
    row(
        "answer → marks posted max (ms)",
        lambda r: max(r.marks, default=None),
        f"< {args.delay * 1000:.0f} (not waiting for the model)",
        slow_marks is not None and slow_marks < args.delay and len(slow.marks) == n,
    )
    row("answer → buyer's next line posted p50 (ms)", lambda r: quantile(r.lines, 0.5))
    row("answer → buyer's next line posted max (ms)", lambda r: max(r.lines, default=None))
    row(f"next lines in the model's words (of {n})", lambda r: r.voiced)
    other_ack = max(slow.other_acks, default=None)
    row(
        "others' questions while the model thinks: ack max (ms)",
        lambda r: max(r.other_acks, default=None),
        f"≤ {ACK_LIMIT * 1000:.0f}",
        other_ack is not None and other_ack <= ACK_LIMIT and len(slow.other_acks) == n,
    )
    row("others' questions: answer posted max (ms)", lambda r: max(r.other_answers, default=None))
    row("`roleplay frida`: ack max (ms)", lambda r: max(r.start_acks, default=None))
    row("`roleplay frida` × N: last first line posted (ms)", lambda r: r.starts_posted)
    row("non-200 or failed requests", lambda r: r.errors, "0", slow.errors == floor.errors == 0)
    row("messages never posted", lambda r: r.missing, "0", slow.missing == floor.missing == 0)
    row("marks without ✓ / wrong next line", lambda r: r.wrong, "0", slow.wrong == floor.wrong == 0)
    row(
        "events acked before their claim was stored (claim took > 2 s)",
        lambda r: r.claim_timeouts,
        "0",
        slow.claim_timeouts == floor.claim_timeouts == 0,
    )
    row("model requests", lambda r: r.model_requests)
    row(
        "server CPU, answers + questions (s)",
        lambda r: "—" if r.server_cpu is None else f"{r.server_cpu:.2f}",
    )
    return "\n".join(lines), met


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sellers", type=int, default=20)
    parser.add_argument("--delay", type=float, default=10.0, help="the model's answer time (s)")
    parser.add_argument("--window", type=float, default=2.0, help="answers spread over (s)")
    parser.add_argument("--reply-timeout", type=float, default=180.0)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.sellers < 1 or args.delay <= 0 or args.window < 0:
        parser.error("--sellers must be ≥ 1, --delay > 0, --window ≥ 0")

    with FakeSlackThread() as fake, FakeLLMThread(delay=args.delay) as llm:
        llm.answer(f"Frida: {MODEL_LINE}")
        for n in range(1, args.sellers + 1):
            for user, _ in (seller(n), other(n)):
                fake.add_user(user, f"{user.lower()}@example.com", f"User {user}")
        try:
            slow = run_one("model", fake, llm, args)
            floor = run_one("no-model", fake, None, args)
        except HarnessError as exc:
            print(f"bench_roleplay_voice: {exc}", file=sys.stderr)
            return 2

    text, met = report(slow, floor, args)
    print(
        f"Measured {dt.date.today().isoformat()}: {args.sellers} sellers each start "
        f"`roleplay frida`, then answer the first objection with its model answer (spread "
        f"over {args.window:g} s); then {args.sellers} others ask `who is Tuva?`. Slack HTTP "
        f"mode on the local fake Web API, SQLite; the model answers every request after "
        f"{args.delay:g} s, PERSONABOT_LLM_TIMEOUT=15.\n"
    )
    print(f"Machine: {machine()}\n")
    print(text)
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
