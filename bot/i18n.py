"""User-facing text, one YAML file per language under ``bot/locales/``.

Handlers and renderers never hard-code sentences; they ask :class:`Texts` for a key.
A key missing in a translation falls back to English, so a partial translation still
works.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

LOCALES = Path(__file__).parent / "locales"
FALLBACK = "en"


@cache
def _load(language: str) -> dict[str, Any]:
    path = LOCALES / f"{language}.yaml"
    if not path.exists():
        return {}
    # libyaml when there (about 10× faster: every command and server start reads these).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506
    return _flatten(data)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


class Texts:
    """The sentences of one language.

    Args:
        language: ISO 639-1 code; unknown languages speak English.
    """

    def __init__(self, *, language: str) -> None:
        self.language = language
        self._own = _load(language)
        self._fallback = _load(FALLBACK)

    def __call__(self, key: str, /, **values: Any) -> str:
        """Return the sentence for ``key`` with ``{placeholders}`` filled in.

        Raises:
            KeyError: If no language (not even English) has ``key`` — a programming error.
        """
        template = self._own.get(key, self._fallback.get(key))
        if template is None:
            raise KeyError(f"no text for {key!r}")
        return str(template).format(**values) if values else str(template)

    def words(self, key: str) -> tuple[str, ...]:
        """The words or phrases under ``key`` (``"stop|cancel"``): this language's and English's.

        Command words (``quiz``, ``stop``) work in English in every pack language too.
        """
        out: list[str] = []
        for source in (self._own, self._fallback):
            out.extend(w.strip() for w in str(source.get(key, "")).split("|") if w.strip())
        if not out:
            raise KeyError(f"no words for {key!r}")
        return tuple(dict.fromkeys(out))

    def keys(self) -> set[str]:
        """All keys this language defines itself (without the English fallback)."""
        return set(self._own)
