"""Multiple-choice questions generated from the live personas.

:func:`generate` asks every :mod:`kind <content.quiz.kinds>` about every persona, draws
distractors from the other personas (never one that is also true for the persona asked
about, never two that say the same) and shuffles the choices. Generation is the
expensive part: :class:`BankCache` keeps one :class:`QuizBank` per catalog, and
picking questions from it (:mod:`content.quiz.spacing`) is cheap.

A question's id hashes its kind, persona, what it quotes and its right answer
(normalised), not its distractors or wording: the same content gives the same id in
every language and every generation, and edited content gives a new one, so
:meth:`QuizBank.existing` tells which ids in a user's history are still asked.
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from content.catalog import Catalog
from content.quiz.kinds import Draft, Material, Option, allowed, drafts
from content.quiz.similar import Comparer, same_as_any
from content.quiz.text import normalised, short_hash
from content.schema import Persona

CHOICES = 4  # choices per generated question, the right one included
MIN_CHOICES = 3  # fewer possible choices than this and the question is skipped
MIN_PERSONAS = MIN_CHOICES  # a name question needs two other personas to choose from
_SCAN = 64  # pools up to this size are scanned whole; larger ones are sampled


class TextsFn(Protocol):
    """The localised sentences (``bot.i18n.Texts`` fits)."""

    def __call__(self, key: str, /, **values: Any) -> str:
        """The sentence for ``key`` with ``values`` filled in."""
        ...


@dataclass(frozen=True)
class Question:
    """One multiple-choice question.

    Attributes:
        id: Stable id derived from the content asked about (12 hex digits).
        kind: One of :data:`content.quiz.kinds.KINDS`, or ``"authored"``.
        persona_id: The persona the question is about, if any.
        prompt: The question, localised.
        choices: The choices in the order shown.
        answer: Index of the right choice.
        explanation: One line saying why, citing the persona.
    """

    id: str
    kind: str
    persona_id: str | None
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str

    @property
    def right(self) -> str:
        """The right choice's text."""
        return self.choices[self.answer]

    def is_right(self, index: int) -> bool:
        """Whether choice ``index`` (0-based) is the right one."""
        return index == self.answer

    def shuffled(self, rng: random.Random) -> Question:
        """The same question with its choices in a new random order."""
        order = rng.sample(range(len(self.choices)), len(self.choices))
        return replace(
            self, choices=tuple(self.choices[i] for i in order), answer=order.index(self.answer)
        )


class Deck(tuple[Question, ...]):
    """Questions (a tuple) indexed by id, built once per bank and persona selection.

    :func:`content.quiz.spacing.pick` walks a user's cards through the index instead of
    every question.
    """

    by_id: dict[str, Question]

    def __new__(cls, questions: Iterable[Question]) -> Deck:
        """A deck of ``questions``, in their order."""
        deck = super().__new__(cls, questions)
        deck.by_id = {q.id: q for q in deck}
        return deck


@dataclass(frozen=True)
class Unavailable:
    """Why a pack cannot be quizzed on, as a locale key and its values.

    Render with ``texts(reason.key, **reason.values)``.
    """

    key: str
    values: dict[str, int] = field(default_factory=dict)


class QuizBank:
    """All questions generated for one version of the content.

    Args:
        questions: The questions, ids unique.
        unavailable: Why there are none, if there are none.
    """

    def __init__(
        self, questions: Sequence[Question], unavailable: Unavailable | None = None
    ) -> None:
        self.questions = Deck(questions)
        self.unavailable = unavailable
        self._by_id = self.questions.by_id
        self._about: dict[frozenset[str], Deck] = {}

    def __len__(self) -> int:
        return len(self.questions)

    def get(self, question_id: str) -> Question | None:
        """The question with ``question_id``, if the content still has it."""
        return self._by_id.get(question_id)

    def existing(self, question_ids: Iterable[str]) -> set[str]:
        """Which of ``question_ids`` are still asked; the rest can be retired."""
        return {qid for qid in question_ids if qid in self._by_id}

    def about(self, persona_ids: Collection[str]) -> Deck:
        """The questions about the given personas (all questions if none given)."""
        wanted = frozenset(persona_ids)
        if not wanted:
            return self.questions
        if wanted not in self._about:
            self._about[wanted] = Deck(q for q in self.questions if q.persona_id in wanted)
        return self._about[wanted]


def generate(
    personas: Sequence[Persona],
    texts: TextsFn,
    rng: random.Random,
    *,
    language: str = "en",
    choices: int = CHOICES,
) -> QuizBank:
    """Generate every question the personas allow.

    Args:
        personas: The live personas.
        texts: Localised sentences; the ``quiz.*`` and ``roles.*`` keys are used.
        rng: Draws distractors and shuffles choices.
        language: The pack language, for telling texts that say the same apart.
        choices: Choices per question, at most; a question with fewer than
            :data:`MIN_CHOICES` possible is skipped.

    Returns:
        The bank; empty, with :attr:`QuizBank.unavailable` saying why, if the pack is
        too small or its personas too alike to ask anything.
    """
    if len(personas) < MIN_PERSONAS:
        need = MIN_PERSONAS - len(personas)
        reason = {"have": len(personas), "need": MIN_PERSONAS, "missing": need}
        return QuizBank((), Unavailable("quiz.unavailable.few_personas", reason))
    out: dict[str, Question] = {}
    known: dict[tuple[str, str, int], bool] = {}
    for draft in drafts(
        Material(sorted(personas, key=lambda p: p.id), Comparer(language=language))
    ):
        qid = question_id(draft.kind, draft.persona.id, draft.subject, draft.key)
        if qid in out:
            continue  # the persona lists the same thing twice
        distractors = _distractors(draft, rng, choices - 1, known)
        if len(distractors) + 1 >= MIN_CHOICES:
            out[qid] = _question(qid, draft, distractors, texts, rng)
    if not out:
        return QuizBank((), Unavailable("quiz.unavailable.alike"))
    return QuizBank(tuple(out.values()))


def question_id(kind: str, persona_id: str, subject: str, answer: str) -> str:
    """The stable id of a question: its content, normalised and hashed."""
    return short_hash(kind, persona_id, normalised(subject), normalised(answer))


def _distractors(
    draft: Draft, rng: random.Random, want: int, known: dict[tuple[str, str, int], bool]
) -> list[Option]:
    pool = draft.pool
    chosen: list[Option] = []
    for index in _order(len(pool), rng):
        option = pool[index]
        if allowed(draft, option, known) and not same_as_any(option.said, (c.said for c in chosen)):
            chosen.append(option)
            if len(chosen) == want:
                break
    return chosen


def _order(size: int, rng: random.Random) -> Iterator[int]:
    """Pool indices in random order: all of a small pool, up to :data:`_SCAN` of a big one.

    Drawn lazily (a Fisher-Yates shuffle one step at a time): a question that finds its
    distractors among the first few draws costs a few random numbers, not a whole shuffle.
    """
    indices = list(range(size)) if size <= _SCAN else None
    seen: set[int] = set()
    for step in range(min(size, _SCAN)):
        if indices is not None:
            pick = rng.randrange(step, size)
            indices[step], indices[pick] = indices[pick], indices[step]
            yield indices[step]
        else:
            index = rng.randrange(size)
            if index not in seen:
                seen.add(index)
                yield index


def _question(
    qid: str, draft: Draft, distractors: list[Option], texts: TextsFn, rng: random.Random
) -> Question:
    shown = [draft.answer, *(d.text for d in distractors)]
    values = dict(draft.values)
    if draft.labelled:
        shown = [texts(f"roles.{text}") for text in shown]
        values["role"] = shown[0]
    order = rng.sample(range(len(shown)), len(shown))
    return Question(
        id=qid,
        kind=draft.kind,
        persona_id=draft.persona.id,
        prompt=texts(f"quiz.ask.{draft.kind}", **values),
        choices=tuple(shown[i] for i in order),
        answer=order.index(0),
        explanation=texts(f"quiz.why.{draft.kind}", **values),
    )


class BankCache:
    """One generated :class:`QuizBank` per catalog (that is, per content version).

    A catalog is rebuilt when the content changes, so its bank is generated once, on
    first use, and dropped with the catalog.

    Args:
        seed: Seeds each generation, so a catalog always gets the same bank.
    """

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self._banks: weakref.WeakKeyDictionary[Catalog, dict[str, QuizBank]]
        self._banks = weakref.WeakKeyDictionary()

    def get(self, catalog: Catalog, texts: TextsFn) -> QuizBank:
        """The bank for ``catalog`` in ``texts``' language, generated on first use."""
        language = str(getattr(texts, "language", catalog.language))
        banks = self._banks.setdefault(catalog, {})
        if language not in banks:
            banks[language] = generate(
                catalog.personas, texts, random.Random(self.seed), language=catalog.language
            )
        return banks[language]
