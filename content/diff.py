"""What changed between two versions of a persona, as structured changes.

:func:`diff` walks the persona schema: scalar fields (``summary``, ``quote``,
``decision_role``, ...), lists of text (``goals``, ``pains``, ...), lists keyed by id
(``objections``), other lists of records (``evidence``) and mappings
(``demographics``). Each difference is one :class:`Change`: an item added, modified or
removed in a named field. History, proposals and notifications render them; nothing
here knows any language.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from content.schema import Persona

Op = Literal["add", "modify", "remove"]


@dataclass(frozen=True)
class Change:
    """One difference between two personas.

    Attributes:
        field: The persona's field, e.g. ``"goals"`` or ``"objections"``.
        op: ``"add"``, ``"modify"`` or ``"remove"``.
        key: Which item of the field: an objection's id, a demographics key, the
            1-based position of an evidence entry; ``None`` for a scalar field or an
            item of a list of text (the text says which).
        part: For a modified record (an objection, an evidence entry), which of its
            fields changed, e.g. ``"response"``; ``None`` otherwise.
        before: The text before (``None`` for an addition).
        after: The text after (``None`` for a removal).

    """

    field: str
    op: Op
    key: str | None = None
    part: str | None = None
    before: str | None = None
    after: str | None = None


def diff(before: Persona, after: Persona) -> list[Change]:
    """Every change from ``before`` to ``after``, in the schema's field order.

    Args:
        before: The older version.
        after: The newer version (normally of the same persona).

    Returns:
        The changes; empty when the two are equal.

    """
    return _model(before, after, field=None, key=None)


def _model(
    before: BaseModel, after: BaseModel, *, field: str | None, key: str | None
) -> list[Change]:
    """The changes between two records of one model.

    At the top (``field`` is ``None``) each model field is a persona field; inside a
    record (an objection) each model field is a ``part`` of ``field``'s item ``key``.
    """
    changes: list[Change] = []
    for name in type(before).model_fields:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if field is None:
            changes.extend(_value(old, new, field=name, key=None, part=None))
        else:
            changes.extend(_value(old, new, field=field, key=key, part=name))
    return changes


def _value(old: Any, new: Any, *, field: str, key: str | None, part: str | None) -> list[Change]:
    """The changes between two values of one field (or part of an item)."""
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        items = [*old, *new]
        if items and all(isinstance(i, BaseModel) for i in items):
            if all("id" in type(i).model_fields for i in items):
                return _keyed(old, new, field=field)
            return _records(old, new, field=field)
        return _texts(old, new, field=field, key=key, part=part)
    if isinstance(old, dict) and isinstance(new, dict):
        return _mapping(old, new, field=field)
    op: Op = "add" if old is None else "remove" if new is None else "modify"
    return [Change(field, op, key, part, _text(old), _text(new))]


def _texts(
    old: Sequence[Any], new: Sequence[Any], *, field: str, key: str | None, part: str | None
) -> list[Change]:
    """A list of text: items added, removed, or reworded in place (paired by position)."""
    before, after = [_str(i) for i in old], [_str(i) for i in new]
    if sorted(before) == sorted(after):  # only the order changed
        return [Change(field, "modify", key, part, "; ".join(before), "; ".join(after))]
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        gone, came = before[i1:i2], after[j1:j2]
        paired = min(len(gone), len(came)) if tag == "replace" else 0
        changes.extend(
            Change(field, "modify", key, part, a, b) for a, b in zip(gone, came, strict=False)
        )
        changes.extend(Change(field, "remove", key, part, a, None) for a in gone[paired:])
        changes.extend(Change(field, "add", key, part, None, b) for b in came[paired:])
    return changes


def _keyed(old: Sequence[BaseModel], new: Sequence[BaseModel], *, field: str) -> list[Change]:
    """Records with an ``id`` (objections): added, removed, or modified part by part."""
    before = {_str(dict(r)["id"]): r for r in old}
    after = {_str(dict(r)["id"]): r for r in new}
    changes: list[Change] = []
    for rid, record in after.items():
        if rid not in before:
            changes.append(Change(field, "add", rid, None, None, _label(record)))
        elif before[rid] != record:
            changes.extend(_model(before[rid], record, field=field, key=rid))
    changes.extend(
        Change(field, "remove", rid, None, _label(record), None)
        for rid, record in before.items()
        if rid not in after
    )
    if not changes and [*before] != [*after]:  # the same records, reordered
        changes.append(Change(field, "modify", None, None, ", ".join(before), ", ".join(after)))
    return changes


def _records(old: Sequence[BaseModel], new: Sequence[BaseModel], *, field: str) -> list[Change]:
    """Records without an id (evidence), matched by position where they were replaced."""
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        gone, came = old[i1:i2], new[j1:j2]
        paired = min(len(gone), len(came)) if tag == "replace" else 0
        for offset in range(paired):
            position = str(j1 + offset + 1)
            changes.extend(_model(gone[offset], came[offset], field=field, key=position))
        changes.extend(
            Change(field, "remove", str(i1 + n + 1), None, _label(r), None)
            for n, r in enumerate(gone[paired:], start=paired)
        )
        changes.extend(
            Change(field, "add", str(j1 + n + 1), None, None, _label(r))
            for n, r in enumerate(came[paired:], start=paired)
        )
    return changes


def _mapping(old: dict[str, Any], new: dict[str, Any], *, field: str) -> list[Change]:
    """A mapping (demographics): keys added, removed or given another value."""
    changes: list[Change] = []
    for name, value in new.items():
        if name not in old:
            changes.append(Change(field, "add", name, None, None, _text(value)))
        elif old[name] != value:
            changes.append(Change(field, "modify", name, None, _text(old[name]), _text(value)))
    changes.extend(
        Change(field, "remove", name, None, _text(value), None)
        for name, value in old.items()
        if name not in new
    )
    return changes


def _label(record: BaseModel) -> str:
    """A record as one line: its first text besides the id (an objection's words)."""
    for name in type(record).model_fields:
        value = getattr(record, name)
        if name != "id" and isinstance(value, str):
            return value
    return ", ".join(str(getattr(record, name)) for name in type(record).model_fields)


def _text(value: Any) -> str | None:
    return None if value is None else _str(value)


def _str(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(_str(v) for v in value)
    if isinstance(value, BaseModel):
        return _label(value)
    return str(value)
