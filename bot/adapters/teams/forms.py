"""Forms on Teams: task modules (dialogs), message-extension actions and card forms.

* A message-extension action on any message (``composeExtension/fetchTask`` with
  ``commandId`` ``X``) arrives as ``Incoming(action="X:shortcut", text=<the message's
  text>)``; a card button that opens a dialog (``task/fetch``) as its choice's action.
  A reply with a form answers with the dialog: ``{"task": {"type": "continue", "value":
  {"title", "card"}}}``; one without, with its text (``"type": "message"``).
* The dialog's submission (``composeExtension/submitAction`` or ``task/submit``) arrives
  as ``Incoming(action=<the form's action>, form={...}, text="")``. Refused values (or a
  next form) keep the dialog open with the card again, each message under its field.
  Otherwise a message-extension dialog closes on the answer's text (Teams' "message"
  response; the bot may not be in the conversation the extension was used in, so an
  answer with cards or buttons also goes to the user's 1:1 chat), and a bot dialog
  closes with the answer posted in the bot's conversation.
* Anywhere else a form is a card with inputs posted in the conversation; its submission
  is a message whose ``value`` lists the form's fields. Refused values show the card
  again in place of the submitted one, with the messages; accepted ones replace it with
  "Sent." and the answer is posted.

Invokes are authenticated (JWT) like every activity before any of this runs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity

from bot.adapters.teams.activity import conversation_of, message_of
from bot.adapters.teams.cards import DATA_KEY, Rendered
from bot.adapters.teams.form_cards import attachment, form_card, html_text, is_submission
from bot.adapters.teams.form_cards import submitted as submitted_values
from bot.adapters.teams.people import People
from bot.forms import shortcut_action
from bot.i18n import Texts
from bot.model import Incoming, MessageRef, Reply
from bot.render.cut import shorten
from bot.router import Router

log = logging.getLogger(__name__)

PLATFORM = "teams"
FETCH = "composeExtension/fetchTask"
SUBMIT = "composeExtension/submitAction"
TASK_FETCH = "task/fetch"
TASK_SUBMIT = "task/submit"
#: The invokes this module answers.
INVOKES = frozenset({FETCH, SUBMIT, TASK_FETCH, TASK_SUBMIT})
MAX_TASK_TITLE = 64
MAX_TASK_MESSAGE = 500


class TeamsForms:
    """Dialogs, message-extension actions and card forms for the Teams adapter.

    Args:
        router: The bot's router.
        texts: Texts in the pack's language.
        people: Users and their conversation references.
        reply: Sends a reply in a turn's conversation (editing what it replaces).
        to_person: Sends a reply to a person's 1:1 chat by email.
    """

    def __init__(
        self,
        *,
        router: Router,
        texts: Texts,
        people: People,
        reply: Callable[[TurnContext, Reply], Awaitable[None]],
        to_person: Callable[..., Awaitable[Any]],
    ) -> None:
        self.router = router
        self.texts = texts
        self.people = people
        self.reply = reply
        self.to_person = to_person

    def card(self, reply: Reply) -> dict[str, Any]:
        """``reply``'s form as a card with inputs (its text above, its errors in place)."""
        assert reply.form is not None
        return form_card(reply.form, texts=self.texts, text=reply.text, errors=reply.form_errors)

    def activity(self, reply: Reply) -> Activity:
        """The message activity showing ``reply``'s form as a card with inputs."""
        assert reply.form is not None
        summary = shorten(" ".join((reply.text or reply.form.title).split()), 200)
        return message_of(Rendered(card=self.card(reply), summary=summary))

    async def on_invoke(self, turn_context: TurnContext) -> InvokeResponse:
        """Answer a dialog's fetch or submission (see the module's description)."""
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        user = await self.people.remember(turn_context)
        where = conversation_of(activity)
        name = str(activity.name)
        data = value.get("data")

        def incoming(text: str, action: str, form: dict[str, str] | None = None) -> Incoming:
            return Incoming(
                user=user,
                conversation=where,
                text=text,
                action=action,
                form=form,
                platform_data={"invoke": name, "value": value if name == FETCH else {}},
                typed_choices=False,
            )

        if name == FETCH:
            body = (value.get("messagePayload") or {}).get("body") or {}
            content = str(body.get("content") or "")
            text = html_text(content) if body.get("contentType", "html") == "html" else content
            message = incoming(" ".join(text.split()), shortcut_action(str(value.get("commandId"))))
        elif name == TASK_FETCH:
            picked = data.get(DATA_KEY) if isinstance(data, dict) else None
            if not isinstance(picked, str) or not picked:
                return _task_message(self.router.fallback().text)
            message = incoming(picked, picked)
        elif isinstance(data, dict) and is_submission(data):
            action, values = submitted_values(data)
            message = incoming("", action, values)
        else:
            log.info("unknown %s in %s", name, where.id)
            return _task_message(self.router.fallback().text)
        reply = await asyncio.to_thread(self.router.handle, message)
        if reply.form is not None or reply.form_errors or name in (FETCH, TASK_FETCH):
            return self._task(reply)
        if name == TASK_SUBMIT:  # the bot's own dialog: the answer where the bot talks
            await self.reply(turn_context, reply)
            return InvokeResponse(status=200)
        if _more_than_text(reply) and user.email:
            try:  # buttons or cards cannot show in Teams' message: the 1:1 chat gets them
                await self.to_person(reply, email=user.email)
            except Exception:  # noqa: BLE001 - the message still tells the user
                log.warning("could not send a form's answer to the user's chat", exc_info=True)
        return self._task(reply)

    async def on_card_submit(
        self, turn_context: TurnContext, user: Any, data: dict[str, Any]
    ) -> None:
        """A card form submitted in the conversation (a message with the form's values)."""
        activity = turn_context.activity
        where = conversation_of(activity)
        action, values = submitted_values(data)
        card = (
            MessageRef(platform=PLATFORM, conversation=where.id, id=activity.reply_to_id)
            if activity.reply_to_id
            else None
        )
        incoming = Incoming(
            user=user,
            conversation=where,
            text="",
            action=action,
            form=values,
            platform_data={"activity_id": activity.id},
            id=activity.id or None,
            typed_choices=False,
            message=card,
        )
        reply = await asyncio.to_thread(self.router.handle, incoming)
        if reply.form is not None:  # refused (or a next step): the form again, in place
            await self.reply(turn_context, dataclasses.replace(reply, replaces=card))
            return
        if reply.form_errors:  # refused, but no form to show again: the messages
            await self.reply(turn_context, Reply(text="\n".join(reply.form_errors.values())))
            return
        if card is not None:  # the submitted card cannot be sent twice
            await self.reply(turn_context, Reply(text=self.texts("forms.sent"), replaces=card))
        await self.reply(turn_context, reply)

    def _task(self, reply: Reply) -> InvokeResponse:
        form = reply.form
        if form is None:
            text = "\n".join(m.text for m in reply.messages() if m.text)
            text = text or "\n".join(reply.form_errors.values()) or self.texts("forms.sent")
            return _task_message(text)
        card = form_card(form, texts=self.texts, text=reply.text, errors=reply.form_errors)
        value = {"title": shorten(form.title, MAX_TASK_TITLE), "card": attachment(card)}
        return InvokeResponse(status=200, body={"task": {"type": "continue", "value": value}})


def _task_message(text: str) -> InvokeResponse:
    """Close the dialog, showing ``text``."""
    body = {"task": {"type": "message", "value": shorten(text, MAX_TASK_MESSAGE)}}
    return InvokeResponse(status=200, body=body)


def _more_than_text(reply: Reply) -> bool:
    return any(m.cards or m.choices for m in reply.messages()) or len(reply.messages()) > 1
