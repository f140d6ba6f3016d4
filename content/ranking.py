"""Rank a pack's objections against a question with BM25, and say how sure we are.

Each persona's objection is one document: its wording and phrasings (counted twice, they
are how buyers say it), its id, the response and the proof points. ``bm25s`` ranks; the
confidence is the share of the question's meaning (IDF-weighted content terms) the best
document explains, so a question about lunch explains little and stays below the bar.
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
MIN_REST = 3
COMPOUND_CREDIT = 0.5


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
    """

    def __init__(self, *, personas: Sequence[Persona], analyze: Callable[[str], list[str]]) -> None:
        docs: list[_Doc] = []
        corpus: list[list[str]] = []
        said_terms: list[set[str]] = []
        for p in personas:
            for o in p.objections:
                said = analyze(" ".join([o.objection, *o.phrasings, o.id.replace("-", " ")]))
                done = analyze(" ".join([o.response, *o.proof_points]))
                corpus.append(said * 2 + done)
                said_terms.append(set(said))
                docs.append(_Doc(p.id, o.id))
        self._said_terms = said_terms
        self._docs = docs
        self._doc_index = {(d.persona_id, d.objection_id): i for i, d in enumerate(docs)}
        self._doc_terms = [set(c) for c in corpus]
        df: dict[str, int] = defaultdict(int)
        kinds: dict[str, set[str]] = defaultdict(set)
        for doc, terms in zip(docs, self._doc_terms, strict=True):
            for t in terms:
                df[t] += 1
                kinds[t].add(doc.objection_id)
        # Words only one kind of objection uses ("dyrt" for price): telling on their own.
        self._specific = {t for t, ids in kinds.items() if len(ids) == 1}
        n = max(len(corpus), 1)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._bm25 = bm25s.BM25()
        self.vocabulary: frozenset[str] = frozenset()
        if corpus:
            self._bm25.index(corpus, show_progress=False)
            self.vocabulary = frozenset(self._bm25.vocab_dict)
        self._long_vocab = sorted(
            (v for v in self.vocabulary if len(v) >= MIN_PART), key=len, reverse=True
        )

    def rank(
        self,
        content: Sequence[str],
        *,
        mentioned: Sequence[str],
        framed: bool,
        reported: bool = False,
    ) -> list[Candidate]:
        """Objections for the question's content terms, best first, one per objection id.

        Args:
            content: The question's content terms.
            mentioned: Personas the question names; their objections are preferred.
            framed: Whether the question is framed as a sales conversation.
            reported: Whether it reports what a named persona said.

        Returns:
            Candidates in BM25 order with their confidence.
        """
        unique = set(content)
        parts = {t: self._parts(t) for t in unique}
        query = [q for t in content for q in ([t] if t in self.vocabulary else parts[t])]
        if not query or not self._docs:
            return []
        scores = np.asarray(self._bm25.get_scores(query))
        if mentioned:
            theirs = np.array([d.persona_id in mentioned for d in self._docs])
            scores = np.where(theirs, scores * MENTION_BOOST, scores)
        order = np.argsort(-scores, kind="stable")
        total = sum(self._idf.get(t, self._unknown_idf) for t in unique)
        best_by_id: dict[str, Candidate] = {}
        for ranked_at in order:
            if scores[ranked_at] <= 0:
                break
            doc = self._docs[int(ranked_at)]
            if doc.objection_id in best_by_id:
                continue
            # A named persona who has this kind of objection gets their own version.
            own = [self._doc_index.get((m, doc.objection_id)) for m in mentioned]
            i = next((j for j in own if j is not None), int(ranked_at))
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
                    and matched[0] in self._specific
                    and matched[0] in self._said_terms[i]
                )
                or (reported and doc.persona_id in mentioned)
            )
            if framed and telling:
                confidence += CONTEXT_BONUS
            elif len(matched) < 2 and len(unique) > 1:
                confidence = min(confidence, SINGLE_WORD_CAP)
            best_by_id[doc.objection_id] = Candidate(
                persona_id=doc.persona_id,
                objection_id=doc.objection_id,
                confidence=round(min(1.0, confidence), 3),
            )
        # BM25 order decides the winner; confidence is reported, not re-ranked.
        return list(best_by_id.values())

    def _parts(self, term: str) -> list[str]:
        """Known terms a compound starts or ends with ("weekendtillæg" → "tillæg").

        Nordic and German write compounds as one word; a question's compound often
        names what the pack says with its head or modifier alone.
        """
        if term in self.vocabulary or len(term) < MIN_PART + MIN_REST:
            return []
        return [
            v
            for v in self._long_vocab
            if len(term) - len(v) >= MIN_REST and (term.startswith(v) or term.endswith(v))
        ]

    def _credit(self, term: str, parts: list[str], doc: set[str]) -> float:
        if term in doc:
            return self._idf[term]
        if any(p in doc for p in parts):
            return COMPOUND_CREDIT * self._unknown_idf  # half the word is explained
        return 0.0
