"""A neutral :class:`~bot.model.Form` as an Adaptive Card 1.5 with inputs, and back.

Each field is an ``Input.Text`` (``isMultiline`` for multiline fields) or a compact
``Input.ChoiceSet`` with a ``label``; its id is :data:`FIELD` + the field's name. The
card's one ``Action.Submit`` carries the form's action under ``personabot`` (like every
button of ours) and the field names under :data:`FORM_KEY`, so a submission is known as
one and an input Teams leaves out still arrives (as ``""``). Refused values are shown
in red under their field. Text from users and packs is escaped as on every card.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from bot.adapters.teams.cards import CONTENT_TYPE, DATA_KEY, SCHEMA, VERSION, escape
from bot.i18n import Texts
from bot.model import Form, FormField
from bot.render.cut import shorten

#: The key of a form's submit data listing its field names.
FORM_KEY = "personabot_form"
#: The prefix of each input's id (the field's name follows).
FIELD = "personabot_field:"
MAX_TITLE = 80
MAX_TEXT = 4000

Element = dict[str, Any]
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<(br|/p|/div|/li)\b[^>]*>", re.IGNORECASE)


def form_card(
    form: Form, *, texts: Texts, text: str = "", errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The Adaptive Card of ``form``: ``text`` above it, ``errors`` under their fields."""
    errors = errors or {}
    body: list[Element] = []
    if text.strip():
        body.append(_block(text))
    body.append(_block(form.title, size="Medium", weight="Bolder"))
    if form.intro.strip():
        body.append(_block(form.intro, isSubtle=True))
    if errors and text.strip() != texts("forms.check"):  # said once, not twice
        body.append(_block(texts("forms.check"), color="Attention", weight="Bolder"))
    names = {item.name for item in form.fields}
    for item in form.fields:
        body.append(_input(item, texts=texts))
        if item.name in errors:
            body.append(_block(errors[item.name], color="Attention", size="Small", spacing="None"))
    for name, message in errors.items():  # about no field of the form: at the end
        if name not in names:
            body.append(_block(message, color="Attention", size="Small"))
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "actions": [
            {
                "type": "Action.Submit",
                "title": shorten(form.submit, MAX_TITLE),
                "style": "positive",
                "data": {DATA_KEY: form.action, FORM_KEY: [item.name for item in form.fields]},
            }
        ],
    }


def attachment(card: dict[str, Any]) -> dict[str, Any]:
    """``card`` as a Bot Framework attachment (a task module's ``card``)."""
    return {"contentType": CONTENT_TYPE, "content": card}


def is_submission(data: Any) -> bool:
    """Whether a card's submitted ``data`` is one of our forms'."""
    return (
        isinstance(data, dict)
        and isinstance(data.get(DATA_KEY), str)
        and isinstance(data.get(FORM_KEY), list)
    )


def submitted(data: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The action and the values (by field name) of a form's submitted ``data``.

    Every field the form listed is there (``""`` when Teams left its input out); a
    value that is not text becomes text.
    """
    values: dict[str, str] = {str(name): "" for name in data.get(FORM_KEY) or []}
    for key, value in data.items():
        if isinstance(key, str) and key.startswith(FIELD):
            name = key.removeprefix(FIELD)
            values[name] = (
                value if isinstance(value, str) else ("" if value is None else str(value))
            )
    return str(data.get(DATA_KEY) or ""), values


def html_text(content: str) -> str:
    """A Teams message body (HTML) as the core's plain text: tags dropped, entities read."""
    text = _BREAK.sub(" ", content)
    text = html.unescape(_TAG.sub("", text))
    return " ".join(text.split())[:MAX_TEXT]


def _input(item: FormField, *, texts: Texts) -> Element:
    element: Element = {
        "id": FIELD + item.name,
        "label": item.label,
        "isRequired": item.required,
    }
    if item.required:
        element["errorMessage"] = texts("forms.required")
    if item.hint:
        element["placeholder"] = item.hint
    if item.kind == "choice":
        element.update(
            type="Input.ChoiceSet",
            style="compact",
            choices=[{"title": o.label, "value": o.value} for o in item.options],
        )
        if item.value:
            element["value"] = item.value
        return element
    element.update(type="Input.Text", isMultiline=item.kind == "multiline")
    if item.max_length is not None:
        element["maxLength"] = item.max_length
    if item.value:
        element["value"] = item.value[: item.max_length]
    return element


def _block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": escape(text), "wrap": True, **style}
