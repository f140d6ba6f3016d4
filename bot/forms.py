"""Platform-neutral help with :class:`~bot.model.Form`: checks, refills, storage, shortcuts.

Handlers build a :class:`~bot.model.Form` and answer its submission; transports render
it (a Slack modal, a Teams card, console prompts). What they share lives here:

* :func:`problems` checks submitted values against the form (required, length, option)
  with generic, translated messages, for a handler to return as ``form_errors``;
* :func:`refilled` is the form again with what was submitted, to show with the errors;
* :func:`to_data` / :func:`from_data` keep a form as JSON (a Slack "Open the form"
  button's form waits in the database this way);
* :func:`shortcut_action` is the action a shortcut arrives with (``feedback:shortcut``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from bot.i18n import Texts
from bot.model import Choice, Form, FormField

#: The suffix of the action a shortcut (Slack) or message-extension action (Teams) gives.
SHORTCUT = "shortcut"
#: The field kinds a form may have.
KINDS = ("text", "multiline", "choice")


def shortcut_action(command: str) -> str:
    """The :attr:`~bot.model.Incoming.action` of shortcut ``command``: ``<command>:shortcut``."""
    return f"{command}:{SHORTCUT}"


def problems(form: Form, values: Mapping[str, str], *, texts: Texts) -> dict[str, str]:
    """What is wrong with ``values`` for ``form``, by field name (empty: nothing).

    A required field left empty (or only spaces), text over ``max_length`` and a choice
    that is none of the options are refused; unknown names are ignored.
    """
    found: dict[str, str] = {}
    for item in form.fields:
        value = values.get(item.name, "")
        if item.required and not value.strip():
            found[item.name] = texts("forms.required")
        elif item.max_length is not None and len(value) > item.max_length:
            found[item.name] = texts("forms.too_long", max=item.max_length, count=len(value))
        elif item.kind == "choice" and value and value not in {o.value for o in item.options}:
            found[item.name] = texts("forms.not_an_option")
    return found


def refilled(form: Form, values: Mapping[str, str]) -> Form:
    """``form`` with each field's value set to the one in ``values`` (others as they were)."""
    fields = tuple(
        dataclasses.replace(item, value=values[item.name]) if item.name in values else item
        for item in form.fields
    )
    return dataclasses.replace(form, fields=fields)


def to_data(form: Form) -> dict[str, Any]:
    """``form`` as JSON-compatible data (see :func:`from_data`)."""
    return {
        "action": form.action,
        "title": form.title,
        "submit": form.submit,
        "intro": form.intro,
        "fields": [
            {
                "name": item.name,
                "label": item.label,
                "kind": item.kind,
                "options": [[o.label, o.value] for o in item.options],
                "value": item.value,
                "required": item.required,
                "max_length": item.max_length,
                "hint": item.hint,
            }
            for item in form.fields
        ],
    }


def from_data(data: Mapping[str, Any]) -> Form:
    """The form :func:`to_data` gave.

    Raises:
        KeyError, TypeError, ValueError: If ``data`` is not such a form.
    """
    fields = tuple(
        FormField(
            name=str(item["name"]),
            label=str(item["label"]),
            kind=str(item["kind"]),
            options=tuple(Choice(label=str(lab), value=str(val)) for lab, val in item["options"]),
            value=str(item["value"]),
            required=bool(item["required"]),
            max_length=None if item["max_length"] is None else int(item["max_length"]),
            hint=str(item["hint"]),
        )
        for item in data["fields"]
    )
    return Form(
        action=str(data["action"]),
        title=str(data["title"]),
        fields=fields,
        submit=str(data["submit"]),
        intro=str(data["intro"]),
    )


def option_label(item: FormField, value: str) -> str | None:
    """The label of ``item``'s option with ``value``, or ``None``."""
    return next((o.label for o in item.options if o.value == value), None)
