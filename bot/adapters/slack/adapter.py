"""The Slack adapter: slack-bolt's async app translating Slack ⇄ the core.

Inbound: mentions (answered in a thread), direct messages, the ``/persona`` command,
button clicks (``block_actions``) and the App Home tab become :class:`Incoming` messages
for the router. Outbound: :meth:`SlackAdapter.send` is the one port for answers and
proactive messages; :meth:`SlackAdapter.notify` reaches a person by email or a channel.

Slack gets its acknowledgement at once; the answer is worked out after the ack (bolt
runs listeners after acking when ``process_before_response`` is off), on the event loop
(the core is quick; its writes are queued). Private answers (``/persona``, clicks on
them) go back through the request's ``response_url``. Retried events are recognised by
``event_id`` in the database, so one reply goes out even across replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.overflow import Overflow
from bot.adapters.slack import home
from bot.adapters.slack.blocks import ACTION_PREFIX, FORM, MORE
from bot.adapters.slack.forms import SlackForms
from bot.adapters.slack.inbox import CLAIMED, answerable, claim_first, redeliver
from bot.adapters.slack.mrkdwn import to_plain
from bot.adapters.slack.oauth import SlackInstalls, WorkspaceClient, no_token
from bot.adapters.slack.outbound import RESPONSE_URL, Outbound
from bot.adapters.slack.payload import cleaned, problem
from bot.adapters.slack.payload import conversation_ref as _conversation
from bot.adapters.slack.profiles import Profiles
from bot.app import App
from bot.claims import EventClaims
from bot.model import ConversationRef, Incoming, MessageRef, Reply, User
from bot.settings import Settings
from storage.events import ProcessedEvents
from storage.questions import QuestionLog
from storage.state import ConversationStateStore

log = logging.getLogger(__name__)

PLATFORM = "slack"
DEFAULT_API_URL = "https://slack.com/api/"
COMMAND = "/persona"
# Overflow kept for "Show more" buttons lives this long in the state table's key space.
MORE_KIND = "slack-more"


class SlackAdapter:
    """Slack in and out.

    Args:
        core: The wired bot (router, texts, database, catalog, clock).
        settings: Slack tokens, secrets and the Web API URL.
        session: An HTTP session to reuse for every Web API call (keeps connections
            open); without one, each call opens its own.
    """

    platform = PLATFORM

    def __init__(
        self, *, core: App, settings: Settings, session: aiohttp.ClientSession | None = None
    ) -> None:
        self.core = core
        self.texts = core.texts
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        secret = settings.slack_signing_secret
        self._secret = secret.get_secret_value() if secret else None
        # Several workspaces (SLACK_CLIENT_ID): each one's token comes from its installation.
        self.installs = (
            SlackInstalls(settings=settings, db=core.db) if settings.slack_client_id else None
        )
        if self.installs is not None:
            token = None
        self.client = (WorkspaceClient if self.installs else AsyncWebClient)(
            token=token,
            base_url=settings.slack_api_url or DEFAULT_API_URL,
            session=session,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(max_retry_count=2),
                AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            ],
        )
        self.bolt = AsyncApp(
            token=token,
            signing_secret=secret.get_secret_value() if secret else None,
            client=self.client,
            process_before_response=False,
            raise_error_for_unhandled_request=False,
            **(self.installs.bolt_options(self.client) if self.installs else {}),
        )
        # The bot token to post to a conversation with (None: the client's own).
        self._token_for: Callable[[ConversationRef], Awaitable[str | None]] = (
            self.installs.token_for if self.installs else no_token
        )
        if self.installs:
            self.bolt.enable_token_revocation_listeners()  # uninstalled: rows deleted
        events = ProcessedEvents(
            db=core.db, stale_after=dt.timedelta(seconds=settings.redeliver_after)
        )
        self._claims = EventClaims(events, platform=PLATFORM, clock=core.clock)
        self.overflow = Overflow(
            state=ConversationStateStore(db=core.db), kind=MORE_KIND, clock=core.clock
        )
        self.outbound = Outbound(
            client=self.client,
            token_for=self._token_for,
            overflow=self.overflow,
            texts=self.texts,
            several_workspaces=self.installs is not None,
        )
        self.questions = QuestionLog(db=core.db)
        self.profiles = Profiles(client=self.client)
        self._inflight: set[asyncio.Task[Any]] = set()
        self._turns = asyncio.Lock()
        self.forms = SlackForms(
            client=self.client,
            outbound=self.outbound,
            texts=self.texts,
            handle=self._handle,
            user=self.profiles.user,
            token_for=self._token_for,
            tracked=self._tracked,
        )
        self._register()

    # -- inbound ------------------------------------------------------------------------

    def _register(self) -> None:
        bolt = self.bolt
        bolt.middleware(_checked)
        bolt.middleware(claim_first(self._claims))
        bolt.event("app_mention")(self._on_mention)
        bolt.event("message")(self._on_message)
        bolt.event("app_home_opened")(self._on_home)
        bolt.command(COMMAND)(self._on_command)
        bolt.action({"type": "block_actions", "action_id": _starts_with(ACTION_PREFIX)})(
            self._on_action
        )
        self.forms.register(bolt)  # shortcuts and form submissions
        bolt.error(self._on_error)

    async def _on_mention(self, event: dict[str, Any], context: dict[str, Any]) -> None:
        # A mention outside a thread starts one: the answer goes there.
        thread = event.get("thread_ts") or event.get("ts")
        await self._answer(event, context, thread=thread, fresh="thread_ts" not in event)

    async def _on_message(self, event: dict[str, Any], context: dict[str, Any]) -> None:
        if not answerable(event, bot_user_id=context.get("bot_user_id")):
            return  # channel chatter, edits, joins and bots are not questions
        await self._answer(event, context, thread=event.get("thread_ts"))

    async def _answer(
        self,
        event: dict[str, Any],
        context: dict[str, Any],
        *,
        thread: str | None,
        fresh: bool = False,
    ) -> None:
        if not answerable(event, bot_user_id=context.get("bot_user_id")):
            return
        # Tracked from here: a shutdown drains answers still looking up their asker.
        with self._tracked():
            text = to_plain(event.get("text", ""), bot_user_id=context.get("bot_user_id"))
            where = _conversation(event["channel"], thread, context, fresh=fresh)
            incoming = Incoming(
                user=await self._user(event["user"], context),
                conversation=where,
                text=text,
                platform_data={"event": event},
                id=str(event.get("client_msg_id") or event.get("ts") or "") or None,
                typed_choices=False,  # Slack shows real buttons
            )
            event_id = context.get(CLAIMED)  # claimed before the ack (see inbox)
            try:
                await self.send(await self._handle(incoming), to=where)
            except Exception:
                if event_id:  # Slack's retry of this event is then answered, not skipped
                    await self._claims.release(event_id)
                raise
            if event_id:
                await self._claims.answered(event_id)

    async def _handle(self, incoming: Incoming) -> Reply:
        """The core's answer, worked out on the event loop, one turn per pass of the loop.

        An answer is quick (the question log is queued, see TurnLog); a quiz turn also
        reads and writes its flow. In a burst (a live quiz's clicks) many turns become
        ready at once: taking turns, each after yielding once, lets the acknowledgements
        of requests that arrived meanwhile go out between them instead of after all of
        them. Worker threads would only fight the loop for the interpreter lock.
        """
        async with self._turns:
            await asyncio.sleep(0)
            return self.core.router.handle(incoming)

    async def _on_command(
        self, ack: AsyncAck, command: dict[str, Any], context: dict[str, Any]
    ) -> None:
        """``/persona <question>``: acknowledged at once, answered privately."""
        await ack()
        with self._tracked():
            where = _conversation(command["channel_id"], None, context)
            incoming = Incoming(
                user=await self._user(command["user_id"], context),
                conversation=where,
                text=to_plain(command.get("text", "")) or "help",
                platform_data={"command": command},
                typed_choices=False,
            )
            reply = await self.forms.show(
                await self._handle(incoming),
                trigger_id=command.get("trigger_id"),
                where=where,
                answer_here=False,  # private: the form's answer goes to the user's DM
            )
            await self.outbound.deliver(
                reply, to=where, response_url=command["response_url"], private=True
            )

    async def _on_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]
    ) -> None:
        await ack()
        with self._tracked():
            click_id = context.get(CLAIMED)  # stored before the ack (see inbox)
            try:
                await self._act(body, action, context)
            except Exception:
                if click_id:  # acted on late by a replica (see redelivery)
                    await self._claims.release(click_id)
                raise
            if click_id:
                await self._claims.answered(click_id)

    async def _act(
        self, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]
    ) -> None:
        value = str(action.get("value", ""))
        user_id = body["user"]["id"]
        container = body.get("container", {})
        private = bool(container.get("is_ephemeral")) and bool(body.get("response_url"))
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        message = body.get("message") or {}
        # Answer in the clicked message's thread; under it in a channel; never start a
        # thread in a direct message.
        thread = message.get("thread_ts")
        if thread is None and channel and not channel.startswith("D") and not private:
            thread = container.get("message_ts")
        if not channel:  # a click in the App Home: answer in the user's DM with the bot
            opened = await self.client.conversations_open(users=user_id)
            channel = opened["channel"]["id"]
        where = _conversation(channel, thread, context)
        response_url = body.get("response_url")
        if value.startswith(MORE):
            await self.outbound.more(
                value.removeprefix(MORE),
                to=where,
                response_url=response_url if private else None,
                fallback=self.core.router.fallback(),
            )
            return
        trigger_id = body.get("trigger_id")
        if value.startswith(FORM):  # "Open the form": the stored form, as a modal
            token = value.removeprefix(FORM)
            rest = await self.forms.open_stored(
                token, trigger_id=trigger_id, where=where, answer_here=not private
            )
            if rest is not None:
                await self.outbound.deliver(
                    rest, to=where, response_url=response_url, private=private
                )
            return
        label = (action.get("text") or {}).get("text", value)
        clicked = container.get("message_ts") or message.get("ts")
        incoming = Incoming(
            user=await self._user(user_id, context),
            conversation=where,
            text=label,
            action=value,
            platform_data={"body": body},
            typed_choices=False,
            message=MessageRef(
                platform=PLATFORM,
                conversation=channel,
                id=str(clicked or ""),
                opaque={**where.opaque, RESPONSE_URL: response_url} if private else where.opaque,
            ),
        )
        reply = await self.forms.show(
            await self._handle(incoming),
            trigger_id=trigger_id,
            where=where,
            answer_here=not private,
        )
        await self.outbound.deliver(reply, to=where, response_url=response_url, private=private)

    async def _on_home(self, event: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        recent = await asyncio.to_thread(
            self.questions.recent, platform=PLATFORM, user_id=user_id, limit=5
        )
        freshness = await asyncio.to_thread(home.freshness, self.core)
        view = home.view(self.core.catalog, recent, texts=self.texts, freshness=freshness)
        await self.client.views_publish(user_id=user_id, view=view)

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        """Log with context and tell the user, never silence."""
        # The router never raises: what reaches here failed talking to Slack.
        self.core.metrics.error(platform=PLATFORM, kind="delivery")
        event = body.get("event") or {}
        channel = (
            event.get("channel")
            or (body.get("channel") or {}).get("id")
            or body.get("channel_id")
            or (body.get("container") or {}).get("channel_id")
        )
        user = event.get("user") or (body.get("user") or {}).get("id") or body.get("user_id")
        actions = body.get("actions") or [{}]
        log.error(
            "slack handler failed: type=%s event=%s event_id=%s command=%s action=%s "
            "team=%s channel=%s user=%s slack_error=%s",
            body.get("type"),
            event.get("type"),
            body.get("event_id"),
            body.get("command"),
            actions[0].get("action_id"),
            body.get("team_id") or (body.get("team") or {}).get("id"),
            channel,
            user,
            error.response.get("error") if isinstance(error, SlackApiError) else None,
            exc_info=error,
        )
        apology = Reply(text=self.texts("error"))
        try:
            if body.get("response_url"):
                await self.outbound.respond(body["response_url"], apology)
                return
            if channel:
                thread = event.get("thread_ts") or event.get("ts")
                where = ConversationRef(platform=PLATFORM, id=channel, thread=thread)
                try:
                    await self.send(apology, to=where)
                    return
                except SlackApiError:
                    log.warning("could not apologise in %s; trying a direct message", channel)
            if user:
                opened = await self.client.conversations_open(users=user)
                dm = ConversationRef(platform=PLATFORM, id=opened["channel"]["id"])
                await self.send(apology, to=dm)
        except Exception:  # noqa: BLE001 - nothing more we can do but say so in the log
            log.exception("could not apologise to user=%s channel=%s", user, channel)

    async def _user(self, user_id: str, context: dict[str, Any]) -> User:
        """The core's user, with the email Slack knows (owners are known by email)."""
        return await self.profiles.user(user_id)

    # -- outbound -----------------------------------------------------------------------

    async def send(self, reply: Reply, *, to: ConversationRef) -> MessageRef | None:
        """Post ``reply`` to a channel or DM (in its thread, if any); edits what it replaces.

        Returns:
            Where the last posted message lives, to edit it later with :meth:`update`.
        """
        return await self.outbound.deliver(reply, to=to)

    async def update(self, reply: Reply, *, of: MessageRef) -> None:
        """Edit a message the bot sent, in place."""
        await self.outbound.update(reply, of=of)

    async def send_to_person(self, reply: Reply, *, email: str) -> dict[str, Any]:
        """The person port: ``reply`` in a DM to the Slack user with ``email``."""
        return await self.outbound.send_to_person(reply, email=email)

    async def timezone_of(self, email: str) -> str | None:
        """The person port: the Slack user's time zone."""
        return await self.outbound.timezone_of(email)

    async def notify(self, to: str, text: str, *, team: str | None = None) -> str:
        """Send ``text`` to a person by email or a channel (see :meth:`Outbound.notify`)."""
        return await self.outbound.notify(to, text, team=team)

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        """Count the current task as work in flight until the block ends (see drain)."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def redeliver(self, payload: str, *, token: str) -> None:
        """Answer a stored event a dead replica acknowledged but never answered."""
        status = await redeliver(self.bolt, payload, token=token, secret=self._secret)
        if status != 200:
            log.warning("late answer of a stored Slack event refused: HTTP %s", status)

    async def drain(self, timeout: float) -> None:
        """Wait (up to ``timeout`` seconds) for answers already acknowledged to go out."""
        # Answers acknowledged while draining start meanwhile: wait for those too.
        deadline = asyncio.get_running_loop().time() + timeout
        while self._inflight:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                break
            await asyncio.wait(set(self._inflight), timeout=left)


async def _checked(
    body: dict[str, Any], context: dict[str, Any], next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """Refuse a malformed payload with a 400 saying what is wrong."""
    found = problem(cleaned(body))
    if found is not None:
        log.info("refused a malformed Slack payload: %s", found)
        return BoltResponse(status=400, body=f"malformed payload: {found}")
    await next()
    return None


def _starts_with(prefix: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(prefix))
