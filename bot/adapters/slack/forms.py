"""Forms on Slack: modals, shortcuts and their submissions.

* A reply with a :class:`~bot.model.Form` opens a modal (``views.open``) with the
  trigger of the request it answers (a ``/persona`` command, a click, a shortcut).
* Without a trigger (a question typed in a DM or a mention) the reply is posted with
  an "Open the form" button. The form waits in the database under a random token the
  button carries (the overflow store, like a long answer's rest, pruned after a week),
  so the click works on any replica and after a restart: the click's trigger opens it.
* A message shortcut or a global shortcut with callback id ``X`` arrives as
  ``Incoming(action="X:shortcut", text=<the message's text>)``; its answer is private
  (the shortcut's ``response_url``, else the user's DM).
* A submission (``view_submission``) is answered by the router *before* Slack gets its
  acknowledgement: refused values come back as ``response_action: errors`` (the modal
  stays open, each message under its field), a next form replaces the modal
  (``response_action: update``), anything else closes it and the answer is posted where
  the form was opened from when the bot talks there (a DM, the thread of a mention),
  else in the user's DM.

Every request is signature-checked by bolt before any of this runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import modal
from bot.adapters.slack.mrkdwn import to_plain
from bot.adapters.slack.outbound import Outbound
from bot.adapters.slack.payload import conversation_ref
from bot.forms import from_data, shortcut_action
from bot.i18n import Texts
from bot.model import ConversationRef, Incoming, Reply, User

log = logging.getLogger(__name__)

PLATFORM = "slack"


class SlackForms:
    """Modals, shortcuts and submissions for the Slack adapter.

    Args:
        client: The Web API client.
        outbound: Posts and edits messages (and keeps forms for their buttons).
        texts: Texts in the pack's language.
        handle: The router's answer to an incoming message.
        user: The core's user for a Slack user id.
        token_for: The bot token to use in a conversation (``None``: the client's).
        tracked: Counts the current task as work in flight (see the adapter's drain).
    """

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        outbound: Outbound,
        texts: Texts,
        handle: Callable[[Incoming], Awaitable[Reply]],
        user: Callable[[str], Awaitable[User]],
        token_for: Callable[[ConversationRef], Awaitable[str | None]],
        tracked: Callable[[], contextlib.AbstractContextManager[None]],
    ) -> None:
        self.client = client
        self.outbound = outbound
        self.texts = texts
        self.handle = handle
        self.user = user
        self.token_for = token_for
        self.tracked = tracked

    def register(self, bolt: AsyncApp) -> None:
        """Listen for shortcuts (any callback id) and our modals' submissions."""
        bolt.shortcut(re.compile(".+"))(self._on_shortcut)
        bolt.view(modal.CALLBACK_ID)(self._on_submission)

    async def show(
        self, reply: Reply, *, trigger_id: str | None, where: ConversationRef, answer_here: bool
    ) -> Reply:
        """Open ``reply``'s form as a modal; what is left of the reply to deliver.

        Args:
            reply: The answer, perhaps with a form.
            trigger_id: The trigger of the request answered (``None``: no modal can be
                opened; the form is posted with its button).
            where: The conversation of the request (its workspace's token is used).
            answer_here: The submission's answer goes to ``where`` (the bot talks there);
                otherwise to the user's DM.
        """
        form = reply.form
        if form is None or not trigger_id:
            return reply
        view = modal.view(
            form, texts=self.texts, text=reply.text, answer_in=where if answer_here else None
        )
        try:
            token = await self.token_for(where)
            await self.client.views_open(trigger_id=trigger_id, view=view, token=token)
        except SlackApiError as exc:  # e.g. expired_trigger_id: the button opens it instead
            log.warning("could not open a form modal: %s", exc.response.get("error"))
            return reply
        return dataclasses.replace(reply, text="", form=None)

    async def open_stored(
        self, token: str, *, trigger_id: str | None, where: ConversationRef, answer_here: bool
    ) -> Reply | None:
        """The "Open the form" button: open the stored form; a reply to post if it cannot be."""
        chunks = await self.outbound.overflow.take(token)
        form = None
        if chunks:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                form = from_data(json.loads(chunks[0]))
        if form is None:
            return Reply(text=self.texts("forms.expired"))
        rest = await self.show(
            Reply(form=form), trigger_id=trigger_id, where=where, answer_here=answer_here
        )
        return rest if rest.form is not None else None

    async def _on_shortcut(
        self, ack: AsyncAck, body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        await ack()
        with self.tracked():
            user_id = body["user"]["id"]
            message = body.get("message") or {}
            channel = (body.get("channel") or {}).get("id")
            if channel:  # a message shortcut: in that message's conversation
                where = conversation_ref(channel, message.get("thread_ts"), context)
            else:  # a global shortcut: the user's DM with the bot
                where = await self._dm(user_id, context)
            incoming = Incoming(
                user=await self.user(user_id),
                conversation=where,
                text=to_plain(
                    str(message.get("text") or ""), bot_user_id=context.get("bot_user_id")
                ),
                action=shortcut_action(str(body.get("callback_id") or "")),
                platform_data={"shortcut": body},
                typed_choices=False,
            )
            reply = await self.handle(incoming)
            rest = await self.show(
                reply, trigger_id=body.get("trigger_id"), where=where, answer_here=False
            )
            response_url = body.get("response_url")
            if response_url:  # private, where the shortcut was used
                await self.outbound.deliver(rest, to=where, response_url=response_url, private=True)
            elif channel:
                await self.outbound.deliver(rest, to=await self._dm(user_id, context))
            else:
                await self.outbound.deliver(rest, to=where)

    async def _on_submission(
        self, ack: AsyncAck, body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        with self.tracked():
            submitted = body.get("view") or {}
            action, answer_in = modal.read_metadata(submitted)
            if not action:
                await ack()
                return
            user_id = body["user"]["id"]
            where = (
                _answer_in(answer_in, context) if answer_in else await self._dm(user_id, context)
            )
            incoming = Incoming(
                user=await self.user(user_id),
                conversation=where,
                text="",
                action=action,
                form=modal.values(submitted),
                platform_data={"view_submission": {"view_id": submitted.get("id")}},
                typed_choices=False,
            )
            reply = await self.handle(incoming)  # stored (if it stores) before the ack
            if reply.form_errors:
                await ack(
                    response_action="errors", errors=modal.errors(reply.form_errors, submitted)
                )
                return
            rest = reply
            if reply.form is not None:  # the next step: the modal shows the next form
                next_view = modal.view(
                    reply.form,
                    texts=self.texts,
                    text=reply.text,
                    answer_in=where if answer_in else None,
                )
                await ack(response_action="update", view=next_view)
                rest = dataclasses.replace(reply, text="", form=None)
            else:
                await ack()
            await self.outbound.deliver(rest, to=where)

    async def _dm(self, user_id: str, context: Mapping[str, Any]) -> ConversationRef:
        where = conversation_ref("", None, context)
        opened = await self.client.conversations_open(
            users=user_id, token=await self.token_for(where)
        )
        return conversation_ref(str(opened["channel"]["id"]), None, context)


def _answer_in(data: Mapping[str, Any], context: Mapping[str, Any]) -> ConversationRef:
    """The conversation a submission's answer goes to, from the modal's metadata."""
    return ConversationRef(
        platform=PLATFORM,
        id=str(data.get("id") or ""),
        thread=data.get("thread") if isinstance(data.get("thread"), str) else None,
        opaque={
            "team_id": data.get("team_id") or context.get("team_id"),
            "enterprise_id": data.get("enterprise_id") or context.get("enterprise_id"),
        },
    )
