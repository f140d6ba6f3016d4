"""Write ``forms/<lang>.json``: the inflected forms of every concept word of a lexicon.

A development tool, not used at run time (run it after editing a lexicon's concepts):
``python -m content.lexicon.forms_build``. It reads simplemma's dictionaries (word form →
lemma, shipped in its wheel; ``pip install simplemma``) and keeps, for each single-word
member of each concept, the forms that share its lemma ("kündigen": "gekündigt",
"kündigte"; "teuer": "teurer", "teuersten"; "buy": "bought"). The Snowball stemmers miss
such irregular and strong forms; the lexicon loader adds them to their concept.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import yaml

DIR = Path(__file__).parent
LANGUAGES = ("en", "da", "nb", "sv", "de", "fr")
#: A lemma must share this many first letters with the concept word to be taken as its own.
SAME_START = 3


def forms_of(language: str) -> dict[str, list[str]]:
    """Concept word → its other inflected forms, for one language."""
    from simplemma.strategies.dictionaries.dictionary_factory import (  # noqa: PLC0415
        _load_dictionary_from_disk,
    )

    raw = _load_dictionary_from_disk(language)
    lemma_of = {k.decode().lower(): v.decode().lower() for k, v in raw.items()}
    by_lemma: dict[str, set[str]] = defaultdict(set)
    for form, lemma in lemma_of.items():
        if form.isalpha() and len(form) >= 3:
            by_lemma[lemma].add(form)
    data = yaml.safe_load((DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for members in (data.get("concepts") or {}).values():
        for member in members:
            word = str(member).lower()
            if " " in word or "-" in word:
                continue
            lemmas = {word}
            own = lemma_of.get(word)
            if own and own[:SAME_START] == word[:SAME_START]:
                lemmas.add(own)
            forms = set().union(*(by_lemma.get(x, set()) for x in lemmas)) - {word}
            if forms:
                out[word] = sorted(forms)
    return dict(sorted(out.items()))


def main() -> None:
    """Write every language's forms file."""
    (DIR / "forms").mkdir(exist_ok=True)
    for language in LANGUAGES:
        forms = forms_of(language)
        path = DIR / "forms" / f"{language}.json"
        path.write_text(json.dumps(forms, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"{path}: {len(forms)} words, {sum(len(v) for v in forms.values())} forms")


if __name__ == "__main__":
    main()
