"""Route each incoming message to the handler that answers it.

The router is where platform-neutral policy lives: picked choices go to the handler
that offered them, a typed number picks one of the choices last offered in that
conversation (kept in the database, so it works across restarts and replicas), every
question is recorded, and a failing handler becomes a logged apology instead of silence.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from bot.commands import Commands
from bot.flows import PREFIX as FLOW_PREFIX
from bot.flows import Flows
from bot.i18n import Texts
from bot.model import Choice, Incoming, Reply
from storage.questions import QuestionRecord
from storage.turns import TurnLog

log = logging.getLogger(__name__)

ActionHandler = Callable[[Incoming], Reply | None]
TextHandler = Callable[[Incoming], Reply]
CHOICES = "choices"
# Choices offered longer ago than this no longer catch a typed number.
CHOICES_TTL = dt.timedelta(hours=1)


class TurnObserver(Protocol):
    """Told about every answered message (e.g. :class:`bot.metrics.Metrics`)."""

    def turn(self, *, platform: str, reply: Reply, seconds: float) -> None:
        """One message was answered with ``reply`` in ``seconds``."""

    def error(self, *, platform: str, kind: str) -> None:
        """Something failed: ``handler`` (the user got an apology) or ``question_log``."""


def offered_choices(reply: Reply) -> list[Choice]:
    """Every choice a reply offers, in the order renderers show (and number) them."""
    out: list[Choice] = []
    for message in reply.messages():
        out.extend(message.choices)
        for card in message.cards:
            out.extend(card.choices)
    return out


class Router:
    """Dispatches messages and choices; records questions; turns errors into apologies.

    Args:
        text_handler: Answers free text (the ask handler).
        actions: Handlers for picked choices, by the prefix of the choice value
            (``persona`` for ``persona:cfo``).
        texts: Texts in the pack's language.
        turns: Records each question and the choices offered, in one transaction.
        clock: Returns the current time (timezone-aware).
        fallback: The reply for an expired or unknown choice.
        observer: Told about every answer and failure (metrics); optional.
        timer: Seconds from a monotonic clock, for the time spent answering; injected
            for tests.
        flows: The conversation core's flows: their buttons, the free text of a user
            in a flow, and ``stop``; optional.
        commands: Command words (``quiz``, ``progress``), tried before free text goes
            to a flow or to the text handler; optional.
    """

    def __init__(
        self,
        *,
        text_handler: TextHandler,
        actions: Mapping[str, ActionHandler],
        texts: Texts,
        turns: TurnLog,
        clock: Callable[[], dt.datetime],
        fallback: Callable[[], Reply],
        observer: TurnObserver | None = None,
        timer: Callable[[], float] = time.perf_counter,
        flows: Flows | None = None,
        commands: Commands | None = None,
    ) -> None:
        self.flows = flows
        self.commands = commands
        self.text_handler = text_handler
        self.actions = dict(actions)
        self.texts = texts
        self.turns = turns
        self.clock = clock
        self.fallback = fallback
        self.observer = observer
        self.timer = timer

    def handle(self, message: Incoming) -> Reply:
        """Answer one message; never raises. Every message is recorded with its answer."""
        observer = self.observer
        started = self.timer() if observer is not None else 0.0
        failed = False
        try:
            resolved = self._resolve_pick(message)
            if isinstance(resolved, Reply):
                reply = resolved
            else:
                message = resolved
                reply = self._dispatch(message)
        except Exception:
            log.exception(
                "handler failed: user=%s conversation=%s action=%r text=%r",
                message.user.key,
                message.conversation.key,
                message.action,
                self._loggable(message.text),
            )
            reply = Reply(text=self.texts("error"), meta={"intent": "error", "confidence": 0.0})
            failed = True
        recorded = self._remember(message, reply)
        if observer is not None:
            platform = message.user.platform
            if failed:
                observer.error(platform=platform, kind="handler")
            if not recorded:
                observer.error(platform=platform, kind="question_log")
            observer.turn(platform=platform, reply=reply, seconds=self.timer() - started)
        return reply

    def _loggable(self, text: str) -> str:
        """``text`` for an error log: a question as asked, feedback only by its length."""
        if self.commands is not None and self.commands.private(text):
            return f"<{len(text)} characters of free text>"
        return text[:200]

    def _dispatch(self, message: Incoming) -> Reply:
        flows = self.flows
        if message.action:
            prefix = message.action.partition(":")[0]
            if prefix == FLOW_PREFIX and flows is not None:
                return flows.on_action(message)
            handler = self.actions.get(prefix)
            reply = handler(message) if handler else None
            return reply if reply is not None else self.fallback()
        text = message.text.strip()
        if flows is not None and flows.is_stop(text):
            return flows.stop(message)
        command = self.commands.match(text) if self.commands is not None else None
        if command and command.arguments and flows is not None:
            running = flows.free_text_commands(message)
            if running is not None and command.name not in running:
                command = None  # "reviews from our customers…" during a role-play: an answer
        if command is not None:
            return command.handler(message, command.arguments)
        if flows is not None:
            reply = flows.on_text(message)
            if reply is not None:
                return reply
        return self.text_handler(message)

    def _resolve_pick(self, message: Incoming) -> Incoming | Reply:
        """Turn "2" or a choice's label into that choice, if choices are pending."""
        text = message.text.strip()
        if message.action or not text:
            return message
        if not message.typed_choices:
            return message
        pending = (
            None
            if message.conversation.fresh
            else self.turns.choices(message.conversation.key, kind=CHOICES)
        )
        if (
            pending is None
            or pending.kind != CHOICES
            or self.clock() - pending.updated_at > CHOICES_TTL
        ):
            if _number(text) is not None:
                return Reply(text=self.texts("pick_none"), meta={"intent": "unknown"})
            return message
        choices = [Choice(label=c["label"], value=c["value"]) for c in pending.data["choices"]]
        index = _number(text)
        if index is not None:
            if 1 <= index <= len(choices):
                return _with_action(message, choices[index - 1])
            return Reply(
                text=self.texts("pick_invalid", value=text, count=len(choices)),
                choices=tuple(choices),  # offered again, so they stay pending
                meta={"intent": "unknown", "confidence": 0.0},
            )
        for choice in choices:
            if choice.label.casefold() == text.casefold():
                return _with_action(message, choice)
        return message

    def _remember(self, message: Incoming, reply: Reply) -> bool:
        """Record the question (or queue it); False if that failed."""
        choices: list[dict[str, str]] | None = [
            {"label": c.label, "value": c.value} for c in offered_choices(reply)
        ]
        if not message.typed_choices:
            choices = None  # picked by clicking: nothing to keep
        try:
            self.turns.finish(
                _record(message, reply, self.clock()),
                key=message.conversation.key,
                kind=CHOICES,
                choices=choices,
                now=self.clock(),
            )
        except Exception:
            log.exception(
                "could not record question: user=%s conversation=%s",
                message.user.key,
                message.conversation.key,
            )
            return False
        return True


def _number(text: str) -> int | None:
    """A typed choice number ("2"), or None; "²" and 5,000 digits are just text."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None


def _with_action(message: Incoming, choice: Choice) -> Incoming:
    return dataclasses.replace(message, text=choice.label, action=choice.value)


#: What the question log keeps of an answer that holds a secret (``meta["secret"]``).
SECRET_ANSWER = "<not kept: it held a secret>"


def _record(message: Incoming, reply: Reply, now: dt.datetime) -> QuestionRecord:
    meta: Mapping[str, Any] = reply.meta
    answer = "\n".join(
        part for m in reply.messages() for part in (m.text, *(card.title for card in m.cards))
    ).strip()
    if meta.get("secret"):  # a sign-in link: it must not outlive the chat in the log
        answer = SECRET_ANSWER
    return QuestionRecord(
        asked_at=now,
        platform=message.user.platform,
        user_id=message.user.id,
        user_email=message.user.email,
        conversation_id=message.conversation.id,
        text=message.text,
        intent=str(meta.get("intent", "unknown")),
        persona_id=meta.get("persona"),
        objection_id=meta.get("objection"),
        confidence=float(meta.get("confidence", 0.0)),
        answer=answer,
    )
