"""Spaced repetition (Leitner boxes): which questions a user gets next, and mastery.

Every question a user has answered has a :class:`Card`: its box (1-5) and when it is
due again. A right answer moves the card up one box, a wrong one back to box 1. A
card in box ``b`` is due :data:`INTERVALS` ``[b]`` after it was last answered:

====  ========  ==================================================
box   interval  meaning
====  ========  ==================================================
1     0         answered wrong: due at once, first in the next quiz
2     1 day     right once
3     3 days    right twice in a row: counts as known (mastery)
4     7 days
5     30 days   mastered: comes back about once a month
====  ========  ==================================================

:func:`pick` fills a quiz with due box-1 cards first (what the user got wrong), then
questions never asked, then due cards of higher boxes (lowest box first). Cards that
are not due are left out, so a quiz may be shorter than asked for, or empty.
Everything here is pure: the clock and the random generator are arguments.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from content.quiz.questions import Deck, Question

BOXES = 5
INTERVALS: Mapping[int, dt.timedelta] = {
    1: dt.timedelta(0),
    2: dt.timedelta(days=1),
    3: dt.timedelta(days=3),
    4: dt.timedelta(days=7),
    5: dt.timedelta(days=30),
}
KNOWN_BOX = 3  # a card in this box or higher counts towards mastery


@dataclass(frozen=True)
class Card:
    """One user's state for one question.

    Attributes:
        question_id: The question's id.
        box: Leitner box, 1 (wrong last time) to 5 (mastered).
        last_seen: When the user last answered it.
        due: When it should be asked again.
    """

    question_id: str
    box: int
    last_seen: dt.datetime
    due: dt.datetime

    def is_due(self, now: dt.datetime) -> bool:
        """Whether the card should be asked at ``now``."""
        return self.due <= now


def answered(card: Card | None, question_id: str, *, right: bool, now: dt.datetime) -> Card:
    """The card after the user answered ``question_id`` at ``now``.

    Args:
        card: The card so far, or ``None`` for a question never answered (box 1).
        question_id: The question answered.
        right: Whether the answer was right.
        now: When it was answered.

    Returns:
        Right: one box up (at most :data:`BOXES`); wrong: box 1. Due after the new
        box's interval.
    """
    box = min((card.box if card else 1) + 1, BOXES) if right else 1
    return Card(question_id=question_id, box=box, last_seen=now, due=now + INTERVALS[box])


def pick(
    questions: Sequence[Question],
    cards: Mapping[str, Card],
    *,
    now: dt.datetime,
    rng: random.Random,
    count: int,
) -> list[Question]:
    """The next questions for a quiz, at most ``count``.

    Args:
        questions: The questions that may be asked (e.g. one persona's, or the
            onboarding personas').
        cards: The user's cards by question id; cards of other questions are ignored.
        now: The current time.
        rng: Orders new questions and breaks ties.
        count: How many questions the quiz wants.

    Returns:
        Due box-1 questions (longest due first), then new questions (random order),
        then due questions of higher boxes (lowest box, then longest due, first); ties
        in the order of ``cards``. Walks the user's cards, not every question, when
        ``questions`` is a :class:`~content.quiz.questions.Deck` (as
        :meth:`~content.quiz.questions.QuizBank.about` returns).
    """
    if count <= 0 or not questions:
        return []
    deck = questions if isinstance(questions, Deck) else Deck(questions)
    wrong: list[tuple[dt.datetime, Question]] = []
    review: list[tuple[int, dt.datetime, Question]] = []
    seen = 0
    for question_id, card in cards.items():
        question = deck.by_id.get(question_id)
        if question is None:
            continue
        seen += 1
        if card.due <= now:
            if card.box == 1:
                wrong.append((card.due, question))
            else:
                review.append((card.box, card.due, question))
    out = [q for _, q in heapq.nsmallest(count, wrong, key=_first)]
    if len(out) < count and seen < len(deck):
        out += _new(deck, cards, rng, min(count - len(out), len(deck) - seen))
    if len(out) < count:
        out += [q for *_, q in heapq.nsmallest(count - len(out), review, key=_first_two)]
    return out


def _new(deck: Deck, cards: Mapping[str, Card], rng: random.Random, want: int) -> list[Question]:
    """``want`` random questions without a card (there are at least that many)."""
    chosen: dict[str, Question] = {}
    for _ in range(8 * want):  # mostly new: a few draws find them
        question = deck[rng.randrange(len(deck))]
        if question.id not in cards:
            chosen[question.id] = question
            if len(chosen) == want:
                return list(chosen.values())
    rest = [q for q in deck if q.id not in cards and q.id not in chosen]  # mostly known
    return [*chosen.values(), *rng.sample(rest, want - len(chosen))]


def _first(item: tuple[dt.datetime, Question]) -> dt.datetime:
    return item[0]


def _first_two(item: tuple[int, dt.datetime, Question]) -> tuple[int, dt.datetime]:
    return item[0], item[1]


@dataclass(frozen=True)
class Mastery:
    """How well a user knows one persona.

    Attributes:
        persona_id: The persona.
        known: Questions about the persona in box :data:`KNOWN_BOX` or higher.
        seen: Questions about the persona the user has answered at least once.
        total: Questions about the persona.
    """

    persona_id: str
    known: int
    seen: int
    total: int

    @property
    def share(self) -> float:
        """Known questions as a share of all (0.0-1.0)."""
        return self.known / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        """:attr:`share` as a whole percentage, rounded down."""
        return self.known * 100 // self.total if self.total else 0


def mastery(questions: Sequence[Question], cards: Mapping[str, Card]) -> dict[str, Mastery]:
    """Mastery per persona, for every persona that has questions (sorted by id)."""
    counts: dict[str, list[int]] = {}
    for question in questions:
        if question.persona_id is None:
            continue
        tally = counts.setdefault(question.persona_id, [0, 0, 0])
        card = cards.get(question.id)
        tally[0] += card is not None and card.box >= KNOWN_BOX
        tally[1] += card is not None
        tally[2] += 1
    return {pid: Mastery(pid, *counts[pid]) for pid in sorted(counts)}


def passed(right: int, asked: int, pass_mark: int) -> bool:
    """Whether ``right`` out of ``asked`` reaches ``pass_mark`` percent."""
    return asked > 0 and right * 100 >= pass_mark * asked
