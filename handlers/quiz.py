"""Onboarding quizzes: questions from the live personas, scored at once, spaced over time.

``quiz`` starts five questions picked by spaced repetition (what you missed comes back
first, what you mastered rarely); ``quiz <persona>`` asks about one persona; ``quiz
<id>`` plays an authored quiz from the pack's ``quizzes/``. The quiz is a flow
(:mod:`bot.flows`): its questions are fixed when it starts, so a restart or another
replica asks the same question with the same choices, and each question is accepted
once (a second click, an old button or a replayed payload changes nothing). Every
answer is stored with the step that accepts it, together with the player's Leitner box.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.flows import FlowHandler
from bot.i18n import Texts
from bot.model import Incoming, Reply
from content.catalog import Catalog
from content.quiz import spacing
from content.quiz.authored import authored_questions
from content.quiz.questions import BankCache, Question, QuizBank
from content.schema import Pack
from handlers.quiz_views import LETTERS, meta, question_reply, score_reply, verdict_reply
from storage.flows import Flow, FlowStore
from storage.quiz import Answer, Box, QuizStore

KIND = "quiz"
#: Questions in a quiz.
LENGTH = 5
#: Points for a right answer.
POINTS = 10
#: A quiz nobody answers for this long is abandoned.
TTL = dt.timedelta(days=7)


class QuizHandler(FlowHandler):
    """Starts quizzes and plays them.

    Args:
        catalog: Returns the live personas (a new one after content changes).
        pack: The pack (authored quizzes, onboarding track).
        texts: Texts in the pack's language.
        flows: Where quizzes are kept.
        results: Where answers and boxes are kept.
        clock: Returns the current time (timezone-aware).
        rng: Randomness for picking and shuffling (seeded in tests).
    """

    shared = False
    free_text = False
    commands: frozenset[str] = frozenset()

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        pack: Pack,
        texts: Texts,
        flows: FlowStore,
        results: QuizStore,
        clock: Callable[[], dt.datetime],
        rng: random.Random | None = None,
    ) -> None:
        self.catalog = catalog
        self.pack = pack
        self.texts = texts
        self.flows = flows
        self.results = results
        self.clock = clock
        self.rng = rng or random.Random()
        self.banks = BankCache()

    # -- starting ---------------------------------------------------------------------------

    def bank(self) -> QuizBank:
        """Every question the live content allows."""
        return self.banks.get(self.catalog(), self.texts)

    def command(self, message: Incoming, arguments: str) -> Reply:
        """``quiz [persona | quiz id]``: start a quiz (or show the running one again)."""
        now = self.clock()
        running = self.flows.active(message.user.key, now=now)
        if running is not None and running.kind == KIND and not arguments:
            if running.conversation_key == message.conversation.key:
                return question_reply(running, self.texts)  # its buttons stay valid
            moved = self.flows.advance(  # carried on here; the old buttons go stale
                running,
                data=running.data,
                now=now,
                ttl=TTL,
                conversation_key=message.conversation.key,
            )
            if moved is not None:
                return question_reply(moved, self.texts)
        questions = self._questions(message, arguments)
        if isinstance(questions, Reply):
            return questions
        self.results.seen(
            message.user.key, email=message.user.email, name=message.user.name, now=now
        )
        flow = self.flows.start(
            kind=KIND,
            user_key=message.user.key,
            conversation_key=message.conversation.key,
            data={"questions": [snapshot(q) for q in questions], "index": 0, "right": 0},
            now=now,
            ttl=TTL,
        )
        intro = Reply(text=self.texts("play.intro", count=len(questions)), meta=meta())
        return Reply(text=intro.text, meta=intro.meta, then=(question_reply(flow, self.texts),))

    def _questions(self, message: Incoming, arguments: str) -> list[Question] | Reply:
        wanted = arguments.strip()
        authored = {q.id.casefold(): q for q in self.pack.quizzes}
        if wanted.casefold() in authored:
            return list(authored_questions(authored[wanted.casefold()], self.rng))
        bank = self.bank()
        if bank.unavailable is not None:
            return Reply(
                text=self.texts(bank.unavailable.key, **bank.unavailable.values), meta=meta()
            )
        personas: Sequence[str] = self.track()[0]  # by default, the onboarding track's
        if wanted:
            persona_id = self.persona_named(wanted)
            if persona_id is None:
                return self.unknown_scope(wanted)
            personas = (persona_id,)
        pool = bank.about(personas)
        if not pool:
            return Reply(text=self.texts("play.none_about", name=wanted), meta=meta())
        cards = self.cards(message.user.key, bank)
        picked = spacing.pick(pool, cards, now=self.clock(), rng=self.rng, count=LENGTH)
        if len(picked) < LENGTH:  # all else known and not due: the soonest due come early
            chosen = {q.id for q in picked}
            early = sorted((q for q in pool if q.id not in chosen), key=lambda q: cards[q.id].due)
            picked += early[: LENGTH - len(picked)]
        return [q.shuffled(self.rng) for q in picked]

    def cards(self, user_key: str, bank: QuizBank) -> dict[str, spacing.Card]:
        """The player's Leitner cards; those of questions the content dropped are retired."""
        boxes = self.results.boxes(user_key)
        gone = set(boxes) - bank.existing(boxes)
        if gone:
            self.results.retire(user_key, gone, now=self.clock())
        return {qid: _card(box) for qid, box in boxes.items() if qid not in gone}

    def track(self) -> tuple[list[str], int]:
        """The onboarding track: its personas (``pack.yaml``; all by default), pass mark."""
        onboarding = self.pack.info.onboarding
        live = [p.id for p in self.catalog().personas]
        personas = [pid for pid in onboarding.personas if pid in live] or live
        return personas, onboarding.pass_mark

    def scored(
        self,
        flow: Flow,
        message: Incoming,
        question: Mapping[str, Any],
        *,
        correct: bool,
        points: int,
        now: dt.datetime,
    ) -> tuple[Answer, Box]:
        """The answer to record for the current step, and where it moves its Leitner box."""
        question_id = str(question["id"])
        old = self.results.box(message.user.key, question_id)
        card = spacing.answered(_card(old) if old else None, question_id, right=correct, now=now)
        persona = question.get("persona")
        answer = Answer(
            flow_id=flow.id,
            step=flow.step,
            user_key=message.user.key,
            question_id=question_id,
            kind=str(question["kind"]),
            persona_id=persona,
            correct=correct,
            points=points,
            answered_at=now,
        )
        box = Box(
            question_id=question_id, persona_id=persona, box=card.box, seen_at=now, due_at=card.due
        )
        return answer, box

    def persona_named(self, wanted: str) -> str | None:
        """The id of the persona ``wanted`` names (id, name, alias or a who-is match)."""
        persona = self.catalog().named(wanted)
        return persona.id if persona else None

    def unknown_scope(self, wanted: str) -> Reply:
        """No persona or quiz by that name: say which there are."""
        catalog = self.catalog()
        names = ", ".join(p.name for p in catalog.personas)
        ids = ", ".join(q.id for q in self.pack.quizzes)
        text = self.texts("play.unknown_scope", name=wanted, personas=names)
        if ids:
            text += "\n" + self.texts("play.authored", quizzes=ids)
        return Reply(text=text, meta=meta())

    # -- playing ----------------------------------------------------------------------------

    def on_pick(self, flow: Flow, message: Incoming, pick: str) -> Reply:
        """A click on one of the current question's buttons."""
        question = flow.data["questions"][int(flow.data["index"])]
        if not pick.isdigit() or int(pick) >= len(question["choices"]):
            return Reply(text=self.texts("flow.unknown"), meta=meta())
        return self._answer(flow, message, int(pick))

    def on_text(self, flow: Flow, message: Incoming) -> Reply:
        """A typed answer: the choice's number or its text; anything else is reminded."""
        question = flow.data["questions"][int(flow.data["index"])]
        picked = _typed_choice(message.text, question["choices"])
        if picked is None:
            return question_reply(flow, self.texts, reminder=True)
        return self._answer(flow, message, picked)

    def on_stop(self, flow: Flow, message: Incoming) -> Reply:
        """The player stopped: the score so far."""
        asked = int(flow.data["index"])
        return Reply(
            text=self.texts("play.stopped", right=int(flow.data["right"]), asked=asked),
            meta=meta(),
        )

    def _answer(self, flow: Flow, message: Incoming, picked: int) -> Reply:
        data = flow.data
        index = int(data["index"])
        total = len(data["questions"])
        question = data["questions"][index]
        correct = picked == int(question["answer"])
        now = self.clock()
        done = index + 1 >= total
        new: dict[str, Any] = {**data, "index": index + 1, "right": int(data["right"]) + correct}
        answer, box = self.scored(
            flow, message, question, correct=correct, points=POINTS if correct else 0, now=now
        )
        work = self.results.answer_work(answer, box)
        moved = self.flows.advance(flow, data=new, now=now, ttl=TTL, end=done, work=work)
        if moved is None:
            return Reply(text=self.texts("flow.stale"), meta=meta())
        verdict = verdict_reply(
            question,
            picked=picked,
            number=index + 1,
            total=total,
            texts=self.texts,
            replaces=message.message,
        )
        following = self._finish(moved, message) if done else question_reply(moved, self.texts)
        return Reply(
            text=verdict.text,
            replaces=verdict.replaces,
            meta={**verdict.meta, "correct": correct},
            then=(following,),
        )

    def _finish(self, flow: Flow, message: Incoming) -> Reply:
        questions: Sequence[Mapping[str, Any]] = flow.data["questions"]
        answers = self.results.answers_of_flow(flow.id)
        missed = {a.persona_id for a in answers if not a.correct and a.persona_id}
        catalog = self.catalog()
        practise = [p.name for p in catalog.personas if p.id in missed]
        return score_reply(
            right=int(flow.data["right"]),
            asked=len(questions),
            practise=practise,
            texts=self.texts,
            track_done=self._track_done(message),
        )

    def _track_done(self, message: Incoming) -> bool:
        """Whether this quiz completed the onboarding track (congratulated once)."""
        bank = self.bank()
        personas, pass_mark = self.track()
        mastery = spacing.mastery(bank.about(personas), self.cards(message.user.key, bank))
        if not mastery or min(m.share for m in mastery.values()) * 100 < pass_mark:
            return False
        return self.results.complete_track(message.user.key, now=self.clock())


def _card(box: Box) -> spacing.Card:
    return spacing.Card(
        question_id=box.question_id, box=box.box, last_seen=box.seen_at, due=box.due_at
    )


def snapshot(question: Question) -> dict[str, Any]:
    """A question as the flow keeps it: a restart asks exactly this."""
    return {
        "id": question.id,
        "kind": question.kind,
        "persona": question.persona_id,
        "prompt": question.prompt,
        "choices": list(question.choices),
        "answer": question.answer,
        "explanation": question.explanation,
    }


def _typed_choice(text: str, choices: Sequence[str]) -> int | None:
    """A typed answer: "2" (1-based), "B" or a choice's text; None if it is neither."""
    typed = text.strip().rstrip(".)")
    if typed.isascii() and typed.isdigit() and len(typed) <= 2:
        number = int(typed)
        return number - 1 if 1 <= number <= len(choices) else None
    letter = LETTERS.find(typed.upper()) if len(typed) == 1 else -1
    if 0 <= letter < len(choices):
        return letter
    folded = _folded(typed)
    for index, choice in enumerate(choices):
        if _folded(choice) == folded:
            return index
    return None


def _folded(text: str) -> str:
    """Text as compared for a typed answer: case, spacing and end punctuation ignored."""
    return " ".join(text.casefold().split()).rstrip(".!?)")
