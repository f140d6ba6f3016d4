"""Slack out: post, edit in place, answer privately, and the rest of a long answer.

Every reply goes out through :meth:`Outbound.deliver`: each of its messages is posted
(``chat.postMessage``), or, when it replaces a message the bot sent, edited in place
(``chat.update``; for a private message, its ``response_url`` with
``replace_original``). Private answers (``/persona``, clicks on them) go back through the
request's ``response_url``, which works where the bot is no member.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.overflow import Overflow
from bot.adapters.slack.blocks import form_button, more_button, render, render_more
from bot.adapters.slack.mrkdwn import escape
from bot.forms import to_data
from bot.i18n import Texts
from bot.model import ConversationRef, MessageRef, Reply
from bot.people import Unreachable
from bot.slow_work import run_slow

PLATFORM = "slack"
#: Where a private message's ``response_url`` rides in its :class:`MessageRef`.
RESPONSE_URL = "response_url"


class ResponseUrlError(Exception):
    """Slack refused a post to a ``response_url`` (expired, or used up)."""


class NotifyError(Unreachable):
    """Slack refused a notification; the message is Slack's error code."""


#: Slack's errors that say the person cannot be reached by a DM at all (no use retrying).
NO_SUCH_PERSON = frozenset(
    {"users_not_found", "user_not_found", "user_not_visible", "user_disabled", "cannot_dm_bot"}
)


class Outbound:
    """Posts and edits messages for the Slack adapter.

    Args:
        client: The Web API client.
        token_for: The bot token to post to a conversation with (``None``: the client's).
        overflow: Where the rest of a long answer waits for its "Show more" button.
        texts: Texts in the pack's language.
        several_workspaces: The app is installed in several workspaces (OAuth): a
            notification must say which.
    """

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        token_for: Callable[[ConversationRef], Awaitable[str | None]],
        overflow: Overflow,
        texts: Texts,
        several_workspaces: bool = False,
    ) -> None:
        self.several_workspaces = several_workspaces
        self.client = client
        self.token_for = token_for
        self.overflow = overflow
        self.texts = texts

    async def deliver(
        self,
        reply: Reply,
        *,
        to: ConversationRef,
        response_url: str | None = None,
        private: bool = False,
    ) -> MessageRef | None:
        """Send each message of ``reply``; edit the ones it replaces.

        Args:
            reply: What to send.
            to: The conversation (and thread) to post in.
            response_url: The request's ``response_url``, for private answers.
            private: Everything is answered privately (``/persona``, clicks on private
                messages); otherwise only messages marked private are.

        Returns:
            Where the last message posted in the conversation lives (``None`` for
            private answers, which Slack gives no id).
        """
        sent: MessageRef | None = None
        for message in reply.messages():
            if not (message.text or message.cards or message.choices or message.form):
                continue  # nothing left to show (its form opened as a modal)
            if message.replaces is not None and message.replaces.platform == PLATFORM:
                await self.update(message, of=message.replaces)
            elif response_url and (private or message.private):
                await self.respond(response_url, message)
            else:
                sent = await self.post(message, to=to)
        follow = await run_slow(reply.later) if reply.later is not None else None
        if follow is not None:  # slow work (a model), done off the event loop, then sent
            sent = await self.deliver(follow, to=to, response_url=response_url, private=private)
        return sent

    async def post(self, reply: Reply, *, to: ConversationRef) -> MessageRef:
        """Post one message to a channel or DM (in its thread, if any)."""
        message = await self.rendered(reply)
        token = await self.token_for(to)
        result = await self.client.chat_postMessage(
            channel=to.id, thread_ts=to.thread, token=token, **message
        )
        return MessageRef(
            platform=PLATFORM,
            conversation=str(result.get("channel") or to.id),
            id=str(result.get("ts") or ""),
            opaque=dict(to.opaque),
        )

    async def update(self, reply: Reply, *, of: MessageRef) -> None:
        """Edit a message the bot sent, in place (a private one through its response_url)."""
        message = await self.rendered(reply)
        response_url = of.opaque.get(RESPONSE_URL)
        if response_url:
            await self.respond(str(response_url), reply, replace=True)
            return
        where = ConversationRef(platform=PLATFORM, id=of.conversation, opaque=of.opaque)
        await self.client.chat_update(
            channel=of.conversation, ts=of.id, token=await self.token_for(where), **message
        )

    async def respond(self, response_url: str, reply: Reply, *, replace: bool = False) -> None:
        """Answer privately through a ``response_url``; ``replace`` edits the clicked message."""
        await self.respond_raw(response_url, await self.rendered(reply), replace=replace)

    async def respond_raw(
        self, response_url: str, message: dict[str, Any], *, replace: bool = False
    ) -> None:
        """Post already rendered Block Kit to a ``response_url``."""
        webhook = AsyncWebhookClient(response_url, session=self.client.session)
        result = await webhook.send(response_type="ephemeral", replace_original=replace, **message)
        if result.status_code >= 400:
            raise ResponseUrlError(f"Slack refused the response_url post: {result.body}")

    async def rendered(self, reply: Reply) -> dict[str, Any]:
        """Block Kit for ``reply``; overflow is stored for its "Show more" button.

        A form that could not open as a modal (no trigger) is kept for its "Open the
        form" button (see :mod:`bot.adapters.slack.forms`).
        """
        form = reply.form
        if form is not None and not reply.text:
            reply = dataclasses.replace(reply, text=form.intro or form.title)
        rendered = render(reply, texts=self.texts)
        if rendered.overflow:
            token = await self.overflow.keep(rendered.overflow)
            rendered.blocks.append(more_button(token, texts=self.texts))
        if form is not None:
            token = await self.overflow.keep([json.dumps(to_data(form), ensure_ascii=False)])
            rendered.blocks.append(form_button(token, texts=self.texts))
        return {"text": escape(rendered.text), "blocks": rendered.blocks}

    async def more(
        self, token: str, *, to: ConversationRef, response_url: str | None, fallback: Reply
    ) -> None:
        """The rest of a long answer, where the answer was (privately if it was private)."""
        chunks = await self.overflow.take(token)
        if chunks is None:
            await self.deliver(fallback, to=to, response_url=response_url, private=True)
            return
        for message in render_more(chunks, texts=self.texts):
            blocks: dict[str, Any] = {"text": message.text, "blocks": message.blocks}
            if response_url:
                await self.respond_raw(response_url, blocks)
            else:
                await self.client.chat_postMessage(
                    channel=to.id, thread_ts=to.thread, token=await self.token_for(to), **blocks
                )

    async def send_to_person(self, reply: Reply, *, email: str) -> dict[str, Any]:
        """Send ``reply`` in a DM to the Slack user with ``email``; returns where it went.

        Raises:
            NotifyError: No such user (``users_not_found``) or no DM with them.
            SlackApiError: Slack failed otherwise (rate limited past the client's retries,
                down): worth trying again later, so not :class:`NotifyError`.
        """
        token = await self._token(None)
        try:
            channel = await self._dm_channel(email, token)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown error"))
            if error in NO_SUCH_PERSON:
                raise NotifyError(error) from exc
            raise
        sent = await self.deliver(reply, to=ConversationRef(platform=PLATFORM, id=channel))
        return {"conversation": channel, "id": sent.id if sent else None}

    async def timezone_of(self, email: str) -> str | None:
        """The Slack user's time zone (``tz`` of users.lookupByEmail), if known."""
        token = await self._token(None)
        try:
            user = await self.client.users_lookupByEmail(email=email, token=token)
        except SlackApiError as exc:
            raise NotifyError(str(exc.response.get("error", "unknown error"))) from exc
        zone = user["user"].get("tz")
        return str(zone) if zone else None

    async def _token(self, team: str | None) -> str | None:
        """The bot token for ``team`` (or the only workspace) outside a conversation."""
        where = {"team_id": team} if team else {}
        token = await self.token_for(ConversationRef(platform=PLATFORM, id="", opaque=where))
        if self.several_workspaces and token is None:
            raise NotifyError(
                "the app is installed in several workspaces: say which with --team T…"
                if not team
                else f"the app is not installed in workspace {team}"
            )
        return token

    async def _dm_channel(self, email: str, token: str | None) -> str:
        """The id of the bot's DM with the Slack user who has ``email`` (opened if need be)."""
        user = await self.client.users_lookupByEmail(email=email, token=token)
        opened = await self.client.conversations_open(users=user["user"]["id"], token=token)
        return str(opened["channel"]["id"])

    async def notify(self, to: str, text: str, *, team: str | None = None) -> str:
        """Send ``text`` to a person (by email) or a channel (``#name`` or an id).

        Args:
            to: An email address, ``#channel`` or a channel id.
            text: The message.
            team: The workspace (``T…``); required when the app is installed in several.

        Returns:
            The channel id it was posted to.

        Raises:
            NotifyError: If Slack refused (no such user or channel, bot not invited...) or
                the workspace is unknown.
        """
        where = {"team_id": team} if team else {}
        token = await self._token(team)
        try:
            by_email = "@" in to and not to.startswith("#")
            channel = await self._dm_channel(to, token) if by_email else to
            target = ConversationRef(platform=PLATFORM, id=channel, opaque=where)
            await self.post(Reply(text=text), to=target)
        except SlackApiError as exc:
            raise NotifyError(str(exc.response.get("error", "unknown error"))) from exc
        return channel
