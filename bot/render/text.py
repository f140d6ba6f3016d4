"""Render replies as plain text for the terminal (and as JSON lines for scripts)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from bot.model import Card, Reply
from bot.router import offered_choices

WIDTH = 88


def render_text(reply: Reply) -> str:
    """The reply as terminal text; choices are numbered so they can be picked by number.

    A reply followed by more messages (a quiz's verdict, then its next question) shows
    them in order, its choices numbered on across them as they are picked.
    """
    parts: list[str] = []
    number = 1
    for message in reply.messages():
        if message.text:
            parts.append(f"[{message.speaker}] {message.text}" if message.speaker else message.text)
        parts.extend(_card(card) for card in message.cards)
        choices = offered_choices(message)
        if choices:
            lines = (f"  [{i}] {c.label}" for i, c in enumerate(choices, number))
            parts.append("\n".join(lines))
            number += len(choices)
    return "\n\n".join(parts)


def _card(card: Card) -> str:
    lines = [f"== {card.title} =="]
    if card.badges:
        lines[0] += "  " + " ".join(f"[{b}]" for b in card.badges)
    if card.subtitle:
        lines.append(_wrap(card.subtitle, ""))
    for field in card.fields:
        lines.append(f"{field.label}:")
        if field.text:
            lines.append(_wrap(field.text, "  "))
        lines.extend(_wrap(item, "    ", first="  • ") for item in field.items)
    if card.footer:
        lines.append(_wrap(card.footer, ""))
    return "\n".join(lines)


def _wrap(text: str, indent: str, first: str | None = None) -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def render_json(reply: Reply) -> str:
    """The reply as one JSON line: ``text``, ``choices`` and the answer's ``meta``."""
    data: dict[str, Any] = {
        "intent": "unknown",
        "persona": None,
        "objection": None,
        "confidence": 0.0,
    }
    data.update(reply.meta)
    data["text"] = render_text(reply)
    data["choices"] = [{"label": c.label, "value": c.value} for c in offered_choices(reply)]
    return json.dumps(data, ensure_ascii=False)
