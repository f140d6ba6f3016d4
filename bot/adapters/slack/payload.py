r"""Check the shape of a (signed) Slack payload before any listener reads it.

Slack's payloads are well-formed, but a signed request is only as good as its sender: a
field of the wrong type or a missing one must get a clear 400, not a ``KeyError`` deep
in a listener and an apology to nobody. Text is cleaned of what no database column can
hold (NUL, lone surrogates from ``\ud800`` escapes), so a question is always recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.adapters.clean import cleaned
from bot.model import ConversationRef

__all__ = ["cleaned", "conversation_ref", "problem"]

_MESSAGE_EVENTS = ("app_mention", "message")
_SHORTCUTS = ("message_action", "shortcut")


def conversation_ref(
    channel: str, thread: str | None, context: Mapping[str, Any], *, fresh: bool = False
) -> ConversationRef:
    """The core's reference to a Slack conversation (with its workspace, for the token)."""
    return ConversationRef(
        platform="slack",
        id=channel,
        thread=thread,
        fresh=fresh,
        opaque={"team_id": context.get("team_id"), "enterprise_id": context.get("enterprise_id")},
    )


def problem(body: Any) -> str | None:
    """What is wrong with the fields the listeners use, or ``None`` if nothing."""
    if not isinstance(body, dict):
        return "the payload is not an object"
    if body.get("type") == "event_callback":
        return _event_problem(body.get("event"))
    if body.get("command") is not None:
        return _missing(body, ("command", "user_id", "channel_id", "response_url"), "command")
    if body.get("type") == "block_actions":
        return _action_problem(body)
    if body.get("type") == "view_submission":
        return _view_problem(body)
    if body.get("type") in _SHORTCUTS:
        return _shortcut_problem(body)
    return None


def _user_problem(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        return "user.id: required text"
    return None


def _view_problem(body: dict[str, Any]) -> str | None:
    view = body.get("view")
    if not isinstance(view, dict):
        return _user_problem(body) or "view: must be an object"
    found = _user_problem(body) or _optional(view, ("id", "private_metadata"), "view")
    state = view.get("state")
    if found is None and state is not None:
        values = state.get("values") if isinstance(state, dict) else None
        if not isinstance(values, dict):
            return "view.state.values: must be an object"
        for name, actions in values.items():
            if not isinstance(actions, dict) or not all(
                isinstance(a, dict) for a in actions.values()
            ):
                return f"view.state.values.{name}: must be an object of objects"
    if found is None and view.get("blocks") is not None and not isinstance(view["blocks"], list):
        return "view.blocks: must be a list"
    return found


def _shortcut_problem(body: dict[str, Any]) -> str | None:
    found = _user_problem(body) or _missing(body, ("callback_id",), "payload")
    found = found or _optional(body, ("trigger_id", "response_url"), "payload")
    for name in ("channel", "message"):
        if found is None and body.get(name) is not None and not isinstance(body[name], dict):
            found = f"{name}: must be an object"
    found = found or _optional(body.get("channel") or {}, ("id",), "channel")
    return found or _optional(body.get("message") or {}, ("text", "thread_ts"), "message")


def _event_problem(event: Any) -> str | None:
    if not isinstance(event, dict):
        return "event: must be an object"
    kind = event.get("type")
    if kind in _MESSAGE_EVENTS:
        return _missing(event, ("channel",), "event") or _optional(
            event, ("user", "text", "ts", "thread_ts", "subtype", "bot_id"), "event"
        )
    if kind == "app_home_opened":
        return _missing(event, ("user",), "event") or _optional(event, ("tab",), "event")
    return None


def _action_problem(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "user.id: required text"
    for name in ("container", "channel", "message"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            return f"{name}: must be an object"
    container = body.get("container") or {}
    found = _optional(container, ("channel_id", "message_ts"), "container")
    found = found or _optional(body.get("channel") or {}, ("id",), "channel")
    found = found or _optional(body.get("message") or {}, ("thread_ts",), "message")
    found = found or _optional(body, ("response_url",), "payload")
    actions = body.get("actions")
    if found or not isinstance(actions, list) or not actions:
        return found or "actions: must list the action"
    for index, action in enumerate(actions):
        if not isinstance(action, dict):
            return f"actions[{index}]: must be an object"
        label = action.get("text")
        if label is not None and not isinstance(label, dict):
            return f"actions[{index}].text: must be an object"
        found = _optional(label or {}, ("text",), f"actions[{index}].text")
        if found:
            return found
    return None


def _missing(data: dict[str, Any], names: tuple[str, ...], where: str) -> str | None:
    for name in names:
        if not isinstance(data.get(name), str) or not data[name]:
            return f"{where}.{name}: required text"
    return None


def _optional(data: dict[str, Any], names: tuple[str, ...], where: str) -> str | None:
    for name in names:
        if data.get(name) is not None and not isinstance(data[name], str):
            return f"{where}.{name}: must be text"
    return None
