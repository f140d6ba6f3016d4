"""kill -9 while sellers send feedback: no acknowledged feedback is lost, none stored twice.

Twenty sellers DM the bot ``feedback <persona>: <text>`` on Slack (the local fake Web
API), each text distinct, from concurrent clients, the stream at most 40 messages ahead of
the confirmations (acknowledged, not yet stored: so the crash finds some). The server is
killed with SIGKILL at the moment one confirmation ("saved as feedback #n") reaches Slack,
while others are being sent, acknowledged and stored; then it is started again on the same
database and Slack retries the deliveries the crash cut off. What must hold, on PostgreSQL
and on SQLite:

* never "thanks" without a saved row: right after the crash, before any restart, every
  confirmation posted names a stored row holding that seller's text;
* every delivery acknowledged with 200 is stored or kept (its claim with the payload)
  for the restarted server, which stores and confirms it late;
* in the end every feedback sent is stored exactly once (``FeedbackStore.of_reporter``
  per seller, a count per message id), nothing else is, and each seller was told its
  number; a second confirmation ("you sent this already", same number) only for one
  whose confirmation went out in the crash's last moments;
* the same payload of an acknowledged delivery sent again is ignored.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from backends import Backend
from fake_slack import Call, FakeSlackThread
from payloads import JSON, dm_message, event_callback, json_body, new_event_id, sign
from procs import SECRET, SLACK_PATH, ServeProcess, bounded, settled
from rig import text_of

from bot.i18n import Texts
from storage.db import Database
from storage.feedback import FeedbackStore

SELLERS = 20  # the fake_slack fixture's users U0REL000…U0REL019
SENDS = 200  # feedback DMs before the crash (the crash cuts the stream off)
CONCURRENCY = 20
KILL_AT = 60  # the crash comes as this many confirmations have reached Slack
# Feedback n is sent once n - AHEAD have been confirmed: the stream outruns the server by
# at most this many (acknowledged, not yet stored) and cannot end before the crash.
AHEAD = 40
AFTER = 10  # new feedback DMs to the restarted server
TIMEOUT = 60.0  # bound of every wait (seconds)
# The restarted server acts on deliveries left unfinished this long (seconds).
REDELIVER_AFTER = "1"
# (what sellers call the persona, its id)
PERSONAS = (
    ("Frida", "cfo-frida"),
    ("Bjørn", "it-manager-bjorn"),
    ("Oskar", "operations-director-oskar"),
    ("Tuva", "team-lead-tuva"),
)
HEARD = (
    "customers now ask for monthly billing instead of a yearly licence",
    "the auditors want a log of every change to a work order",
    "they compare us with a cheaper local competitor every time",
    "technicians need the app to work offline in basements",
    "the board asks for payback within twelve months now",
    "dispatchers say the schedule view is too slow on old laptops",
    "they worry that the migration will stop billing for a month",
    "security wants single sign-on before any pilot starts",
)
TEXTS = Texts(language="en")
# A confirmation names the feedback's number: "Thanks, saved as feedback #12 about …", or
# for a delivery acted on again "You sent this already: it is saved as feedback #12 …".
CONFIRMED = re.compile(r"feedback #(\d+) about")
AGAIN = TEXTS("feedback.stored_again", id=0, persona="").partition(":")[0]


@dataclass
class Sent:
    """One feedback DM: who sent what, its Slack message id, and what the server said."""

    user: str
    persona: str
    said: str  # the feedback text after ``feedback <persona>:``
    origin: str  # the message's client_msg_id: FeedbackRow.origin
    event_id: str
    body: bytes
    status: int | None = None
    retried: int | None = None

    @property
    def key(self) -> str:
        return f"slack:{self.user}"

    @property
    def acknowledged(self) -> bool:
        return 200 in (self.status, self.retried)


def feedback_dm(n: int, stamps: Iterator[int]) -> Sent:
    """The ``n``-th feedback DM: seller, persona and words rotate, each text its own."""
    user = f"U0REL{n % SELLERS:03d}"
    alias, persona = PERSONAS[n % len(PERSONAS)]
    said = f"{HEARD[n % len(HEARD)]} (report {n})"
    ts = f"1870000000.{next(stamps):06d}"
    event = dm_message(f"feedback {alias}: {said}", user=user, channel=f"D{user}", ts=ts)
    event_id = new_event_id()
    body = json_body(event_callback(event, event_id=event_id))
    return Sent(user, persona, said, str(event["client_msg_id"]), event_id, body)


async def deliver(
    session: aiohttp.ClientSession, url: str, body: bytes, *, retry: int | None = None
) -> int | None:
    """POST a signed event (a Slack retry when ``retry``); its status, None if cut off."""
    headers = {"Content-Type": JSON, **sign(body, SECRET, int(time.time()))}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
        ) as resp:
            await resp.read()
            return resp.status
    except (aiohttp.ClientError, OSError, TimeoutError):
        return None


def confirmations(fake: FakeSlackThread) -> list[tuple[str, int, str]]:
    """Every confirmation the bot posted: (seller, feedback number, text as shown)."""
    found = []
    for call in fake.calls_to("chat.postMessage"):
        channel, shown = str(call.params.get("channel", "")), html.unescape(text_of(call.params))
        match = CONFIRMED.search(shown)
        if match and channel.startswith("DU0REL"):
            found.append((channel[1:], int(match.group(1)), shown))
    return found


def stored(backend: Backend) -> dict[int, tuple[str, str | None, str]]:
    """Every feedback row: id -> (reporter, origin, text)."""
    rows = backend.rows("SELECT id, reporter_key, origin, text FROM feedback")
    return {int(r[0]): (str(r[1]), r[2], str(r[3])) for r in rows}


def kept(backend: Backend) -> set[str]:
    """Deliveries claimed with their payload (before their ack), not yet acted on."""
    rows = backend.rows(
        "SELECT event_id FROM processed_events WHERE answered_at IS NULL AND payload IS NOT NULL"
    )
    return {str(r[0]) for r in rows}


def unfinished(backend: Backend) -> int:
    """Deliveries claimed (stored before their ack) but not yet acted on."""
    rows = backend.rows("SELECT count(*) FROM processed_events WHERE answered_at IS NULL")
    return int(rows[0][0])


def check_confirmed_are_stored(fake: FakeSlackThread, backend: Backend, sent: list[Sent]) -> int:
    """Assert each confirmation names a stored row with its seller's text; how many."""
    by_origin = {(s.key, s.origin): s for s in sent}
    rows = stored(backend)
    shown = confirmations(fake)
    for user, number, words in shown:
        assert number in rows, f"confirmed #{number} to {user} but no such row: {words}"
        reporter, origin, said = rows[number]
        assert reporter == f"slack:{user}", (number, reporter, user)
        mine = by_origin.get((reporter, str(origin)))
        assert mine is not None and said == mine.said, (number, said, mine)
    return len(shown)


async def until(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.02)  # polling interval against a deadline
    return found


def kill_on_confirmation(
    fake: FakeSlackThread, server: ServeProcess, count: int
) -> tuple[asyncio.Event, list[int]]:
    """SIGKILL ``server`` as the ``count``-th confirmation reaches the fake Slack.

    Done on the fake's own thread, before it answers that ``chat.postMessage``: the
    feedback is stored and confirmed, its delivery not yet marked answered. Returns the
    event set once killed, and the count of confirmations so far (one item, updated).
    """
    killed, loop, seen = asyncio.Event(), asyncio.get_running_loop(), [0]
    original = fake.fake._record

    def record(call: Call) -> None:
        original(call)
        if call.method == "chat.postMessage" and CONFIRMED.search(text_of(call.params)):
            seen[0] += 1
            if seen[0] == count and server.proc is not None:
                server.proc.send_signal(signal.SIGKILL)
                loop.call_soon_threadsafe(killed.set)

    fake.fake._record = record  # type: ignore[method-assign]  # restored (see finally)
    return killed, seen


def test_kill9_while_feedback_is_sent_loses_no_acknowledged_feedback_and_stores_none_twice(
    backend: Backend, fake_slack: FakeSlackThread, figures: Callable[[str], None]
) -> None:
    for key in ("feedback.stored", "feedback.stored_again"):  # what the test looks for
        assert CONFIRMED.search(TEXTS(key, id=7, persona="CFO Frida")), key
    stamps = itertools.count(1)
    sent = [feedback_dm(n, stamps) for n in range(SENDS)]

    async def scenario() -> None:
        first = backend.start("before-crash")
        await first.wait_ready()
        db = Database(url=backend.url)
        try:
            async with aiohttp.ClientSession() as session:
                killed, confirmed = kill_on_confirmation(fake_slack, first, KILL_AT)

                async def send(n: int, item: Sent) -> None:
                    await until(
                        lambda: killed.is_set() or confirmed[0] >= n - AHEAD, f"room for {n}"
                    )
                    item.status = await deliver(session, first.url(SLACK_PATH), item.body)

                jobs = [send(n, s) for n, s in enumerate(sent)]
                sending = asyncio.ensure_future(bounded(jobs, CONCURRENCY))
                await asyncio.wait_for(killed.wait(), TIMEOUT)
                assert not sending.done(), "every feedback was sent before the kill: send more"
                first.kill()
                await sending
            assert first.proc is not None and first.proc.returncode == -9
            await settled(fake_slack)  # what the dead server sent is all recorded

            # Never "thanks" without a saved row: checked before anything could repair it.
            told_before = check_confirmed_are_stored(fake_slack, backend, sent)
            confirmed_before = {(user, n) for user, n, _ in confirmations(fake_slack)}
            acked = [s for s in sent if s.status == 200]
            cut_off = [s for s in sent if s.status != 200]
            assert cut_off, "the kill cut no delivery off: send more"
            rows_before = stored(backend)
            saved = {(r[0], r[1]) for r in rows_before.values()}
            waiting = kept(backend)
            lost = [
                s for s in acked if (s.key, s.origin) not in saved and s.event_id not in waiting
            ]
            assert not lost, f"{len(lost)} acknowledged, neither stored nor kept: {lost[:3]}"
            stored_later = sum((s.key, s.origin) not in saved for s in acked)

            second = backend.start(
                "after-crash", env={"PERSONABOT_REDELIVER_AFTER": REDELIVER_AFTER}
            )
            ready_in = await second.wait_ready()
            await until(lambda: unfinished(backend) == 0, "acknowledged ones acted on")
            late = len(stored(backend)) - len(rows_before)
            assert late >= stored_later, (late, stored_later)
            async with aiohttp.ClientSession() as session:
                url = second.url(SLACK_PATH)
                # Slack retries what the crash cut off; an acknowledged one it never
                # sends again, but the same payload again is ignored.
                for item in cut_off:
                    item.retried = await deliver(session, url, item.body, retry=1)
                replays = [await deliver(session, url, s.body, retry=2) for s in acked[:10]]
                fresh = [feedback_dm(SENDS + n, stamps) for n in range(AFTER)]
                for item in fresh:
                    item.status = await deliver(session, url, item.body)
            everything = [*sent, *fresh]
            assert all(s.acknowledged for s in everything), [
                (s.status, s.retried) for s in everything if not s.acknowledged
            ]
            assert replays == [200] * len(replays)

            def all_told() -> bool:
                numbers = {(user, n) for user, n, _ in confirmations(fake_slack)}
                return unfinished(backend) == 0 and len(numbers) >= len(everything)

            await until(all_told, "every feedback confirmed")
            assert second.stop() == 0, second.log_tail()

            # Stored exactly once each, as its seller wrote it; nothing else stored.
            store = FeedbackStore(db=db)
            for user in {s.user for s in everything}:
                mine = store.of_reporter(f"slack:{user}", limit=SENDS + AFTER)
                expected = sorted(s.said for s in everything if s.user == user)
                assert sorted(q.text for q in mine) == expected, user
            counts = backend.rows(
                "SELECT reporter_key, origin, count(*) FROM feedback GROUP BY reporter_key, origin"
            )
            assert {(r[0], r[1]): int(r[2]) for r in counts} == {
                (s.key, s.origin): 1 for s in everything
            }
            check_confirmed_are_stored(fake_slack, backend, everything)
            rows = stored(backend)
            number_of = {(r[0], r[1]): n for n, r in rows.items()}
            told = Counter((user, n) for user, n, _ in confirmations(fake_slack))
            twice = 0
            for item in everything:
                number = (item.user, number_of[(item.key, item.origin)])
                times = told[number]
                # Twice only when the first went out in the crash's last moments (the
                # delivery not yet marked answered, so acted on again: "sent already").
                assert times == 1 or (times == 2 and number in confirmed_before), (item, times)
                twice += times == 2
            again = [w for _, _, w in confirmations(fake_slack) if AGAIN in w]
            assert len(again) == twice, again
        finally:
            vars(fake_slack.fake).pop("_record", None)  # the fake's own again
            db.engine.dispose()
        figures(
            f"{backend.name}: kill -9 at confirmation {KILL_AT} of {SENDS} feedback DMs "
            f"({CONCURRENCY} clients): {len(acked)} acknowledged, {len(cut_off)} cut off, "
            f"{len(rows_before)} stored and {told_before} confirmed before the crash (every "
            f"confirmation a stored row), {stored_later} acknowledged ones kept unstored; restart "
            f"ready in {ready_in:.2f} s, {late} stored late from their kept payload, "
            f"{len(cut_off)} retries and {AFTER} new DMs stored; "
            f"{len(everything)} feedback rows, each once; {twice} confirmed twice "
            f"('{AGAIN}', same number), {len(replays)} replays ignored"
        )

    asyncio.run(scenario())
