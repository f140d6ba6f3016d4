"""Translating Teams activities to the core and back: text, conversations, keys.

The pure half of the Teams adapter (no I/O): what the user typed with the bot's mention
removed, the core's conversation reference, the message activity for a rendered card,
and the claim keys that deduplicate activities.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.adapters.teams.cards import Rendered
from bot.adapters.teams.people import PLATFORM, tenant_of
from bot.model import ConversationRef

# Inbound text beyond this is not a question; the core sees the start of it.
MAX_TEXT = 4000
_AT = re.compile(r"</?at[^>]*>", re.IGNORECASE)


def message_of(rendered: Rendered) -> Activity:
    """A message activity carrying ``rendered`` as its Adaptive Card."""
    return Activity(
        type=ActivityTypes.message,
        summary=rendered.summary,
        attachments=[Attachment(**attachment_fields(rendered))],
    )


def attachment_fields(rendered: Rendered) -> dict[str, Any]:
    """The attachment of ``rendered``, as botbuilder's ``Attachment`` keywords."""
    attachment = rendered.attachment()
    return {"content_type": attachment["contentType"], "content": attachment["content"]}


def plain_text(activity: Activity) -> str:
    """What the user typed, for the core: the bot's mention removed, other tags unwrapped."""
    if not activity.text:
        return ""
    text = activity.text
    bot_id = activity.recipient.id if activity.recipient is not None else None
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") or {}
        if entity.type == "mention" and bot_id and mentioned.get("id") == bot_id:
            # the literal mention text (a name is not a pattern, unlike botbuilder's helper)
            text = text.replace(str(props.get("text") or ""), " ")
    text = _AT.sub("", text)
    return " ".join(text.split())[:MAX_TEXT]


def conversation_of(activity: Activity) -> ConversationRef:
    """The core's reference to the activity's conversation (its thread, if any)."""
    conversation = activity.conversation
    base, _, thread = conversation.id.partition(";messageid=")
    return ConversationRef(
        platform=PLATFORM,
        id=conversation.id,
        fresh=bool(thread) and thread == activity.id,
        opaque={"service_url": activity.service_url, "tenant_id": tenant_of(activity)},
    )


def activity_key(conversation_id: str, activity_id: str) -> str:
    """The claim key of an activity (its event id in ``processed_events``)."""
    return digest("activity", conversation_id, activity_id)


def digest(*parts: object) -> str:
    """A stable key for ``parts`` (claim keys of activities and welcomes)."""
    raw = json.dumps([str(p) for p in parts])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
