"""kill -9 a served bot while quiz answers are being clicked: quizzes resume, none counts twice.

Twenty sellers play a quiz each in their DM with the bot on Slack (the local fake Web
API), clicking an answer to each question as it is posted. The server is killed with
SIGKILL while their clicks are in flight, then started again on the same database. What
must hold, on PostgreSQL and on SQLite:

* the database is whole at once: each quiz has exactly one answer per question it got
  past, in the order it asked them, none twice, and its step is its number of answers;
* clicks are stored before they are acknowledged, so the restarted server acts late on
  those the dead one never finished: every acknowledged click counts, once;
* the same payload of an acknowledged click sent again is ignored; a new click on the
  same button counts if the crash cut the first off before it was stored, and is told
  "answered already" otherwise;
* typing ``quiz`` shows the question the seller was on (same quiz, same number, the same
  buttons); clicking its right answer is scored right, and the quiz plays on to its
  score with five answers, each counted once.
"""

from __future__ import annotations

import asyncio
import html
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import aiohttp
from backends import Backend
from fake_slack import Call, FakeSlackThread
from payloads import FORM, JSON, block_actions, dm_message, event_callback, json_body, sign
from procs import SECRET, SLACK_PATH
from rig import text_of

from bot.flows import FlowAction
from bot.i18n import Texts
from handlers.quiz import LENGTH

SELLERS = 20  # the fake_slack fixture's users U0REL000…U0REL019
BEFORE = 3  # questions each seller answers at most before the crash
KILL_AFTER = 25  # answered questions edited in (chat.update) before the kill
TIMEOUT = 30.0  # bound of every wait (seconds)
# The restarted server acts on clicks left unfinished this long (seconds): after the
# restart, the crashed server's are all that old.
REDELIVER_AFTER = "1"
TEXTS = Texts(language="en")


@dataclass
class Click:
    """One click sent: the button it names and what the server said."""

    action: FlowAction
    post: Call
    button: dict[str, Any]
    body: str
    status: int | None = None

    @property
    def message_ts(self) -> str:
        """The clicked message (a question the bot posted)."""
        return str(self.post.response["ts"])

    @property
    def key(self) -> tuple[str, int]:
        """The flow step it answers."""
        return (self.action.flow_id, self.action.step)


@dataclass
class Seller:
    """A user playing, as the test drives them."""

    user: str
    clicks: list[Click] = field(default_factory=list)

    @property
    def channel(self) -> str:
        return f"D{self.user}"

    @property
    def key(self) -> str:
        return f"slack:{self.user}"


@dataclass(frozen=True)
class Quiz:
    """A quiz flow as stored, with its answers."""

    id: str
    step: int
    nonce: str
    index: int
    ended: bool
    questions: list[dict[str, Any]]
    answers: list[Any]


def buttons(call: Call) -> list[dict[str, Any]]:
    blocks = call.params.get("blocks") or []
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


def action_of(button: dict[str, Any]) -> FlowAction:
    action = FlowAction.parse(button["value"])
    assert action is not None, button
    return action


def question_posts(fake: FakeSlackThread, seller: Seller, flow_id: str, step: int) -> list[Call]:
    """The messages in the seller's DM whose buttons answer ``flow_id`` at ``step``."""
    posts = []
    for call in fake.calls_to("chat.postMessage"):
        found = buttons(call) if call.params.get("channel") == seller.channel else []
        if found and (action_of(found[0]).flow_id, action_of(found[0]).step) == (flow_id, step):
            posts.append(call)
    return posts


def question_post(
    fake: FakeSlackThread, seller: Seller, flow_id: str, step: int, shown: int = 1
) -> Call | None:
    """The latest such message, once it was shown ``shown`` times (else None)."""
    posts = question_posts(fake, seller, flow_id, step)
    return posts[-1] if len(posts) >= shown else None


def first_question(fake: FakeSlackThread, seller: Seller) -> Call | None:
    """The first message with buttons in the seller's DM."""
    return next(
        (
            c
            for c in fake.calls_to("chat.postMessage")
            if c.params.get("channel") == seller.channel and buttons(c)
        ),
        None,
    )


def edited(fake: FakeSlackThread, message_ts: str) -> bool:
    """Whether the message posted at ``message_ts`` was edited (an answered question)."""
    return any(u.params.get("ts") == message_ts for u in fake.calls_to("chat.update"))


def told(fake: FakeSlackThread, seller: Seller, words: str, at_least: int = 0) -> int:
    """How many messages in the seller's DM say ``words`` (0 if fewer than ``at_least``)."""
    count = sum(
        c.params.get("channel") == seller.channel and words in text_of(c.params)
        for c in fake.calls_to("chat.postMessage")
    )
    return count if count >= at_least else 0


def dm_of(fake: FakeSlackThread, seller: Seller) -> list[str]:
    """What the bot did in the seller's DM, for a failure's message."""
    return [
        f"{c.at:.3f} {c.method} {c.params.get('ts', '')} {text_of(c.params)[:30]!r} "
        f"{[b['value'][:60] for b in buttons(c)[:1]]}"
        for c in fake.calls
        if c.params.get("channel") == seller.channel
    ]


def all_acted_on(backend: Backend) -> bool:
    """Whether every click and question stored before its ack has been acted on."""
    rows = backend.rows("SELECT count(*) FROM processed_events WHERE answered_at IS NULL")
    return int(rows[0][0]) == 0


async def until(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.01)  # polling interval against a deadline
    return found


async def send(
    session: aiohttp.ClientSession, url: str, body: str, content_type: str
) -> int | None:
    """POST a signed body; its status, or None when the connection failed."""
    raw = body.encode()
    headers = {"Content-Type": content_type, **sign(raw, SECRET, int(time.time()))}
    try:
        async with session.post(
            url, data=raw, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
        ) as resp:
            await resp.read()
            return resp.status
    except (aiohttp.ClientError, OSError, TimeoutError):
        return None


async def type_quiz(session: aiohttp.ClientSession, url: str, seller: Seller, n: int) -> None:
    event = dm_message("quiz", user=seller.user, channel=seller.channel, ts=f"1850000000.{n:06d}")
    body = json_body(event_callback(event)).decode()
    assert await send(session, url, body, JSON) == 200


def click_body(seller: Seller, call: Call, button: dict[str, Any]) -> Click:
    ts = str(call.response["ts"])
    body = block_actions(
        button["action_id"],
        button["value"],
        user=seller.user,
        channel=seller.channel,
        message_ts=ts,
        text=button["text"]["text"],
    )
    return Click(action=action_of(button), post=call, button=button, body=body)


def quizzes(backend: Backend) -> dict[str, list[Quiz]]:
    """Every quiz by user, after checking the answers stored are whole and counted once.

    One statement reads the quizzes with their answers: one snapshot, while other
    sellers' answers are being committed.
    """
    rows = backend.rows(
        "SELECT f.id, f.user_key, f.step AS flow_step, f.nonce, f.data, f.ended_at, "
        "a.step, a.user_key AS answered_by, a.question_id, a.correct, a.points "
        "FROM flows f LEFT JOIN quiz_answers a ON a.flow_id = f.id ORDER BY f.id, a.step"
    )
    answers = [r for r in rows if r.step is not None]
    once = Counter((a.id, a.step, a.answered_by) for a in answers)
    assert max(once.values(), default=1) == 1, "a flow step answered twice"
    asked = Counter((a.id, a.question_id) for a in answers)
    assert max(asked.values(), default=1) == 1, "a question of one quiz answered twice"
    found: dict[str, list[Quiz]] = {}
    for flow_id in dict.fromkeys(r.id for r in rows):
        mine = [r for r in rows if r.id == flow_id]
        row = mine[0]
        data = row.data if isinstance(row.data, dict) else json.loads(row.data)
        quiz = Quiz(
            id=row.id,
            step=row.flow_step,
            nonce=row.nonce,
            index=int(data["index"]),
            ended=row.ended_at is not None,
            questions=data["questions"],
            answers=[a for a in mine if a.step is not None],
        )
        # One answer per question the quiz got past, in the order it asked them.
        assert [a.question_id for a in quiz.answers] == [
            q["id"] for q in quiz.questions[: quiz.index]
        ]
        assert all(a.answered_by == row.user_key for a in quiz.answers)
        assert quiz.step == quiz.index, "a quiz's step is the number of its answers"
        assert int(data["right"]) == sum(bool(a.correct) for a in quiz.answers)
        assert all(a.points == (10 if a.correct else 0) for a in quiz.answers)
        found.setdefault(row.user_key, []).append(quiz)
    orphans = backend.rows(
        "SELECT count(*) FROM quiz_answers WHERE flow_id NOT IN (SELECT id FROM flows)"
    )
    assert orphans[0][0] == 0, "answers of no quiz"
    return found


def test_kill9_while_quiz_answers_are_clicked_loses_no_quiz_and_counts_no_answer_twice(
    backend: Backend, fake_slack: FakeSlackThread, figures: Callable[[str], None]
) -> None:
    sellers = [Seller(f"U0REL{n:03d}") for n in range(SELLERS)]

    async def scenario() -> None:
        first = backend.start("before-crash")
        await first.wait_ready()
        url = first.url(SLACK_PATH)
        in_flight = 0
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(type_quiz(session, url, s, n) for n, s in enumerate(sellers)))

            def every_first() -> list[Call] | None:
                posts = [first_question(fake_slack, s) for s in sellers]
                return [p for p in posts if p is not None] if all(posts) else None

            firsts = await until(every_first, "every seller's first question")
            flow_of = {
                s.user: action_of(buttons(c)[0]).flow_id
                for s, c in zip(sellers, firsts, strict=True)
            }

            async def play(seller: Seller) -> None:
                nonlocal in_flight
                for step in range(BEFORE):
                    post = await until(
                        partial(question_post, fake_slack, seller, flow_of[seller.user], step),
                        f"{seller.user}'s question {step + 1}",
                    )
                    found = buttons(post)
                    click = click_body(seller, post, found[(step + len(seller.user)) % len(found)])
                    seller.clicks.append(click)
                    in_flight += 1
                    click.status = await send(session, url, click.body, FORM)
                    in_flight -= 1
                    if click.status != 200:
                        return  # the server is gone

            playing = asyncio.ensure_future(asyncio.gather(*(play(s) for s in sellers)))
            await fake_slack.wait_for_async("chat.update", KILL_AFTER, timeout=TIMEOUT)
            assert not playing.done(), "every click was answered before the kill: click more"
            cut_while = in_flight
            first.kill()
            playing.cancel()  # those waiting for a question the dead server never posted
            await asyncio.gather(playing, return_exceptions=True)
        assert first.proc is not None and first.proc.returncode == -9

        # The database is whole at once; what the crash caught is lost, never doubled.
        after_crash = quizzes(backend)
        assert sorted(after_crash) == sorted(s.key for s in sellers)
        assert all(len(q) == 1 and not q[0].ended for q in after_crash.values())
        # No quiz was shown again yet: each one's step is the number of its answers.
        assert all(q[0].step == len(q[0].answers) for q in after_crash.values())
        sent = sum(len(s.clicks) for s in sellers)
        counted = sum(len(q[0].answers) for q in after_crash.values())
        acked = sum(c.status == 200 for s in sellers for c in s.clicks)
        assert counted <= sent

        second = backend.start("after-crash", env={"PERSONABOT_REDELIVER_AFTER": REDELIVER_AFTER})
        ready_in = await second.wait_ready()
        url = second.url(SLACK_PATH)
        # Clicks are stored before they are acknowledged: the restarted server acts late
        # on every click the dead one took and never finished. Then each acknowledged
        # click has counted, and none twice.
        await until(partial(all_acted_on, backend), "the crashed server's clicks acted on")
        after_late = quizzes(backend)
        stored = {(q[0].id, a.step) for q in after_late.values() for a in q[0].answers}
        lost = [c for s in sellers for c in s.clicks if c.status == 200 and c.key not in stored]
        assert not lost, f"acknowledged clicks never counted: {lost[:3]}"
        late = len(stored) - counted
        stale = TEXTS("flow.stale")
        async with aiohttp.ClientSession() as session:
            # The same payload again (a replay) of an acknowledged click is ignored; a new
            # click on the same button, as someone clicks again when nothing seemed to
            # happen, counts if the crash cut the first one off before it was stored, and
            # is told otherwise.
            replays = [(s, s.clicks[-1]) for s in sellers if s.clicks]
            told_before = {s.user: told(fake_slack, s, stale) for s, _ in replays}
            fresh = {
                s.user: (q := after_late[s.key][0]).step == c.action.step
                and q.nonce == c.action.nonce
                for s, c in replays
            }
            again = {s.user: click_body(s, c.post, c.button) for s, c in replays}
            for seller, click in replays:
                if click.status == 200:  # stored before its ack: the same payload is ignored
                    assert await send(session, url, click.body, FORM) == 200
                assert await send(session, url, again[seller.user].body, FORM) == 200
            for seller, click in replays:  # each reply goes out after its answer is stored
                if fresh[seller.user]:
                    await until(
                        partial(edited, fake_slack, click.message_ts),
                        f"{seller.user}'s click again edited in",
                    )
                else:
                    await until(
                        partial(told, fake_slack, seller, stale, told_before[seller.user] + 1),
                        f"{seller.user} told the click again was answered already",
                    )
            before_resume = {k: q[0] for k, q in quizzes(backend).items()}
            recounted = sum(len(q.answers) for q in before_resume.values())
            assert recounted == len(stored) + sum(fresh.values())

            # Typing ``quiz`` shows the question each seller was on, in the same quiz, with
            # the same buttons (they stay valid).
            shown_before = {
                seller.user: len(question_posts(fake_slack, seller, q.id, q.step))
                for seller in sellers
                if (q := before_resume[seller.key])
            }
            for n, seller in enumerate(sellers):
                await type_quiz(session, url, seller, 100 + n)
            for seller in sellers:
                quiz = before_resume[seller.key]
                post = await until(
                    partial(
                        question_post,
                        fake_slack,
                        seller,
                        quiz.id,
                        quiz.step,
                        shown_before[seller.user] + 1,
                    ),
                    f"{seller.user}'s quiz resumed: {dm_of(fake_slack, seller)}",
                )
                shown = html.unescape(text_of(post.params))
                number = TEXTS("play.question", number=quiz.index + 1, total=LENGTH)
                assert number in shown and quiz.questions[quiz.index]["prompt"] in shown, shown
                assert len(buttons(post)) == len(quiz.questions[quiz.index]["choices"])

            # Its right answer is scored right, and the quiz plays on to its score.
            async def finish(seller: Seller) -> None:
                while True:
                    (quiz,) = quizzes(backend)[seller.key]
                    if quiz.ended:
                        return
                    post = await until(
                        partial(question_post, fake_slack, seller, quiz.id, quiz.step),
                        f"{seller.user}'s question at step {quiz.step}",
                    )
                    right = str(quiz.questions[quiz.index]["answer"])
                    button = next(b for b in buttons(post) if action_of(b).pick == right)
                    click = click_body(seller, post, button)
                    assert await send(session, url, click.body, FORM) == 200
                    await until(
                        partial(edited, fake_slack, click.message_ts),
                        f"{seller.user}'s answer {quiz.index + 1} edited in",
                    )
                    (now,) = quizzes(backend)[seller.key]
                    assert len(now.answers) == quiz.index + 1
                    assert now.answers[-1].correct, "the right answer was scored wrong"

            await asyncio.gather(*(finish(s) for s in sellers))
        assert second.stop() == 0, second.log_tail()

        final = quizzes(backend)
        for seller, _ in replays:  # the replayed payloads were ignored: told once at most
            expected = told_before[seller.user] + (0 if fresh[seller.user] else 1)
            assert told(fake_slack, seller, stale) == expected, dm_of(fake_slack, seller)
        for seller in sellers:
            (quiz,) = final[seller.key]
            assert quiz.ended and quiz.index == LENGTH and len(quiz.answers) == LENGTH
            assert quiz.id == before_resume[seller.key].id
            assert quiz.step == LENGTH
        figures(
            f"{backend.name}: kill -9 with {cut_while} clicks in flight; {sent} clicks sent, "
            f"{acked} acknowledged, {counted} counted before the crash and {late} acted on "
            f"late after it (every acknowledged one counted); replayed payloads ignored; "
            f"{sum(fresh.values())} of {len(replays)} clicks again counted (the crash had cut "
            f"them off), the rest told 'answered already'; restart ready in {ready_in:.2f} s; "
            f"{SELLERS} quizzes resumed at the question they were on and finished with "
            f"{LENGTH} answers each, none twice"
        )

    asyncio.run(scenario())
