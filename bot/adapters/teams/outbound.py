"""Teams out, proactively: posting to a conversation outside a turn, and reaching people.

:meth:`Proactive.send` posts to any conversation the bot knows: one given with a stored
ConversationReference, or a channel or group chat it received a message in (every turn
stores their reference). :meth:`Proactive.notify` reaches a person by email in their 1:1
chat with the bot, creating it when needed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from bot.adapters.teams.delivery import Authentication
from bot.adapters.teams.people import PLATFORM
from bot.model import ConversationRef, Reply
from bot.people import Unreachable
from storage.references import ReferenceStore, StoredReference

CHANNEL_ID = "msteams"


class DeliveryError(Exception):
    """Teams refused a proactive post (the caller may try again later)."""


class NotifyError(Unreachable):
    """A Teams notification could not be sent; the message says why."""


class Proactive:
    """Sends outside a turn.

    Args:
        cloud: botbuilder's adapter (continues conversations).
        auth: The bot's authentication (creates connector clients).
        app_id: The Microsoft app id ("" in local mode).
        references: Stored conversation references.
        reply: Sends a reply within a turn (the adapter's, so edits and overflow work).
        clock: Returns the current time.
    """

    def __init__(
        self,
        *,
        cloud: CloudAdapter,
        auth: Authentication,
        app_id: str,
        references: ReferenceStore,
        reply: Callable[[TurnContext, Reply], Awaitable[None]],
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.cloud = cloud
        self.auth = auth
        self.app_id = app_id
        self.references = references
        self._reply = reply
        self.clock = clock

    async def send(self, reply: Reply, *, to: ConversationRef) -> None:
        """Post ``reply`` to a conversation the bot knows (proactively).

        ``to.opaque`` holds the Teams ConversationReference (``reference``), as
        :meth:`reference_for` builds it from a stored reference; without one, the
        reference stored for the channel or group chat (every turn stores it) is used.
        """
        stored = to.opaque.get("reference") or await self._group_reference(to.id)
        if not stored:
            raise NotifyError(f"no conversation reference stored for {to.id}")
        reference = ConversationReference().deserialize(dict(stored))
        failed: list[Exception] = []

        async def post(turn_context: TurnContext) -> None:
            turn_context.activity.id = None  # a new message, not a reply to the continuation
            try:
                await self._reply(turn_context, reply)
            except Exception as exc:
                failed.append(exc)  # botbuilder hands it to the turn-error handler only
                raise

        await self.cloud.continue_conversation(reference, post, self.app_id)
        if failed:
            raise DeliveryError(f"Teams refused the post to {to.id}: {failed[0]}") from failed[0]

    async def _group_reference(self, conversation_id: str) -> dict[str, Any] | None:
        """The stored reference of a channel or group chat, aimed at ``conversation_id``.

        A channel thread (``…;messageid=…``) is answered in that thread.
        """
        base = conversation_id.split(";", 1)[0]
        known = await asyncio.to_thread(self.references.get, PLATFORM, f"conversation:{base}")
        if known is None or not known.data:
            return None
        data = dict(known.data)
        data["conversation"] = dict(data.get("conversation") or {}, id=conversation_id)
        return data

    async def notify(self, email: str, text: str) -> str:
        """Send ``text`` to the Teams user with ``email`` in their 1:1 chat with the bot.

        Returns:
            The conversation id it was posted to.

        Raises:
            NotifyError: No stored reference for that email, or Teams refused.
        """
        try:
            where = await self.send_to_person(Reply(text=text), email=email)
        except DeliveryError as exc:
            raise NotifyError(str(exc)) from exc
        return str(where["conversation"])

    async def send_to_person(self, reply: Reply, *, email: str) -> dict[str, Any]:
        """Send ``reply`` to the Teams user with ``email`` in their 1:1 chat with the bot.

        Raises:
            NotifyError: Teams never saw that email (not in a team where the app is
                installed), or would not open a chat with them.
            DeliveryError: Teams refused the post itself (tried again later).
        """
        stored = await asyncio.to_thread(self.references.by_email, PLATFORM, email)
        if stored is None:
            raise NotifyError(f"{email} has not talked to the bot in Teams nor installed it")
        try:
            to = await self.reference_for(stored)
        except Exception as exc:
            raise NotifyError(f"Teams would not open a chat: {exc}") from exc
        await self.send(reply, to=to)
        return {"conversation": to.id}

    async def timezone_of(self, email: str) -> str | None:
        """Teams does not tell the bot a user's time zone outside a turn."""
        return None

    async def reference_for(self, stored: StoredReference) -> ConversationRef:
        """A ConversationRef for a stored user reference; creates the 1:1 chat if needed."""
        data = dict(stored.data)
        conversation_id = stored.conversation_id
        if not conversation_id or not data:
            conversation_id = await self._create_personal(stored)
            data = ConversationReference(
                channel_id=CHANNEL_ID,
                service_url=stored.service_url,
                bot=ChannelAccount(id=f"28:{self.app_id}" if self.app_id else "28:personabot"),
                user=ChannelAccount(id=stored.user_id, aad_object_id=stored.aad_object_id),
                conversation=ConversationAccount(
                    id=conversation_id, conversation_type="personal", tenant_id=stored.tenant_id
                ),
            ).serialize()
            await asyncio.to_thread(
                self.references.upsert,
                StoredReference(
                    platform=PLATFORM,
                    key=stored.key,
                    service_url=stored.service_url,
                    conversation_id=conversation_id,
                    data=data,
                ),
                now=self.clock(),
            )
        return ConversationRef(
            platform=PLATFORM, id=str(conversation_id), opaque={"reference": data}
        )

    async def _create_personal(self, stored: StoredReference) -> str:
        connectors = self.auth.create_connector_factory(
            self.cloud.create_claims_identity(self.app_id)
        )
        client = await connectors.create(stored.service_url, None)
        member = stored.aad_object_id or stored.user_id
        if not member:
            raise NotifyError(f"no Teams id stored for {stored.email}")
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=f"28:{self.app_id}" if self.app_id else "28:personabot"),
            members=[ChannelAccount(id=member)],
            tenant_id=stored.tenant_id,
            channel_data={"tenant": {"id": stored.tenant_id}},
        )
        created = await client.conversations.create_conversation(parameters)
        return str(created.id)
