"""Score a seller's answer against a role-play turn's rubric, deterministically.

Each rubric point has evidence phrases; a phrase's key terms are its content words
(function words and the objection's own words left out: repeating the buyer earns
nothing). A term counts when the answer has it after typo correction against the pack's
vocabulary and stemming, as a word of the same concept in the language's lexicon
("afford" for "price"), as an inflection (a shared stem-like prefix), or inside a
compound, either way round ("lønkørsel" and "kørsel af løn"). Rare terms weigh more
(inverse document frequency over the pack's rubrics). A point's credit rises from 0 at
:data:`LOW` of its weighted terms covered to full at :data:`HIGH`.

Gaming does not pay: an answer that is a list of keywords (hardly any function words,
or more separators than sentences) gets half credit, and one far longer than the model
answer loses credit with its length. The same answer always gets the same score, and
every point says which of the seller's words earned it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from content.analysis import Analyzer, fold, word_spans, words
from content.lexicon import lexicon
from content.roleplay.scenario import Point, Turn
from content.schema import Persona

#: Share of a point's weighted terms below which it earns nothing.
LOW = 0.15
#: Share of a point's weighted terms at which it earns full credit.
HIGH = 0.5
#: An answer with fewer function words than this share (and at least LIST_MIN words)
#: reads as a keyword list.
LIST_FUNCTION_SHARE = 0.2
LIST_MIN = 6
LIST_FACTOR = 0.5
#: Answers up to this many times the model answer's length lose nothing for length.
LONG_RATIO = 2.0
LONG_FLOOR = 0.5
#: The most telling words of a missed point the buyer asks about when pushing back.
TOPIC_WORDS = 2
#: The words of an answer that are read (far more than any rubric needs).
READ_WORDS = 400
#: Words quoted around what earned a point.
QUOTE_CONTEXT = 2
QUOTE_MAX = 20
_SEPARATORS = re.compile(r"[,;\n•·|/]|(?:^|\s)[-*](?=\s)")
#: Keywords between separators average no more words than this in a list.
LIST_SEGMENT_WORDS = 3
_SENTENCE_END = re.compile(r"[.!?;:\n]")


@dataclass(frozen=True, kw_only=True)
class _Term:
    stem: str
    word: str  # folded
    concepts: frozenset[str]
    idf: float


@dataclass(frozen=True, kw_only=True)
class Earned:
    """How much of one point an answer earned, and the seller's words that earned it.

    Attributes:
        point: The rubric point.
        credit: 0 to 1 (already reduced for a keyword list or a long answer).
        quote: The seller's words that earned it (empty when nothing did).
    """

    point: Point
    credit: float
    quote: str

    @property
    def points(self) -> float:
        """What the point earned, out of its weight."""
        return self.point.weight * self.credit


@dataclass(frozen=True, kw_only=True)
class Marked:
    """An answer's mark for one turn.

    Attributes:
        earned: Every rubric point, in rubric order, with its credit.
        flags: Why credit was reduced: ``list`` (keywords, not sentences), ``long``.
        factor: The reduction applied (1.0 for none).
    """

    earned: tuple[Earned, ...]
    flags: tuple[str, ...] = ()
    factor: float = 1.0

    @property
    def score(self) -> int:
        """The turn's score out of 100."""
        return round(sum(e.points for e in self.earned))

    def covered(self, point: Point) -> bool:
        """Whether ``point`` earned at least half its weight."""
        return any(e.point == point and e.credit >= 0.5 for e in self.earned)

    def best_with(self, other: Marked) -> Marked:
        """The mark of two tries at one turn: each point's better credit."""
        earned = tuple(
            a if a.credit >= b.credit else b for a, b in zip(self.earned, other.earned, strict=True)
        )
        flags = tuple(dict.fromkeys((*self.flags, *other.flags)))
        return Marked(earned=earned, flags=flags, factor=min(self.factor, other.factor))


class Scorer:
    """Marks answers for one pack language.

    Args:
        language: The pack language (en, da, nb, sv, de, fr).
        corpus: Every text of the pack's rubrics and lines (vocabulary and term rarity).
    """

    def __init__(self, *, language: str, corpus: Iterable[str]) -> None:
        self.language = language
        documents = [d for d in corpus if d.strip()]
        self.analyzer = Analyzer(language=language)
        concepts = lexicon(language).concepts
        members = [m for ms in concepts.values() for m in ms]
        self.analyzer.learn([*documents, *members])
        self._concepts: dict[str, set[str]] = {}
        for name, words_of in concepts.items():
            for member in words_of:
                for term in self.analyzer.terms(member):
                    self._concepts.setdefault(term, set()).add(name)
        frequency: dict[str, int] = {}
        for document in documents:
            for term in set(self.analyzer.terms(document)):
                frequency[term] = frequency.get(term, 0) + 1
        self._frequency = frequency
        self._documents = max(len(documents), 1)

    def concepts_of(self, stem: str) -> set[str]:
        """The lexicon concepts a term belongs to."""
        return self._concepts.get(stem, set())

    def idf(self, stem: str) -> float:
        """How telling a term is in this pack: rare terms weigh more."""
        return math.log(1.0 + self._documents / (1.0 + self._frequency.get(stem, 0))) ** 2

    def mark(self, turn: Turn, answer: str) -> Marked:
        """Mark ``answer`` against ``turn``'s rubric.

        Only the first :data:`READ_WORDS` words are read (a pasted page costs what a long
        answer does); the length penalty counts them all.
        """
        spans = word_spans(answer)
        said = _Answer(
            answer[: spans[READ_WORDS - 1][1]] if len(spans) > READ_WORDS else answer, self
        )
        echo = {t for line in turn.lines for t in self.analyzer.terms(line)}
        earned = []
        factor, flags = self._factor(said, turn, length=len(spans))
        for point in turn.points:
            best: tuple[float, list[int]] = (0.0, [])
            for phrase in point.evidence:
                coverage, positions = said.coverage(self._key_terms(phrase, echo))
                if coverage > best[0]:
                    best = (coverage, positions)
            credit = _credit(best[0]) * factor
            quote = said.quote(best[1]) if credit > 0 else ""
            earned.append(Earned(point=point, credit=credit, quote=quote))
        return Marked(earned=tuple(earned), flags=flags, factor=factor)

    def topic(self, point: Point, persona: Persona, *, joined_by: str) -> str:
        """What the buyer asks about when pushing back on ``point``, as written in it.

        The point's most telling words (:data:`TOPIC_WORDS`) that are the buyer's own too
        (in the persona's profile), so the buyer asks in their own terms.
        """
        analyzer = self.analyzer
        profile = (
            persona.summary,
            *persona.goals,
            *persona.pains,
            *persona.decision_criteria,
            *(o.objection for o in persona.objections),
        )
        own = {analyzer.stem(w) for text in profile for w in words(text)}
        candidates = list(
            dict.fromkeys(
                w for w in words(point.text) if len(w) > 3 and not analyzer.is_stopword(w)
            )
        )
        theirs = [w for w in candidates if analyzer.stem(w) in own] or candidates
        ranked = sorted(theirs, key=lambda w: -self.idf(analyzer.stem(w)))[:TOPIC_WORDS]
        ordered = [w for w in theirs if w in ranked]
        return f" {joined_by} ".join(ordered) or point.text

    def _key_terms(self, phrase: str, echo: set[str]) -> list[_Term]:
        terms = []
        for word in words(phrase):
            if self.analyzer.is_stopword(word) or (len(word) < 3 and not word.isdigit()):
                continue
            stem = self.analyzer.stem(word)
            concepts = frozenset(self._concepts.get(stem, ()))
            terms.append(_Term(stem=stem, word=fold(word), concepts=concepts, idf=self.idf(stem)))
        unique = list({t.stem: t for t in terms}.values())
        fresh = [t for t in unique if t.stem not in echo]
        return fresh if len(fresh) >= 2 else unique

    def _factor(self, said: _Answer, turn: Turn, *, length: int) -> tuple[float, tuple[str, ...]]:
        factor, flags = 1.0, []
        if said.is_list(self.analyzer):
            factor *= LIST_FACTOR
            flags.append("list")
        allowed = LONG_RATIO * max(len(words(turn.model)), 1)
        if length > allowed:
            factor *= max(LONG_FLOOR, math.sqrt(allowed / length))
            flags.append("long")
        return factor, tuple(flags)


def _credit(coverage: float) -> float:
    return min(1.0, max(0.0, (coverage - LOW) / (HIGH - LOW)))


class _Answer:
    """A seller's answer, analysed once for every point of a turn."""

    def __init__(self, text: str, scorer: Scorer) -> None:
        self.text = text
        self.words = words(text)
        self.spans = word_spans(text)
        corrected = scorer.analyzer.corrected(text)
        self.stems = [scorer.analyzer.stem(w) for w in corrected]
        self.folded = [fold(w) for w in corrected]
        self.concepts = [scorer.concepts_of(s) for s in self.stems]
        ends = [m.start() for m in _SENTENCE_END.finditer(text)]
        # Which sentence each word is in (for quoting the seller's own sentence).
        self.sentence = [sum(1 for end in ends if end < start) for start, _ in self.spans]

    def is_list(self, analyzer: Analyzer) -> bool:
        """Keywords rather than sentences: hardly a function word, or short bits between commas."""
        count = len(self.words)
        if count < LIST_MIN:
            return False
        function = sum(1 for w in self.words if analyzer.is_stopword(w))
        segments = [s for s in _SEPARATORS.split(self.text) if words(s)]
        short = len(segments) >= 3 and count <= LIST_SEGMENT_WORDS * len(segments)
        return function < LIST_FUNCTION_SHARE * count or short

    def coverage(self, terms: Sequence[_Term]) -> tuple[float, list[int]]:
        """The weighted share of ``terms`` the answer has, and where it has them."""
        total = sum(t.idf for t in terms)
        if not terms or total <= 0:
            return 0.0, []
        found = 0.0
        positions: list[int] = []
        for term in terms:
            where = self._find(term)
            if where:
                found += term.idf
                positions += where
        return found / total, sorted(set(positions))

    def _find(self, term: _Term) -> list[int]:
        exact = [i for i, s in enumerate(self.stems) if s == term.stem]
        if exact:
            return exact
        if term.concepts:
            same = [i for i, c in enumerate(self.concepts) if c & term.concepts]
            if same:
                return same
        near = [i for i, w in enumerate(self.folded) if _near(term.word, w) or _inside(term, w)]
        if near:
            return near
        return self._split(term.word)

    def _split(self, word: str) -> list[int]:
        """The compound ``word`` said in parts ("kørsel af løn" for "lønkørsel")."""
        for cut in range(3, len(word) - 3):
            left, right = word[:cut], word[cut:]
            lefts = {left, left[:-1]} if left[-1] in "se" and len(left) > 3 else {left}
            at_left = [i for i, w in enumerate(self.folded) if any(_near(x, w) for x in lefts)]
            at_right = [i for i, w in enumerate(self.folded) if _near(right, w)]
            if at_left and at_right and set(at_left) != set(at_right):
                return [at_left[0], at_right[0]]
        return []

    def quote(self, positions: Sequence[int]) -> str:
        """The seller's words around ``positions``, from the sentence with most of them."""
        if not positions or len(self.spans) != len(self.words):
            return ""
        groups: dict[int, list[int]] = {}
        for index in positions:
            groups.setdefault(self.sentence[index], []).append(index)
        chosen = max(groups.values(), key=len)
        own = self.sentence[chosen[0]]
        inside = [i for i, n in enumerate(self.sentence) if n == own]
        first = max(chosen[0] - QUOTE_CONTEXT, inside[0])
        last = min(chosen[-1] + QUOTE_CONTEXT, inside[-1], first + QUOTE_MAX - 1)
        text = self.text[self.spans[first][0] : self.spans[last][1]]
        before = "…" if first > 0 else ""
        after = "…" if last < len(self.spans) - 1 else ""
        return before + " ".join(text.split()) + after


def _near(key: str, word: str) -> bool:
    """The same word inflected: equal, or sharing all but the last two letters (4+)."""
    if key == word:
        return True
    shortest = min(len(key), len(word))
    if shortest < 4:
        return False
    need = max(4, shortest - 2)
    return key[:need] == word[:need]


def _inside(term: _Term, word: str) -> bool:
    """The term inside a compound of the answer ("payback" in "paybackberegning")."""
    key = term.word
    if len(key) < 4 or len(word) < len(key) + 3:
        return False
    return word.startswith(term.stem if len(term.stem) >= 4 else key) or word.endswith(key)
