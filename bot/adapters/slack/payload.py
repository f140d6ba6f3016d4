r"""Check the shape of a (signed) Slack payload before any listener reads it.

Slack's payloads are well-formed, but a signed request is only as good as its sender: a
field of the wrong type or a missing one must get a clear 400, not a ``KeyError`` deep
in a listener and an apology to nobody. Text is cleaned of what no database column can
hold (NUL, lone surrogates from ``\ud800`` escapes), so a question is always recorded.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.clean import cleaned

__all__ = ["cleaned", "problem"]

_MESSAGE_EVENTS = ("app_mention", "message")


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
    return None


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
