"""The live channel quiz (Kahoot style): one question at a time, everyone answers, a reveal.

A pack admin starts it in a channel: ``quiz live [persona] [questions N] [seconds S]``
(5 questions, 20 seconds by default). Everyone answers with the question's buttons; an
answer is acknowledged to the clicker alone and counted once per player and question
(right answers score more the faster they come). At the deadline — a timer kept in the
database, so a restart or another replica still reveals, exactly once, fenced by the
flow's step — the bot reveals the right answer and the standings and asks the next
question. ``quiz live stop`` (an admin) ends it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.i18n import Texts
from bot.model import Incoming, Reply
from bot.roles import Roles
from bot.timers import Delivery, conversation_data, conversation_from
from handlers.quiz import QuizHandler, snapshot
from handlers.quiz_views import meta, question_reply
from storage.flows import Flow, FlowStore
from storage.quiz import QuizStore, Standing
from storage.timers import Timer, Timers

KIND = "live"
#: The timer kind of a question's deadline.
REVEAL = "live-reveal"
QUESTIONS = 5
SECONDS = 20
MAX_QUESTIONS = 20
SECONDS_RANGE = (5, 300)
#: Points for a right answer, and at most as many again for answering fast.
POINTS = 10
SHOWN = 5


class LiveQuizHandler:
    """Starts, plays and reveals live quizzes.

    Args:
        quiz: The quiz handler (its question bank).
        roles: Who may start and stop one (pack admins).
        flows: Where live quizzes are kept (one per conversation).
        results: Where answers are kept.
        timers: Where deadlines are kept.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
        rng: Randomness for picking and shuffling.
    """

    shared = True
    free_text = False
    commands: frozenset[str] = frozenset()

    def __init__(
        self,
        *,
        quiz: QuizHandler,
        roles: Roles,
        flows: FlowStore,
        results: QuizStore,
        timers: Timers,
        texts: Texts,
        clock: Callable[[], dt.datetime],
        rng: random.Random | None = None,
    ) -> None:
        self.quiz = quiz
        self.roles = roles
        self.flows = flows
        self.results = results
        self.timers = timers
        self.texts = texts
        self.clock = clock
        self.rng = rng or random.Random()

    # -- starting and stopping --------------------------------------------------------------

    def command(self, message: Incoming, arguments: str) -> Reply:
        """``quiz live [stop | persona] [questions N] [seconds S]``, for admins only."""
        if not self.roles.is_admin(message.user):
            return Reply(text=self.texts("live.admins_only"), meta=meta())
        now = self.clock()
        owner = _owner(message)
        words = arguments.split()
        if [w.casefold() for w in words] in ([w] for w in self.texts.words("live.stop_words")):
            flow = self.flows.end(owner, now=now)
            if flow is None:
                return Reply(text=self.texts("live.none_running"), meta=meta())
            self.timers.cancel(kind=REVEAL, key_prefix=f"{flow.id}:", now=now)
            return self._final(flow, stopped=True)
        if self.flows.active(owner, now=now) is not None:
            return Reply(text=self.texts("live.running"), meta=meta())
        settings = _settings(words, self.texts)
        if isinstance(settings, str):
            return Reply(text=self.texts("live.usage", problem=settings), meta=meta())
        count, seconds, persona = settings
        picked = self._questions(persona, count)
        if isinstance(picked, Reply):
            return picked
        flow = self.flows.start(
            kind=KIND,
            user_key=owner,
            conversation_key=message.conversation.key,
            data={
                "questions": [snapshot(q) for q in picked],
                "index": 0,
                "seconds": seconds,
                "host": message.user.key,
                "conversation": conversation_data(message.conversation),
                "asked_at": now.isoformat(),
            },
            now=now,
            ttl=_ttl(len(picked), seconds),
        )
        self._deadline(flow, now)
        intro = self.texts("live.intro", count=len(picked), seconds=seconds)
        return Reply(text=intro, meta=meta(), then=(self._question(flow),))

    def _questions(self, persona: str, count: int) -> list[Any] | Reply:
        bank = self.quiz.bank()
        if bank.unavailable is not None:
            return Reply(
                text=self.texts(bank.unavailable.key, **bank.unavailable.values), meta=meta()
            )
        scope: tuple[str, ...] = ()
        if persona:
            found = self.quiz.persona_named(persona)
            if found is None:
                return self.quiz.unknown_scope(persona)
            scope = (found,)
        pool = list(bank.about(scope))
        chosen = self.rng.sample(pool, min(count, len(pool)))
        return [q.shuffled(self.rng) for q in chosen]

    def _deadline(self, flow: Flow, now: dt.datetime) -> None:
        due = now + dt.timedelta(seconds=int(flow.data["seconds"]))
        self.timers.set(
            kind=REVEAL,
            key=f"{flow.id}:{flow.step}",
            due_at=due,
            data={"flow": flow.id, "step": flow.step},
            now=now,
        )

    # -- answering --------------------------------------------------------------------------

    def on_pick(self, flow: Flow, message: Incoming, pick: str) -> Reply:
        """Anyone's answer to the current question: counted once, acknowledged privately."""
        question = _current(flow)
        choices: Sequence[str] = question["choices"]
        if not pick.isdigit() or int(pick) >= len(choices):
            return Reply(text=self.texts("flow.unknown"), private=True, meta=meta())
        picked = int(pick)
        now = self.clock()
        asked_at = dt.datetime.fromisoformat(str(flow.data["asked_at"]))
        seconds = int(flow.data["seconds"])
        correct = picked == int(question["answer"])
        left = max(0.0, 1 - (now - asked_at).total_seconds() / seconds)
        points = POINTS + round(POINTS * left) if correct else 0
        self.results.seen(
            message.user.key, email=message.user.email, name=message.user.name, now=now
        )
        answer, box = self.quiz.scored(
            flow, message, question, correct=correct, points=points, now=now
        )
        recorded = self.results.record_once(answer, box)
        key = "live.got_it" if recorded else "live.already"
        lines = [
            self.texts("play.question", number=int(flow.data["index"]) + 1, total=_total(flow)),
            str(question["prompt"]),
            self.texts(key, choice=choices[picked]),
        ]
        return Reply(
            text="\n".join(lines),
            private=True,
            meta=meta(correct=correct) if recorded else meta(),
        )

    def on_text(self, flow: Flow, message: Incoming) -> Reply:
        """A live quiz takes no typed answers (it belongs to a channel, not a person)."""
        return self._question(flow)

    def on_stop(self, flow: Flow, message: Incoming) -> Reply:
        """Not reached: ``stop`` ends a person's own flow; ``quiz live stop`` ends this."""
        return self._final(flow, stopped=True)

    # -- the reveal -------------------------------------------------------------------------

    def reveal(self, timer: Timer, now: dt.datetime) -> list[Delivery]:
        """A question's deadline: reveal it, then ask the next (or end); once per step."""
        flow = self.flows.get(str(timer.data["flow"]))
        if flow is None or not flow.active or flow.step != int(timer.data["step"]):
            return []  # revealed already (a second replica, a fired-again timer) or stopped
        index = int(flow.data["index"])
        done = index + 1 >= _total(flow)
        data = {**flow.data, "index": index + 1, "asked_at": now.isoformat()}
        moved = self.flows.advance(
            flow,
            data=data,
            now=now,
            ttl=_ttl(_total(flow) - index, int(flow.data["seconds"])),
            end=done,
        )
        if moved is None:
            return []
        question = _current(flow)
        answers = self.results.step_answers(flow.id, flow.step)
        right = sum(1 for a in answers if a.correct)
        lines = [
            self.texts("live.reveal", answer=question["choices"][int(question["answer"])]),
            str(question["explanation"]),
            self.texts("live.tally", right=right, answered=len(answers)),
        ]
        reveal = Reply(text="\n".join(lines), meta=meta())
        if done:
            following = self._final(moved, stopped=False)
        else:
            self._deadline(moved, now)
            following = self._question(moved)
        where = conversation_from(flow.data["conversation"])
        return [
            Delivery(to=where, reply=Reply(text=reveal.text, meta=reveal.meta, then=(following,)))
        ]

    def _question(self, flow: Flow) -> Reply:
        footer = self.texts("live.answer_within", seconds=int(flow.data["seconds"]))
        return question_reply(flow, self.texts, personal=True, footer=footer)

    def _final(self, flow: Flow, *, stopped: bool) -> Reply:
        top, _ = self.results.leaderboard(since=None, limit=SHOWN, viewer="", flow_id=flow.id)
        lines = [self.texts("live.stopped" if stopped else "live.over")]
        lines.extend(_row(s) for s in top)
        if not top:
            lines.append(self.texts("leaderboard.empty"))
        return Reply(text="\n".join(lines), meta=meta(completed=not stopped))


def _owner(message: Incoming) -> str:
    """The flow owner of a conversation's live quiz: one per conversation."""
    return f"live:{message.conversation.key}"


def _current(flow: Flow) -> Mapping[str, Any]:
    questions: Sequence[Mapping[str, Any]] = flow.data["questions"]
    return questions[min(int(flow.data["index"]), len(questions) - 1)]


def _total(flow: Flow) -> int:
    return len(flow.data["questions"])


def _ttl(questions: int, seconds: int) -> dt.timedelta:
    """How long a live quiz lives: its questions' time, and an hour for a late reveal."""
    return dt.timedelta(seconds=questions * seconds) + dt.timedelta(hours=1)


def _row(standing: Standing) -> str:
    return f"{standing.rank:>2}. {standing.name} · {standing.points}"


def _settings(words: Sequence[str], texts: Texts) -> tuple[int, int, str] | str:
    """Questions, seconds and a persona from ``[persona] [questions N] [seconds S]``."""
    count, seconds = QUESTIONS, SECONDS
    questions_words = {w.casefold() for w in texts.words("live.questions_words")}
    seconds_words = {w.casefold() for w in texts.words("live.seconds_words")}
    rest: list[str] = []
    index = 0
    while index < len(words):
        word = words[index].casefold()
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in questions_words | seconds_words:
            if not following.isdigit():
                return texts("live.needs_number", word=words[index])
            value = int(following)
            if word in questions_words:
                count = value
            else:
                seconds = value
            index += 2
            continue
        rest.append(words[index])
        index += 1
    if not 1 <= count <= MAX_QUESTIONS:
        return texts("live.bad_questions", most=MAX_QUESTIONS)
    if not SECONDS_RANGE[0] <= seconds <= SECONDS_RANGE[1]:
        return texts("live.bad_seconds", least=SECONDS_RANGE[0], most=SECONDS_RANGE[1])
    return count, seconds, " ".join(rest)
