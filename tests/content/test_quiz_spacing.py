"""Spaced repetition: quizzes come back to what the user does not know yet."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.i18n import Texts
from content.loader import EXAMPLE_PACK, load_pack
from content.quiz.questions import Question, QuizBank, generate
from content.quiz.spacing import (
    BOXES,
    INTERVALS,
    Card,
    answered,
    mastery,
    passed,
    pick,
)

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def bank() -> QuizBank:
    pack = load_pack(EXAMPLE_PACK)
    return generate(pack.personas, Texts(language="en"), random.Random(3))


def quiz(
    bank: QuizBank, cards: dict[str, Card], now: dt.datetime, knows: set[str], rng: random.Random
) -> list[Question]:
    """One quiz of 10 by a learner who answers exactly the questions in ``knows`` right."""
    asked = pick(bank.questions, cards, now=now, rng=rng, count=10)
    for q in asked:
        cards[q.id] = answered(cards.get(q.id), q.id, right=q.id in knows, now=now)
    return asked


def test_repeated_quizzes_converge_on_what_the_learner_does_not_know(bank: QuizBank) -> None:
    rng = random.Random(11)
    ids = sorted(q.id for q in bank.questions)
    knows = set(random.Random(1).sample(ids, len(ids) // 2))
    cards: dict[str, Card] = {}
    shares = []
    for day in range(40):
        asked = quiz(bank, cards, T0 + day * DAY, knows, rng)
        assert len({q.id for q in asked}) == len(asked) == 10
        shares.append(sum(q.id not in knows for q in asked) / len(asked))
    first, last = shares[0], sum(shares[-10:]) / 10
    assert first <= 0.7  # at first it cannot tell: about half are unknown
    assert shares[1] > first  # the wrong ones come back at once
    assert last > 0.9  # in the end it asks almost only what the learner gets wrong


def test_a_wrong_answer_comes_back_in_the_next_quiz(bank: QuizBank) -> None:
    rng = random.Random(2)
    cards: dict[str, Card] = {}
    first = quiz(bank, cards, T0, set(), rng)  # every answer wrong
    second = quiz(bank, cards, T0 + dt.timedelta(hours=1), set(), rng)
    assert {q.id for q in second} == {q.id for q in first}


def test_wrong_answers_first_then_new_then_due_reviews(bank: QuizBank) -> None:
    a, b, c, *rest = bank.questions
    cards = {
        a.id: Card(a.id, box=3, last_seen=T0 - 4 * DAY, due=T0 - DAY),  # due review
        b.id: Card(b.id, box=1, last_seen=T0 - DAY, due=T0 - DAY),  # got it wrong
        c.id: Card(c.id, box=5, last_seen=T0, due=T0 + 30 * DAY),  # mastered, not due
    }
    new = {q.id for q in rest}
    asked = pick(bank.questions, cards, now=T0, rng=random.Random(1), count=len(bank))
    assert asked[0] == b
    assert {q.id for q in asked[1 : 1 + len(new)]} == new
    assert asked[-1] == a
    assert c not in asked


def test_mastered_questions_come_back_rarely(bank: QuizBank) -> None:
    q = bank.questions[0]
    card = None
    times = []
    now = T0
    for _ in range(BOXES + 2):
        now = card.due if card else now
        card = answered(card, q.id, right=True, now=now)
        times.append(card.due - now)
    assert card is not None and card.box == BOXES
    assert times == sorted(times) and times[-1] == INTERVALS[BOXES] >= dt.timedelta(days=30)
    # Not due yet, it is not asked, even when nothing else is left.
    others = {o.id: answered(None, o.id, right=True, now=now) for o in bank.questions[1:]}
    assert pick(bank.questions, {**others, q.id: card}, now=now, rng=random.Random(), count=5) == []
    wrong = answered(card, q.id, right=False, now=now)
    assert wrong.box == 1 and wrong.is_due(now)


def test_mastery_per_persona_counts_questions_known(bank: QuizBank) -> None:
    frida = [q for q in bank.questions if q.persona_id == "cfo-frida"]
    cards = {}
    for q in frida[: len(frida) // 2]:
        card = None
        for _ in range(2):
            card = answered(card, q.id, right=True, now=T0)
        cards[q.id] = card
    wrong = frida[-1]
    cards[wrong.id] = answered(None, wrong.id, right=False, now=T0)
    progress = mastery(bank.questions, cards)
    assert set(progress) == {q.persona_id for q in bank.questions}
    assert progress["cfo-frida"].known == len(frida) // 2
    assert progress["cfo-frida"].seen == len(frida) // 2 + 1
    assert progress["cfo-frida"].total == len(frida)
    assert progress["cfo-frida"].percent == len(frida) // 2 * 100 // len(frida)
    assert progress["team-lead-tuva"].share == 0.0


@pytest.mark.parametrize(
    "right, asked, mark, ok",
    [(8, 10, 80, True), (7, 10, 80, False), (1, 1, 100, True), (0, 0, 1, False)],
)
def test_pass_mark(right: int, asked: int, mark: int, ok: bool) -> None:
    assert passed(right, asked, mark) is ok


def test_the_last_new_questions_are_found_among_many_known(bank: QuizBank) -> None:
    known, last_two = bank.questions[:-2], bank.questions[-2:]
    cards = {q.id: Card(q.id, 5, T0, T0 + 30 * DAY) for q in known}  # mastered, not due
    for seed in range(5):
        asked = pick(bank.questions, cards, now=T0, rng=random.Random(seed), count=5)
        assert set(asked) == set(last_two)


def test_a_plain_list_of_questions_is_picked_from_like_a_deck(bank: QuizBank) -> None:
    plain = list(bank.about(["cfo-frida"]))
    assert plain and all(q.persona_id == "cfo-frida" for q in plain)
    cards = {q.id: answered(None, q.id, right=False, now=T0) for q in plain[:3]}
    asked = pick(plain, cards, now=T0, rng=random.Random(1), count=5)
    assert {q.id for q in asked[:3]} == set(cards)  # the wrong ones first
    assert all(q.id not in cards for q in asked[3:]) and len(asked) == 5
