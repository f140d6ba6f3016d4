"""The quiz benchmark's players: who clicks what, what the fake Slack recorded, what counted.

:class:`Reader` follows the fake Web API's ``chat.postMessage`` record and hands out each
player's next click; :func:`audit` compares the ``quiz_answers`` table with the clicks
acknowledged. Used by ``bench_quiz.py``; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from bench_slack import ROOT, SECRET, Result
from fake_slack import Call, FakeSlackThread  # on the path bench_slack set
from payloads import FORM, JSON, block_actions, dm_message, event_callback, json_body, sign
from sqlalchemy import create_engine, text

sys.path.insert(0, str(ROOT))
from handlers.quiz import LENGTH as QUESTIONS  # noqa: E402 - a quiz's length


@dataclass
class Player:
    """One user playing one quiz, as the load generator sees it."""

    user: str
    channel: str
    picks: random.Random
    posts: list[Call] = field(default_factory=list)
    clicked: list[tuple[str, int, int]] = field(default_factory=list)  # flow, step, pick
    done: bool = False
    unexpected: int = 0

    @property
    def key(self) -> str:
        return f"slack:{self.user}"


@dataclass(frozen=True)
class Job:
    """One request: a ``quiz`` DM, an answer click or an ask."""

    kind: str  # "dm", "click", "ask"
    body: bytes
    content_type: str
    player: Player | None = None
    click: tuple[str, int, int] | None = None


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a posted message's ``actions`` blocks."""
    return [
        e
        for b in params.get("blocks") or []
        if b.get("type") == "actions"
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]


def dm_job(player: Player, n: int) -> Job:
    """``quiz`` typed in the player's DM with the bot."""
    ts = f"{1_900_000_000 + n}.{n % 1_000_000:06d}"
    event = dm_message("quiz", user=player.user, channel=player.channel, ts=ts)
    body = json_body(event_callback(event, event_id=f"EvQ{uuid.uuid4().hex[:12].upper()}"))
    return Job("dm", body, JSON, player)


def click_job(player: Player, post: Call) -> Job | None:
    """A click on one of the posted question's buttons (the player's seeded pick)."""
    found = buttons(post.params)
    if not found:
        return None
    button = found[player.picks.randrange(len(found))]
    flow_id, step, _, pick = button["value"].removeprefix("flow:").split(":", 3)
    form = block_actions(
        button["action_id"],
        button["value"],
        user=player.user,
        channel=player.channel,
        message_ts=str(post.response["ts"]),
        text=button["text"]["text"],
    )
    return Job("click", form.encode(), FORM, player, (flow_id, int(step), int(pick)))


class Reader:
    """Follows the fake's ``chat.postMessage`` calls and hands each player's next click out.

    A player's posts are, in order: the intro, a question (buttons), and after each
    click the next question or, after the last, the score. Anything else is counted as
    unexpected.
    """

    def __init__(
        self,
        fake: FakeSlackThread,
        players: Sequence[Player],
        clicks: asyncio.Queue[Job],
        *,
        others: int = 0,
    ) -> None:
        self.fake = fake
        self.players = {p.channel: p for p in players}
        self.clicks = clicks
        self.seen = 0
        self.finished = 0
        self.others = others  # posts to other channels (ask replies) to wait for
        self.all_done = asyncio.Event()
        self.other_posts: list[Call] = []

    async def run(self, deadline: float) -> None:
        """Until every player has their score and the other posts are in, or the deadline."""
        while time.monotonic() < deadline and (
            self.finished < len(self.players) or len(self.other_posts) < self.others
        ):
            left = deadline - time.monotonic()
            with contextlib.suppress(TimeoutError):
                posts = await self.fake.wait_for_async(
                    "chat.postMessage", self.seen + 1, timeout=min(left, 5.0)
                )
                new, self.seen = posts[self.seen :], len(posts)
                for call in new:
                    self._take(call)
                await asyncio.sleep(0.05)  # let posts gather: one scan of the record per batch
        self.all_done.set()

    def _take(self, call: Call) -> None:
        player = self.players.get(str(call.params.get("channel")))
        if player is None:
            self.other_posts.append(call)
            return
        player.posts.append(call)
        job = click_job(player, call) if call.ok else None
        if job is not None and job.click is not None and job.click[1] == len(player.clicked):
            player.clicked.append(job.click)
            self.clicks.put_nowait(job)
            return
        questions = len(player.clicked)
        if job is None and call.ok and len(player.posts) == 1:
            return  # the intro
        if job is None and call.ok and questions == QUESTIONS and not player.done:
            player.done = True  # the score
            self.finished += 1
            return
        player.unexpected += 1


@dataclass
class Sent:
    """What the clients saw, per kind of request."""

    kinds: dict[str, Result] = field(default_factory=dict)
    acked: set[tuple[str, str, int]] = field(default_factory=set)  # clicks: key, flow, step
    first: float = 0.0
    last: float = 0.0

    def of(self, kind: str) -> Result:
        return self.kinds.setdefault(kind, Result(kind))

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.kinds.values())


async def post(session: aiohttp.ClientSession, url: str, job: Job, sent: Sent) -> None:
    """Send one job signed, timing its acknowledgement."""
    headers = {"Content-Type": job.content_type, **sign(job.body, SECRET, int(time.time()))}
    result = sent.of(job.kind)
    started = time.monotonic()
    sent.first = sent.first or started
    status, problem = 0, ""
    try:
        async with session.post(url, data=job.body, headers=headers) as resp:
            await resp.read()
            status = resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    ended = time.monotonic()
    sent.last = max(sent.last, ended)
    result.sent += 1
    if status == 200:
        result.latencies.append(ended - started)
        if job.player is not None and job.click is not None:
            sent.acked.add((job.player.key, *job.click[:2]))
    else:
        result.errors += 1
        if len(result.error_samples) < 5:
            result.error_samples.append(problem or f"HTTP {status}")


@contextlib.asynccontextmanager
async def clients(count: int) -> AsyncIterator[list[aiohttp.ClientSession]]:
    """``count`` HTTP clients, one connection each."""
    sessions = [
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=30)
        )
        for _ in range(count)
    ]
    try:
        yield sessions
    finally:
        for session in sessions:
            await session.close()


def make_players(prefix: str, count: int, seed: int, fake: FakeSlackThread) -> list[Player]:
    players = []
    for n in range(1, count + 1):
        user = f"U{prefix}{n:05d}"
        fake.add_user(user, f"{user.lower()}@example.com", f"Player {prefix}{n}")
        players.append(Player(user=user, channel=f"D{user}", picks=random.Random(seed * 7919 + n)))
    return players


# -- phase 1: clicks beside asks ------------------------------------------------------------


@dataclass
class Audit:
    """What the ``quiz_answers`` table says about the clicks sent."""

    clicks: int = 0
    rows: int = 0
    lost: int = 0
    doubled: int = 0
    extra: int = 0
    misrecorded: int = 0
    flows_off: int = 0  # flows whose step is not their number of answers


def audit(database_url: str, players: Sequence[Player], acked: set[tuple[str, str, int]]) -> Audit:
    """Compare the stored answers with the clicks acknowledged (key, flow, step)."""
    keys = {p.key for p in players}
    picked = {(p.key, f, s): pick for p in players for f, s, pick in p.clicked}
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            answers = [
                r
                for r in conn.execute(
                    text("SELECT user_key, flow_id, step, correct FROM quiz_answers")
                )
                if r.user_key in keys
            ]
            flows = {
                r.id: r
                for r in conn.execute(text("SELECT id, user_key, step, data FROM flows"))
                if r.user_key in keys
            }
    finally:
        engine.dispose()
    result = Audit(clicks=len(acked), rows=len(answers))
    per_step = Counter((r.user_key, r.step) for r in answers)
    result.doubled = sum(n - 1 for n in per_step.values() if n > 1)
    stored = {(r.user_key, r.flow_id, r.step) for r in answers}
    result.lost = len(acked - stored)
    result.extra = len(stored - acked)
    counted = Counter(r.flow_id for r in answers)
    result.flows_off = sum(1 for f in flows.values() if f.step != counted.get(f.id, 0))
    for row in answers:
        flow = flows.get(row.flow_id)
        pick = picked.get((row.user_key, row.flow_id, row.step))
        if flow is None or pick is None:
            result.misrecorded += 1
            continue
        data = flow.data if isinstance(flow.data, dict) else json.loads(flow.data)
        right = int(data["questions"][row.step]["answer"])
        result.misrecorded += bool(row.correct) != (pick == right)
    return result


# -- running --------------------------------------------------------------------------------
