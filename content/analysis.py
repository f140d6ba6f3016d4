"""Turn text into comparable terms for one pack language.

Terms are lowercased, stemmed with the language's Snowball stemmer (PyStemmer) and
folded to ASCII (``søren`` and ``soren`` meet), so inflections and informal typing
without diacritics land on the same term. Typos are fixed before stemming
(:mod:`content.spelling`: the pack's words and the language's word frequencies).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import Stemmer
from bm25s import stopwords as bm25_stopwords

from content.spelling import SHORT, Speller

_STEMMERS = {
    "en": "english",
    "da": "danish",
    "nb": "norwegian",
    "sv": "swedish",
    "de": "german",
    "fr": "french",
}
# Particles carry meaning in English phrasal verbs ("pick up", "hold off", "get out").
_EN_PARTICLES = {"up", "down", "out", "off", "over", "under", "again", "against"}
_STOPWORDS = {
    "en": tuple(w for w in bm25_stopwords.STOPWORDS_EN_PLUS if w not in _EN_PARTICLES),
    "da": bm25_stopwords.STOPWORDS_DANISH,
    "nb": bm25_stopwords.STOPWORDS_NORWEGIAN,
    "sv": bm25_stopwords.STOPWORDS_SWEDISH,
    "de": bm25_stopwords.STOPWORDS_GERMAN,
    "fr": bm25_stopwords.STOPWORDS_FRENCH,
}
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ß": "ss", "œ": "oe"})
_WORD = re.compile(r"([^\W_]+)(?:['’]([^\W_]+))?(?:['’][^\W_]+)*", re.UNICODE)
# Elided articles and pronouns (French "l'intégration", "qu'il"): the word is after them.
_ELIDED = frozenset({"l", "d", "j", "c", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu"})


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Fold a lowercase word to ASCII: ``Søren`` → ``soren``, ``för`` → ``for``."""
    word = word.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Split text into lowercase words.

    ``Søren's`` gives ``søren``, ``don't`` gives ``don``, and French elisions keep the
    word: ``l'intégration`` gives ``intégration``.
    """
    out = []
    for before, after in _WORD.findall(text.lower()):
        out.append(after if before in _ELIDED and len(after) > 1 else before)
    return out


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of :func:`words` stands in ``text``: ``(start, end)``, same order."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare character lowercases to two: positions drift
        return [(0, len(text))] * len(words(text))
    out = []
    for match in _WORD.finditer(lowered):
        before, after = match.group(1), match.group(2)
        group = 2 if before in _ELIDED and after is not None and len(after) > 1 else 1
        out.append((match.start(group), match.end(group)))
    return out


class Analyzer:
    """Words → terms for one language, with a typo corrector over a known vocabulary.

    Args:
        language: ISO 639-1 code of the pack (en, da, nb, sv, de, fr).
    """

    def __init__(self, *, language: str) -> None:
        self.language = language
        self._stemmer = Stemmer.Stemmer(_STEMMERS.get(language, "english"))
        self._stems: dict[str, str] = {}
        self.stopwords = frozenset(
            fold(w) for w in _STOPWORDS.get(language, bm25_stopwords.STOPWORDS_EN_PLUS)
        )
        self._known: dict[str, str] = {}
        self._known_stems: frozenset[str] = frozenset()
        self._speller = Speller(language=language, known=(), function_words=())
        #: Typed word → the word it was read as, for the last learned vocabulary.
        self.corrections: dict[str, str] = {}

    def learn(self, texts: Iterable[str], *, protected: Iterable[str] = ()) -> None:
        """Remember the words of ``texts`` as the vocabulary typos are corrected to.

        Args:
            texts: The pack's and the lexicon's texts.
            protected: Names (persona names, aliases): known words, never corrected.
        """
        known: dict[str, str] = {}
        for text in [*texts, *protected]:
            for word in words(text):
                known.setdefault(fold(word), word)
        self._known = known
        self._known_stems = frozenset(self.stem(w) for w in known.values())
        function = {w for w in _STOPWORDS.get(self.language, ()) if w.isalpha()}
        self._speller = Speller(
            language=self.language, known=[*known.values(), *function], function_words=function
        )
        self._correct.cache_clear()

    @property
    def known_stems(self) -> frozenset[str]:
        """The stems of every word learned (the pack's and the lexicon's)."""
        return self._known_stems

    def is_stopword(self, word: str) -> bool:
        """Whether a lowercase word is a function word of the language."""
        return fold(word) in self.stopwords

    def stem(self, word: str) -> str:
        """Stem then fold one lowercase word."""
        cached = self._stems.get(word)
        if cached is None:
            cached = self._stems[word] = fold(self._stemmer.stemWord(word))
        return cached

    def terms(self, text: str, *, keep_stopwords: bool = False, correct: bool = False) -> list[str]:
        """Analyze ``text`` into terms.

        Args:
            text: Any text.
            keep_stopwords: Keep function words (needed to match aliases like "the IT guy").
            correct: Replace unknown words by their closest vocabulary word (for user input).

        Returns:
            Stemmed, folded terms in order.
        """
        out = []
        for word in words(text):
            if not keep_stopwords and self.is_stopword(word):
                continue
            out.append(self.stem(self._correct(word) if correct else word))
        return out

    def corrected(self, text: str, *, short: bool = True) -> list[str]:
        """The words of ``text`` with typos replaced by known words (not stemmed).

        A word typed without diacritics ("nervos") comes back as the pack spells it
        ("nervøs"), so it stems exactly like the pack's text. A word typed with a capital
        inside the text, or in capitals, is a name ("SAP", "HubSpot") and stays as typed.
        Without ``short``, words of up to three letters stay as typed too (in "who is kim"
        the short word is a name, not a typo of "him").
        """
        found = words(text)
        spans = word_spans(text)
        out = []
        for i, word in enumerate(found):
            start, end = spans[i] if len(spans) == len(found) else (0, 0)
            typed = text[start:end]
            named = any(c.isupper() for c in typed[1:]) or (i > 0 and typed[:1].isupper())
            keep = (named and fold(word) not in self._known) or (not short and len(word) <= SHORT)
            out.append(word if keep else self._correct(word))
        return out

    @lru_cache(maxsize=4096)  # noqa: B019 - the analyzer lives as long as its index
    def _correct(self, word: str) -> str:
        folded = fold(word)
        if folded in self._known:
            return self._known[folded]
        if folded.isdigit() or self.stem(word) in self._known_stems:
            return word  # a number, or an inflection of a known word: not a typo
        fixed = self._speller.correct(word)
        return self._known.get(fold(fixed), fixed)


def phrase_in(needle: Sequence[str], haystack: Sequence[str]) -> int:
    """Return the index where ``needle`` occurs contiguously in ``haystack``, or -1."""
    n = len(needle)
    if not n:
        return -1
    for i in range(len(haystack) - n + 1):
        if list(haystack[i : i + n]) == list(needle):
            return i
    return -1


def phrase_span(needle: Sequence[str], haystack: Sequence[str], *, gap: int = 0) -> list[int]:
    """Positions in ``haystack`` where ``needle``'s terms occur in order.

    Args:
        needle: The phrase's terms.
        haystack: The text's terms.
        gap: How many other terms may stand between two terms of the phrase (word order
            in Nordic and German questions splits phrases: "hvad går Erik op i").

    Returns:
        The matched positions (first match), or an empty list.
    """
    if not needle:
        return []
    for start, term in enumerate(haystack):
        if term != needle[0]:
            continue
        found = [start]
        pos = start
        for part in needle[1:]:
            window = haystack[pos + 1 : pos + 2 + gap]
            if part not in window:
                break
            pos = pos + 1 + list(window).index(part)
            found.append(pos)
        else:
            return found
    return []
