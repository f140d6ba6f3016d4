"""A neutral :class:`~bot.model.Form` as a Slack modal, and its submission back.

Each field is an ``input`` block whose ``block_id`` is the field's name (stable, and
what ``response_action: errors`` names) and whose element's ``action_id`` is
:data:`VALUE`: a ``plain_text_input`` (``multiline`` for multiline fields) or a
``static_select``. Slack's limits are kept: title, submit and close at most 24
characters, labels and hints 2,000, text inputs 3,000 (a longer pre-filled value is
cut), 100 options of at most 75 characters shown (option values must be at most 150
characters, Slack's limit: keep them ids). What the form submits and where its answer
goes ride in ``private_metadata`` (Slack keeps it with the view; the user cannot change
it), so any replica can take the submission.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from bot.adapters.slack.mrkdwn import escape
from bot.i18n import Texts
from bot.model import ConversationRef, Form, FormField
from bot.render.cut import shorten

log = logging.getLogger(__name__)

#: The ``callback_id`` of every form modal (bolt's view listener matches it).
CALLBACK_ID = "pb-form"
#: The ``action_id`` of every field's element (its ``block_id`` is the field's name).
VALUE = "value"
MAX_TITLE = 24
MAX_LABEL = 2000
MAX_HINT = 2000
MAX_INPUT = 3000
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_SECTION = 3000
MAX_METADATA = 3000

Block = dict[str, Any]


def view(form: Form, *, texts: Texts, text: str = "", answer_in: ConversationRef | None) -> Block:
    """The modal for ``form`` (``views.open``'s ``view``).

    Args:
        form: The form.
        texts: Texts in the pack's language (the close button).
        text: The reply's text, shown above the form's intro.
        answer_in: Where the answer to the submission goes (``None``: the user's DM).
    """
    blocks: list[Block] = [_section(part) for part in (text, form.intro) if part.strip()]
    blocks += [_input(item) for item in form.fields]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(shorten(form.title, MAX_TITLE)),
        "submit": _plain(shorten(form.submit, MAX_TITLE)),
        "close": _plain(shorten(texts("forms.cancel"), MAX_TITLE)),
        "private_metadata": metadata(form.action, answer_in),
        "blocks": blocks,
    }


def metadata(action: str, answer_in: ConversationRef | None) -> str:
    """``private_metadata``: the form's action and where to answer (at most 3,000 chars)."""
    data: dict[str, Any] = {"action": action}
    if answer_in is not None:
        data["answer_in"] = {
            "id": answer_in.id,
            "thread": answer_in.thread,
            "team_id": answer_in.opaque.get("team_id"),
            "enterprise_id": answer_in.opaque.get("enterprise_id"),
        }
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if len(raw) > MAX_METADATA:  # an absurd action: answered in the user's DM instead
        raw = json.dumps({"action": action[: MAX_METADATA - 20]}, separators=(",", ":"))
    return raw


def read_metadata(submitted: Mapping[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The action and the ``answer_in`` data of a submitted view (``("", None)`` if unreadable)."""
    try:
        data = json.loads(str(submitted.get("private_metadata") or ""))
    except ValueError:
        return "", None
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        return "", None
    answer_in = data.get("answer_in")
    return data["action"], answer_in if isinstance(answer_in, dict) else None


def values(submitted: Mapping[str, Any]) -> dict[str, str]:
    """The submitted values by field name: text as typed, a select's option value.

    An empty optional input (``value: null``, no ``selected_option``) gives ``""``.
    """
    state = (submitted.get("state") or {}).get("values") or {}
    out: dict[str, str] = {}
    for name, actions in state.items():
        element = actions.get(VALUE) if isinstance(actions, dict) else None
        if not isinstance(element, dict):
            continue
        if element.get("type") == "static_select":
            option = element.get("selected_option") or {}
            out[str(name)] = str(option.get("value") or "")
        else:
            value = element.get("value")
            out[str(name)] = value if isinstance(value, str) else ""
    return out


def errors(form_errors: Mapping[str, str], submitted: Mapping[str, Any]) -> dict[str, str]:
    """``response_action: errors``'s ``errors``: messages by the view's block ids.

    Slack can only show an error under an input of the view: one about a field the view
    lacks is shown under its first input.
    """
    inputs = [
        str(block.get("block_id"))
        for block in submitted.get("blocks") or []
        if isinstance(block, dict) and block.get("type") == "input"
    ]
    out: dict[str, str] = {}
    for name, message in form_errors.items():
        target = name if name in inputs else (inputs[0] if inputs else name)
        joined = f"{out[target]} {message}" if target in out else message
        out[target] = shorten(joined, MAX_HINT)
    return out


def _input(item: FormField) -> Block:
    block: Block = {
        "type": "input",
        "block_id": item.name,
        "label": _plain(shorten(item.label, MAX_LABEL)),
        "optional": not item.required,
        "element": _select(item) if item.kind == "choice" else _text(item),
    }
    if item.hint:
        block["hint"] = _plain(shorten(item.hint, MAX_HINT))
    return block


def _text(item: FormField) -> Block:
    most = min(item.max_length or MAX_INPUT, MAX_INPUT)
    element: Block = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "multiline": item.kind == "multiline",
        "max_length": most,
    }
    if item.value:
        element["initial_value"] = item.value[:most]
    return element


def _select(item: FormField) -> Block:
    options = []
    for option in item.options[:MAX_OPTIONS]:
        if len(option.value) > MAX_OPTION_VALUE:
            log.warning("form field %s: an option value over 150 characters is left out", item.name)
            continue
        options.append(
            {"text": _plain(shorten(option.label, MAX_OPTION_TEXT)), "value": option.value}
        )
    element: Block = {"type": "static_select", "action_id": VALUE, "options": options}
    chosen = next((o for o in options if o["value"] == item.value), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text or " ", "emoji": True}


def _section(text: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": shorten(escape(text), MAX_SECTION)},
    }
