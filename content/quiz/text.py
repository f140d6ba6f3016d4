"""Small text helpers shared by the quiz modules and the pack schema (no heavy imports)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def normalised(text: str) -> str:
    """``text`` casefolded, with punctuation dropped and whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def one_line(text: str) -> str:
    """``text`` with all whitespace runs (newlines included) as single spaces."""
    return " ".join(text.split())


def short_hash(*parts: str) -> str:
    """A short, stable id for ``parts`` (12 hex digits of SHA-256)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:12]
