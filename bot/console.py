"""The console transport: the bot in a terminal, and the test bot for handler tests.

It is a real adapter like Slack's and Teams': text in, :class:`~bot.model.Reply` out
through the same ``send(reply, to=ref)`` port, so every flow works here first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from bot.model import ConversationRef, Incoming, Reply, User
from bot.render.text import render_json, render_text
from bot.router import Router

QUIT = {"quit", "exit", "bye", ":q"}


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

    def send(self, reply: Reply, *, to: ConversationRef) -> None:
        """The outbound port: print ``reply`` (the console has one conversation)."""
        rendered = render_json(reply) if self.json_lines else render_text(reply)
        self.out.write(rendered + ("\n" if self.json_lines else "\n\n"))
        self.out.flush()

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
        self.send(reply, to=self.conversation)
        follow = reply.later() if reply.later is not None else None  # nothing waits here
        if follow is not None:
            self.send(follow, to=self.conversation)
        return reply

    def run(self, lines: Iterable[str], *, prompt: str = "") -> None:
        """Answer each line until end of input or a quit word."""
        if prompt:
            self.out.write(prompt)
            self.out.flush()
        for raw in lines:
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
