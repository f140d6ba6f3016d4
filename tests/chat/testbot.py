"""The test bot: handler tests as one-liners (``bot.ask("who is Oskar?")``)."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.app import App, build_app
from bot.console import ConsoleBot
from bot.model import Reply
from bot.settings import Settings

TODAY = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
SEED = 20261122  # quizzes pick and shuffle the same way on every run
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: dt.datetime = TODAY

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class BotUnderTest:
    """A console user talking to a fully wired app (real database, real pack)."""

    app: App
    console: ConsoleBot
    out: io.StringIO = field(default_factory=io.StringIO)

    def ask(self, text: str) -> Reply:
        return self.console.say(text)

    def card_text(self, reply: Reply) -> str:
        """Everything the reply's cards show, one line per title/field."""
        lines: list[str] = []
        for c in reply.cards:
            lines += [c.title, c.subtitle, c.footer, *c.badges]
            lines += [f"{f.label}: {f.text} {' | '.join(f.items)}" for f in c.fields]
        return "\n".join(lines)


MakeBot = Callable[..., BotUnderTest]


def build_bot(
    *,
    database: Path | str,
    content: Path | None = None,
    clock: Clock | None = None,
    user: str | None = None,
) -> BotUnderTest:
    """A fully wired bot on a SQLite file (or any database URL), as one console user."""
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    settings = Settings(content=content, database_url=url)
    app = build_app(settings, clock=clock or Clock(), rng=random.Random(SEED))
    out = io.StringIO()
    console = ConsoleBot(router=app.router, out=out, user_email=user)
    return BotUnderTest(app=app, console=console, out=out)
