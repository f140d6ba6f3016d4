"""Rank a pack's objections against a question with BM25, and say how sure we are.

Each persona's objection is one document: its wording and phrasings (counted twice, they
are how buyers say it), its id, the response and the proof points. ``bm25s`` ranks; the
confidence is the share of the question's meaning (IDF-weighted content terms) the best
document explains, so a question about lunch explains little and stays below the bar.

Words of one concept in the language's lexicon ("excel" and "spreadsheet", "afford" and
"expensive") meet through a concept term (``~price``) added to documents and questions; a
question's word counts through its concept, so the objection that is most about money
wins "we can't afford it", not one that uses "afford" in passing. A question that nearly
repeats one persona's wording gets that persona's version (:mod:`content.verbatim`).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from content.schema import Persona
from content.verbatim import MIN_PREFIX, coverage

logging.getLogger("bm25s").setLevel(logging.WARNING)

# Confidence at or above which an objection is answered outright; between LOW and SURE
# the best candidates are offered as choices; below LOW the question is out of scope.
SURE = 0.5
LOW = 0.3
# Added when the question is framed as a sales conversation (the buyer, a persona or
# reported speech) and the match is more than one common word: at least two words, or
# one word only this kind of objection uses in how buyers say it, or a named persona's
# own objection in reported speech. Framing is evidence of intent, not of which one.
CONTEXT_BONUS = 0.3
# A single shared word among several is a guess: offer it, don't assert it.
SINGLE_WORD_CAP = LOW + (SURE - LOW) / 2
# A named persona's own objections weigh this much more than other personas'.
MENTION_BOOST = 2.0
# Compounds: a known part must be this long and leave this much of the word; a part
# match explains half the word.
MIN_PART = 5
# A question's word this long may be the head of a pack's compound ("ferien" of
# "fellesferien": Nordic and German compounds are a kind of their last part).
MIN_HEAD = 4
MIN_REST = 3
COMPOUND_CREDIT = 0.5
# A word matched through its concept (a synonym) explains this much of itself.
CONCEPT_CREDIT = 0.8
# A question word that has a concept ranks mostly through it; its own spelling only
# breaks ties between documents about the concept.
OWN_WORD_WEIGHT = 0.1
# A question of one content word (unless telling and framed as a sales conversation) has
# too little meaning to be sure of: a word only one kind of objection says, in at least
# two of its sentences, is answered at most this sure; a word buyers say is offered as a
# choice; a word only responses use is no match.
ONE_WORD_SURE = 0.6
ONE_WORD_UNSAID = LOW / 2
# A question that repeats this share of one persona's sentence (with at least two content
# words) is that persona's version; across objections it must be this close and long.
# A word the pack never uses and the language uses all the time ("funkar", "sieht") says
# little about which objection is meant: it weighs this much of an unknown word, and a
# question is "one word" if it has one other.
LIGHT_WEIGHT = 0.5
# A term one kind of objection says in at least this many sentences, and this many times
# as often as any other kind, belongs to that kind ("rabatt" → the price objection, though
# a return-on-investment objection mentions money once).
DOMINANT_SENTENCES = 2
# Concepts that say when or how much, not what about: never telling alone (a question
# about the December pay day is not a timing objection).
WEAK_CONCEPTS = frozenset({"~calendar", "~whole"})
DOMINANT_RATIO = 2
NEAR_VERBATIM = 0.75
VERBATIM = 0.85
VERBATIM_WORDS = 3


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A possible answer: a persona (``objection_id`` None) or a persona's objection."""

    persona_id: str
    objection_id: str | None
    confidence: float


@dataclass(frozen=True)
class _Doc:
    persona_id: str
    objection_id: str


class ObjectionIndex:
    """BM25 over every persona's objections.

    Args:
        personas: The live personas.
        analyze: Text → content terms (stemmed, folded, no stopwords).
        sequence: Text → all its terms in order, function words included (for
            near-verbatim matches); without it there are none.
        concepts: Term → the concept terms it belongs to (``"excel"`` → ``("~sheet",)``).
    """

    def __init__(
        self,
        *,
        personas: Sequence[Persona],
        analyze: Callable[[str], list[str]],
        sequence: Callable[[str], list[str]] | None = None,
        concepts: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        # Shared with the caller, who may add inflected forms of concept members later.
        self._concepts = concepts if concepts is not None else {}
        # (objection id, term) → how many sentences of that kind's versions say the term.
        self._said_count: dict[tuple[str, str], int] = defaultdict(int)
        docs: list[_Doc] = []
        corpus: list[list[str]] = []
        said_terms: list[set[str]] = []
        sentences: list[list[list[str]]] = []
        for p in personas:
            for o in p.objections:
                said = self._with_concepts(
                    analyze(" ".join([o.objection, *o.phrasings, o.id.replace("-", " ")]))
                )
                done = self._with_concepts(analyze(" ".join([o.response, *o.proof_points])))
                corpus.append(said * 2 + done)
                said_terms.append(set(said))
                docs.append(_Doc(p.id, o.id))
                said_sentences = [o.objection, *o.phrasings]
                for sentence in said_sentences:
                    for t in set(self._with_concepts(analyze(sentence))):
                        self._said_count[(o.id, t)] += 1
                if sequence is not None:
                    sentences.append([sequence(t) for t in said_sentences])
                else:
                    sentences.append([])
        self._said_terms = said_terms
        self._sentences = sentences
        # Per document: its said stems, and their prefixes a question's stem may be.
        self._stems = [{t for sent in doc for t in sent} for doc in sentences]
        self._prefixes = [
            {t[:k] for t in stems for k in range(MIN_PREFIX, len(t))} for stems in self._stems
        ]
        self._docs = docs
        self._doc_index = {(d.persona_id, d.objection_id): i for i, d in enumerate(docs)}
        self._versions: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(docs):
            self._versions[d.objection_id].append(i)
        self._doc_terms = [set(c) for c in corpus]
        df: dict[str, int] = defaultdict(int)
        kinds: dict[str, set[str]] = defaultdict(set)
        for doc, terms in zip(docs, self._doc_terms, strict=True):
            for t in terms:
                df[t] += 1
                kinds[t].add(doc.objection_id)
        # Words only one kind of objection uses ("dyrt" for price): telling on their own.
        self._specific = {t for t, ids in kinds.items() if len(ids) == 1}
        said_kinds: dict[str, set[str]] = defaultdict(set)
        for doc, said_set in zip(docs, said_terms, strict=True):
            for t in said_set:
                said_kinds[t].add(doc.objection_id)
        self._said_kinds = dict(said_kinds)
        n = max(len(corpus), 1)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._bm25 = bm25s.BM25()
        self.vocabulary: frozenset[str] = frozenset()
        if corpus:
            self._bm25.index(corpus, show_progress=False)
            self.vocabulary = frozenset(self._bm25.vocab_dict)
        # Last parts of the pack's compounds → the compounds ("feri" → "fellesferi").
        self._heads: dict[str, list[str]] = defaultdict(list)
        for v in self.vocabulary:
            if not v.startswith("~"):
                for k in range(MIN_HEAD, len(v) - MIN_REST + 1):
                    self._heads[v[-k:]].append(v)
        self._long_vocab = sorted(
            (v for v in self.vocabulary if len(v) >= MIN_PART and not v.startswith("~")),
            key=len,
            reverse=True,
        )

    def _with_concepts(self, terms: list[str]) -> list[str]:
        return terms + [c for t in terms for c in self._concepts.get(t, ())]

    def _meaning(self, term: str) -> tuple[str, ...]:
        """The terms that carry ``term``'s meaning in the index: itself and its concepts."""
        return (term, *self._concepts.get(term, ()))

    def rank(
        self,
        content: Sequence[str],
        *,
        mentioned: Sequence[str],
        framed: bool,
        reported: bool = False,
        words: Sequence[str] = (),
        light: frozenset[str] = frozenset(),
        errand: bool = False,
    ) -> list[Candidate]:
        """Objections for the question's content terms, best first, one per objection id.

        Args:
            content: The question's content terms.
            mentioned: Personas the question names; their objections are preferred.
            framed: Whether the question is framed as a sales conversation.
            reported: Whether it reports what a named persona said.
            words: The question's terms in order with function words (what the buyer
                said, without the seller's framing), for near-verbatim matches.
            light: Content terms of common words the pack never uses (weigh less).
            errand: Whether the question names a workplace errand (lunch, a password):
                unless framed as a sales conversation it is offered as a choice at most.

        Returns:
            Candidates in BM25 order (a near-verbatim repeat first) with their confidence.
        """
        unique = set(content)
        parts = {t: self._parts(t) for t in unique}
        scores = self._scores(content, parts)
        if scores is None:
            return []
        if mentioned:
            theirs = np.array([d.persona_id in mentioned for d in self._docs])
            scores = np.where(theirs, scores * MENTION_BOOST, scores)
        # A near-verbatim repeat needs two content words in common; others are not compared
        # (comparing word order with every sentence of a big pack costs milliseconds).
        near = [
            coverage(words, s, content=unique)
            if len(unique & self._said_terms[i]) >= 2 and self._may_repeat(words, i)
            else (0.0, 0)
            for i, s in enumerate(self._sentences)
        ]
        order = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
        order = self._verbatim_first(order, near, mentioned=mentioned)
        light = frozenset(t for t in light if t in unique and t not in self.vocabulary)
        weighty = unique - light
        total = sum(self._idf.get(t, self._unknown_idf) for t in weighty)
        total += LIGHT_WEIGHT * self._unknown_idf * len(light)
        best_by_id: dict[str, Candidate] = {}
        for ranked_at in order:
            doc = self._docs[ranked_at]
            if doc.objection_id in best_by_id:
                continue
            i = self._version(ranked_at, mentioned=mentioned, near=near)
            doc = self._docs[i]
            terms = self._doc_terms[i]
            credits = {t: self._credit(t, parts[t], terms) for t in unique}
            matched = [t for t, c in credits.items() if c > 0]
            confidence = sum(credits.values()) / total if total else 0.0
            telling = (
                len(matched) >= 2
                # one word, but one only this kind of objection uses, the way buyers say it
                or (
                    len(matched) == 1
                    and any(self._owns(doc.objection_id, m, i) for m in self._meaning(matched[0]))
                )
                or (reported and doc.persona_id in mentioned)
            )
            if framed and telling:
                confidence += CONTEXT_BONUS
            elif telling and len(weighty) == 2 and self._domain(matched[0]) and not errand:
                # One sales word (of a lexicon or pack concept) that only this kind of
                # objection says, beside one other word ("können wir kündigen wenn es nicht
                # klappt"): said like a one-word question. A plain word ("funktioniert")
                # is not enough: it says nothing of the topic.
                confidence = min(ONE_WORD_SURE, confidence + CONTEXT_BONUS / 2)
            elif len(matched) < 2 and len(weighty) > 1:
                confidence = min(confidence, SINGLE_WORD_CAP)
            elif len(weighty) == 1:
                confidence = min(confidence, self._one_word_cap(next(iter(weighty)), i))
            if errand and not framed:
                # "what does the coffee cost": an errand, not a buyer's objection.
                confidence = min(confidence, SINGLE_WORD_CAP)
            best_by_id[doc.objection_id] = Candidate(
                persona_id=doc.persona_id,
                objection_id=doc.objection_id,
                confidence=round(min(1.0, confidence), 3),
            )
        # BM25 order decides the winner; confidence is reported, not re-ranked.
        return list(best_by_id.values())

    def _scores(self, content: Sequence[str], parts: dict[str, list[str]]) -> np.ndarray | None:
        """BM25 scores of every document; a word with a concept counts mostly through it."""
        weights: dict[str, float] = defaultdict(float)
        for t in content:
            concepts = self._concepts.get(t, ())
            for c in concepts:
                if c in self.vocabulary:
                    weights[c] += 1.0
            if t in self.vocabulary:
                weights[t] += OWN_WORD_WEIGHT if concepts else 1.0
            elif not concepts:
                for part in parts[t]:
                    weights[part] += 1.0
        if not weights or not self._docs:
            return None
        total = np.zeros(len(self._docs))
        for term, weight in weights.items():
            total += weight * np.asarray(self._bm25.get_scores([term]))
        return total

    def _may_repeat(self, words: Sequence[str], i: int) -> bool:
        """Whether document ``i`` has enough of ``words`` to be a near-verbatim repeat.

        Counts the words any of its sentences has (as :func:`content.verbatim.same` compares
        them), an upper bound of what one sentence repeats in order.
        """
        if not words:
            return False
        stems, prefixes = self._stems[i], self._prefixes[i]
        found = sum(
            w in stems or w in prefixes or any(w[:k] in stems for k in range(MIN_PREFIX, len(w)))
            for w in words
        )
        return found / len(words) >= NEAR_VERBATIM

    def _verbatim_first(
        self, order: list[int], near: list[tuple[float, int]], *, mentioned: Sequence[str]
    ) -> list[int]:
        """Put a document the question repeats nearly word for word first."""
        if not order or mentioned:
            return order
        best = max(order, key=lambda i: near[i])
        share, content_words = near[best]
        if share >= VERBATIM and content_words >= 2 and near[order[0]][0] < share:
            return [best, *(i for i in order if i != best)]
        return order

    def _version(
        self, ranked_at: int, *, mentioned: Sequence[str], near: list[tuple[float, int]]
    ) -> int:
        """Whose version of the objection to show.

        A named persona who has this kind of objection gets their own version; otherwise
        the persona whose wording the question repeats nearly word for word, if any.
        """
        objection_id = self._docs[ranked_at].objection_id
        own = [self._doc_index.get((m, objection_id)) for m in mentioned]
        named = next((j for j in own if j is not None), None)
        if named is not None:
            return named
        closest = max(self._versions[objection_id], key=lambda i: near[i])
        share, content_words = near[closest]
        if share >= NEAR_VERBATIM and content_words >= 2 and share > near[ranked_at][0]:
            return closest
        return ranked_at

    def _one_word_cap(self, term: str, i: int) -> float:
        """How sure a one-word question can make document ``i``."""
        said = [m for m in self._meaning(term) if m in self._said_terms[i]]
        if not said:
            return ONE_WORD_UNSAID
        kind = self._docs[i].objection_id
        if any(self._dominant(kind, m) for m in said):
            return ONE_WORD_SURE
        return SINGLE_WORD_CAP

    def _domain(self, term: str) -> bool:
        """Whether ``term`` is a sales word: of a concept that says what about, not when."""
        return any(c not in WEAK_CONCEPTS for c in self._concepts.get(term, ()))

    def _owns(self, kind: str, term: str, i: int) -> bool:
        """Whether only (or mostly) objection ``kind`` says ``term``, as document ``i`` does."""
        if term not in self._said_terms[i]:
            return False
        return term in self._specific or self._dominant(kind, term)

    def _dominant(self, kind: str, term: str) -> bool:
        """Whether ``kind`` says ``term`` in several sentences, far more than any other kind."""
        count = self._said_count[(kind, term)]
        others = [self._said_count[(k, term)] for k in self._said_kinds.get(term, ()) if k != kind]
        return count >= DOMINANT_SENTENCES and count >= DOMINANT_RATIO * max(others, default=0)

    def _parts(self, term: str) -> list[str]:
        """Known terms a compound starts or ends with ("weekendtillæg" → "tillæg").

        Nordic and German write compounds as one word; a question's compound often
        names what the pack says with its head or modifier alone, and a question's word
        may be the head of the pack's compound ("ferien" → "fellesferien").
        """
        if term in self.vocabulary:
            return []
        heads = self._heads.get(term, []) if len(term) >= MIN_HEAD else []
        if len(term) < MIN_PART + MIN_REST:
            return list(heads)
        return heads + [
            v
            for v in self._long_vocab
            if len(term) - len(v) >= MIN_REST and (term.startswith(v) or term.endswith(v))
        ]

    def _credit(self, term: str, parts: list[str], doc: set[str]) -> float:
        if term in doc:
            return self._idf[term]
        if any(c in doc for c in self._concepts.get(term, ())):
            return CONCEPT_CREDIT * self._idf.get(term, self._unknown_idf)
        if any(p in doc for p in parts):
            return COMPOUND_CREDIT * self._unknown_idf  # half the word is explained
        return 0.0

    def how_matched(
        self, content: Sequence[str], persona_id: str, objection_id: str
    ) -> dict[str, str]:
        """How each question term meets one persona's objection.

        Returns:
            Term → ``word``, ``synonym`` or ``part`` (a compound's known part); terms that
            do not meet it are left out.
        """
        i = self._doc_index.get((persona_id, objection_id))
        if i is None:
            return {}
        doc = self._doc_terms[i]
        out: dict[str, str] = {}
        for t in dict.fromkeys(content):
            if t in doc:
                out[t] = "word"
            elif any(c in doc for c in self._concepts.get(t, ())):
                out[t] = "synonym"
            elif any(p in doc for p in self._parts(t)):
                out[t] = "part"
        return out
