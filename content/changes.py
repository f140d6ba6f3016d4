"""Structured persona changes proposed from feedback: add, modify or remove one item.

A :class:`Change` names a persona field and one item in it. Applied to the live persona
it gives the next version (:func:`apply`), and :func:`diff_lines` shows it before/after.
Feedback becomes a change by its kind (:func:`change_for`): a new pain adds to ``pains``,
a better response modifies the objection it is about, a correction modifies the item it
is closest to. A change with ``op == "none"`` has no field yet: its owner writes it with
Edit before it can be approved.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from content.analysis import Analyzer
from content.schema import LIST_FIELDS, Objection, Persona

#: What a reporter can say, in the order a form offers them.
KINDS = ("objection", "response", "pain", "goal", "trigger", "correction", "other")

#: The fields a change may add to, modify or remove from.
FIELDS = ("objections", *LIST_FIELDS)
OPS = ("add", "modify", "remove")

_BY_KIND = {"pain": "pains", "goal": "goals", "trigger": "triggers"}
#: How close a correction must be to an item to be about it (term overlap, 0..1).
ABOUT = 0.25
#: How close two feedback texts must be to be about the same thing.
SAME = 0.5


class ChangeError(ValueError):
    """The change does not fit the persona (its item is gone, or it is incomplete)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, kw_only=True)
class Change:
    """One item added to, modified in or removed from a persona field.

    Attributes:
        field: A name from :data:`FIELDS`, or ``""`` while undecided.
        op: ``add``, ``modify``, ``remove``, or ``none`` while undecided.
        target: The item changed: its text for a list field, its id for an objection.
        text: The new item's text (for an objection: what the buyer says).
        response: An objection's response (added or rewritten).
    """

    field: str = ""
    op: str = "none"
    target: str = ""
    text: str = ""
    response: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON, as stored."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """The change stored as ``data``."""
        return cls(**{k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__})


def similarity(analyzer: Analyzer, a: str, b: str) -> float:
    """Term overlap of two texts, 0..1 (stemmed, without stop words, typos corrected)."""
    return overlap(frozenset(analyzer.terms(a)), frozenset(analyzer.terms(b)))


def overlap(left: frozenset[str], right: frozenset[str]) -> float:
    """Cosine overlap of two term sets, 0..1."""
    if not left or not right:
        return 0.0
    return len(left & right) / math.sqrt(len(left) * len(right))


def slug(text: str, taken: Sequence[str]) -> str:
    """A new objection id from its words, unique among ``taken``."""
    base = "-".join(re.findall(r"[a-z0-9]+", text.casefold())[:5])[:60].strip("-") or "objection"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    return out


def change_for(
    persona: Persona,
    *,
    kind: str,
    text: str,
    objection_id: str | None,
    analyzer: Analyzer,
    draft_response: str,
) -> Change:
    """The change a piece of feedback proposes to ``persona``.

    Args:
        persona: The live persona.
        kind: One of :data:`KINDS`.
        text: What the reporter wrote.
        objection_id: The persona's objection the text is about, as retrieval found it.
        analyzer: The pack language's analyzer.
        draft_response: The draft a new objection starts with (its owner completes it).
    """
    if kind in _BY_KIND:
        return Change(field=_BY_KIND[kind], op="add", text=text)
    if kind == "objection":
        return Change(field="objections", op="add", text=text, response=draft_response)
    if kind == "response":
        target = objection_id if persona.objection(objection_id or "") else None
        target = target or _closest_objection(persona.objections, text, analyzer)
        if target:
            return Change(field="objections", op="modify", target=target, response=text)
        return Change(field="objections", op="add", text=text, response=draft_response)
    if kind == "correction":
        best = _closest_item(persona, text, analyzer)
        if best is not None:
            return Change(field=best[0], op="modify", target=best[1], text=text)
    return Change()


def _closest_objection(objections: Sequence[Objection], text: str, analyzer: Analyzer) -> str:
    scored = [
        (similarity(analyzer, text, " ".join((o.objection, *o.phrasings, o.response))), o.id)
        for o in objections
    ]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= ABOUT else ""


def _closest_item(persona: Persona, text: str, analyzer: Analyzer) -> tuple[str, str] | None:
    best: tuple[float, str, str] = (0.0, "", "")
    for name in LIST_FIELDS:
        for item in getattr(persona, name):
            best = max(best, (similarity(analyzer, text, item), name, item))
    return (best[1], best[2]) if best[0] >= ABOUT else None


def apply(persona: Persona, change: Change) -> Persona:
    """The persona with ``change`` made.

    Raises:
        ChangeError: ``feedback.change_undecided`` (no field yet),
            ``feedback.change_gone`` (the item to change is no longer there),
            ``feedback.change_exists`` (the item to add is there already) or
            ``feedback.change_incomplete`` (an objection without a response).
    """
    if change.op not in OPS or change.field not in FIELDS:
        raise ChangeError("feedback.change_undecided")
    if change.field == "objections":
        items = _objections(persona.objections, change)
        return persona.model_copy(update={"objections": items})
    current: list[str] = list(getattr(persona, change.field))
    if change.op == "add":
        if not change.text.strip():
            raise ChangeError("feedback.change_incomplete")
        if any(i.casefold() == change.text.casefold() for i in current):
            raise ChangeError("feedback.change_exists")
        current.append(change.text)
    else:
        if change.target not in current:
            raise ChangeError("feedback.change_gone")
        at = current.index(change.target)
        if change.op == "remove":
            del current[at]
        elif change.text.strip():
            current[at] = change.text
        else:
            raise ChangeError("feedback.change_incomplete")
    if not current and change.field in ("goals", "pains"):
        raise ChangeError("feedback.change_incomplete")  # a persona keeps one of each
    return persona.model_copy(update={change.field: current})


def _objections(objections: Sequence[Objection], change: Change) -> list[Objection]:
    items = list(objections)
    if change.op == "add":
        if not change.text.strip() or not change.response.strip():
            raise ChangeError("feedback.change_incomplete")
        new_id = slug(change.text, [o.id for o in items])
        items.append(Objection(id=new_id, objection=change.text, response=change.response))
        return items
    at = next((i for i, o in enumerate(items) if o.id == change.target), None)
    if at is None:
        raise ChangeError("feedback.change_gone")
    if change.op == "remove":
        del items[at]
        return items
    update = {"response": change.response} if change.response.strip() else {}
    if change.text.strip():
        update["objection"] = change.text
    if not update:
        raise ChangeError("feedback.change_incomplete")
    items[at] = items[at].model_copy(update=update)
    return items


def diff_lines(persona: Persona, change: Change) -> list[str]:
    """Before/after lines of ``change`` against ``persona``: ``- old`` and ``+ new``."""
    if change.field == "objections":
        old = persona.objection(change.target) if change.target else None
        lines = []
        if old is not None:
            lines.append(f"- {old.objection}: {old.response}")
        if change.op != "remove":
            said = change.text or (old.objection if old else "")
            lines.append(f"+ {said}: {change.response or (old.response if old else '')}")
        return lines
    lines = [f"- {change.target}"] if change.op in ("modify", "remove") and change.target else []
    if change.op in ("add", "modify"):
        lines.append(f"+ {change.text}")
    return lines
