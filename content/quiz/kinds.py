"""What the quiz can ask about each persona: one :class:`Draft` per right answer.

A draft knows its right answer, everything else that is also true for the persona
(so no distractor says it too) and the pool of other personas' text its distractors
come from. :mod:`content.quiz.questions` turns drafts into questions.

Kinds (``quiz.ask.<kind>`` / ``quiz.why.<kind>`` in the locale files):

* ``quote`` — which persona says «quote»? (choices: persona names)
* ``role`` — which persona is «role»? (choices: persona names)
* ``decision_role`` — what is X's role in the decision? (choices: the other personas'
  decision roles, shown by their ``roles.<role>`` label)
* ``goal`` / ``pain`` — which of these is one of X's goals / pains?
* ``objection`` — which persona raises «objection»?
* ``response`` — X says «objection»; which response fits best?
* ``proof`` — X says «objection»; which proof point answers it?
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from content.quiz.similar import Comparer, Group, Said, same
from content.quiz.text import one_line
from content.schema import Persona

Kind = Literal["quote", "role", "decision_role", "goal", "pain", "objection", "response", "proof"]
KINDS: tuple[Kind, ...] = (
    "quote",
    "role",
    "decision_role",
    "goal",
    "pain",
    "objection",
    "response",
    "proof",
)


@dataclass(frozen=True)
class Option:
    """A possible choice: its text and where it comes from.

    Attributes:
        text: The text shown.
        said: ``text`` reduced for comparison.
        persona_id: Whose text it is.
        topic: The objection id it belongs to, for responses and proof points.
        topic_said: That objection's text, reduced for comparison.
    """

    text: str
    said: Said
    persona_id: str
    topic: str = ""
    topic_said: Said = Said("")


@dataclass(frozen=True)
class Draft:
    """One right answer about one persona, before distractors are drawn.

    Attributes:
        kind: The question kind.
        persona: The persona the question is about.
        subject: What the prompt quotes (a quote, role or objection), or "".
        answer: The right choice's text.
        key: What identifies the right answer across languages (hashed into the id).
        truths: Texts also true for the persona; no distractor may say the same (the
            same group for every draft of one persona and kind).
        pool: Where distractors come from.
        clash: Further reason an option would also be right (or ambiguous).
        values: Placeholders for the prompt and explanation templates.
        labelled: Whether choices are decision roles, to show by their locale label.
    """

    kind: Kind
    persona: Persona
    subject: str
    answer: str
    key: str
    truths: Group
    pool: Sequence[Option]
    clash: Callable[[Option], bool] | None = None
    values: dict[str, str] = field(default_factory=dict)
    labelled: bool = False


class Material:
    """Every persona's askable text, reduced for comparison once for the whole pack.

    Args:
        personas: All live personas (distractors come from all of them).
        comparer: Reduces text in the pack's language.
    """

    def __init__(self, personas: Sequence[Persona], comparer: Comparer) -> None:
        self.personas = ps = tuple(personas)
        self._by_id = {p.id: p for p in ps}
        field = comparer.field
        self.name = field([p.name for p in ps])
        self.goal = field([t for p in ps for t in p.goals])
        self.pain = field([t for p in ps for t in p.pains])
        self.quote = field([p.quote for p in ps if p.quote])
        self.role = field([p.role for p in ps])
        objections = [o for p in ps for o in p.objections]
        self.said = field([t for o in objections for t in (o.objection, *o.phrasings)])
        self.response = field([o.response for o in objections])
        self.proof = field([t for o in objections for t in o.proof_points])
        self.names = [Option(one_line(p.name), self.name[p.name], p.id) for p in ps]
        self.goals = [Option(one_line(t), self.goal[t], p.id) for p in ps for t in p.goals]
        self.pains = [Option(one_line(t), self.pain[t], p.id) for p in ps for t in p.pains]
        self.raised = {
            p.id: Group(self.said[t] for o in p.objections for t in (o.objection, *o.phrasings))
            for p in ps
        }
        self.raised_ids = {p.id: {o.id for o in p.objections} for p in ps}
        self._without: dict[str, list[Option]] = {}
        self.responses = [
            Option(
                one_line(o.response), self.response[o.response], p.id, o.id, self.said[o.objection]
            )
            for p in ps
            for o in p.objections
        ]
        self.proofs = [
            Option(one_line(t), self.proof[t], p.id, o.id, self.said[o.objection])
            for p in ps
            for o in p.objections
            for t in o.proof_points
        ]
        self.decision_roles = [Option(p.decision_role, Said(p.decision_role), p.id) for p in ps]

    def says(self, persona_id: str, quote: Said) -> bool:
        """Whether a persona's quote is the same as ``quote``."""
        own = self._by_id[persona_id].quote
        return own is not None and same(self.quote[own], quote)

    def is_like(self, persona_id: str, role: Said) -> bool:
        """Whether a persona's role is the same as ``role``."""
        return same(self.role[self._by_id[persona_id].role], role)

    def raises(self, persona_id: str, objection: Said) -> bool:
        """Whether a persona raises an objection in the same words."""
        return persona_id in self.raised and objection in self.raised[persona_id]

    def names_without(self, objection_id: str) -> list[Option]:
        """The names of the personas that do not raise ``objection_id``."""
        if objection_id not in self._without:
            self._without[objection_id] = [
                o for o in self.names if objection_id not in self.raised_ids[o.persona_id]
            ]
        return self._without[objection_id]


def drafts(material: Material) -> Iterator[Draft]:
    """Every draft of every kind, persona by persona, in a stable order."""
    for persona in material.personas:
        yield from _about(persona, material)


def _about(p: Persona, m: Material) -> Iterator[Draft]:
    name = one_line(p.name)
    own_name = Group([m.name[p.name]])
    if p.quote:
        quote, quote_said = quoted(p.quote), m.quote[p.quote]
        yield Draft(
            kind="quote",
            persona=p,
            subject=quote,
            answer=name,
            key=p.id,
            truths=own_name,
            pool=m.names,
            clash=lambda o: m.says(o.persona_id, quote_said),
            values={"name": name, "quote": quote},
        )
    role, role_said = quoted(p.role), m.role[p.role]
    yield Draft(
        kind="role",
        persona=p,
        subject=role,
        answer=name,
        key=p.id,
        truths=own_name,
        pool=m.names,
        clash=lambda o: m.is_like(o.persona_id, role_said),
        values={"name": name, "role": role},
    )
    yield Draft(
        kind="decision_role",
        persona=p,
        subject="",
        answer=p.decision_role,
        key=p.decision_role,
        truths=Group([Said(p.decision_role)]),
        pool=m.decision_roles,
        values={"name": name},
        labelled=True,
    )
    yield from _listed(p, "goal", p.goals, m.goals, m.goal)
    yield from _listed(p, "pain", p.pains, m.pains, m.pain)
    # Any of the persona's responses or proof points would look right, whichever
    # objection is asked about: none is a distractor.
    responses = Group(m.response[o.response] for o in p.objections)
    proofs = Group(m.proof[t] for o in p.objections for t in o.proof_points)
    for o in p.objections:
        said, objection = quoted(o.objection), m.said[o.objection]
        values = {"name": name, "objection": said}

        def elsewhere(c: Option, oid: str = o.id, objection: Said = objection) -> bool:
            return c.topic == oid or same(c.topic_said, objection)

        def raised(c: Option, objection: Said = objection) -> bool:
            return m.raises(c.persona_id, objection)

        yield Draft(
            kind="objection",
            persona=p,
            subject=said,
            answer=name,
            key=p.id,
            truths=own_name,
            pool=m.names_without(o.id),
            clash=raised,
            values=values,
        )
        response = one_line(o.response)
        yield Draft(
            kind="response",
            persona=p,
            subject=said,
            answer=response,
            key=response,
            truths=responses,
            pool=m.responses,
            clash=elsewhere,
            values=values,
        )
        for text in o.proof_points:
            yield Draft(
                kind="proof",
                persona=p,
                subject=said,
                answer=one_line(text),
                key=one_line(text),
                truths=proofs,
                pool=m.proofs,
                clash=elsewhere,
                values=values,
            )


def _listed(
    p: Persona, kind: Kind, items: list[str], pool: list[Option], said: dict[str, Said]
) -> Iterator[Draft]:
    """One draft per goal (or pain): none of the persona's others may be a distractor."""
    truths = Group(said[t] for t in items)
    for text in items:
        answer = one_line(text)
        yield Draft(
            kind=kind,
            persona=p,
            subject="",
            answer=answer,
            key=answer,
            truths=truths,
            pool=pool,
            values={"name": one_line(p.name), "answer": answer},
        )


def quoted(text: str) -> str:
    """``text`` on one line, without a closing full stop (the template adds its own)."""
    text = one_line(text)
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def allowed(draft: Draft, option: Option, known: dict[tuple[str, str, int], bool]) -> bool:
    """Whether ``option`` may be a distractor for ``draft``.

    It must come from another persona, and be neither true for the persona asked about
    nor ambiguous with the right answer.

    Args:
        draft: The question being made.
        option: A candidate distractor.
        known: Remembers comparisons with the persona's truths, which are the same for
            all drafts of one persona and kind (every goal question compares with all of
            the persona's goals). Options live as long as the material, so ``id`` is safe.
    """
    if option.persona_id == draft.persona.id:
        return False
    key = (draft.persona.id, draft.kind, id(option))
    true_for_persona = known.get(key)
    if true_for_persona is None:
        true_for_persona = known[key] = option.said in draft.truths
    if true_for_persona:
        return False
    return draft.clash is None or not draft.clash(option)
