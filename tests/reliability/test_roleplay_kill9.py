"""kill -9 mid-role-play, then a restart: every role-play resumes at the same turn.

Ten sellers each start ``roleplay <persona>`` in their DM with the bot on Slack (the
local fake Web API) and answer the buyer's objections one by one with the pack's model
answer, each after the previous one was marked. The server is killed with SIGKILL while
their answers are in flight: at the moment one answer's marks reach Slack (that answer is
marked and stored, its reply half sent, its event not yet answered), while others are
being sent, acknowledged or marked. It is started again on the same database. What must
hold, on PostgreSQL and on SQLite:

* answers are stored before they are acknowledged, so the restarted server acts late on
  those the dead one never finished: every acknowledged answer is marked, and its marks
  are posted;
* no answer is marked twice, nor against another turn: each flow's ``marks`` has one
  entry per answered turn, in order, and its transcript one seller line per mark, each
  the answer to that turn; each role-play stands at the turn after its last stored answer;
* Slack's retry of an answer whose delivery the crash cut off counts it once; the same
  payload of an acknowledged answer sent again is ignored;
* typing ``roleplay`` shows the buyer's line of the turn the seller is on, and the
  role-play plays on to its result, which is stored once with the whole transcript.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import itertools
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import aiohttp
from backends import Backend
from fake_slack import Call, FakeSlackThread
from payloads import JSON, dm_message, event_callback, json_body, new_event_id, sign
from procs import SECRET, SLACK_PATH, ServeProcess
from rig import text_of

from bot.i18n import Texts
from content.loader import EXAMPLE_PACK, load_pack
from storage.db import Database
from storage.flows import Flow, FlowStore
from storage.roleplay import RoleplayStore

SELLERS = 10  # of the fake_slack fixture's users U0REL000…U0REL019
PERSONAS = ("cfo-frida", "it-manager-bjorn", "operations-director-oskar", "team-lead-tuva")
BEFORE = 3  # answers each seller sends at most before the crash
KILL_AT = 12  # the crash comes as this many answers' marks have reached Slack
TIMEOUT = 30.0  # bound of every wait (seconds)
# The restarted server acts on answers left unfinished this long (seconds).
REDELIVER_AFTER = "1"
TEXTS = Texts(language="en")
NAMES = {p.id: p.name for p in load_pack(EXAMPLE_PACK).personas}
MARKED = TEXTS("roleplay.marked", objection="", score=0).partition("”")[0]  # 'On “'
RESULT = TEXTS("roleplay.result", score=0, verdict="", pass_mark=0).partition("0/100")[0]


@dataclass
class Answer:
    """One answer sent: the turn it answers, its delivery and what the server said."""

    turn: int
    body: str
    status: int | None = None


@dataclass
class Seller:
    """A user role-playing, as the test drives them."""

    user: str
    persona: str
    flow_id: str = ""
    answers: list[Answer] = field(default_factory=list)

    @property
    def channel(self) -> str:
        return f"D{self.user}"

    @property
    def key(self) -> str:
        return f"slack:{self.user}"


def dm(fake: FakeSlackThread, seller: Seller) -> list[str]:
    """What the bot posted in the seller's DM, as the seller reads it."""
    return [
        html.unescape(text_of(c.params))
        for c in fake.calls_to("chat.postMessage")
        if c.params.get("channel") == seller.channel
    ]


def shown(fake: FakeSlackThread, seller: Seller, words: str) -> int:
    """How many of the bot's messages in the seller's DM say ``words``."""
    return sum(words in posted for posted in dm(fake, seller))


def marks_of(objection: str) -> str:
    """What the marks of an answer to ``objection`` start with."""
    return TEXTS("roleplay.marked", objection=objection, score=0).removesuffix("0/100")


def turns(flow: Flow) -> list[Mapping[str, Any]]:
    return list(flow.data["scenario"]["turns"])


def seller_lines(transcript: Any) -> list[str]:
    return [str(line["text"]) for line in transcript if line["who"] == "seller"]


def checked(flow: Flow) -> Flow:
    """``flow`` after checking that each answered turn is marked once, by its own answer."""
    scenario, data = flow.data["scenario"], flow.data
    marks, said = data["marks"], seller_lines(data["transcript"])
    models = [str(t["model"]) for t in turns(flow)]
    objections = [str(t["lines"][0]) for t in turns(flow)]
    assert said == models[: len(said)], f"an answer marked twice or against another turn: {said}"
    assert len(said) == len(marks), "one seller line per mark"
    assert [m["objection"] for m in marks] == objections[: len(marks)], "a turn marked twice"
    assert all(int(m["score"]) >= int(scenario["pass_mark"]) for m in marks), marks
    assert data["first"] is None, "a model answer was pushed back"
    if flow.active:
        assert int(data["turn"]) == len(marks), "the turn after the last stored answer"
    else:
        assert len(marks) == len(turns(flow)), "ended before its last turn"
    return flow


def all_acted_on(backend: Backend) -> bool:
    """Whether every answer stored before its ack has been acted on."""
    rows = backend.rows("SELECT count(*) FROM processed_events WHERE answered_at IS NULL")
    return int(rows[0][0]) == 0


async def until(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.01)  # polling interval against a deadline
    return found


class Chat:
    """Sends the sellers' messages to one server."""

    def __init__(self, session: aiohttp.ClientSession, url: str, stamps: Iterator[int]) -> None:
        self.session, self.url = session, url
        self._ts = stamps  # one series for the whole test: every message its own ts

    def body(self, seller: Seller, words: str) -> str:
        """A new DM event (its own event id) from ``seller`` saying ``words``."""
        ts = f"1860000000.{next(self._ts):06d}"
        event = dm_message(words, user=seller.user, channel=seller.channel, ts=ts)
        return str(json_body(event_callback(event, event_id=new_event_id())).decode())

    async def send(self, body: str, *, retry: int | None = None) -> int | None:
        """POST a signed event (a Slack retry when ``retry``); its status, None if cut off."""
        raw = body.encode()
        headers = {"Content-Type": JSON, **sign(raw, SECRET, int(time.time()))}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
        try:
            async with self.session.post(
                self.url, data=raw, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
            ) as resp:
                await resp.read()
                return resp.status
        except (aiohttp.ClientError, OSError, TimeoutError):
            return None

    async def say(self, seller: Seller, words: str) -> None:
        assert await self.send(self.body(seller, words)) == 200


def kill_on_marks(fake: FakeSlackThread, server: ServeProcess, count: int) -> asyncio.Event:
    """SIGKILL ``server`` as the ``count``-th marks of an answer reach the fake Slack.

    Done on the fake's own thread, before it answers that ``chat.postMessage``: the
    answer is marked and stored, its reply half sent and its event not yet answered.
    """
    killed, loop, seen = asyncio.Event(), asyncio.get_running_loop(), [0]
    original = fake.fake._record

    def record(call: Call) -> None:
        original(call)
        if call.method == "chat.postMessage" and MARKED in text_of(call.params):
            seen[0] += 1
            if seen[0] == count and server.proc is not None:
                server.proc.send_signal(signal.SIGKILL)
                loop.call_soon_threadsafe(killed.set)

    fake.fake._record = record  # restored by the test (see its finally)
    return killed


# The answer whose reply the crash cut off is redelivered: the role-play remembers the
# message ids it marked (Incoming.id), so it is told "marked already", not marked again
# against the next turn.
def test_kill9_mid_roleplay_resumes_every_roleplay_at_its_turn_and_marks_no_answer_twice(
    backend: Backend, fake_slack: FakeSlackThread, figures: Callable[[str], None]
) -> None:
    sellers = [Seller(f"U0REL{n:03d}", PERSONAS[n % len(PERSONAS)]) for n in range(SELLERS)]

    async def scenario() -> None:
        first = backend.start("before-crash")
        await first.wait_ready()
        db = Database(url=backend.url)
        store = FlowStore(db=db)
        stamps = itertools.count(1)

        def flow(seller: Seller) -> Flow:
            found = store.get(seller.flow_id)
            assert found is not None
            return found

        def started(seller: Seller) -> Flow | None:
            active = store.active(seller.key, now=dt.datetime.now(dt.UTC))
            if active is None or shown(fake_slack, seller, str(active.data["line"])) < 1:
                return None
            return active

        def more(seller: Seller, words: str, than: int) -> bool:
            return shown(fake_slack, seller, words) > than

        def answered(seller: Seller, turn: int) -> bool:
            now = flow(seller)
            objection = str(turns(now)[turn]["lines"][0])
            if not shown(fake_slack, seller, marks_of(objection)):
                return False
            return not now.active or shown(fake_slack, seller, str(now.data["line"])) > 0

        try:
            async with aiohttp.ClientSession() as session:
                chat = Chat(session, first.url(SLACK_PATH), stamps)
                await asyncio.gather(*(chat.say(s, f"roleplay {s.persona}") for s in sellers))
                for seller in sellers:
                    begun = await until(partial(started, seller), f"{seller.user}'s role-play")
                    seller.flow_id = begun.id
                    assert begun.kind == "roleplay" and int(begun.data["turn"]) == 0
                in_flight = 0

                async def play(seller: Seller) -> None:
                    nonlocal in_flight
                    for turn in range(BEFORE):
                        model = str(turns(flow(seller))[turn]["model"])
                        answer = Answer(turn=turn, body=chat.body(seller, model))
                        seller.answers.append(answer)
                        in_flight += 1
                        answer.status = await chat.send(answer.body)
                        in_flight -= 1
                        if answer.status != 200:
                            return  # the server is gone
                        await until(partial(answered, seller, turn), f"{seller.user} {turn}")

                killed = kill_on_marks(fake_slack, first, KILL_AT)
                playing = asyncio.ensure_future(asyncio.gather(*(play(s) for s in sellers)))
                await asyncio.wait_for(killed.wait(), TIMEOUT)
                cut_while = in_flight
                assert not playing.done(), "every answer was marked before the kill: answer more"
                first.kill()
                playing.cancel()  # those waiting for marks the dead server never posted
                await asyncio.gather(playing, return_exceptions=True)
            assert first.proc is not None and first.proc.returncode == -9

            # What the crash caught is lost or kept whole, never doubled.
            after_crash = {s.user: checked(flow(s)) for s in sellers}
            assert all(f.active for f in after_crash.values())
            counted = sum(len(f.data["marks"]) for f in after_crash.values())
            sent = sum(len(s.answers) for s in sellers)
            acked = sum(a.status == 200 for s in sellers for a in s.answers)
            unfinished = not all_acted_on(backend)
            assert unfinished, "the answer whose marks were being posted was left unanswered"

            second = backend.start(
                "after-crash", env={"PERSONABOT_REDELIVER_AFTER": REDELIVER_AFTER}
            )
            ready_in = await second.wait_ready()
            await until(partial(all_acted_on, backend), "the crashed server's answers acted on")
            after_late = {s.user: checked(flow(s)) for s in sellers}
            for seller in sellers:  # every acknowledged answer is marked, its marks posted
                now = after_late[seller.user]
                for answer in (a for a in seller.answers if a.status == 200):
                    assert len(now.data["marks"]) > answer.turn, (seller.user, answer.turn)
                    objection = str(turns(now)[answer.turn]["lines"][0])
                    assert shown(fake_slack, seller, marks_of(objection)), (seller.user, objection)
            late = sum(len(f.data["marks"]) for f in after_late.values()) - counted

            async with aiohttp.ClientSession() as session:
                chat = Chat(session, second.url(SLACK_PATH), stamps)
                # Slack retries a delivery the crash cut off; an acknowledged one it never
                # sends again, but the same payload again is ignored.
                for answer in (s.answers[-1] for s in sellers if s.answers):
                    assert await chat.send(answer.body, retry=1) == 200
                await until(partial(all_acted_on, backend), "the retried answers acted on")
                retried = {s.user: checked(flow(s)) for s in sellers}
                for seller in sellers:
                    assert len(retried[seller.user].data["marks"]) == len(seller.answers)
                recounted = sum(len(f.data["marks"]) for f in retried.values())

                # Typing ``roleplay`` shows the buyer's line of the turn the seller is on.
                for seller in sellers:
                    now = retried[seller.user]
                    line, number = str(now.data["line"]), int(now.data["turn"]) + 1
                    before = shown(fake_slack, seller, line)
                    await chat.say(seller, "roleplay")
                    speaker = TEXTS(
                        "roleplay.speaker",
                        name=NAMES[seller.persona],
                        number=number,
                        total=len(turns(now)),
                    )
                    await until(
                        partial(more, seller, line, before),
                        f"{seller.user}'s role-play resumed at turn {number}",
                    )
                    resumed = [p for p in dm(fake_slack, seller) if line in p][-1]
                    assert speaker in resumed, resumed

                async def finish(seller: Seller) -> None:
                    while (now := flow(seller)).active:
                        turn = int(now.data["turn"])
                        await chat.say(seller, str(turns(now)[turn]["model"]))
                        await until(
                            partial(answered, seller, turn), f"{seller.user}'s answer {turn + 1}"
                        )
                        assert len(checked(flow(seller)).data["marks"]) == turn + 1

                await asyncio.gather(*(finish(s) for s in sellers))
                for seller in sellers:
                    await until(
                        partial(shown, fake_slack, seller, RESULT), f"{seller.user}'s result"
                    )
            assert second.stop() == 0, second.log_tail()

            results = RoleplayStore(db=db)
            for seller in sellers:
                ended = checked(flow(seller))
                assert not ended.active
                (result,) = results.history(seller.key)
                assert result.flow_id == seller.flow_id and result.completed and result.passed
                models = [str(t["model"]) for t in turns(ended)]
                assert seller_lines(result.transcript) == models, "the transcript, once each"
                coach = [line for line in result.transcript if line["who"] == "coach"]
                assert len(coach) == len(models)
                assert shown(fake_slack, seller, RESULT) == 1
        finally:
            vars(fake_slack.fake).pop("_record", None)  # the fake's own again
            db.engine.dispose()
        figures(
            f"{backend.name}: kill -9 as the marks of answer {KILL_AT} were being posted, "
            f"{cut_while} answers in flight; {sent} answers sent, {acked} acknowledged, "
            f"{counted} marked before the crash and {late} acted on late after it (every "
            f"acknowledged one marked once); {recounted - counted - late} cut-off answers "
            f"counted on Slack's retry, replays ignored; restart ready in {ready_in:.2f} s; "
            f"{SELLERS} role-plays resumed at their turn and finished, none marked twice"
        )

    asyncio.run(scenario())
