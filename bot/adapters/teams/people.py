"""Who is talking in Teams: the core's user, their email, their conversation references.

Every turn stores (when changed) the user's reference — their personal chat, for
proactive messages and ``personabot notify`` by email — and a group conversation's, so
later features can post there. Emails come from a TeamsInfo member lookup, cached for a
while (a speed-up only; correctness never depends on the cache).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.model import User
from storage.references import ReferenceStore, StoredReference

log = logging.getLogger(__name__)

PLATFORM = "teams"
PROFILE_TTL_SECONDS = 3600


class People:
    """Users and conversation references, remembered as turns arrive.

    Args:
        references: Where references are stored.
        clock: The time source (timezone-aware).
    """

    def __init__(self, *, references: ReferenceStore, clock: Callable[[], dt.datetime]) -> None:
        self.references = references
        self._clock = clock
        self._profiles: dict[str, tuple[float, str | None]] = {}
        self._stored: dict[str, tuple[Any, ...]] = {}

    async def remember(self, turn_context: TurnContext) -> User:
        """The core's user; their (and a group conversation's) reference is stored."""
        activity = turn_context.activity
        account = activity.from_property or ChannelAccount(id="unknown")
        aad = account.aad_object_id
        email = await self._email(turn_context, account.id) if account.id else None
        user = User(platform=PLATFORM, id=aad or account.id, email=email, name=account.name)
        conversation = activity.conversation or ConversationAccount(id="")
        tenant = tenant_of(activity)
        reference = TurnContext.get_conversation_reference(activity)
        reference.activity_id = None
        data = reference.serialize()
        rows = []
        personal = conversation.conversation_type == "personal"
        if account.id and account.id != (activity.recipient.id if activity.recipient else None):
            rows.append(
                StoredReference(
                    platform=PLATFORM,
                    key=f"user:{aad or account.id}",
                    service_url=activity.service_url,
                    conversation_id=conversation.id if personal else None,
                    tenant_id=tenant,
                    user_id=account.id,
                    aad_object_id=aad,
                    email=email,
                    name=account.name,
                    data=data if personal else {},
                )
            )
        if not personal and conversation.id:
            base = conversation.id.split(";", 1)[0]
            channel_data = dict(data)
            channel_data["conversation"] = dict(data.get("conversation") or {}, id=base)
            rows.append(
                StoredReference(
                    platform=PLATFORM,
                    key=f"conversation:{base}",
                    service_url=activity.service_url,
                    conversation_id=base,
                    tenant_id=tenant,
                    data=channel_data,
                )
            )
        changed = []
        for row in rows:
            fingerprint = (row.service_url, row.conversation_id, row.tenant_id, row.email)
            if self._stored.get(row.key) != fingerprint:
                changed.append(row)
                self._stored[row.key] = fingerprint
        if changed:
            now = self._clock()
            try:
                await asyncio.to_thread(self._upsert_all, changed, now)
            except Exception:  # noqa: BLE001 - answering matters more than remembering
                for row in changed:
                    self._stored.pop(row.key, None)
                log.exception("could not store conversation references for %s", user.key)
        return user

    def _upsert_all(self, rows: list[StoredReference], now: dt.datetime) -> None:
        for row in rows:
            self.references.upsert(row, now=now)

    async def _email(self, turn_context: TurnContext, user_id: str) -> str | None:
        """The user's email from a TeamsInfo member lookup, cached for a while."""
        cached = self._profiles.get(user_id)
        if cached and time.monotonic() - cached[0] < PROFILE_TTL_SECONDS:
            return cached[1]
        email: str | None = None
        try:
            member = await TeamsInfo.get_member(turn_context, user_id)
            email = member.email or member.user_principal_name
        except Exception as exc:  # noqa: BLE001 - a lookup failure is not the user's problem
            log.warning("Teams member lookup failed for %s: %s", user_id, exc)
        self._profiles[user_id] = (time.monotonic(), email)
        return email


def tenant_of(activity: Activity) -> str | None:
    """The tenant an activity comes from (conversation, else channel data)."""
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return str(conversation.tenant_id)
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = (channel_data.get("tenant") or {}).get("id")
    return str(tenant) if tenant else None
