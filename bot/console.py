"""The console transport: the bot in a terminal, and the test bot for handler tests.

It is a real adapter like Slack's and Teams': text in, :class:`~bot.model.Reply` out
through the same ``send(reply, to=ref)`` port, so every flow works here first. A reply's
form is asked field by field (:mod:`bot.console_forms`) from the same input, then
submitted like a Slack modal or a Teams card would be.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from bot.console_forms import Cancelled, FormPrompter
from bot.forms import refilled, to_data
from bot.model import ConversationRef, Form, Incoming, Reply, User
from bot.render.text import render_json, render_text
from bot.router import Router

QUIT = {"quit", "exit", "bye", ":q"}
#: Submissions of one form the handler may refuse before the console gives up.
MAX_SUBMISSIONS = 5


class ConsoleBot:
    """Talk to the router as one console user.

    Args:
        router: The bot's router.
        out: Where replies are written.
        user_email: Who is talking (owners and admins are recognised by email).
        json_lines: Write each reply as one JSON line instead of text.
        conversation_id: The conversation to talk in; by default one per user, so a
            chat continues where it stopped (``ask`` passes a fresh one per run).
    """

    def __init__(
        self,
        *,
        router: Router,
        out: TextIO,
        user_email: str | None = None,
        json_lines: bool = False,
        conversation_id: str | None = None,
    ) -> None:
        self.router = router
        self.out = out
        self.json_lines = json_lines
        self.user = User(platform="console", id=user_email or "local", email=user_email)
        self.conversation = ConversationRef(
            platform="console", id=conversation_id or f"console:{self.user.id}"
        )
        self._lines: Iterator[str] = iter(())  # what a form's questions read (see run)
        self.prompter = FormPrompter(
            texts=router.texts, read=self._read, write=self._write, json_lines=json_lines
        )

    def send(self, reply: Reply, *, to: ConversationRef) -> None:
        """The outbound port: print ``reply`` (the console has one conversation)."""
        if self.json_lines:
            data = json.loads(render_json(reply))
            if reply.form is not None:
                data["form"] = to_data(reply.form)
                data["form_errors"] = dict(reply.form_errors)
            self._write(json.dumps(data, ensure_ascii=False) + "\n")
        elif reply.form is None or render_text(reply):  # a bare form shows as its questions
            self._write(render_text(reply) + "\n\n")

    def greet(self) -> Reply:
        """What waits for this user (review prompts sent to the console), shown at start."""
        message = Incoming(
            user=self.user, conversation=self.conversation, text="", action=f"{INBOX}:"
        )
        reply = self.router.handle(message)
        if reply.text or reply.cards:
            self.send(reply, to=self.conversation)
        return reply

    def say(self, text: str) -> Reply:
        """Send one message as the user and print the answer."""
        message = Incoming(user=self.user, conversation=self.conversation, text=text)
        reply = self.router.handle(message)
        self._show(reply)
        form = next((m.form for m in reply.messages() if m.form is not None), None)
        if form is not None:
            self.fill(form)
        return reply

    def fill(self, form: Form) -> Reply | None:
        """Ask ``form``'s fields, submit them, and ask again what the handler refuses.

        Returns:
            The answer to the accepted submission; ``None`` if the user cancelled.
        """
        errors: dict[str, str] = {}
        only: set[str] | None = None
        for _ in range(MAX_SUBMISSIONS):
            try:
                values = self.prompter.fill(form, errors=errors, only=only)
            except Cancelled:
                break
            submission = Incoming(
                user=self.user,
                conversation=self.conversation,
                text="",
                action=form.action,
                form=values,
            )
            answer = self.router.handle(submission)
            if answer.text or answer.cards or answer.then:
                self._show(dataclasses.replace(answer, form=None, form_errors={}))
            if answer.form is None and not answer.form_errors:
                return answer
            errors = dict(answer.form_errors)
            names = {item.name for item in form.fields}
            form = answer.form or refilled(form, values)
            only = (set(errors) & names) or None if errors else None
        self.send(Reply(text=self.router.texts("forms.cancelled")), to=self.conversation)
        return None

    def _show(self, reply: Reply) -> None:
        self.send(reply, to=self.conversation)
        follow = reply.later() if reply.later is not None else None  # nothing waits here
        if follow is not None:
            self.send(follow, to=self.conversation)

    def _read(self) -> str | None:
        return next(self._lines, None)

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def run(self, lines: Iterable[str], *, prompt: str = "") -> None:
        """Answer each line until end of input or a quit word."""
        if prompt:
            self.out.write(prompt)
            self.out.flush()
        self._lines = iter(lines)  # a form's questions read the next lines
        self.prompter.marker = "> " if prompt else ""  # no marker when the input is piped
        for raw in self._lines:
            text = raw.strip()
            if text.lower() in QUIT:
                break
            if text:
                self.say(text)
            if prompt:
                self.out.write(prompt)
                self.out.flush()


#: The action that shows a console user what waits for them (see :meth:`ConsoleBot.greet`).
INBOX = "inbox"


class ConsoleInbox:
    """The console's person port: a prompt waits for the person's next ``chat``.

    The prompt is kept as sent to the console (see :mod:`storage.reviews`); ``chat
    --user EMAIL`` shows it at start, and its buttons are picked by number.
    """

    platform = "console"

    async def send_to_person(self, reply: Reply, *, email: str) -> dict[str, Any]:
        """Keep ``reply`` for ``email``'s next chat (nothing to send now)."""
        return {"email": email.casefold()}

    async def timezone_of(self, email: str) -> str | None:
        """The console knows no time zones."""
        return None
