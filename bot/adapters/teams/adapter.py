"""The Teams adapter: botbuilder's CloudAdapter and an ActivityHandler translating Teams ⇄ the core.

Inbound (``POST /api/messages``): every request's JWT is validated by botbuilder's
authentication (``ConfigurationBotFrameworkAuthentication``) when ``MicrosoftAppId`` is
set; without one the bot runs in local mode and accepts unauthenticated requests. The
request is acknowledged at once; the turn runs afterwards on a per-conversation lane, so
one conversation's replies go out in order while conversations proceed side by side.
Messages (personal chat, @mentions in channels and group chats, ``Action.Submit``
clicks) become :class:`Incoming` for the router; the bot being added or installed gets
the help text as a welcome. Each turn stores the user's (and a group conversation's)
conversation reference, so ``personabot notify`` can reach them later. Forms (task
modules, message-extension actions, cards with inputs) are :mod:`bot.adapters.teams.forms`.

Outbound: replies go through botbuilder's connector client, one per service URL, reused
across turns (botbuilder makes a new one, with a new HTTP session, for every turn).
:meth:`TeamsAdapter.send` is the one port for answers and proactive messages.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
)

from bot.adapters.clean import cleaned
from bot.adapters.overflow import Overflow
from bot.adapters.teams.activity import (
    activity_key,
    conversation_of,
    digest,
    message_of,
    plain_text,
)
from bot.adapters.teams.bot import Bot
from bot.adapters.teams.cards import DATA_KEY, MORE, more_action, render, render_more
from bot.adapters.teams.delivery import (
    MAX_LANE,
    Authentication,
    Config,
    Lanes,
    is_loopback,
)
from bot.adapters.teams.form_cards import is_submission
from bot.adapters.teams.forms import TeamsForms
from bot.adapters.teams.outbound import Proactive
from bot.adapters.teams.people import People
from bot.app import App
from bot.claims import EventClaims
from bot.logs import current_request_id, request_context
from bot.model import ConversationRef, Incoming, MessageRef, Reply
from bot.settings import Settings
from bot.slow_work import run_slow
from handlers.help import help_reply
from storage.events import ProcessedEvents
from storage.references import ReferenceStore, StoredReference
from storage.state import ConversationStateStore

log = logging.getLogger(__name__)

PLATFORM = "teams"

MORE_KIND = "teams-more"
# conversationUpdate and installationUpdate both announce an install: one welcome.
WELCOME_WINDOW_SECONDS = 600
# The failures of the turn running in this task (see TeamsAdapter._queue).
_TURN_FAILURES: contextvars.ContextVar[list[Exception] | None] = contextvars.ContextVar(
    "teams_turn_failures", default=None
)


class TeamsAdapter:
    """Teams in and out.

    Args:
        core: The wired bot (router, texts, database, clock).
        settings: The Microsoft app credentials (none: local mode).
    """

    platform = PLATFORM

    def __init__(self, *, core: App, settings: Settings) -> None:
        self.core = core
        self.texts = core.texts
        self.app_id = settings.microsoft_app_id or ""
        self.local = not self.app_id
        self.auth = Authentication(ConfigurationBotFrameworkAuthentication(Config(settings)))
        self.cloud = CloudAdapter(self.auth)
        self.cloud.on_turn_error = self._on_turn_error
        self.bot = Bot(self)
        self.lanes = Lanes()
        self.references = ReferenceStore(db=core.db)
        self.people = People(references=self.references, clock=core.clock)
        self.proactive = Proactive(
            cloud=self.cloud,
            auth=self.auth,
            app_id=self.app_id,
            references=self.references,
            reply=self._reply,
            clock=core.clock,
        )
        self.overflow = Overflow(
            state=ConversationStateStore(db=core.db), kind=MORE_KIND, clock=core.clock
        )
        self.forms = TeamsForms(
            router=core.router,
            texts=self.texts,
            people=self.people,
            reply=self._reply,
            to_person=self.proactive.send_to_person,
        )
        events = ProcessedEvents(
            db=core.db, stale_after=dt.timedelta(seconds=settings.redeliver_after)
        )
        self._claims = EventClaims(events, platform=PLATFORM, clock=core.clock)

    # -- HTTP ---------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """``POST /api/messages``: authenticate, acknowledge, answer afterwards."""
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        try:
            body = await request.json()
            activity = Activity().deserialize(cleaned(body)) if isinstance(body, dict) else None
        except web.HTTPException:
            raise  # over the size limit: 413
        except Exception:  # noqa: BLE001 - JSON and msrest's deserialization errors alike
            activity = None
        if activity is None:
            return web.Response(status=400, text="the body is not a Bot Framework activity")
        if not activity.type:
            return web.Response(status=400, text="the activity has no type")
        if self.local and not is_loopback(activity.service_url):
            # Unauthenticated local mode must not make the bot call out to any address
            # a caller names: only a local emulator or playground is answered.
            log.warning("local mode: refused an activity for service URL %r", activity.service_url)
            return web.Response(status=403, text="local mode answers only local service URLs")
        try:
            auth = await self.auth.authenticate_request(
                activity, request.headers.get("Authorization", "")
            )
        except Exception as exc:  # noqa: BLE001 - any bad token is a 401; never log it
            log.info("teams request refused: %s", type(exc).__name__)
            return web.Response(status=401)
        if activity.type == ActivityTypes.invoke:
            response = await self.cloud.process_activity(auth, activity, self.bot.on_turn)
            if response is None:
                return web.Response(status=200)
            return web.json_response(response.body, status=response.status)
        # Stored before Teams gets its 200 (a message with its payload): once
        # acknowledged, Teams never sends it again, so a replica must be able to answer
        # it if this one dies first (see redeliver).
        message = activity.type == ActivityTypes.message
        first, key = await self._claim(activity, payload=json.dumps(body) if message else None)
        if not first:
            return web.Response(status=200)
        # Answered later, in a lane: logged with this request's id.
        if not self._queue(
            activity,
            lambda: self.cloud.process_activity(auth, activity, self.bot.on_turn),
            key=key,
            request_id=current_request_id(),
        ):
            if key:
                await self._claims.release(key)  # refused: Teams sends it again
            log.warning(
                "conversation %s has %d turns queued: busy", activity.conversation, MAX_LANE
            )
            return web.Response(status=503, headers={"Retry-After": "1"})
        return web.Response(status=200)

    async def redeliver(self, payload: str, *, token: str) -> None:
        """Answer a stored message a dead replica acknowledged but never answered."""
        activity = Activity().deserialize(json.loads(payload))
        first, key = await self._claim(activity, payload=payload, token=token)
        if not first:
            return
        identity = self.cloud.create_claims_identity(self.app_id)

        async def turn() -> None:  # the bot's own credentials: the request's token is gone
            await self.cloud.process_proactive(identity, activity, None, self.bot.on_turn)

        if not self._queue(activity, turn, key=key, request_id=current_request_id()) and key:
            await self._claims.release(key)

    async def _claim(
        self, activity: Activity, *, payload: str | None, token: str | None = None
    ) -> tuple[bool, str | None]:
        """Claim an activity by id: whether to answer it, and its claim key."""
        if not (activity.id and activity.conversation):
            return True, None
        key = activity_key(activity.conversation.id, activity.id)
        try:
            first = await self._claims.claim(key, payload=payload, token=token)
        except Exception:  # noqa: BLE001 - a rare duplicate beats a lost reply
            log.exception("could not record activity %s; answering anyway", activity.id)
            first = True
        if not first:
            log.info("skipping activity %s: already handled", activity.id)
        return first, key

    def _queue(
        self,
        activity: Activity,
        turn: Callable[[], Awaitable[Any]],
        *,
        key: str | None,
        request_id: str | None,
    ) -> bool:
        """Run ``turn`` in the conversation's lane; False when the lane is full."""

        async def run() -> None:
            failed: list[Exception] = []  # botbuilder hands turn errors to _on_turn_error
            with request_context(request_id):
                reset = _TURN_FAILURES.set(failed)
                try:
                    await turn()
                except Exception as exc:
                    failed.append(exc)
                    raise
                finally:
                    _TURN_FAILURES.reset(reset)
                    # Cancelled (shutdown): left unanswered, answered late by a replica.
                    if key and failed:  # answered again: a redelivery, or Teams' retry
                        await self._claims.release(key)
                if key and not failed:
                    await self._claims.answered(key)

        conversation = activity.conversation.id if activity.conversation else ""
        return self.lanes.submit(conversation or "-", run)

    async def drain(self, timeout: float) -> None:
        """Answer the queued turns, for up to ``timeout`` seconds; cancel what is left."""
        await self.lanes.idle(timeout)

    async def close(self) -> None:
        """Close the connector clients (after :meth:`drain`)."""
        await self.auth.close()

    # -- inbound ------------------------------------------------------------------------

    async def onmessage_of(self, turn_context: TurnContext) -> None:
        """A message or an ``Action.Submit`` click: the core's answer, in the conversation."""
        activity = turn_context.activity
        user = await self.people.remember(turn_context)
        where = conversation_of(activity)
        action: str | None = None
        text = plain_text(activity)
        if activity.value is not None and not text:
            value = activity.value
            if is_submission(value):  # a card form (see forms.py)
                await self.forms.on_card_submit(turn_context, user, value)
                return
            picked = value.get(DATA_KEY) if isinstance(value, dict) else None
            if not isinstance(picked, str) or not picked:
                log.info("unknown card submit in %s: %r", where.id, str(value)[:200])
                await self._reply(turn_context, self.core.router.fallback())
                return
            if picked.startswith(MORE):
                await self._send_more(turn_context, picked.removeprefix(MORE))
                return
            action, text = picked, picked
        clicked = activity.reply_to_id if action else None
        incoming = Incoming(
            user=user,
            conversation=where,
            text=text or "help",
            action=action,
            platform_data={"activity_id": activity.id},
            id=activity.id or None,
            typed_choices=False,  # Teams shows real buttons
            message=MessageRef(platform=PLATFORM, conversation=where.id, id=clicked)
            if clicked
            else None,
        )
        await self._reply(turn_context, self.core.router.handle(incoming))

    async def on_card_action(
        self, turn_context: TurnContext, invoke: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        """An ``Action.Execute`` click: private answers refresh the card for the clicker.

        The answer's private messages become the invoke's response (Teams shows that
        card to the clicker alone); the others are posted in the conversation.
        """
        user = await self.people.remember(turn_context)
        action = invoke.action if invoke is not None else None  # a dict, as botbuilder parses it
        data = action.get("data") if isinstance(action, dict) else getattr(action, "data", None)
        picked = data.get(DATA_KEY) if isinstance(data, dict) else None
        if not isinstance(picked, str) or not picked:
            reply = self.core.router.fallback()
        else:
            # Teams waits for this answer (the invoke's response): in a burst of live
            # quiz clicks the turns' database work runs in threads, side by side, instead
            # of one after another on the event loop.
            incoming = Incoming(
                user=user,
                conversation=conversation_of(turn_context.activity),
                text=picked,
                action=picked,
                platform_data={"activity_id": turn_context.activity.id},
                typed_choices=False,
            )
            reply = await asyncio.to_thread(self.core.router.handle, incoming)
        private = [m for m in reply.messages() if m.private]
        public = [m for m in reply.messages() if not m.private]
        for message in public:
            await self._reply(turn_context, message)
        shown = private[-1] if private else (public[-1] if public else reply)
        card = self.forms.card(shown) if shown.form else render(shown, texts=self.texts).card
        return AdaptiveCardInvokeResponse(
            status_code=200,
            type="application/vnd.microsoft.card.adaptive",
            value=card,
        )

    async def on_installed(self, turn_context: TurnContext) -> None:
        """The bot was added to a chat, team or someone's personal scope: welcome once."""
        await self.people.remember(turn_context)
        activity = turn_context.activity
        bucket = int(time.time() // WELCOME_WINDOW_SECONDS)
        key = digest("welcome", activity.conversation.id, bucket)
        if not await self._claims.claim(key):
            return
        await self._reply(turn_context, help_reply(catalog=self.core.catalog, texts=self.texts))
        await self._claims.answered(key)

    async def _on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        """Log with context and tell the user, never silence."""
        # The router never raises: what reaches here failed talking to Teams.
        self.core.metrics.error(platform=PLATFORM, kind="delivery")
        failures = _TURN_FAILURES.get()
        if failures is not None:
            failures.append(error)  # the claim is released: the question is answered later
        activity = turn_context.activity
        log.error(
            "teams handler failed: type=%s id=%s conversation=%s user=%s text=%r",
            activity.type,
            activity.id,
            activity.conversation.id if activity.conversation else None,
            activity.from_property.id if activity.from_property else None,
            (activity.text or "")[:200],
            exc_info=error,
        )
        if activity.type == ActivityTypes.message:
            try:
                await self._reply(turn_context, Reply(text=self.texts("error")))
            except Exception:  # noqa: BLE001 - nothing more to do than log it
                log.exception(
                    "could not send the apology to %s",
                    activity.conversation.id if activity.conversation else None,
                )

    # -- outbound -----------------------------------------------------------------------

    async def _reply(self, turn_context: TurnContext, reply: Reply) -> None:
        """Send ``reply`` in the turn's conversation; edit the messages it replaces."""
        for message in reply.messages():
            replaces = message.replaces
            for activity in await self._activities(message):
                if replaces is not None and replaces.platform == PLATFORM:
                    activity.id = replaces.id
                    await turn_context.update_activity(activity)
                    replaces = None  # a long answer's rest is posted after the edit
                else:
                    await turn_context.send_activity(activity)
        follow = await run_slow(reply.later) if reply.later is not None else None
        if follow is not None:  # slow work (a model), done off the event loop, then sent
            await self._reply(turn_context, follow)

    async def _activities(self, reply: Reply) -> list[Activity]:
        if reply.form is not None:  # a card with inputs
            return [self.forms.activity(reply)]
        rendered = render(reply, texts=self.texts)
        if rendered.overflow:
            token = await self.overflow.keep(rendered.overflow)
            rendered.card.setdefault("actions", []).append(more_action(token, texts=self.texts))
        return [message_of(rendered)]

    async def _send_more(self, turn_context: TurnContext, token: str) -> None:
        chunks = await self.overflow.take(token)
        if chunks is None:
            await self._reply(turn_context, self.core.router.fallback())
            return
        for rendered in render_more(chunks, texts=self.texts):
            await turn_context.send_activity(message_of(rendered))

    async def send(self, reply: Reply, *, to: ConversationRef) -> None:
        """Post ``reply`` to a conversation the bot knows (see :meth:`Proactive.send`)."""
        await self.proactive.send(reply, to=to)

    async def send_to_person(self, reply: Reply, *, email: str) -> dict[str, Any]:
        """The person port: ``reply`` to ``email`` in their 1:1 chat (see Proactive)."""
        return await self.proactive.send_to_person(reply, email=email)

    async def timezone_of(self, email: str) -> str | None:
        """The person port: Teams does not say a user's time zone outside a turn."""
        return await self.proactive.timezone_of(email)

    async def notify(self, email: str, text: str) -> str:
        """Send ``text`` to a Teams user by email (see :meth:`Proactive.notify`)."""
        return await self.proactive.notify(email, text)

    async def reference_for(self, stored: StoredReference) -> ConversationRef:
        """A ConversationRef for a stored user reference (see :meth:`Proactive.reference_for`)."""
        return await self.proactive.reference_for(stored)
