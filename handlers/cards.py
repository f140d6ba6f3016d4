"""Platform-neutral cards for personas and objections.

Used by the ask handler now and by the App Home directory and review prompts later, so
a persona looks the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.i18n import Texts
from bot.model import Card, Choice, Field
from bot.render.cut import shorten
from content.schema import LIST_FIELDS, Objection, Persona

TOP = 3
CHOICE_LABEL = 70
# The view of a persona's card that shows everything (``persona:<id>/full``).
FULL = "full"
# What the full card shows, in order.
FULL_ORDER = (
    "summary",
    "quote",
    "goals",
    "pains",
    "motivations",
    "buying_behaviour",
    "information_sources",
    "decision_criteria",
    "triggers",
    "disqualifiers",
    "value_proposition",
    "decision_role",
    "demographics",
    "objections",
    "evidence",
)
# What the short card shows (the lists among them cut to their top entries).
SHORT = frozenset({"summary", "quote", "goals", "pains", "decision_role", "objections"})


def persona_action(persona_id: str) -> str:
    """The choice value that shows a persona's card."""
    return f"persona:{persona_id}"


def full_card_action(persona_id: str) -> str:
    """The choice value that shows a persona's whole card, every list in full."""
    return f"persona:{persona_id}/{FULL}"


def objection_action(persona_id: str, objection_id: str) -> str:
    """The choice value that shows one persona's objection."""
    return f"objection:{persona_id}/{objection_id}"


def persona_choice(persona: Persona, *, texts: Texts) -> Choice:
    """A button that shows the persona's card."""
    return Choice(
        label=texts("choice_persona", name=persona.name), value=persona_action(persona.id)
    )


def objection_choice(persona: Persona, objection: Objection, *, texts: Texts) -> Choice:
    """A button that shows how to handle one persona's objection."""
    label = texts(
        "choice_objection", objection=shorten(objection.objection, 60), persona=persona.name
    )
    return Choice(label=label, value=objection_action(persona.id, objection.id))


def freshness(
    persona: Persona, *, texts: Texts, today: dt.date, review_every_days: int
) -> tuple[str, bool]:
    """Describe when the persona was last reviewed and whether a review is overdue.

    Returns:
        The sentence ("Last reviewed 2026-06-15 · next review due 2026-09-13") and
        whether the due date has passed (never-reviewed personas are overdue).
    """
    due = persona.review_due(review_every_days)
    if persona.last_reviewed is None or due is None:
        return texts("card.never_reviewed"), True
    line = (
        texts("card.last_reviewed", date=persona.last_reviewed.isoformat())
        + " · "
        + texts("card.review_due", date=due.isoformat())
    )
    return line, due < today


def persona_card(
    persona: Persona,
    *,
    texts: Texts,
    today: dt.date,
    review_every_days: int,
    focus: Sequence[str] = (),
    full: bool = False,
) -> Card:
    """The persona's card: summary, top goals and pains, role, objections, owner, freshness.

    A card that leaves something out (a list cut to its top entries, a field not shown)
    ends in a "Show more" choice that opens the full card.

    Args:
        persona: The persona to show.
        texts: The pack language's texts.
        today: For the overdue badge.
        review_every_days: The pack's default review cadence.
        focus: Persona fields the user asked about; they come first, in full.
        full: Show every field, every list in full, and every objection as a choice.
    """
    if full:
        fields = [_full_field(persona, name, texts) for name in FULL_ORDER]
        fields = [f for f in fields if f.text or f.items]
        objections = persona.objections
    else:
        fields = _short_fields(persona, texts, focus)
        objections = persona.objections[:TOP]
    when, overdue = freshness(
        persona, texts=texts, today=today, review_every_days=review_every_days
    )
    owner = texts("card.owners") + ": " + ", ".join(persona.owners)
    badges = [texts(f"roles.{persona.decision_role}")]
    if overdue:
        badges.append(texts("card.overdue"))
    choices = [
        Choice(label=shorten(o.objection, CHOICE_LABEL), value=objection_action(persona.id, o.id))
        for o in objections
    ]
    if not full and has_more(persona, focus):
        choices.append(Choice(label=texts("choice_more"), value=full_card_action(persona.id)))
    return Card(
        title=persona.name,
        subtitle=persona.role,
        badges=tuple(badges),
        fields=tuple(fields),
        footer=f"{owner} · {when}",
        choices=tuple(choices),
    )


def has_more(persona: Persona, focus: Sequence[str] = ()) -> bool:
    """Whether the short card (with ``focus`` in full) leaves anything of ``persona`` out."""
    cut = [name for name in ("goals", "pains", "objections") if name not in focus]
    if any(len(getattr(persona, name)) > TOP for name in cut):
        return True
    hidden = (name for name in FULL_ORDER if name not in SHORT and name not in focus)
    return any(bool(getattr(persona, name)) for name in hidden)


def _short_fields(persona: Persona, texts: Texts, focus: Sequence[str]) -> list[Field]:
    fields: list[Field] = [_full_field(persona, name, texts) for name in focus]
    fields = [f for f in fields if f.text or f.items]
    shown = set(focus)
    if "summary" not in shown:
        fields.append(Field(label=texts("card.summary"), text=persona.summary))
    if persona.quote:
        fields.append(Field(label=texts("card.quote"), text=f"“{persona.quote}”"))
    for name in ("goals", "pains"):
        if name not in shown:
            fields.append(_list_field(texts(f"card.{name}"), getattr(persona, name), texts))
    if "decision_role" not in shown:
        fields.append(_role_field(persona, texts))
    if persona.objections and "objections" not in shown:
        fields.append(
            _list_field(texts("card.objections"), [o.objection for o in persona.objections], texts)
        )
    return fields


def objection_card(
    persona: Persona,
    objection: Objection,
    *,
    texts: Texts,
    others: Sequence[Persona],
) -> Card:
    """How to handle one objection: response, proof points, whose it is, who else says it."""
    fields = [
        Field(label=texts("card.response"), text=objection.response),
        Field(label=texts("card.proof_points"), items=tuple(objection.proof_points)),
        Field(label=texts("card.persona"), text=f"{persona.name} — {persona.role}"),
    ]
    if objection.phrasings:
        fields.append(Field(label=texts("card.objection_said"), items=tuple(objection.phrasings)))
    if others:
        fields.append(Field(label=texts("card.also_from"), items=tuple(p.name for p in others)))
    choices = [persona_choice(persona, texts=texts)]
    # Each opens that persona's version of this objection, and says so.
    choices += [
        Choice(
            label=shorten(texts("choice_their_answer", name=p.name), CHOICE_LABEL),
            value=objection_action(p.id, objection.id),
        )
        for p in others
    ]
    return Card(
        title=objection.objection,
        subtitle=persona.name,
        fields=tuple(fields),
        footer=texts("card.owners") + ": " + ", ".join(persona.owners),
        choices=tuple(choices),
    )


def _full_field(persona: Persona, name: str, texts: Texts) -> Field:
    label = texts(f"card.{name}")
    if name == "quote":
        return Field(label=label, text=f"“{persona.quote}”" if persona.quote else "")
    if name == "demographics":
        return Field(
            label=label,
            items=tuple(
                f"{key.replace('_', ' ')}: {value}" for key, value in persona.demographics.items()
            ),
        )
    if name in LIST_FIELDS:
        return Field(label=label, items=tuple(getattr(persona, name)))
    if name == "decision_role":
        return _role_field(persona, texts)
    if name == "objections":
        return Field(label=label, items=tuple(o.objection for o in persona.objections))
    if name == "evidence":
        return Field(
            label=label,
            items=tuple(f"{e.source} ({e.kind}, {e.date.isoformat()})" for e in persona.evidence),
        )
    if name == "value_proposition":
        return Field(label=label, text=persona.value_proposition or "")
    if name == "summary":
        return Field(label=label, text=persona.summary)
    return Field(label=label)


def _role_field(persona: Persona, texts: Texts) -> Field:
    return Field(label=texts("card.decision_role"), text=texts(f"roles.{persona.decision_role}"))


def _list_field(label: str, items: Sequence[str], texts: Texts) -> Field:
    shown = tuple(items[:TOP])
    if len(items) > TOP:
        shown += (texts("card.more", count=len(items) - TOP),)
    return Field(label=label, items=shown)
