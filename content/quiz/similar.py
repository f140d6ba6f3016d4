"""When two pieces of persona text count as the same answer.

Quiz choices must never be ambiguous: a distractor that says (nearly) what the right
answer says, or what the persona asked about also says, would be a second right
answer. Two texts are the same when, after :func:`normalised`,

* they are equal, or rapidfuzz's ``ratio`` is at least :data:`SAME_RATIO` (typos,
  plurals: "Improve the rosters" vs "Improve the roster" is 97), or
* they share at least :data:`SHARED_TERMS` stemmed content words, and that is at least
  :data:`SHARED_SHARE` of the shorter one's ("Shorten the time from completed job to
  invoice and payment" vs "Get completed jobs invoiced within days instead of weeks").
  Words in at least :data:`COMMON_SHARE` of a field's texts (boilerplate such as "Case
  study on ..." in every proof point) do not count; see :meth:`Comparer.field`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from content.analysis import Analyzer
from content.quiz.text import normalised

SAME_RATIO = 90.0
SHARED_TERMS = 3
SHARED_SHARE = 0.5
COMMON_SHARE = 0.4
COMMON_MIN_TEXTS = 10  # fewer texts than this in a field: no word counts as boilerplate


@dataclass(frozen=True)
class Said:
    """A text reduced for comparison: normalised, and its stemmed content words."""

    norm: str
    terms: frozenset[str] = frozenset()


class Comparer:
    """Reduces texts of one language to :class:`Said` values.

    Args:
        language: The pack language (for stemming and stopwords).
    """

    def __init__(self, *, language: str) -> None:
        self._analyzer = Analyzer(language=language)

    def said(self, text: str) -> Said:
        """``text`` reduced for :func:`same`."""
        return Said(normalised(text), frozenset(self._analyzer.terms(text)))

    def field(self, texts: Sequence[str]) -> dict[str, Said]:
        """The texts of one field (all goals, all proof points, ...) reduced together.

        Words in at least :data:`COMMON_SHARE` of them are dropped from each.
        """
        said = {text: self.said(text) for text in texts}
        if len(said) < COMMON_MIN_TEXTS:
            return said
        counts = Counter(term for s in said.values() for term in s.terms)
        common = {t for t, n in counts.items() if n >= COMMON_SHARE * len(said)}
        return {text: Said(s.norm, s.terms - common) for text, s in said.items()}


def same(a: Said, b: Said) -> bool:
    """Whether two texts say the same thing (see the module docstring)."""
    if a.norm == b.norm or fuzz.ratio(a.norm, b.norm, score_cutoff=SAME_RATIO):
        return True
    shared = len(a.terms & b.terms)
    return shared >= SHARED_TERMS and shared >= SHARED_SHARE * min(len(a.terms), len(b.terms))


def same_as_any(text: Said, others: Iterable[Said]) -> bool:
    """Whether ``text`` says the same as any of ``others``."""
    return any(same(text, other) for other in others)


class Group:
    """Several texts to compare one text with at once (say, all of a persona's goals).

    Gives the same answers as :func:`same_as_any`, faster for many texts: the ratios are
    computed in one rapidfuzz call, and shared words are counted through an index.

    Args:
        items: The texts.
    """

    def __init__(self, items: Iterable[Said]) -> None:
        self.items = tuple(items)
        self._norms = [s.norm for s in self.items]
        self._exact = set(self._norms)
        self._postings: dict[str, list[int]] = {}
        for index, said in enumerate(self.items):
            for term in said.terms:
                self._postings.setdefault(term, []).append(index)

    def __contains__(self, said: object) -> bool:
        if not isinstance(said, Said):
            return False
        if said.norm in self._exact or process.extractOne(
            said.norm, self._norms, scorer=fuzz.ratio, score_cutoff=SAME_RATIO
        ):
            return True
        shared: Counter[int] = Counter()
        for term in said.terms:
            shared.update(self._postings.get(term, ()))
        return any(
            n >= SHARED_TERMS and n >= SHARED_SHARE * min(len(said.terms), len(self.items[i].terms))
            for i, n in shared.items()
        )
