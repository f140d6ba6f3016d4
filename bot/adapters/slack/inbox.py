"""Slack questions are stored before Slack is acknowledged, and answered late if need be.

A question event (a mention, a direct message) or a click on one of our buttons is
claimed in the database with its payload *before* bolt acknowledges it to Slack (a
middleware; bolt runs middleware before the acknowledgement and listeners after it).
Once acknowledged, Slack never sends it again; if this replica dies before answering,
the stored payload lets any replica answer it late (:func:`redeliver`, driven by
``bot.redelivery``). The claim also deduplicates Slack's retries across replicas.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.blocks import ACTION_PREFIX
from bot.claims import EventClaims

log = logging.getLogger(__name__)

#: Marks a request as the late answer of an event taken over from a dead replica; the
#: value is the token it was taken with (the request is signed like Slack's own).
REDELIVERY_HEADER = "x-personabot-redelivery"
#: What such a token looks like (``storage.events.new_claim_token``).
TOKEN = re.compile(r"[0-9a-f]{32}")
#: Context key holding the id of the event this request claimed.
CLAIMED = "personabot_claimed"
#: Message subtypes that still carry a question typed by a person.
QUESTION_SUBTYPES = (None, "file_share", "thread_broadcast")

Middleware = Callable[..., Awaitable[BoltResponse | None]]


def answerable(event: dict[str, Any], *, bot_user_id: str | None) -> bool:
    """Whether the bot answers ``event``: a person's mention, or a person's DM."""
    if event.get("bot_id") or event.get("user") in (None, bot_user_id):
        return False
    if event.get("type") == "app_mention":
        return True
    return (
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and event.get("subtype") in QUESTION_SUBTYPES
    )


def question_id(body: dict[str, Any], context: dict[str, Any]) -> str | None:
    """The event id of a question event (a person's mention or DM), else None."""
    event = body.get("event") or {}
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not event_id or not answerable(event, bot_user_id=context.get("bot_user_id")):
        return None
    return str(event_id)


def click_id(body: dict[str, Any]) -> str | None:
    """A claim id for a click on one of our buttons (``block_actions``), else None.

    Slack sends a click once and never retries it, but a click is something a user
    submitted (a quiz answer): it is stored before the acknowledgement like a question,
    so a replica that dies before acting on it leaves it for another to act on.
    """
    actions = body.get("actions") if body.get("type") == "block_actions" else None
    if not isinstance(actions, list) or len(actions) != 1 or not isinstance(actions[0], dict):
        return None
    action = actions[0]
    if not str(action.get("action_id", "")).startswith(ACTION_PREFIX):
        return None
    user = (body.get("user") or {}).get("id")
    parts = [str(user), str(action.get("action_ts")), str(action.get("value"))]
    raw = "\x1f".join(parts).encode("utf-8")
    return "click:" + hashlib.sha256(raw).hexdigest()[:40]


def claim_first(claims: EventClaims) -> Middleware:
    """A bolt middleware: claim (and store) each question event and click before the ack."""

    async def claimed(
        body: dict[str, Any],
        context: dict[str, Any],
        request: AsyncBoltRequest,
        next: Callable[[], Awaitable[None]],  # noqa: A002 - bolt passes it by this name
    ) -> BoltResponse | None:
        event_id = click_id(body) or question_id(body, context)
        if event_id is None:
            await next()
            return None
        given = request.headers.get(REDELIVERY_HEADER)
        token = given[0] if given and TOKEN.fullmatch(given[0]) else None
        try:
            first = await claims.claim(event_id, payload=json.dumps(body), token=token)
        except Exception:  # noqa: BLE001 - as on Teams: a rare duplicate beats a lost reply
            log.exception("could not claim event %s; answering anyway", event_id)
            first = True
        if not first:
            log.info("skipping event %s: already handled", event_id)
            return BoltResponse(status=200, body="")
        context[CLAIMED] = event_id
        await next()
        return None

    return claimed


async def redeliver(bolt: AsyncApp, payload: str, *, token: str, secret: str | None) -> int:
    """Run a stored event through bolt again, as if Slack had sent it; its status.

    Signed with our signing secret (bolt verifies every HTTP request); in Socket Mode
    (no secret) it goes the way Socket Mode events go.
    """
    headers: dict[str, str | Sequence[str]] = {
        "content-type": "application/json",
        REDELIVERY_HEADER: token,
    }
    mode = "socket_mode"
    if secret:
        stamp = str(int(time.time()))
        headers["x-slack-request-timestamp"] = stamp
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=payload)
        headers["x-slack-signature"] = signature or ""
        mode = "http"
    response = await bolt.async_dispatch(AsyncBoltRequest(body=payload, headers=headers, mode=mode))
    return response.status
