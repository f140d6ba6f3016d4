"""Cutting text to a platform's limits without losing it: one implementation for all."""

from __future__ import annotations


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cut_at_line(text: str, limit: int) -> tuple[str, str]:
    """Split before ``limit``, at the last line break (or space) that fits.

    Returns:
        The head (at most ``limit`` characters) and the rest.
    """
    cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = text.rfind(" ", 0, limit)
    if cut <= 0:
        cut = limit
    return text[:cut].rstrip(), text[cut:].lstrip()


def split(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line breaks or spaces."""
    pieces = []
    while len(text) > limit:
        head, text = cut_at_line(text, limit)
        pieces.append(head)
    if text:
        pieces.append(text)
    return pieces
