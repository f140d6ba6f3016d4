"""Slack-shaped shortcut and ``view_submission`` payloads, form-encoded as Slack posts them.

Shapes follow Slack's interaction payload reference: a message shortcut is
``type: message_action`` (with ``channel``, ``message`` and ``response_url``), a global
shortcut ``type: shortcut`` (neither), a modal's submission ``type: view_submission``
with the view as opened and ``view.state.values`` holding what the user entered.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from payloads import API_APP_ID, TEAM_DOMAIN, TEAM_ID, VERIFICATION_TOKEN, new_trigger_id

Json = dict[str, Any]


def _user(user: str) -> Json:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID}


def _encoded(payload: Json) -> str:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"), ensure_ascii=False)})


def message_shortcut(
    callback_id: str,
    *,
    user: str,
    channel: str,
    message_text: str,
    message_ts: str,
    author: str,
    response_url: str,
    trigger_id: str | None = None,
) -> str:
    """A message shortcut used on someone's message (``type: message_action``)."""
    return _encoded(
        {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": f"{time.time():.6f}",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": _user(user),
            "channel": {"id": channel, "name": "general"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or new_trigger_id(),
            "response_url": response_url,
            "message_ts": message_ts,
            "message": {
                "type": "message",
                "user": author,
                "text": message_text,
                "ts": message_ts,
                "team": TEAM_ID,
            },
        }
    )


def global_shortcut(callback_id: str, *, user: str, trigger_id: str | None = None) -> str:
    """A global shortcut (``type: shortcut``): no channel, no message, no response_url."""
    return _encoded(
        {
            "type": "shortcut",
            "token": VERIFICATION_TOKEN,
            "action_ts": f"{time.time():.6f}",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": _user(user),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def state_of(view: Json, entered: dict[str, str | None]) -> Json:
    """``view.state`` as Slack builds it from what the user entered in each input block."""
    values: Json = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        typed = entered.get(block["block_id"])
        if element["type"] == "static_select":
            option = next((o for o in element["options"] if o["value"] == typed), None)
            state: Json = {"type": "static_select", "selected_option": option}
        else:
            state = {"type": element["type"], "value": typed or None}
        values[block["block_id"]] = {element["action_id"]: state}
    return {"values": values}


def view_submission(opened: Json, entered: dict[str, str | None], *, user: str) -> str:
    """The submission of a modal: ``opened`` is the view ``views.open`` returned."""
    view = dict(opened)
    view["state"] = state_of(opened, entered)
    return _encoded(
        {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": _user(user),
            "api_app_id": API_APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": new_trigger_id(),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )
