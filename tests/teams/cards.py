"""Adaptive Card validation against the official Adaptive Card 1.5 schema.

The schema is ``adaptive-card-1.5.0.json`` beside this file, an unmodified copy of
microsoft/AdaptiveCards ``schemas/1.5.0/adaptive-card.json`` (MIT licence; see
``SCHEMA_NOTICE.md``). It is a draft-06 schema, checked with ``jsonschema``'s
``Draft6Validator``.

Teams renders Adaptive Cards up to version 1.5, so :func:`validate_adaptive_card` also
requires a top-level ``"type": "AdaptiveCard"`` and ``"version": "1.5"`` (the schema itself
requires neither). The Teams-only top-level ``msteams`` property (``{"width": "Full"}``,
mention ``entities``) is removed before validating: the schema sets
``additionalProperties: false`` on the card and would reject it.

Errors are readable strings, ``"<path>: <message>"`` with the path as a JSONPath from the
card's root (``"$.body[0].size: 'huge' is not one of ['default', 'small', ...]"``). When an
element or action matches none of the schema's alternatives, the error is reported from
the alternative of the element's own ``type`` (so a bad ``TextBlock`` says what is wrong
with it as a ``TextBlock``), or as an unknown ``type``.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft6Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).resolve().parent / "adaptive-card-1.5.0.json"
ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
TEAMS_ONLY_PROPERTIES = ("msteams",)

Json = dict[str, Any]


@functools.cache
def _validator() -> Draft6Validator:
    # Imported here so that modules using this one load without jsonschema installed.
    from jsonschema import Draft6Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def schema() -> Json:
    """The Adaptive Card 1.5 schema as shipped in the test tree (a fresh copy)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_adaptive_card(card: Any) -> list[str]:
    """The reasons ``card`` is not a valid Teams Adaptive Card 1.5 (empty when valid).

    Args:
        card: The card object, as it goes into an attachment's ``content``.

    Returns:
        Readable ``"<path>: <message>"`` strings, sorted by path.
    """
    if not isinstance(card, dict):
        return [f"$: {card!r} is not an object (an Adaptive Card is a JSON object)"]
    stripped = {k: v for k, v in card.items() if k not in TEAMS_ONLY_PROPERTIES}
    errors: list[str] = []
    if "type" not in stripped:  # a wrong type is reported by the schema's enum
        errors.append("$.type: 'AdaptiveCard' is required at the top level")
    if stripped.get("version") != CARD_VERSION:
        errors.append(f"$.version: must be {CARD_VERSION!r}, got {stripped.get('version')!r}")
    for error in _validator().iter_errors(stripped):
        errors.extend(_explain(error))
    return sorted(dict.fromkeys(errors))


def assert_valid_card(card: Any) -> None:
    """Raise ``AssertionError`` listing every problem when ``card`` is not valid."""
    errors = validate_adaptive_card(card)
    if errors:
        raise AssertionError("invalid Adaptive Card:\n  " + "\n  ".join(errors))


def adaptive_attachments(activity: Json) -> list[Any]:
    """The contents of ``activity``'s Adaptive Card attachments (JSON-string contents decoded)."""
    contents: list[Any] = []
    for attachment in activity.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        if attachment.get("contentType") != ADAPTIVE_CARD_CONTENT_TYPE:
            continue
        content = attachment.get("content")
        if isinstance(content, str):
            with contextlib.suppress(ValueError):  # else "not an object" when validated
                content = json.loads(content)
        contents.append(content)
    return contents


def validate_activity_cards(activity: Json) -> list[str]:
    """Every Adaptive Card problem in ``activity``'s attachments, prefixed with the attachment.

    Returns:
        ``"attachments[i] <path>: <message>"`` strings (empty when all cards are valid).
    """
    errors: list[str] = []
    for i, attachment in enumerate(activity.get("attachments") or []):
        if not isinstance(attachment, dict):
            errors.append(f"attachments[{i}]: not an object")
            continue
        if attachment.get("contentType") != ADAPTIVE_CARD_CONTENT_TYPE:
            continue
        content = adaptive_attachments({"attachments": [attachment]})[0]
        errors.extend(f"attachments[{i}] {e}" for e in validate_adaptive_card(content))
    return errors


def card_attachment(card: Json) -> Json:
    """``card`` wrapped as a Bot Framework attachment (``contentType`` + ``content``)."""
    return {"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": card}


# -- readable errors -------------------------------------------------------------------


def _path(error: ValidationError) -> str:
    return str(error.json_path)


def _explain(error: ValidationError) -> list[str]:
    """Readable messages for one schema error, looking into anyOf/oneOf alternatives."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [f"{_path(error)}: {error.message}"]
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        index = sub.relative_schema_path[0] if sub.relative_schema_path else 0
        branches.setdefault(int(index), []).append(sub)
    # Alternatives rejected only because they are for another element/action type or
    # another JSON type are not what the author meant; report the one(s) that fit.
    fitting = {i: subs for i, subs in branches.items() if not any(_mismatch(s) for s in subs)}
    if len(fitting) == 1:
        (subs,) = fitting.values()
        return [m for sub in subs for m in _explain(sub)]
    instance = error.instance
    if isinstance(instance, dict) and "type" in instance and not fitting:
        allowed = sorted(_types_allowed(branches.values()))
        shown = ", ".join(allowed) if allowed else "none"
        return [f"{_path(error)}.type: {instance['type']!r} is not allowed here (one of: {shown})"]
    if isinstance(instance, dict) and "type" not in instance and not fitting:
        return [f"{_path(error)}: an element or action needs a 'type'"]
    if fitting:
        # Several alternatives fit the type (e.g. a string or an object); report the
        # one with the fewest problems.
        best = min(fitting.values(), key=len)
        return [m for sub in best for m in _explain(sub)]
    return [f"{_path(error)}: {error.message}"]


def _mismatch(error: ValidationError) -> bool:
    """Whether ``error`` says the instance is of another kind than this alternative."""
    relative = list(error.relative_path)
    if relative == ["type"] and error.validator in ("enum", "const"):
        return True
    if not relative and error.validator == "type":
        return True
    if not relative and error.validator == "required" and "'type'" in error.message:
        return True
    if not relative and error.validator in ("anyOf", "oneOf", "allOf") and error.context:
        return all(_mismatch(sub) for sub in error.context)
    return False


def _types_allowed(branches: Iterable[list[ValidationError]]) -> set[str]:
    allowed: set[str] = set()
    for subs in branches:
        for sub in subs:
            _collect_types(sub, allowed)
    return allowed


def _collect_types(error: ValidationError, into: set[str]) -> None:
    if list(error.relative_path) == ["type"] and error.validator == "enum":
        into.update(str(v) for v in error.validator_value)
    for sub in error.context or ():
        _collect_types(sub, into)
