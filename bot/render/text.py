"""Render replies as plain text for the terminal (and as JSON lines for scripts)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from bot.model import Card, Reply
from bot.router import offered_choices

WIDTH = 88


def render_text(reply: Reply) -> str:
    """The reply as terminal text; choices are numbered so they can be picked by number."""
    parts: list[str] = []
    if reply.text:
        parts.append(reply.text)
    parts.extend(_card(card) for card in reply.cards)
    choices = offered_choices(reply)
    if choices:
        parts.append("\n".join(f"  [{i}] {c.label}" for i, c in enumerate(choices, 1)))
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
