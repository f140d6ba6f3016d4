"""Quizzes written by hand (``quizzes/<id>.yaml``) as :class:`Question` objects.

The file format and its validation live in :class:`content.schema.Quiz` and
:func:`content.loader.load_pack`; this module only turns a validated quiz into the
questions the quiz handler asks, with ids that follow the content like generated ones.
"""

from __future__ import annotations

import random

from content.quiz.questions import Question
from content.quiz.text import normalised, one_line, short_hash
from content.schema import Quiz, QuizQuestion

KIND = "authored"


def authored_id(quiz: Quiz, question: QuizQuestion) -> str:
    """The stable id of an authored question: quiz, question and answer, normalised."""
    return short_hash(
        KIND,
        quiz.id,
        quiz.persona or "",
        normalised(question.question),
        normalised(question.answer),
    )


def authored_questions(quiz: Quiz, rng: random.Random | None = None) -> tuple[Question, ...]:
    """The quiz's questions, in the author's order.

    Args:
        quiz: A validated quiz.
        rng: Shuffles each question's choices; ``None`` keeps the author's order.

    Returns:
        One question per entry, ``persona_id`` the quiz's persona (if any).
    """
    out = []
    for entry in quiz.questions:
        question = Question(
            id=authored_id(quiz, entry),
            kind=KIND,
            persona_id=quiz.persona,
            prompt=one_line(entry.question),
            choices=tuple(one_line(c) for c in entry.choices),
            answer=entry.answer_index,
            explanation=one_line(entry.explanation),
        )
        out.append(question.shuffled(rng) if rng is not None else question)
    return tuple(out)
