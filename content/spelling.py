"""Correct typos in a question, against the pack's words and the language's real words.

A typed word is weighed against its neighbours one or two edits away (a letter missing,
extra, wrong or two swapped) the way a spelling corrector does: how common each word is in
the language (``wordfreq``'s Zipf scale: 7 for "the", 3 for a word read once in a million
words), plus a bonus for words the pack and the lexicon use, minus a cost per edit. A real,
common word stays as typed ("debate" is not "rebate"); a rare or unknown one becomes the
much likelier word ("prise" → "price" where the pack talks about prices, "objction" →
"objection", "wat" → "what"). Candidates are the words the pack and the lexicon use.

Never corrected: persona names and aliases, words the pack uses, numbers, and words typed
with a capital inside a sentence or in capitals ("SAP", "HubSpot"): product and company
names the pack may not know.

The word list ships inside the ``wordfreq`` package (its "small" list, about 30,000 words
per language, loaded once per language in about 10 ms): nothing is downloaded.
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import msgpack
from rapidfuzz.distance import DamerauLevenshtein

log = logging.getLogger(__name__)

#: Zipf frequency at or above which a typed word is a real word of the language.
COMMON = 4.0
#: Zipf frequency given to a word the word list does not have.
UNLISTED = 1.0
#: Added to a candidate the pack or the lexicon uses.
PACK_BONUS = 1.5
#: Taken off a candidate per edit.
EDIT_COST = 2.5
#: A word this short is corrected only into a function word (``hw`` → ``how``), and only
#: when that word is this much more common.
SHORT = 3
SHORT_GAP = 2.5
#: Words shorter than this are never corrected.
MIN_LENGTH = 2
_LANGUAGES = {"en", "da", "nb", "sv", "de", "fr"}


@cache
def frequencies(language: str) -> Mapping[str, float]:
    """Word → Zipf frequency for ``language`` (empty when ``wordfreq`` lacks it).

    Read straight from ``wordfreq``'s data file (15 ms), without importing ``wordfreq``
    itself (another 100 ms of imports at start-up for the same numbers).
    """
    if language not in _LANGUAGES:
        return {}
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        log.warning("wordfreq is not installed: typos are corrected against the pack only")
        return {}
    path = Path(spec.submodule_search_locations[0]) / "data" / f"small_{language}.msgpack.gz"
    with gzip.open(path, "rb") as f:
        packed = msgpack.load(f, raw=False)
    # "cB" format: a header, then lists of words by frequency in centibels (0, -0.01, ...).
    out: dict[str, float] = {}
    for centibels, listed in enumerate(packed[1:]):
        for word in listed:
            out[word] = 9 - centibels / 100
    return out


def zipf(word: str, language: str) -> float:
    """How common ``word`` is in ``language`` on the Zipf scale (``UNLISTED`` if not listed)."""
    return frequencies(language).get(word, UNLISTED)


def _alphabet(language: str) -> str:
    extra = {"da": "æøå", "nb": "æøå", "sv": "åäö", "de": "äöüß", "fr": "éèêàâçîïôûù"}
    return "abcdefghijklmnopqrstuvwxyz" + extra.get(language, "")


def edits1(word: str, language: str) -> set[str]:
    """Every string one deletion, swap, replacement or insertion away from ``word``."""
    letters = _alphabet(language)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    return deletes | swaps | replaces | inserts


class Speller:
    """Typo corrector for one pack language.

    Args:
        language: The pack language.
        known: The pack's and the lexicon's words, lowercase as spelled there.
        function_words: The language's function words (short typos become one of them).
    """

    def __init__(
        self, *, language: str, known: Iterable[str], function_words: Iterable[str]
    ) -> None:
        self.language = language
        self._known = frozenset(known)
        self._function = frozenset(function_words)
        by_start: dict[str, list[str]] = {}
        for w in self._known:
            if len(w) >= 4:
                by_start.setdefault(w[0], []).append(w)
        self._by_start = by_start

    def correct(self, word: str) -> str:
        """The word meant by ``word`` (lowercase), or ``word`` itself."""
        if len(word) < MIN_LENGTH or word in self._known or not word.isalpha():
            return word
        typed = zipf(word, self.language)
        if typed >= COMMON:
            return word
        if len(word) <= SHORT:
            return self._short(word, typed)
        best, score = word, typed
        for candidate, edits in self._candidates(word):
            value = self._score(candidate) - EDIT_COST * edits
            if value > score:
                best, score = candidate, value
        return best

    def _short(self, word: str, typed: float) -> str:
        """A short word becomes a much commoner function word one edit away, if any."""
        options = [w for w in edits1(word, self.language) if w in self._function]
        if not options:
            return word
        best = max(options, key=lambda w: (zipf(w, self.language), w))
        return best if zipf(best, self.language) - typed >= SHORT_GAP else word

    def _score(self, candidate: str) -> float:
        bonus = PACK_BONUS if candidate in self._known else 0.0
        return zipf(candidate, self.language) + bonus

    def _candidates(self, word: str) -> list[tuple[str, int]]:
        """Pack and lexicon words one edit away, or two for a long word.

        Only words the pack or the lexicon use are candidates: correcting into any other
        word could not change the answer, only the word (and a rare real word missing
        from the list, like "takler", would be changed for nothing).
        """
        out = [(w, 1) for w in edits1(word, self.language) if w in self._known]
        limit = 1 if len(word) < 8 else 2
        # Typos rarely hit the first letter: "vacation" never becomes "location".
        for w in self._by_start.get(word[0], ()):
            if abs(len(w) - len(word)) > limit:
                continue
            edits = DamerauLevenshtein.distance(word, w, score_cutoff=limit)
            if edits <= limit:
                out.append((w, edits))
        return out
