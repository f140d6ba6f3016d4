"""The live quiz benchmark's load: quizzes started, 300 players' clicks, what they saw.

Used by ``bench_live_quiz.py`` (see its docstring): the pack admin starts a live quiz
in a Slack channel and in a Teams channel through the bot's HTTP endpoints; each player
clicks one of the question's buttons (a signed ``block_actions`` form on Slack, an
``adaptiveCard/action`` invoke on Teams), every tenth a second time; each click is sent
at its own time (open loop); the stored answers are read back from ``quiz_answers``.
Only 127.0.0.1 is contacted; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import yaml
from harness import ROOT, HarnessError, Server

sys.path.insert(0, str(ROOT / "tests" / "slack"))
sys.path.insert(0, str(ROOT / "tests" / "teams"))
sys.path.insert(0, str(ROOT / "tests"))  # server_thread, shared by the fakes

from activities import TEAM_ID, channel_mention, member  # noqa: E402
from activities import json_body as activity_body  # noqa: E402
from fake_connector import FakeConnectorThread  # noqa: E402
from fake_slack import FakeSlackThread  # noqa: E402
from payloads import FORM, JSON, app_mention, block_actions, event_callback, json_body, sign  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

TOKEN = "xoxb-bench-live"
SECRET = "bench-live-signing-secret-0123456789"
SLACK_CHANNEL = "C0LIVEBENCH"
TEAMS_CHANNEL = TEAM_ID  # the General channel's id is the team's id
WARM = {"slack": "C0LIVEWARM", "teams": "19:livewarm@thread.tacv2"}
WARM_PLAYERS = 5
SECONDS = 120  # the question's time: the reveal never meets the burst
DOUBLE_EVERY = 10  # every tenth player double-clicks
DOUBLE_AFTER = 0.2  # seconds after their first click
LIMITS = {"slack": 3.0, "teams": 5.0}  # how long each platform waits for the answer
REPLY_TIMEOUT = 30.0
TEAMS_UA = "Microsoft-SkypeBotApi (Microsoft-BotFramework/3.0)"
TEAMS_JSON = "application/json; charset=utf-8"
PLATFORMS = ("slack", "teams")
Json = dict[str, Any]


def _texts() -> tuple[str, str]:
    """The beginnings of our "got it" and "already answered" texts (English locale)."""
    live = yaml.safe_load((ROOT / "bot" / "locales" / "en.yaml").read_text("utf-8"))["live"]
    return live["got_it"].split("{")[0], live["already"].split("{")[0]


GOT_IT, ALREADY = _texts()
ADMIN_EMAIL = yaml.safe_load((ROOT / "content" / "example_pack" / "pack.yaml").read_text("utf-8"))[
    "admins"
][0]


@dataclass(frozen=True)
class Click:
    """One request of the burst."""

    platform: str
    player: int
    second: bool  # a double click
    pick: int
    at: float  # seconds after the burst starts
    body: bytes
    reply_key: str = ""  # Slack: the response_url's key


@dataclass
class Quiz:
    """A started live quiz as the players see it."""

    flow_id: str
    step: int
    values: list[str]  # the buttons' values, by choice
    labels: list[str]
    ids: list[str]  # Slack: the buttons' action ids
    message_ts: str = ""  # Slack: the question's ts
    reply_to: str = ""  # Teams: the question's activity id
    thread: str = ""  # Teams: the thread root's id


@dataclass
class Side:
    """What one platform's clicks saw on one server."""

    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # no answer (timeout, reset)
    lag: float = 0.0  # the harness's worst delay in sending a click
    answers: dict[tuple[int, bool], str] = field(default_factory=dict)  # private texts
    cards: dict[bool, Json] = field(default_factory=dict)  # one of each kind, to validate
    first: float = 0.0
    last_reply: float = 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    @property
    def non_200(self) -> int:
        return sum(n for s, n in self.statuses.items() if s != 200)

    def late(self, limit: float) -> int:
        return sum(1 for x in self.latencies if x > limit)


@dataclass
class Audit:
    """What ``quiz_answers`` says about one question's clicks."""

    rows: int = 0
    players: int = 0  # distinct
    doubled: int = 0
    lost: int = 0
    strangers: int = 0
    wrong_pick: int = 0


# -- the fakes' people ----------------------------------------------------------------------


def slack_user(n: int) -> str:
    return f"UL{n:05d}"


def teams_member(n: int) -> Json:
    return dict(member(email=f"live.player{n}@example.com", name=f"Live Player {n}"))


def add_people(slack: FakeSlackThread, teams: FakeConnectorThread, players: int) -> None:
    slack.add_user("U0LIVEADMIN", ADMIN_EMAIL, "Ingrid Solberg")
    for channel in (TEAMS_CHANNEL, WARM["teams"]):
        teams.add_member(channel, member(email=ADMIN_EMAIL, name="Ingrid Solberg"))
    for n in range(players + WARM_PLAYERS):
        slack.add_user(slack_user(n), f"live.player{n}@example.com", f"Live Player {n}")
        for channel in (TEAMS_CHANNEL, WARM["teams"]):
            teams.add_member(channel, teams_member(n))


# -- starting the quizzes --------------------------------------------------------------------


def buttons_of(node: Any, kind: str) -> list[Json]:
    """Slack ``button`` elements or Teams ``Action.Execute`` actions, in order."""
    found: list[Json] = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for value in node.values():
            found += buttons_of(value, kind)
    elif isinstance(node, list):
        for item in node:
            found += buttons_of(item, kind)
    return found


def quiz_of(found: list[Json], value: str, label: str, **where: str) -> Quiz:
    """A quiz from its buttons, given where a button keeps its value and its label."""
    values = [b[value] if value != "data" else b["data"]["personabot"] for b in found]
    flow_id, step = values[0].split(":")[1:3]
    return Quiz(
        flow_id=flow_id,
        step=int(step),
        values=values,
        labels=[b[label]["text"] if label == "text" else b[label] for b in found],
        ids=[str(b.get("action_id", "")) for b in found],
        **where,
    )


async def start_slack(url: str, slack: FakeSlackThread, channel: str) -> Quiz:
    """The admin starts a live quiz in a Slack channel; the question's buttons."""
    before = len(slack.calls_to("chat.postMessage"))
    ts = f"{int(time.time())}.{random.randrange(10**6):06d}"
    event = app_mention(
        f"quiz live questions 1 seconds {SECONDS}", user="U0LIVEADMIN", channel=channel, ts=ts
    )
    body = json_body(event_callback(event, event_id=f"EvL{uuid.uuid4().hex[:12].upper()}"))
    async with aiohttp.ClientSession() as session:
        headers = {"Content-Type": JSON, **sign(body, SECRET, int(time.time()))}
        async with session.post(url, data=body, headers=headers) as resp:
            if resp.status != 200:
                raise HarnessError(f"Slack quiz start answered {resp.status}")
    try:
        posts = await slack.wait_for_async("chat.postMessage", before + 2, timeout=REPLY_TIMEOUT)
    except TimeoutError as exc:
        raise HarnessError(f"the Slack live quiz did not start: {exc}") from None
    question = next(
        (
            c
            for c in posts[before:]
            if c.params.get("channel") == channel
            and c.params.get("blocks")
            and buttons_of(c.params["blocks"], "button")
        ),
        None,
    )
    if question is None:
        raise HarnessError(f"no Slack question with buttons: {[c.params for c in posts]}")
    found = buttons_of(question.params["blocks"], "button")
    return quiz_of(
        found,
        "value",
        "text",
        message_ts=str(question.response["ts"]),
    )


async def start_teams(url: str, teams: FakeConnectorThread, channel: str) -> Quiz:
    """The admin starts a live quiz in a Teams channel; the question's buttons."""
    before = len(teams.activities_sent())
    admin = member(email=ADMIN_EMAIL, name="Ingrid Solberg")
    start = channel_mention(
        f"quiz live questions 1 seconds {SECONDS}",
        service_url=teams.url,
        user_id=admin["id"],
        aad_object_id=admin["aadObjectId"],
        user_name=admin["name"],
        team_id=TEAM_ID,
        channel_id=channel,
    )
    async with aiohttp.ClientSession() as session:
        headers = {"Content-Type": TEAMS_JSON, "User-Agent": TEAMS_UA}
        async with session.post(url, data=activity_body(start), headers=headers) as resp:
            if resp.status != 200:
                raise HarnessError(f"Teams quiz start answered {resp.status}")
    try:
        sent = await teams.wait_for_activities_async(
            before + 2, timeout=REPLY_TIMEOUT, type="message"
        )
    except TimeoutError as exc:
        raise HarnessError(f"the Teams live quiz did not start: {exc}") from None
    question = next((a for a in sent[before:] if buttons_of(a, "Action.Execute")), None)
    if question is None:
        raise HarnessError(f"no Teams question with Action.Execute buttons: {sent[before:]}")
    found = buttons_of(question, "Action.Execute")
    return quiz_of(
        found,
        "data",
        "title",
        reply_to=str(question["id"]),
        thread=str(start["id"]),
    )


# -- the burst ---------------------------------------------------------------------------------


def slack_click(
    quiz: Quiz, slack: FakeSlackThread, n: int, pick: int, key: str, channel: str
) -> bytes:
    form = block_actions(
        quiz.ids[pick],
        quiz.values[pick],
        user=slack_user(n),
        channel=channel,
        message_ts=quiz.message_ts,
        response_url=slack.response_url(key),
        text=quiz.labels[pick],
        action_ts=f"{int(time.time())}.{uuid.uuid4().int % 10**6:06d}",
    )
    return str(form).encode()


def teams_click(quiz: Quiz, teams: FakeConnectorThread, n: int, pick: int, channel: str) -> bytes:
    person = teams_member(n)
    activity = channel_mention(
        "",
        service_url=teams.url,
        user_id=person["id"],
        aad_object_id=person["aadObjectId"],
        user_name=person["name"],
        team_id=TEAM_ID,
        channel_id=channel,
        thread_id=quiz.thread,
        activity_id=f"f:{uuid.uuid4().int % 10**19:019d}",
    )
    for key in ("text", "textFormat", "attachments"):
        activity.pop(key, None)
    activity["entities"] = activity["entities"][1:]  # no mention: a click
    activity.update(
        type="invoke",
        name="adaptiveCard/action",
        replyToId=quiz.reply_to,
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "personabot",
                "data": {"personabot": quiz.values[pick]},
            },
            "trigger": "manual",
        },
    )
    return bytes(activity_body(activity))


def burst(
    quizzes: dict[str, Quiz],
    slack: FakeSlackThread,
    teams: FakeConnectorThread,
    *,
    players: Sequence[int],
    window: float,
    seed: int,
    channels: dict[str, str],
) -> list[Click]:
    """Every player's click on each platform, spread over ``window``; some double clicks."""
    rng = random.Random(seed)
    clicks = []
    step = window / max(1, len(players))
    for i, n in enumerate(players):
        for platform_ in PLATFORMS:
            quiz = quizzes[platform_]
            first = rng.randrange(len(quiz.values))
            picks = [first]
            if i % DOUBLE_EVERY == DOUBLE_EVERY - 1:
                picks.append((first + 1) % len(quiz.values))
            for k, pick in enumerate(picks):
                at = i * step + (0.5 * step if platform_ == "teams" else 0.0) + k * DOUBLE_AFTER
                key = f"{n}-{k}"
                body = (
                    slack_click(quiz, slack, n, pick, key, channels["slack"])
                    if platform_ == "slack"
                    else teams_click(quiz, teams, n, pick, channels["teams"])
                )
                clicks.append(Click(platform_, n, bool(k), pick, at, body, key))
    return sorted(clicks, key=lambda c: c.at)


def card_text(card: Any) -> str:
    """The text of an Adaptive Card's TextBlocks."""
    return " ".join(str(b.get("text", "")) for b in buttons_of(card, "TextBlock"))


async def send_burst(
    server: Server, clicks: Sequence[Click], concurrency: int, platforms: Sequence[str] = PLATFORMS
) -> dict[str, Side]:
    """Send each click at its time (open loop); what each platform's clicks saw."""
    sides = {p: Side() for p in platforms}
    urls = {"slack": server.url("/slack/events"), "teams": server.url("/api/messages")}
    sessions = [
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0),
            timeout=aiohttp.ClientTimeout(total=max(LIMITS.values()) * 2),
        )
        for _ in range(concurrency)
    ]

    async def one(index: int, click: Click, start: float) -> None:
        side = sides[click.platform]
        await asyncio.sleep(max(0.0, start + click.at - time.monotonic()))
        began = time.monotonic()
        side.lag = max(side.lag, began - (start + click.at))
        side.first = side.first or began
        if click.platform == "slack":
            headers = {"Content-Type": FORM, **sign(click.body, SECRET, int(time.time()))}
        else:
            headers = {"Content-Type": TEAMS_JSON, "User-Agent": TEAMS_UA}
        side.sent += 1
        try:
            async with sessions[index % concurrency].post(
                urls[click.platform], data=click.body, headers=headers
            ) as resp:
                raw = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            side.failures.append(f"{type(exc).__name__}: {exc}")
            return
        ended = time.monotonic()
        side.statuses[status] += 1
        if status != 200:
            return
        side.latencies.append(ended - began)
        if click.platform == "teams":
            side.last_reply = max(side.last_reply, ended)
            with contextlib.suppress(ValueError, AttributeError):
                card = json.loads(raw)["value"]
                side.answers[(click.player, click.second)] = card_text(card)
                side.cards.setdefault(click.second, card)

    try:
        start = time.monotonic() + 0.2
        await asyncio.gather(*(one(i, c, start) for i, c in enumerate(clicks)))
    finally:
        for session in sessions:
            await session.close()
    return sides


async def slack_replies(slack: FakeSlackThread, side: Side, expected: int, before: int) -> None:
    """Wait (bounded) for the private answers through ``response_url``; file them."""
    with contextlib.suppress(TimeoutError):
        await slack.wait_for_async("response_url", before + expected, timeout=REPLY_TIMEOUT)
    for call in slack.calls_to("response_url")[before:]:
        key = call.path.rsplit("/", 1)[-1]
        player, _, k = key.partition("-")
        if player.isdigit() and k in ("0", "1"):
            side.answers[(int(player), k == "1")] = str(call.params.get("text", ""))
            side.last_reply = max(side.last_reply, call.at)


async def settle(server: Server, *, busy: float = 0.05, interval: float = 0.5) -> None:
    """Wait (bounded) until the server is idle: under ``busy`` s of CPU in ``interval`` s."""
    deadline = time.monotonic() + REPLY_TIMEOUT
    last = server.cpu_seconds()
    while last is not None and time.monotonic() < deadline:
        await asyncio.sleep(interval)
        now = server.cpu_seconds()
        if now is None or now - last < busy:
            return
        last = now


def counted_picks(clicks: Sequence[Click], answers: dict[tuple[int, bool], str]) -> dict[int, int]:
    """Each player's pick that counts, where the private answers tell it.

    A player who clicked once: that pick. A double click: the click told "got it", or the
    other one of the click told "already answered" (the second can overtake the first when
    both are in flight at once); unknown when neither tells (a timeout, both "already").
    """
    by_player: dict[int, list[Click]] = {}
    for click in clicks:
        by_player.setdefault(click.player, []).append(click)
    picks = {}
    for player, mine in by_player.items():
        told = [answers.get((player, c.second), "") for c in mine]
        got = [c for c, t in zip(mine, told, strict=True) if GOT_IT in t]
        already = [c for c, t in zip(mine, told, strict=True) if ALREADY in t]
        if len(mine) == 1:
            picks[player] = mine[0].pick
        elif len(got) == 1:
            picks[player] = got[0].pick
        elif len(already) == 1 and not got:
            picks[player] = next(c for c in mine if c is not already[0]).pick
    return picks


# -- the database ------------------------------------------------------------------------------


def audit(url: str, quiz: Quiz, keys: dict[int, str], picks: dict[int, int]) -> Audit:
    """The stored answers of the quiz's question against the picks that count."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = list(
                conn.execute(
                    text(
                        "SELECT user_key, correct FROM quiz_answers "
                        "WHERE flow_id = :flow AND step = :step"
                    ),
                    {"flow": quiz.flow_id, "step": quiz.step},
                )
            )
            data = conn.execute(
                text("SELECT data FROM flows WHERE id = :flow"), {"flow": quiz.flow_id}
            ).scalar_one()
    finally:
        engine.dispose()
    data = data if isinstance(data, dict) else json.loads(data)
    question = data["questions"][0]
    right = int(question["answer"])
    per_user = Counter(r.user_key for r in rows)
    by_key = {key: n for n, key in keys.items()}
    result = Audit(rows=len(rows), players=len(per_user))
    result.doubled = sum(c - 1 for c in per_user.values())
    result.lost = len(set(keys.values()) - set(per_user))
    result.strangers = len(set(per_user) - set(keys.values()))
    for row in rows:
        n = by_key.get(row.user_key)
        if n in picks and bool(row.correct) != (picks[n] == right):
            result.wrong_pick += 1
    return result
