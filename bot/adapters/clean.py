r"""Text from a platform payload, made storable before the core sees it.

JSON may carry ``\u0000`` and lone surrogates (``\ud800``); no database text column can
hold them, and one such question used to block the question log for everyone after it.
"""

from __future__ import annotations

from typing import Any

from storage.questions import storable


def cleaned(value: Any) -> Any:
    """``value`` with NUL and lone surrogates removed from every string in it (in place)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = cleaned(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = cleaned(item)
    return value
