"""Render the core's replies as Block Kit, within Slack's limits.

Cards become a header, a context line (subtitle and badges), one section per field and
a context footer; choices become buttons whose ``value`` is the core's choice value.
Slack rejects a message that breaks a limit, so nothing here ever does: text that does
not fit is cut at a line break, and what was cut comes back as ``overflow`` for a
"Show more" button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.slack.mrkdwn import escape
from bot.i18n import Texts
from bot.model import Card, Choice, Reply
from bot.render.cut import cut_at_line, shorten, split

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_CONTEXT = 2000
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000
MAX_BUTTONS = 25
MAX_FALLBACK = 3000
# Room kept for the "Show more" button at the end of a long message.
RESERVED_BLOCKS = 1
ACTION_PREFIX = "pb-"
MORE = "slack-more:"
#: The value prefix of an "Open the form" button (see :mod:`bot.adapters.slack.forms`).
FORM = "slack-form:"

Block = dict[str, Any]


@dataclass
class Rendered:
    """A message ready for ``chat.postMessage``: fallback text, blocks, what did not fit."""

    text: str
    blocks: list[Block]
    overflow: list[str] = field(default_factory=list)


def render(reply: Reply, *, texts: Texts) -> Rendered:
    """Turn a reply into Block Kit that Slack accepts, whatever its size."""
    out = _Builder(texts)
    groups = [card.choices for card in reply.cards if card.choices] + [reply.choices]
    # Buttons are the choices: room for them is kept before any text is laid out.
    out.reserved += sum(-(-len(group) // MAX_BUTTONS) for group in groups if group)
    if reply.speaker:  # in character: the persona's name above what they say
        speaker = f"*{escape(reply.speaker)}*"
        out._add(_context(speaker), speaker)
    if reply.text:
        out.section(reply.text)
    for card in reply.cards:
        out.card(card)
    if reply.choices:
        out.buttons(reply.choices)
    fallback = reply.text or (reply.cards[0].title if reply.cards else "")
    return Rendered(text=shorten(fallback, MAX_FALLBACK), blocks=out.blocks, overflow=out.overflow)


def render_more(chunks: Sequence[str], *, texts: Texts) -> list[Rendered]:
    """The rest of a long answer, as as many messages as it takes."""
    messages: list[Rendered] = []
    builder = _Builder(texts)
    for chunk in chunks:
        for piece in split(chunk, MAX_SECTION):
            if len(builder.blocks) >= MAX_BLOCKS:
                messages.append(Rendered(text=texts("slack.continued"), blocks=builder.blocks))
                builder = _Builder(texts)
            builder.blocks.append(_section(piece))
    if builder.blocks:
        messages.append(Rendered(text=texts("slack.continued"), blocks=builder.blocks))
    return messages


def more_button(token: str, *, texts: Texts) -> Block:
    """The "Show more" button for overflow stored under ``token``."""
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}more",
                "text": {"type": "plain_text", "text": texts("slack.more")},
                "value": MORE + token,
            }
        ],
    }


def form_button(token: str, *, texts: Texts) -> Block:
    """The "Open the form" button for a form stored under ``token``."""
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}form",
                "text": {"type": "plain_text", "text": texts("forms.open")},
                "value": FORM + token,
                "style": "primary",
            }
        ],
    }


class _Builder:
    def __init__(self, texts: Texts) -> None:
        self.texts = texts
        self.blocks: list[Block] = []
        self.overflow: list[str] = []
        self.reserved = RESERVED_BLOCKS
        self._actions = 0

    def _room(self) -> bool:
        return len(self.blocks) < MAX_BLOCKS - self.reserved

    def _add(self, block: Block, mrkdwn: str) -> None:
        """Add ``block``, or keep its text (escaped mrkdwn) for "Show more"."""
        if self._room():
            self.blocks.append(block)
        else:
            self.overflow.append(mrkdwn)

    def section(self, text: str) -> None:
        self._long(escape(text))

    def _long(self, mrkdwn: str) -> None:
        if len(mrkdwn) <= MAX_SECTION:
            self._add(_section(mrkdwn), mrkdwn)
            return
        head, rest = cut_at_line(mrkdwn, MAX_SECTION - 80)
        self._add(_section(head + "\n" + escape(self.texts("slack.truncated"))), head)
        self.overflow.append(rest)

    def card(self, card: Card) -> None:
        self._add(
            {
                "type": "header",
                "text": {"type": "plain_text", "text": shorten(card.title, MAX_HEADER)},
            },
            f"*{escape(card.title)}*",
        )
        context = [escape(card.subtitle)] if card.subtitle else []
        context += [f"*{escape(badge)}*" for badge in card.badges]
        if context:
            line = " · ".join(context)
            self._add(_context(line), line)
        for item in card.fields:
            lines = [f"*{escape(item.label)}*"]
            if item.text:
                lines.append(escape(item.text))
            lines += [f"• {escape(entry)}" for entry in item.items]
            self._long("\n".join(lines))
        if card.footer:
            footer = escape(card.footer)
            self._add(_context(footer), footer)
        if card.choices:
            self.buttons(card.choices)

    def buttons(self, choices: Sequence[Choice]) -> None:
        for start in range(0, len(choices), MAX_BUTTONS):
            elements = []
            for choice in choices[start : start + MAX_BUTTONS]:
                elements.append(
                    {
                        "type": "button",
                        "action_id": f"{ACTION_PREFIX}{self._actions}",
                        "text": {
                            "type": "plain_text",
                            "text": shorten(choice.label, MAX_BUTTON_TEXT),
                        },
                        "value": choice.value[:MAX_VALUE],
                    }
                )
                self._actions += 1
            if len(self.blocks) < MAX_BLOCKS - RESERVED_BLOCKS:  # room was reserved
                self.blocks.append({"type": "actions", "elements": elements})


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(text, MAX_CONTEXT)}]}
