"""Per-language lexicons: how people phrase questions about personas.

One YAML file per language (``en.yaml``, ``da.yaml``, ...). They hold language
knowledge (question words, words that report what a buyer said, words for each persona
field), never pack content, so they serve every pack in that language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

_DIR = Path(__file__).parent
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, kw_only=True)
class Lexicon:
    """Cue phrases for one language (see ``en.yaml`` for what each list means)."""

    language: str
    filler: tuple[str, ...]
    buyer: tuple[str, ...]
    who: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]
    says: tuple[str, ...]
    help: tuple[str, ...]
    who_is: tuple[str, ...] = ()
    directory: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    concepts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    offtopic: tuple[str, ...] = ()


@cache
def lexicon(language: str) -> Lexicon:
    """Load the lexicon for ``language`` (falls back to English if there is none)."""
    path = _DIR / f"{language}.yaml"
    if not path.exists():
        path = _DIR / "en.yaml"
    # libyaml's loader where there is one: ten times faster at start-up.
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    return Lexicon(
        language=language,
        filler=tuple(str(w) for w in data.get("filler", [])),
        buyer=tuple(str(w) for w in data.get("buyer", [])),
        who=tuple(str(w) for w in data.get("who", [])),
        fields={k: tuple(str(w) for w in v) for k, v in (data.get("fields") or {}).items()},
        says=tuple(str(w) for w in data.get("says", [])),
        help=tuple(str(w) for w in data.get("help", [])),
        who_is=tuple(str(w) for w in data.get("who_is", [])),
        directory=tuple(str(w) for w in data.get("directory", [])),
        commands=tuple(str(w) for w in data.get("commands", [])),
        concepts=_with_forms(
            {k: tuple(str(w) for w in v) for k, v in (data.get("concepts") or {}).items()},
            language,
        ),
        offtopic=tuple(str(w) for w in data.get("offtopic", [])),
    )


def _with_forms(concepts: dict[str, tuple[str, ...]], language: str) -> dict[str, tuple[str, ...]]:
    """Each concept with the inflected forms of its words (``forms/<lang>.json``).

    The forms come from simplemma's dictionaries, written by ``forms_build.py``: strong and
    irregular forms the stemmer does not bring together ("gekündigt", "teurer", "opsagt").
    """
    path = _DIR / "forms" / f"{language}.json"
    if not path.exists():
        return concepts
    forms: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for name, members in concepts.items():
        extra = [f for m in members for f in forms.get(m.lower(), ())]
        out[name] = tuple(dict.fromkeys([*members, *extra]))
    return out
