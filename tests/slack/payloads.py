"""Slack-shaped inbound HTTP payloads, as Slack documents them, and request signing.

Events API envelopes (``event_callback``, ``url_verification``) and events are dicts; send
them as JSON (:func:`json_body`). Slash commands and interactivity (``block_actions``)
are form-encoded strings, the way Slack posts them. :func:`post_signed` sends any body
with Slack's signature headers (and its retry headers when asked).

The ids match the fake Web API (:mod:`fake_slack`): team ``T0001``, app ``A0001``, bot
user ``U0BOT``, bot ``B0BOT``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import aiohttp

TEAM_ID = "T0001"
TEAM_DOMAIN = "fake"
API_APP_ID = "A0001"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
# The deprecated verification token Slack still puts in every payload.
VERIFICATION_TOKEN = "Jhj5dZrVaK7ZwHHjRyZWjbDl"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

Json = dict[str, Any]
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
_ts_counter = itertools.count(1)


def next_ts() -> str:
    """A fresh, increasing message timestamp (``"1700000123.000001"`` style)."""
    n = next(_ts_counter)
    return f"{1_700_000_000 + n}.{n % 1_000_000:06d}"


def new_event_id() -> str:
    """A fresh event id (``Ev`` + 10 upper-case hex digits)."""
    return "Ev" + uuid.uuid4().hex[:10].upper()


def new_trigger_id() -> str:
    """A fresh trigger id shaped like Slack's (``"13345224609.738474920.8088930838d8…"``)."""
    return f"{int(time.time())}.738474920.{uuid.uuid4().hex}"


# -- signing ---------------------------------------------------------------------------


def sign(body: bytes | str, secret: str, timestamp: int) -> dict[str, str]:
    """Slack's request signing headers for ``body`` at ``timestamp`` (Unix seconds).

    ``X-Slack-Signature`` is ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + raw
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def json_body(payload: Json) -> bytes:
    """A payload as the JSON bytes Slack sends."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def post_signed(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes | str | Json,
    content_type: str,
    secret: str,
    *,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    timeout: float = 30.0,
) -> aiohttp.ClientResponse:
    """POST ``body`` to ``url`` signed with ``secret``, as Slack does.

    ``body`` may be bytes, a string (e.g. a form body from :func:`slash_command`), or a
    dict (sent as JSON). ``timestamp`` defaults to now. ``retry_num``/``retry_reason`` set
    ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` (e.g. ``1``, ``"http_timeout"``).

    Returns:
        The response with its body already read: ``resp.status``, ``await resp.text()``
        and ``await resp.json()`` work after the call.
    """
    if isinstance(body, dict):
        raw = json_body(body)
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    else:
        raw = body
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, **sign(raw, secret, stamp)}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        headers["X-Slack-Retry-Reason"] = retry_reason
    async with session.post(
        url, data=raw, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)
    ) as resp:
        await resp.read()
        return resp


# -- Events API ------------------------------------------------------------------------


def _event_context(event: Json, team_id: str, api_app_id: str) -> str:
    context = {"et": event.get("type"), "tid": team_id, "aid": api_app_id}
    if event.get("channel") and isinstance(event["channel"], str):
        context["cid"] = event["channel"]
    encoded = base64.urlsafe_b64encode(json.dumps(context, separators=(",", ":")).encode())
    return "4-" + encoded.decode("ascii").rstrip("=")


def event_callback(
    event: Json,
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    event_time: int | None = None,
) -> Json:
    """The Events API envelope around ``event`` (``type: event_callback``).

    ``event_id`` defaults to a fresh id, ``event_time`` to now.
    """
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": _event_context(event, team_id, api_app_id),
    }


def url_verification(challenge: str) -> Json:
    """The handshake Slack sends when the Request URL is set; answer with ``challenge``."""
    return {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}


def rich_text(text: str) -> list[Json]:
    """The ``rich_text`` blocks Slack attaches to a typed message (mentions as user elements)."""
    elements: list[Json] = []
    pos = 0
    for match in _MENTION.finditer(text):
        if match.start() > pos:
            elements.append({"type": "text", "text": text[pos : match.start()]})
        elements.append({"type": "user", "user_id": match.group(1)})
        pos = match.end()
    if pos < len(text):
        elements.append({"type": "text", "text": text[pos:]})
    block_id = base64.b32encode(hashlib.sha256(text.encode()).digest()[:3]).decode()[:4]
    return [
        {
            "type": "rich_text",
            "block_id": block_id,
            "elements": [{"type": "rich_text_section", "elements": elements}],
        }
    ]


def _typed_message(text: str, *, user: str, ts: str, team: str) -> Json:
    return {
        "user": user,
        "type": "message",
        "ts": ts,
        "client_msg_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"slack:{user}:{ts}")),
        "text": text,
        "team": team,
        "blocks": rich_text(text),
    }


def app_mention(
    text: str,
    *,
    user: str,
    channel: str,
    ts: str,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
) -> Json:
    """An ``app_mention`` event; ``text`` gets the leading ``<@U0BOT> `` unless it has one."""
    if not text.startswith(f"<@{BOT_USER_ID}>"):
        text = f"<@{BOT_USER_ID}> {text}"
    event = _typed_message(text, user=user, ts=ts, team=team)
    event["type"] = "app_mention"
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = user if thread_ts == ts else BOT_USER_ID
    event["channel"] = channel
    event["event_ts"] = ts
    return event


def dm_message(
    text: str,
    *,
    user: str,
    channel: str = "D0USER",
    ts: str,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
) -> Json:
    """A ``message`` event in the bot's direct-message channel (``channel_type: im``)."""
    event = _typed_message(text, user=user, ts=ts, team=team)
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = user
    event["channel"] = channel
    event["event_ts"] = ts
    event["channel_type"] = "im"
    return event


def bot_message(
    text: str,
    *,
    channel: str,
    ts: str,
    bot_id: str = BOT_ID,
    user: str | None = BOT_USER_ID,
    channel_type: str = "im",
    username: str = "personabot",
) -> Json:
    """A ``message`` event posted by a bot (``subtype: bot_message`` with ``bot_id``).

    By default it is the bot's own message echoed back in a DM, which a bot must ignore.
    """
    event: Json = {
        "type": "message",
        "subtype": "bot_message",
        "text": text,
        "ts": ts,
        "username": username,
        "bot_id": bot_id,
        "app_id": API_APP_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
        "blocks": [],
    }
    if user is not None:
        event["user"] = user
    return event


def app_home_opened(
    user: str,
    tab: str = "home",
    *,
    channel: str | None = None,
    event_ts: str | None = None,
    view: Json | None = None,
) -> Json:
    """The ``app_home_opened`` event (``tab`` ``home`` or ``messages``).

    ``view`` is the home view last published for the user, when there is one.
    """
    event: Json = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel or "D" + user,
        "tab": tab,
        "event_ts": event_ts or next_ts(),
    }
    if view is not None:
        event["view"] = view
    return event


# -- slash commands and interactivity -------------------------------------------------


def slash_command(
    text: str,
    *,
    user_id: str,
    channel_id: str,
    command: str = "/persona",
    response_url: str,
    trigger_id: str | None = None,
    user_name: str | None = None,
    channel_name: str | None = None,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    enterprise_id: str = "",
    api_app_id: str = API_APP_ID,
) -> str:
    """A slash command invocation, form-encoded as Slack posts it."""
    if channel_name is None:
        channel_name = "directmessage" if channel_id.startswith("D") else "general"
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": team_domain,
            "enterprise_id": enterprise_id,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def block_actions_payload(
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str | None = None,
    message_ts: str | None = None,
    response_url: str | None = None,
    trigger_id: str | None = None,
    container_type: str = "message",
    is_ephemeral: bool = False,
    block_id: str = "choices",
    text: str | None = None,
    message: Json | None = None,
    view: Json | None = None,
    user_name: str | None = None,
    team_id: str = TEAM_ID,
    action_ts: str | None = None,
) -> Json:
    """The ``block_actions`` payload (a dict) for a button click.

    ``container_type="message"`` (default) needs ``channel`` and ``message_ts``; the
    payload then carries ``channel``, ``message`` (default: a bot message holding the
    button) and ``response_url``. ``container_type="view"`` is a click in the App Home or
    a modal: pass ``view`` (a view as ``views.publish`` returned it, with ``id``).
    """
    name = user_name or user.lower()
    label = text if text is not None else value
    action = {
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": value,
        "type": "button",
        "action_ts": action_ts or f"{time.time():.6f}",
    }
    payload: Json = {
        "type": "block_actions",
        "user": {"id": user, "username": name, "name": name, "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
    }
    if container_type == "message":
        if channel is None or message_ts is None:
            raise ValueError("a message container needs channel and message_ts")
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": is_ephemeral,
        }
    elif container_type == "view":
        if view is None:
            raise ValueError("a view container needs view")
        payload["container"] = {"type": "view", "view_id": view["id"]}
    else:
        raise ValueError(f"unknown container type {container_type!r}")
    payload["trigger_id"] = trigger_id or new_trigger_id()
    payload["team"] = {"id": team_id, "domain": TEAM_DOMAIN}
    payload["enterprise"] = None
    payload["is_enterprise_install"] = False
    if container_type == "message":
        assert channel is not None and message_ts is not None
        payload["channel"] = {
            "id": channel,
            "name": "directmessage" if channel.startswith("D") else "general",
        }
        if not is_ephemeral:
            payload["message"] = message or {
                "user": BOT_USER_ID,
                "type": "message",
                "ts": message_ts,
                "bot_id": BOT_ID,
                "app_id": API_APP_ID,
                "text": label,
                "team": team_id,
                "blocks": [
                    {
                        "type": "actions",
                        "block_id": block_id,
                        "elements": [
                            {
                                "type": "button",
                                "action_id": action_id,
                                "text": {"type": "plain_text", "text": label, "emoji": True},
                                "value": value,
                            }
                        ],
                    }
                ],
            }
        payload["state"] = {"values": {}}
        if response_url is not None:
            payload["response_url"] = response_url
    else:
        payload["view"] = view
    payload["actions"] = [action]
    return payload


def block_actions(
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str | None = None,
    message_ts: str | None = None,
    response_url: str | None = None,
    trigger_id: str | None = None,
    container_type: str = "message",
    **kwargs: Any,
) -> str:
    """A button click as Slack posts it: form-encoded ``payload=<json>``.

    Same arguments as :func:`block_actions_payload`.
    """
    payload = block_actions_payload(
        action_id,
        value,
        user=user,
        channel=channel,
        message_ts=message_ts,
        response_url=response_url,
        trigger_id=trigger_id,
        container_type=container_type,
        **kwargs,
    )
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})
