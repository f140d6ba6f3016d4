"""Benchmark Teams message handling: ``personabot serve`` beside a minimal botbuilder floor.

In one run, on this machine (load generator and the local fake Bot Connector included):

1. starts the fake Bot Connector (``tests/teams/fake_connector.py``) in a background
   thread; every activity's ``serviceUrl`` points at it, so replies go there;
2. for the floor (``benchmarks/floor_botbuilder_echo.py``: botbuilder's ``CloudAdapter``,
   anonymous, an ``ActivityHandler`` echoing each message) and then for ours
   (``python -m bot serve`` without a Microsoft app id, i.e. local mode), each as a
   subprocess on a free port of 127.0.0.1:

   * waits until it is ready (``GET /healthz`` for ours, a TCP connect for the floor; a
     bounded number of tries),
   * sends a few warm-up messages and waits for their replies (not measured),
   * sends N Teams personal-chat message activities (who-is and objection questions about
     the example pack's Oskar, Tuva, Frida and Bjørn; unique ids) to
     ``POST /api/messages`` from C concurrent aiohttp clients. Each conversation (one user's
     1:1 chat) has several messages and belongs to one client, which sends them one after
     another (the next once the previous was acknowledged), as a user would type them;
   * measures each request's latency (p50, p99), the throughput over the send phase, the
     time from the first send until the fake connector had a reply to every message,
     errors (non-2xx or failed requests), lost replies (messages never answered),
     REORDERED replies (a reply that reached the connector after the reply to a later
     message of the same conversation), duplicate replies and rejected connector calls;
3. prints a Markdown table with ours, the floor and the ratios against the targets
   (throughput ≥ 1× the floor's, goal ≥ 2×; latency p99 ≤ 1×; no errors, lost, reordered
   or duplicate replies).

A reply is matched to its message by the activity id it replies to (the path of
``POST /v3/conversations/{id}/activities/{activityId}``, or ``replyToId``); replies without
one are matched in arrival order within their conversation (counted as "unmatched", and
then reordering cannot be seen).

Usage::

    python benchmarks/bench_teams.py [--events 1000] [--concurrency 50] [--per-conversation 5]
                                     [--warmup 20] [--reply-timeout 60] [--only-floor]
                                     [--check] [--ours-cmd CMD] [--ours-health PATH]

``--ours-cmd``/``--ours-health`` replace ``python -m bot serve`` and ``/healthz`` (e.g. to
try the harness with the floor standing in for ours: ``--ours-cmd "python
benchmarks/floor_botbuilder_echo.py" --ours-health ""``). When ours does not serve
``POST /api/messages`` yet (404/405 on the warm-up), only the floor is reported.

Exit status 0 once measured (``--check``: 1 when a target is missed); 2 when a server
could not be started or the floor did not answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import os
import platform
import shlex
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from harness import (
    HOST,
    HarnessError,
    Server,
    free_port,
    ms,
    questions,
    ratio,
    wait_ready,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "teams"))
sys.path.insert(0, str(ROOT / "tests"))  # server_thread, shared by the fakes

from activities import json_body, member, personal_message  # noqa: E402
from fake_connector import FakeConnectorThread  # noqa: E402

MESSAGES_PATH = "/api/messages"
SENDS = ("send", "reply")
# Environment that would give ``personabot serve`` credentials (leaving local mode) or
# switch it to other platforms/content.
DROPPED_ENV = (
    "MicrosoftAppId",
    "MicrosoftAppPassword",
    "MicrosoftAppTenantId",
    "MicrosoftAppType",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TENANT_ID",
    "MICROSOFT_APP_TYPE",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "PERSONABOT_CONTENT",
)

Json = dict[str, Any]


class NotServing(HarnessError):
    """The server runs but does not serve ``POST /api/messages`` (yet)."""


@dataclass(frozen=True)
class Message:
    """One inbound activity of the load."""

    conversation: str
    index: int  # its position in its conversation
    activity_id: str
    body: bytes


@dataclass
class Result:
    """One server's figures."""

    name: str
    sent: int = 0
    errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    send_seconds: float = 0.0
    answered: int = 0  # messages with at least one reply
    lost: int = 0
    reordered: int = 0
    duplicates: int = 0
    unmatched: int = 0  # replies without a reply-to id we sent
    rejected_calls: int = 0  # connector calls answered with an error
    all_replies_seconds: float | None = None
    error_samples: list[str] = field(default_factory=list)
    server_cpu: float | None = None
    harness_cpu: float = 0.0
    connector_calls: dict[str, int] = field(default_factory=dict)

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
        return ordered[index]

    @property
    def throughput(self) -> float | None:
        return self.sent / self.send_seconds if self.send_seconds > 0 else None


def build_load(
    count: int,
    *,
    per_conversation: int,
    service_url: str,
    seed: int,
    tag: str,
    fake: FakeConnectorThread | None = None,
) -> list[list[Message]]:
    """``count`` personal messages, ``per_conversation`` per 1:1 chat; one list per chat.

    Each chat's user is registered with the fake connector (for TeamsInfo lookups).
    """
    conversations = math.ceil(count / per_conversation)
    texts = questions(count, seed)
    load: list[list[Message]] = []
    n = 0
    base = 1_800_000_000_000 + seed * 100_000_000 + (0 if tag == "measure" else 50_000_000)
    for c in range(conversations):
        email = f"bench.user{c + 1}@example.com"
        person = member(email=email)
        conversation = f"a:1bench-{tag}-{seed}-{c + 1:04d}"
        if fake is not None:
            fake.add_member(conversation, person)
        chat: list[Message] = []
        for index in range(min(per_conversation, count - n)):
            activity_id = str(base + n)
            activity = personal_message(
                texts[n],
                service_url=service_url,
                user_id=person["id"],
                aad_object_id=person["aadObjectId"],
                conversation_id=conversation,
                activity_id=activity_id,
                user_name=person["name"],
            )
            chat.append(Message(conversation, index, activity_id, json_body(activity)))
            n += 1
        load.append(chat)
    return load


async def send_all(
    url: str, load: list[list[Message]], concurrency: int, result: Result | None
) -> tuple[float, float]:
    """POST every message from ``concurrency`` clients; return (first send, last answer).

    Client ``k`` owns the conversations ``k, k + concurrency, …`` and sends each one's
    messages in order, each after the previous one was answered.
    """
    first_send: list[float] = []
    last_answer = 0.0
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Microsoft-SkypeBotApi (Microsoft-BotFramework/3.0)",
    }

    async def client(k: int) -> None:
        nonlocal last_answer
        connector = aiohttp.TCPConnector(limit=1)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            for chat in load[k::concurrency]:
                for message in chat:
                    started = time.monotonic()
                    if not first_send:
                        first_send.append(started)
                    status, problem = 0, ""
                    try:
                        async with session.post(url, data=message.body, headers=headers) as resp:
                            await resp.read()
                            status = resp.status
                    except (aiohttp.ClientError, TimeoutError) as exc:
                        problem = f"{type(exc).__name__}: {exc}"
                    ended = time.monotonic()
                    last_answer = max(last_answer, ended)
                    if result is None:
                        if status in (404, 405):
                            raise NotServing(f"POST {MESSAGES_PATH} answered {status}")
                        continue
                    result.sent += 1
                    result.statuses[status] += 1
                    if 200 <= status < 300:
                        result.latencies.append(ended - started)
                    else:
                        result.errors += 1
                        if len(result.error_samples) < 5:
                            result.error_samples.append(problem or f"HTTP {status}")

    await asyncio.gather(*(client(k) for k in range(min(concurrency, len(load)))))
    return (first_send[0] if first_send else time.monotonic()), last_answer


def score_replies(
    result: Result, load: list[list[Message]], fake: FakeConnectorThread, first: float
) -> None:
    """Match the replies the fake recorded to the messages sent; fill in the reply figures."""
    owner = {m.activity_id: m for chat in load for m in chat}
    replies: dict[str, list[tuple[float, str | None]]] = {}  # conversation -> (at, reply-to)
    rejected = 0
    for call in fake.calls:
        if call.operation not in SENDS:
            continue
        if not call.ok:
            rejected += 1
            continue
        body = call.json if isinstance(call.json, dict) else {}
        if body.get("type") != "message" or call.conversation_id is None:
            continue
        reply_to = call.activity_id or body.get("replyToId")
        replies.setdefault(call.conversation_id, []).append((call.at, reply_to))
    result.rejected_calls = rejected
    answered_at: list[float] = []
    for chat in load:
        if not chat:
            continue
        conversation = chat[0].conversation
        seen: set[str] = set()
        highest = -1
        unreplied = [m.activity_id for m in chat]
        for at, reply_to in replies.get(conversation, []):
            message = owner.get(reply_to or "")
            if message is None or message.conversation != conversation:
                # No usable reply-to id: take the oldest message still unanswered.
                result.unmatched += 1
                pending = [a for a in unreplied if a not in seen]
                if not pending:
                    result.duplicates += 1
                    continue
                message = owner[pending[0]]
            if message.activity_id in seen:
                result.duplicates += 1
                continue
            seen.add(message.activity_id)
            answered_at.append(at)
            if message.index < highest:
                result.reordered += 1
            highest = max(highest, message.index)
        result.answered += len(seen)
    total = sum(len(chat) for chat in load)
    result.lost = total - result.answered
    if result.lost == 0 and answered_at:
        result.all_replies_seconds = max(answered_at) - first


async def measure(
    server: Server,
    fake: FakeConnectorThread,
    *,
    events: int,
    concurrency: int,
    per_conversation: int,
    warmup: int,
    reply_timeout: float,
    seed: int,
) -> Result:
    """Warm up, then send ``events`` messages and wait for their replies."""
    result = Result(server.name)
    if warmup:
        fake.clear()
        warm = build_load(
            warmup, per_conversation=1, service_url=fake.url, seed=seed, tag="warm", fake=fake
        )
        await send_all(server.url(MESSAGES_PATH), warm, min(concurrency, warmup), None)
        try:
            await fake.wait_for_activities_async(warmup, timeout=reply_timeout, type="message")
        except TimeoutError as exc:
            raise HarnessError(f"{server.name}: warm-up replies missing: {exc}") from None
    load = build_load(
        events,
        per_conversation=per_conversation,
        service_url=fake.url,
        seed=seed,
        tag="measure",
        fake=fake,
    )
    fake.clear()
    server_cpu, harness_cpu = server.cpu_seconds(), time.process_time()
    first, last_answer = await send_all(server.url(MESSAGES_PATH), load, concurrency, result)
    result.send_seconds = last_answer - first
    with contextlib.suppress(TimeoutError):  # missing replies are counted as lost below
        await fake.wait_for_activities_async(events, timeout=reply_timeout, type="message")
    cpu_after = server.cpu_seconds()
    if server_cpu is not None and cpu_after is not None:
        result.server_cpu = cpu_after - server_cpu
    result.harness_cpu = time.process_time() - harness_cpu
    result.connector_calls = dict(Counter(c.operation for c in fake.calls).most_common())
    score_replies(result, load, fake, first)
    return result


def base_env(port: int, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    no_proxy = ",".join(filter(None, [env.get("NO_PROXY", ""), HOST, "localhost"]))
    env.update(
        {
            "PERSONABOT_HOST": HOST,
            "PERSONABOT_PORT": str(port),
            "PERSONABOT_DATABASE_URL": f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex}.db'}",
            "PERSONABOT_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
        }
    )
    return env


def run_one(
    name: str, fake: FakeConnectorThread, workdir: Path, args: argparse.Namespace
) -> Result:
    port = free_port()
    env = base_env(port, workdir)
    if name == "floor":
        argv = [sys.executable, str(ROOT / "benchmarks" / "floor_botbuilder_echo.py")]
        health: str | None = None
    else:
        argv = (
            [_absolute(part) for part in shlex.split(args.ours_cmd)]
            if args.ours_cmd
            else [sys.executable, "-m", "bot", "serve"]
        )
        health = args.ours_health or None
    server = Server(name, argv, env, workdir, port)
    server.start()
    try:
        ready = asyncio.run(wait_ready(server, health_path=health))
        print(f"{name}: ready after {ready:.2f} s on port {port}", file=sys.stderr)
        result = asyncio.run(
            measure(
                server,
                fake,
                events=args.events,
                concurrency=args.concurrency,
                per_conversation=args.per_conversation,
                warmup=args.warmup,
                reply_timeout=args.reply_timeout,
                seed=args.seed,
            )
        )
    finally:
        server.stop()
    if result.errors or result.lost or result.reordered:
        print(f"{name}: samples of errors: {result.error_samples}", file=sys.stderr)
        print(f"{name}: log tail:\n{server.log_tail()}", file=sys.stderr)
    return result


def _absolute(part: str) -> str:
    """``part`` made absolute when it names an existing relative path (servers run in a tmp dir)."""
    path = Path(part)
    return os.path.abspath(part) if not path.is_absolute() and path.exists() else part


def table(floor: Result, ours: Result | None) -> tuple[str, bool]:
    """The Markdown table, and whether every target is met (always True without ours)."""
    rows: list[tuple[str, str, str, str, str]] = []
    met = True

    def row(
        label: str,
        o: float | None,
        f: float | None,
        show: str,
        target: str = "",
        check: str | None = None,
        bound: float = 1.0,
    ) -> None:
        nonlocal met
        r = ratio(o, f)
        if check and ours is not None:
            ok = r is not None and (r <= bound if check == "max" else r >= bound)
            met = met and ok
            target = f"{target} {'✓' if ok else '✗'}"
        fmt = {
            "ms": ms,
            "rate": lambda v: "—" if v is None else f"{v:.1f}",
            "int": lambda v: "—" if v is None else f"{v:.0f}",
            "sec": lambda v: "—" if v is None else f"{v:.2f}",
        }[show]
        shown_ratio = "" if not check or r is None else f"{r:.2f}×"
        rows.append((label, fmt(o if ours is not None else None), fmt(f), shown_ratio, target))

    def zero(label: str, o: int | None, f: int) -> None:
        nonlocal met
        target = "0"
        if ours is not None and o is not None:
            met = met and o == 0
            target = f"0 {'✓' if o == 0 else '✗'}"
        rows.append((label, "—" if o is None or ours is None else str(o), str(f), "", target))

    o = ours
    row("latency p50 (ms)", o and o.percentile(0.50), floor.percentile(0.50), "ms")
    row(
        "latency p99 (ms)",
        o and o.percentile(0.99),
        floor.percentile(0.99),
        "ms",
        "≤ 1×",
        "max",
    )
    row(
        "throughput (activities/s)",
        o and o.throughput,
        floor.throughput,
        "rate",
        "≥ 1× (goal ≥ 2×)",
        "min",
    )
    row(
        "first send → all replies at the connector (ms)",
        o and o.all_replies_seconds,
        floor.all_replies_seconds,
        "ms",
    )
    row("server CPU while measured (s)", o and o.server_cpu, floor.server_cpu, "sec")
    row("harness CPU: load + fake connector (s)", o and o.harness_cpu, floor.harness_cpu, "sec")
    zero("errors (non-2xx, failed requests)", o and o.errors, floor.errors)
    zero("lost replies", o and o.lost, floor.lost)
    zero("reordered replies (per conversation)", o and o.reordered, floor.reordered)
    zero("duplicate replies", o and o.duplicates, floor.duplicates)
    zero("connector calls rejected (4xx/5xx)", o and o.rejected_calls, floor.rejected_calls)
    header = (
        "| measure | personabot | floor (botbuilder echo) | ratio | target |\n|---|---|---|---|---|"
    )
    lines = [header] + ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines), met


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--per-conversation", type=int, default=5, help="messages in each user's 1:1 chat"
    )
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured messages first")
    parser.add_argument("--reply-timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only-floor", action="store_true", help="measure the floor alone")
    parser.add_argument(
        "--ours-cmd",
        default="",
        help="command for ours (default: this interpreter with -m bot serve)",
    )
    parser.add_argument(
        "--ours-health",
        default="/healthz",
        help="readiness path for ours; empty: wait for a TCP connect",
    )
    parser.add_argument(
        "--validate-every",
        type=int,
        default=10,
        help="schema-check the cards of every n-th reply (1: all; each costs the harness "
        "~28 ms of CPU, which would starve the load generator of the interpreter lock)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.validate_every < 1:
        parser.error("--validate-every must be ≥ 1")
    if args.events < 1 or args.concurrency < 1 or args.warmup < 0 or args.per_conversation < 1:
        parser.error("--events, --concurrency and --per-conversation must be ≥ 1, --warmup ≥ 0")
    if not 0 < args.reply_timeout <= 600:
        parser.error("--reply-timeout must be in (0, 600] seconds")

    note = ""
    with (
        FakeConnectorThread(validate_every=args.validate_every) as fake,
        tempfile.TemporaryDirectory(prefix="bench-teams-") as tmp,
    ):
        try:
            floor = run_one("floor", fake, Path(tmp), args)
        except HarnessError as exc:
            print(f"bench_teams: floor: {exc}", file=sys.stderr)
            return 2
        ours: Result | None = None
        if not args.only_floor:
            try:
                ours = run_one("personabot", fake, Path(tmp), args)
            except NotServing as exc:
                note = f"personabot not measured: {exc} (no Teams adapter yet?)"
            except HarnessError as exc:
                print(f"bench_teams: personabot: {exc}", file=sys.stderr)
                return 2

    text, met = table(floor, ours)
    when = dt.date.today().isoformat()
    print(
        f"Measured {when} ({args.events} Teams personal messages in "
        f"{math.ceil(args.events / args.per_conversation)} conversations, "
        f"{args.concurrency} concurrent clients, {args.warmup} warm-up; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}):\n"
    )
    print(text)
    print("\nHTTP statuses and connector calls while measured:")
    for result in (floor, ours):
        if result is not None:
            statuses = ", ".join(f"{s} ×{n}" for s, n in sorted(result.statuses.items()))
            calls = ", ".join(f"{m} {n}" for m, n in result.connector_calls.items()) or "none"
            extra = ""
            if result.unmatched:
                extra = f"; {result.unmatched} replies without a reply-to id"
            print(f"- {result.name}: {statuses}; connector: {calls}{extra}")
    if ours is None:
        print(f"\n({note or '--only-floor: personabot not measured'})")
    return 1 if args.check and ours is not None and not met else 0


if __name__ == "__main__":
    sys.exit(main())
