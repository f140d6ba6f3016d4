"""Render the core's replies as Adaptive Cards 1.5 for Teams, within Teams' limits.

Every reply becomes one message with one Adaptive Card: the reply's text, then each card
(title, subtitle, badges, fields, footer, its choices as an ``ActionSet``), then the
reply's choices as the card's actions. Every choice is an ``Action.Submit`` whose
``data`` is ``{"personabot": <choice value>}``; Teams posts it back as a message with
that ``value``.

Text from users and packs is escaped (:func:`escape`), so it cannot become markdown
links, emphasis, lists or ``<at>`` mentions. Teams rejects an activity over about 28 KB,
so a card is kept under :data:`CARD_BUDGET` bytes of JSON: what does not fit comes back
as ``overflow`` (plain text) for a "Show more" button (:func:`more_action`), whose rest
is rendered by :func:`render_more`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import Texts
from bot.model import Card, Choice, Reply
from bot.render.cut import cut_at_line, shorten, split

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
#: The verb of our Action.Execute buttons (their invoke's ``value.action.verb``).
EXECUTE_VERB = "personabot"
# The key of an Action.Submit's data that carries the core's choice value.
DATA_KEY = "personabot"
# Show-more buttons carry this prefix and a key of the overflow stored in the database.
MORE = "teams-more:"
# Teams refuses activities over ~28 KB; the card's JSON stays under this, leaving room
# for the activity around it (ids, service URL, summary).
CARD_BUDGET = 24_000
# One TextBlock never holds more than this many characters; the rest is overflow.
MAX_BLOCK = 3_000
MAX_BUTTON_TEXT = 80
MAX_SUMMARY = 200
ACTIONS_PER_SET = 5

Element = dict[str, Any]

_ESCAPED = re.compile(r"([\\`*_{}\[\]<>~#|])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)


def escape(text: str) -> str:
    """Text as it should read in a ``TextBlock``: no markdown, links or mentions.

    Markdown's punctuation is backslash-escaped (``[x](y)`` stays text, ``<at>`` is not a
    mention) and list or heading markers at the start of a line are neutralised.
    """
    text = _ESCAPED.sub(r"\\\1", text.replace("\r", ""))
    return _LINE_START.sub(r"\1\\\2", text)


def _paragraphs(text: str) -> str:
    """Escaped text whose line breaks survive Teams' markdown (a blank line between)."""
    return "\n\n".join(escape(line) for line in text.split("\n") if line.strip())


@dataclass
class Rendered:
    """A card ready to send: the Adaptive Card, a plain summary, what did not fit."""

    card: dict[str, Any]
    summary: str
    overflow: list[str] = field(default_factory=list)

    def attachment(self) -> dict[str, Any]:
        """The card as a Bot Framework attachment."""
        return {"contentType": CONTENT_TYPE, "content": self.card}


def size(value: Any) -> int:
    """Bytes of ``value`` as JSON the way the connector client sends it (ASCII-escaped)."""
    return len(json.dumps(value, separators=(",", ":")))


def submit(title: str, value: str) -> Element:
    """An ``Action.Submit`` button that posts ``value`` back to the core."""
    return {
        "type": "Action.Submit",
        "title": shorten(title, MAX_BUTTON_TEXT),
        "data": {DATA_KEY: value},
    }


def execute(title: str, value: str) -> Element:
    """An ``Action.Execute`` button (Universal Actions).

    Its click is an invoke whose answer refreshes the card for the clicker alone.
    """
    return {
        "type": "Action.Execute",
        "title": shorten(title, MAX_BUTTON_TEXT),
        "verb": EXECUTE_VERB,
        "data": {DATA_KEY: value},
    }


def button(choice: Choice) -> Element:
    """A choice's button: answered to the clicker alone when the choice is personal."""
    return (execute if choice.personal else submit)(choice.label, choice.value)


def more_action(token: str, *, texts: Texts) -> Element:
    """The "Show more" button for overflow stored under ``token``."""
    return submit(texts("slack.more"), MORE + token)


def render(reply: Reply, *, texts: Texts) -> Rendered:
    """Turn a reply into an Adaptive Card that Teams accepts, whatever its size.

    Room for a "Show more" button is kept; the caller adds it (:func:`more_action`)
    when ``overflow`` is not empty.
    """
    actions = [button(c) for c in reply.choices]
    # Room for every button is kept first: text gives way to "Show more", choices never do.
    buttons = sum(size(s) + 1 for card in reply.cards for s in _action_sets(card.choices))
    out = _Builder(
        texts, reserved=size(actions) + size(more_action("0" * 32, texts=texts)) + buttons
    )
    if reply.speaker:  # in character: the persona's name as the card's header
        out.text(reply.speaker, size="Medium", weight="Bolder")
    if reply.text:
        out.text(reply.text)
    for card in reply.cards:
        out.card(card)
    summary = reply.text or (reply.cards[0].title if reply.cards else "")
    return Rendered(
        card=_card(out.body, actions),
        summary=shorten(" ".join(summary.split()), MAX_SUMMARY),
        overflow=out.overflow,
    )


def render_more(chunks: Sequence[str], *, texts: Texts) -> list[Rendered]:
    """The rest of a long answer, as as many cards as it takes."""
    cards: list[Rendered] = []
    builder = _Builder(texts, reserved=0)
    summary = texts("slack.continued")
    for chunk in chunks:
        for piece in split(chunk, MAX_BLOCK):
            block = _text_block(_paragraphs(piece))
            if builder.body and not builder.fits(block):
                cards.append(Rendered(card=_card(builder.body, []), summary=summary))
                builder = _Builder(texts, reserved=0)
            builder.add(block)
    if builder.body:
        cards.append(Rendered(card=_card(builder.body, []), summary=summary))
    return cards


def _card(body: list[Element], actions: list[Element]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body or [_text_block(" ")],
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return card


class _Builder:
    def __init__(self, texts: Texts, *, reserved: int) -> None:
        self.texts = texts
        self.body: list[Element] = []
        self.overflow: list[str] = []
        self._size = size(_card([], [])) + reserved

    def fits(self, element: Element) -> bool:
        return self._size + size(element) + 1 <= CARD_BUDGET

    def add(self, element: Element) -> None:
        self.body.append(element)
        self._size += size(element) + 1

    def _put(self, element: Element, plain: str) -> None:
        """Add ``element``, or keep its plain text for "Show more" once the card is full."""
        if not self.overflow and self.fits(element):
            self.add(element)
        elif plain:
            self.overflow.append(plain)

    def text(self, plain: str, **style: Any) -> None:
        """A paragraph of plain text; a very long one is cut at a line break."""
        if len(plain) > MAX_BLOCK:
            head, rest = cut_at_line(plain, MAX_BLOCK - 100)
            shown = _paragraphs(head) + "\n\n" + escape(self.texts("slack.truncated"))
            self._put(_text_block(shown, **style), head)
            self.overflow.append(rest)
            return
        self._put(_text_block(_paragraphs(plain), **style), plain)

    def card(self, card: Card) -> None:
        self._put(
            _text_block(escape(card.title), size="Medium", weight="Bolder", spacing="Large"),
            card.title,
        )
        if card.subtitle:
            self._put(
                _text_block(escape(card.subtitle), isSubtle=True, spacing="None"), card.subtitle
            )
        if card.badges:
            badges = " · ".join(card.badges)
            self._put(
                _text_block(escape(badges), color="Attention", weight="Bolder", spacing="Small"),
                badges,
            )
        for item in card.fields:
            self._put(
                _text_block(escape(item.label), weight="Bolder", spacing="Medium"), item.label
            )
            if item.text:
                self.text(item.text, spacing="Small")
            if item.items:
                bullets = "\r".join(f"- {escape(' '.join(entry.split()))}" for entry in item.items)
                plain = "\n".join(f"• {entry}" for entry in item.items)
                if len(bullets) > MAX_BLOCK:
                    self.text(plain, spacing="Small")
                else:
                    self._put(_text_block(bullets, spacing="Small"), plain)
        if card.footer:
            self._put(
                _text_block(escape(card.footer), isSubtle=True, size="Small", spacing="Medium"),
                card.footer,
            )
        if card.choices:
            self.buttons(card.choices)

    def buttons(self, choices: Sequence[Choice]) -> None:
        """A card's choices; their room was reserved, so they are always shown."""
        for element in _action_sets(choices):
            self.body.append(element)  # its size is already counted in the reservation


def _action_sets(choices: Sequence[Choice]) -> list[Element]:
    return [
        {
            "type": "ActionSet",
            "actions": [button(c) for c in choices[i : i + ACTIONS_PER_SET]],
        }
        for i in range(0, len(choices), ACTIONS_PER_SET)
    ]


def _text_block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}
