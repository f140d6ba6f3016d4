"""Command words (``quiz``, ``progress``, ``leaderboard hide``) in the pack's language.

A message is a command when its first word or words are one of the command's words
(from the locale's ``commands.<name>``, English always included) and what follows is
short: "quiz frida" is the quiz command, "progress on the rollout is slow" is a question.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from bot.i18n import Texts
from bot.model import Incoming, Reply

#: A command's handler: the message and the words after the command word.
CommandHandler = Callable[[Incoming, str], Reply]

#: More words than this after a command word make the message a question instead.
MAX_ARGUMENT_WORDS = 6


@dataclass(frozen=True)
class _Word:
    words: tuple[str, ...]
    name: str
    handler: CommandHandler


@dataclass(frozen=True)
class Match:
    """A message read as a command: which one, its handler and the words after it."""

    name: str
    handler: CommandHandler
    arguments: str


class Commands:
    """The bot's commands, recognised by their words.

    Args:
        texts: Texts in the pack's language (``commands.<name>`` lists each one's words).
        handlers: Each command's handler, by name (``quiz`` for ``commands.quiz``, or a
            dotted locale key such as ``dashboard.command``).
        long: Commands whose arguments are text of any length, kept as typed
            (``feedback <persona>: <what changed>``, ``reject 3 because …``).
    """

    def __init__(
        self,
        *,
        texts: Texts,
        handlers: Mapping[str, CommandHandler],
        long: Collection[str] = (),
    ) -> None:
        self._long = frozenset(long)
        entries = [
            _Word(tuple(word.casefold().split()), name, handler)
            for name, handler in handlers.items()
            # A dotted name is its own locale key (``dashboard.command``, from a section
            # of its own); a plain one is under ``commands.``.
            for word in texts.words(name if "." in name else f"commands.{name}")
        ]
        # The longest words first: "quiz live" before "quiz".
        self._entries = sorted(entries, key=lambda e: -len(e.words))

    def private(self, text: str) -> bool:
        """Whether ``text`` is a command whose free text stays out of logs (feedback)."""
        found = self.match(text)
        return found is not None and found.name in self._long

    def match(self, text: str) -> Match | None:
        """The command ``text`` gives, with its arguments, or ``None``."""
        words = text.split()
        folded = [w.casefold().strip("!?.,") for w in words]
        for entry in self._entries:
            size = len(entry.words)
            if tuple(folded[:size]) != entry.words:
                continue
            if entry.name in self._long:
                return Match(entry.name, entry.handler, _after(text, size))
            if len(words) - size <= MAX_ARGUMENT_WORDS:
                return Match(entry.name, entry.handler, " ".join(words[size:]))
        return None


def _after(text: str, count: int) -> str:
    """``text`` after its first ``count`` words, line breaks and spacing kept."""
    rest = text.lstrip()
    for _ in range(count):
        parts = rest.split(maxsplit=1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest.strip()
