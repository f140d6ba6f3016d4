"""Role-play scenarios: the persona's situation, opening and objections, with rubrics.

Every persona with objections has a default scenario at once. Its turns are the
persona's objections; each turn's rubric comes from the objection's response (one point
per sentence, weighted by how many content words it has: a sentence that says more is
worth more) and its proof points (together worth :data:`PROOF_SHARE` of the turn). An
authored ``scenarios/<id>.yaml`` sets its own situation, opening, turns and rubric; a
turn that names one of the persona's objection ids without a rubric gets that
objection's default rubric.

Every point's weight is in points out of 100 for its turn, so the seller can see what
each point is worth.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from content.analysis import Analyzer, words
from content.schema import DEFAULT_ROLEPLAY_PASS_MARK, Objection, Persona
from content.schema import Scenario as ScenarioDoc

#: The share of a turn's 100 points that its proof points are worth together.
PROOF_SHARE = 15.0
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


class TextsFn(Protocol):
    """The localised sentences (``bot.i18n.Texts`` fits)."""

    def __call__(self, key: str, /, **values: Any) -> str:
        """The sentence for ``key`` with its placeholders filled in."""


@dataclass(frozen=True, kw_only=True)
class Point:
    """One thing a good answer says.

    Attributes:
        text: The point, as a short model phrasing.
        evidence: Phrases any one of which shows the point (default: the point itself).
        weight: What the point is worth, in points out of the turn's 100.
    """

    text: str
    evidence: tuple[str, ...]
    weight: float


@dataclass(frozen=True, kw_only=True)
class Turn:
    """One objection the persona raises, and what a good answer says.

    Attributes:
        objection_id: The persona's objection id (``None`` for a scenario's own words).
        lines: Ways the persona says it (the objection and its phrasings).
        points: The rubric.
        model: A model answer.
    """

    objection_id: str | None
    lines: tuple[str, ...]
    points: tuple[Point, ...]
    model: str

    @property
    def heaviest(self) -> Point:
        """The point worth the most (the first of equals)."""
        return max(self.points, key=lambda p: p.weight)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A role-play: who the buyer is, where the seller meets them, and the turns.

    Attributes:
        id: ``persona id`` for a default scenario, the file's id for an authored one.
        title: A short title.
        persona_id: The buyer.
        situation: Where and why the seller meets the buyer.
        opening: The buyer's first words.
        turns: The objections, in order.
        pass_mark: The score out of 100 that passes.
        authored: Written by hand (``scenarios/``) rather than built from the persona.
    """

    id: str
    title: str
    persona_id: str
    situation: str
    opening: str
    turns: tuple[Turn, ...]
    pass_mark: int = DEFAULT_ROLEPLAY_PASS_MARK
    authored: bool = False


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (split after ``.``, ``!``, ``?`` and ``;``)."""
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]


def content_words(text: str, language: str) -> int:
    """How many distinct content words (not function words) ``text`` has; at least 1."""
    analyzer = _analyzer(language)
    found = {w for w in words(text) if len(w) > 2 and not analyzer.is_stopword(w)}
    return max(1, len(found))


@cache
def _analyzer(language: str) -> Analyzer:
    return Analyzer(language=language)


def objection_turn(objection: Objection, language: str) -> Turn:
    """A turn for one objection, its rubric from the response and the proof points."""
    said = sentences(objection.response) or [objection.response]
    raw = [float(content_words(s, language)) for s in said]
    share = 100.0 - (PROOF_SHARE if objection.proof_points else 0.0)
    points = [
        Point(text=s, evidence=(s,), weight=share * w / sum(raw))
        for s, w in zip(said, raw, strict=True)
    ]
    proofs = objection.proof_points
    points += [Point(text=p, evidence=(p,), weight=PROOF_SHARE / len(proofs)) for p in proofs]
    return Turn(
        objection_id=objection.id,
        lines=(objection.objection, *objection.phrasings),
        points=tuple(points),
        model=objection.response,
    )


def default_scenario(persona: Persona, texts: TextsFn, language: str) -> Scenario | None:
    """The persona's default scenario (every objection a turn), or ``None`` without any."""
    if not persona.objections:
        return None
    role = texts(f"roles.{persona.decision_role}")
    pain = persona.pains[0].rstrip(".")
    situation = texts(
        "roleplay.situation", name=persona.name, role=_first_sentence(persona.role), pain=pain
    )
    opening = persona.quote or texts("roleplay.opening", name=persona.name, role=role)
    return Scenario(
        id=persona.id,
        title=texts("roleplay.default_title", name=persona.name),
        persona_id=persona.id,
        situation=situation,
        opening=opening,
        turns=tuple(objection_turn(o, language) for o in persona.objections),
    )


def authored_scenario(doc: ScenarioDoc, persona: Persona, language: str) -> Scenario:
    """An authored scenario, its turns' rubrics filled in from the persona where omitted."""
    turns = []
    for turn in doc.turns:
        objection = persona.objection(turn.objection.strip())
        if not turn.rubric and objection is not None:
            turns.append(objection_turn(objection, language))
            continue
        total = sum(p.weight for p in turn.rubric)
        points = tuple(
            Point(text=p.point, evidence=tuple(p.evidence), weight=100.0 * p.weight / total)
            for p in turn.rubric
        )
        if objection is not None:
            lines: tuple[str, ...] = (objection.objection, *objection.phrasings)
            model = objection.response
        else:
            lines = (turn.objection,)
            model = " ".join(_sentence(p.point) for p in turn.rubric)
        turns.append(
            Turn(
                objection_id=objection.id if objection else None,
                lines=lines,
                points=points,
                model=model,
            )
        )
    return Scenario(
        id=doc.id,
        title=doc.title,
        persona_id=persona.id,
        situation=doc.situation,
        opening=doc.opening or persona.quote or doc.title,
        turns=tuple(turns),
        pass_mark=doc.pass_mark,
        authored=True,
    )


def scenarios(
    personas: Sequence[Persona], authored: Sequence[ScenarioDoc], texts: TextsFn, language: str
) -> list[Scenario]:
    """Every scenario: the authored ones whose persona is live, then each persona's default."""
    by_id: Mapping[str, Persona] = {p.id: p for p in personas}
    out = [authored_scenario(d, by_id[d.persona], language) for d in authored if d.persona in by_id]
    out += [s for p in personas if (s := default_scenario(p, texts, language)) is not None]
    return out


def _first_sentence(text: str) -> str:
    parts = sentences(text)
    return (parts[0] if parts else text).rstrip(".;")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
