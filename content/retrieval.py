"""Understand a question: which persona or objection it is about, and how sure we are.

Objections are ranked with BM25 (``bm25s``) over their wording, phrasings, response and
proof points, on stemmed, folded terms (see :mod:`content.analysis`). Personas are found
by name and alias. The lexicon of the pack's language says whether the question asks
*about* a persona ("who is", "what are her goals") or reports *what a buyer said* (an
objection to handle). Confidence is how much of the question the best match explains,
so out-of-scope questions ("what's for lunch?") score low and are answered honestly.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np

from content.analysis import Analyzer, phrase_in, phrase_span, words
from content.lexicon import Lexicon, lexicon
from content.schema import Persona

logging.getLogger("bm25s").setLevel(logging.WARNING)

# A quoted stretch of several words is reported speech: what the buyer said.
_QUOTED = re.compile(r"(?:^|\s)['\"“‘«„](?:[^'\"”’»]+\s){2,}[^'\"”’»]*['\"”’»]")

# Confidence at or above which we answer an objection outright; between LOW and SURE we
# offer the best candidates as choices; below LOW the question is out of scope.
SURE = 0.5
SURE_FOR_WHO = 0.8
LOW = 0.3
# A question framed around the buyer ("the customer says...", "Ib thinks...") is a sales
# question; this much is added to how well the words match.
CONTEXT_BONUS = 0.3
# Compounds: a known part must be this long and leave this much of the word; a part
# match explains half the word.
MIN_PART = 5
MIN_REST = 3
COMPOUND_CREDIT = 0.5
# Share of a who-is question's words a persona's name, aliases and role must explain.
TITLE_MATCH = 0.5


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A possible answer: a persona (``objection_id`` None) or a persona's objection."""

    persona_id: str
    objection_id: str | None
    confidence: float


@dataclass(frozen=True, kw_only=True)
class Understanding:
    """What a question is about.

    Attributes:
        intent: ``persona``, ``objection``, ``help`` or ``unknown``.
        persona_id: The persona answered about (for objections: whose wording is shown).
        objection_id: The objection answered.
        confidence: 0-1, how well the answer explains the question.
        fields: Persona fields the question asked about (``goals``, ``pains``, ...).
        mentioned: Personas named in the question.
        candidates: Best alternatives, offered as choices when confidence is low.
    """

    intent: str
    persona_id: str | None = None
    objection_id: str | None = None
    confidence: float = 0.0
    fields: tuple[str, ...] = ()
    mentioned: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Doc:
    persona_id: str
    objection_id: str


class Retriever:
    """An index over one pack's personas, built once and queried per question.

    Args:
        personas: The live personas.
        language: The pack language (ISO 639-1).
    """

    def __init__(self, *, personas: Sequence[Persona], language: str) -> None:
        self.language = language
        self.lexicon: Lexicon = lexicon(language)
        self.personas = {p.id: p for p in personas}
        self.analyzer = Analyzer(language=language, extra_stopwords=())
        self.analyzer.learn([*_all_text(personas), *_lexicon_text(self.lexicon)])
        self._filler = {t for w in self.lexicon.filler for t in self._phrase(w)}
        self._buyer = {t for w in self.lexicon.buyer for t in self._phrase(w)}
        self._who = self._phrases(self.lexicon.who)
        self._fields = {k: self._phrases(v) for k, v in self.lexicon.fields.items()}
        self._says = self._phrases(self.lexicon.says)
        self._help = {t for w in self.lexicon.help for t in self._phrase(w)}
        self._aliases = self._alias_phrases(personas)
        self._build_objections(personas)
        self._build_roles(personas)

    # -- index construction -------------------------------------------------------------

    def _phrase(self, text: str) -> list[str]:
        return self.analyzer.terms(text, keep_stopwords=True)

    def _phrases(self, texts: Sequence[str]) -> list[list[str]]:
        return [terms for terms in (self._phrase(t) for t in texts) if terms]

    def _content(self, text: str) -> list[str]:
        return self.analyzer.terms(text)

    def _alias_phrases(self, personas: Sequence[Persona]) -> list[tuple[list[str], str]]:
        stop = self.analyzer.is_stopword
        forms: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for p in personas:
            name = words(p.name)
            # "IT Manager Ib" is also called "IT manager" (and "Ib").
            variants = [name, name[:-1], name[-1:]] if len(name) > 1 else [name]
            for form in [*variants, *(words(a) for a in p.aliases)]:
                if len(form) > 2 and stop(form[0]):
                    form = form[1:]
                if not form or (len(form) == 1 and stop(form[0])):
                    continue
                forms[tuple(self.analyzer.stem(w) for w in form)].add(p.id)
        explicit = {tuple(self._phrase(a)) for p in personas for a in p.aliases}
        out = [
            (list(terms), pid)
            for terms, pids in forms.items()
            # A name fragment two personas share ("Manager") names neither of them.
            if len(pids) == 1 or terms in explicit
            for pid in sorted(pids)
        ]
        # Longest first, so "sales director" wins over "sales".
        out.sort(key=lambda a: -len(a[0]))
        return out

    def _build_objections(self, personas: Sequence[Persona]) -> None:
        docs: list[_Doc] = []
        corpus: list[list[str]] = []
        for p in personas:
            for o in p.objections:
                said = " ".join([o.objection, *o.phrasings, o.id.replace("-", " ")])
                done = " ".join([o.response, *o.proof_points])
                corpus.append(self._content(said) * 2 + self._content(done))
                docs.append(_Doc(p.id, o.id))
        self._docs = docs
        self._doc_terms = [set(c) for c in corpus]
        df: dict[str, int] = defaultdict(int)
        for terms in self._doc_terms:
            for t in terms:
                df[t] += 1
        n = max(len(corpus), 1)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)
            self._vocab = set(self._bm25.vocab_dict)
        else:
            self._vocab = set()
        self._long_vocab = sorted(
            (v for v in self._vocab if len(v) >= MIN_PART), key=len, reverse=True
        )

    def _build_roles(self, personas: Sequence[Persona]) -> None:
        self._roles: dict[str, list[str]] = defaultdict(list)
        for p in personas:
            for t in self._phrase(p.decision_role.replace("-", " ")):
                self._roles[t].append(p.id)
        # Who each persona is, in words: for "tell me about the plant manager" when
        # "plant manager" is not an alias.
        self._titles = {
            p.id: set(self._content(" ".join([p.name, *p.aliases, p.role]))) for p in personas
        }
        df: dict[str, int] = defaultdict(int)
        for terms in self._titles.values():
            for t in terms:
                df[t] += 1
        n = max(len(personas), 1)
        self._title_idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._title_unknown_idf = math.log(1 + n / 0.5)

    def _title_match(self, content: list[str]) -> str | None:
        """The one persona whose name, aliases and role explain most of ``content``."""
        unique = set(content)
        total = sum(self._title_idf.get(t, self._title_unknown_idf) for t in unique)
        if not total:
            return None
        scored = sorted(
            (
                (sum(self._title_idf[t] for t in unique & terms) / total, pid)
                for pid, terms in self._titles.items()
            ),
            reverse=True,
        )
        if not scored or scored[0][0] < TITLE_MATCH:
            return None
        if len(scored) > 1 and scored[1][0] >= scored[0][0]:
            return None
        return scored[0][1]

    # -- querying -----------------------------------------------------------------------

    def understand(self, text: str) -> Understanding:
        """Work out what ``text`` asks.

        Args:
            text: The user's question, as typed.

        Returns:
            The intent, persona/objection ids, confidence and alternatives.
        """
        surface = self.analyzer.corrected(text)
        terms = [self.analyzer.stem(w) for w in surface]
        if not terms:
            return Understanding(intent="help", confidence=1.0)

        used = [False] * len(terms)
        mentioned = self._find_mentions(terms, used)
        roles = {pid for t in terms for pid in self._roles.get(t, [])}
        who = self._cue_hits(terms, self._who, used)
        fields = tuple(
            k for k, phrases in self._fields.items() if self._cue_hits(terms, phrases, used)
        )
        says = self._cue_hits(terms, self._says, used) or bool(_QUOTED.search(text))
        buyer = any(t in self._buyer for t in terms)
        content = [
            t
            for w, t, u in zip(surface, terms, used, strict=True)
            if not u
            and not self.analyzer.is_stopword(w)
            and t not in self._filler
            and t not in self._buyer
        ]
        if (
            not content
            and not mentioned
            and not fields
            and not who
            and not says
            and any(t in self._help for t in terms)
        ):
            return Understanding(intent="help", confidence=1.0)

        context = CONTEXT_BONUS if (mentioned or buyer or says) else 0.0
        ranked = self._rank_objections(content, mentioned, context)
        best = ranked[0] if ranked else None
        conf = best.confidence if best else 0.0

        if mentioned:
            asks_about = who or fields or not content
            theirs = best is not None and best.persona_id in mentioned
            if (asks_about or not theirs) and not (says and conf >= LOW):
                return self._persona(mentioned[0], 0.9, fields, mentioned, ranked)
            if best is not None and conf >= LOW:
                return self._objection(best, mentioned, ranked, fields)
            return self._persona(mentioned[0], 0.6, fields, mentioned, ranked)

        if (fields or who) and not says:
            if len(roles) == 1:
                return self._persona(roles.pop(), 0.8, fields, mentioned, ranked)
            titled = self._title_match(content)
            if titled is not None:
                return self._persona(titled, 0.7, fields, mentioned, ranked)
        # "Tell me about the plant manager" asks for a person: a stray word match with an
        # objection's text is not an answer to that.
        sure = SURE_FOR_WHO if who and not says else SURE
        if best is not None and conf >= sure:
            return self._objection(best, mentioned, ranked, fields)
        if best is not None and conf >= LOW:
            return Understanding(
                intent="unknown",
                confidence=conf,
                fields=fields,
                candidates=tuple(ranked[:3]),
            )
        return Understanding(intent="unknown", confidence=conf, fields=fields)

    def _persona(
        self,
        persona_id: str,
        confidence: float,
        fields: tuple[str, ...],
        mentioned: Sequence[str],
        ranked: Sequence[Candidate],
    ) -> Understanding:
        return Understanding(
            intent="persona",
            persona_id=persona_id,
            confidence=confidence,
            fields=fields,
            mentioned=tuple(mentioned),
            candidates=tuple(ranked[:2]),
        )

    def _objection(
        self,
        best: Candidate,
        mentioned: Sequence[str],
        ranked: Sequence[Candidate],
        fields: tuple[str, ...],
    ) -> Understanding:
        return Understanding(
            intent="objection",
            persona_id=best.persona_id,
            objection_id=best.objection_id,
            confidence=best.confidence,
            fields=fields,
            mentioned=tuple(mentioned),
            candidates=tuple(c for c in ranked[1:3]),
        )

    def _find_mentions(self, terms: list[str], used: list[bool]) -> list[str]:
        found: list[str] = []
        present = set(terms)
        for alias, pid in self._aliases:
            if alias[0] not in present:
                continue
            start = 0
            while True:
                at = phrase_in(alias, terms[start:])
                if at < 0:
                    break
                at += start
                span = range(at, at + len(alias))
                if not any(used[i] for i in span):
                    for i in span:
                        used[i] = True
                    if pid not in found:
                        found.append(pid)
                start = at + 1
        return found

    def _cue_hits(self, terms: list[str], phrases: list[list[str]], used: list[bool]) -> bool:
        hit = False
        present = set(terms)
        for phrase in phrases:
            if phrase[0] not in present:
                continue
            span = phrase_span(phrase, terms, gap=2)
            if span:
                hit = True
                for i in span:
                    used[i] = True
        return hit

    def _parts(self, term: str) -> list[str]:
        """Known terms a compound starts or ends with ("weekendtillæg" → "tillæg").

        Nordic and German write compounds as one word; a question's compound often
        names what the pack says with its head or modifier alone.
        """
        if term in self._vocab or len(term) < MIN_PART + MIN_REST:
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

    def _rank_objections(
        self, content: list[str], mentioned: Sequence[str], context: float
    ) -> list[Candidate]:
        unique = set(content)
        parts = {t: self._parts(t) for t in unique}
        query = [q for t in content for q in ([t] if t in self._vocab else parts[t])]
        if not query or not self._docs:
            return []
        scores = np.asarray(self._bm25.get_scores(query))
        if mentioned:
            # The named persona's own objections come first when any of them match.
            own = np.array([d.persona_id in mentioned for d in self._docs])
            if (scores[own] > 0).any():
                scores = np.where(own, scores, 0.0)
        order = np.argsort(-scores, kind="stable")
        total = sum(self._idf.get(t, self._unknown_idf) for t in unique)
        best_by_id: dict[str, Candidate] = {}
        for i in order:
            if scores[i] <= 0:
                break
            doc = self._docs[int(i)]
            if doc.objection_id in best_by_id:
                continue
            credits = [self._credit(t, parts[t], self._doc_terms[int(i)]) for t in unique]
            coverage = sum(credits) / total if total else 0.0
            confidence = min(1.0, coverage + context)
            if not context and sum(c > 0 for c in credits) < 2:
                # One shared word and nothing marking a sales question ("when is the
                # summer holiday?" vs a timing objection): ask, don't assert.
                confidence = min(confidence, LOW + (SURE - LOW) / 2)
            best_by_id[doc.objection_id] = Candidate(
                persona_id=doc.persona_id,
                objection_id=doc.objection_id,
                confidence=round(confidence, 3),
            )
        # BM25 order decides the winner; confidence is reported, not re-ranked.
        return list(best_by_id.values())


def _lexicon_text(lex: Lexicon) -> list[str]:
    return [
        *lex.filler,
        *lex.who,
        *lex.says,
        *lex.help,
        *(w for v in lex.fields.values() for w in v),
    ]


def _all_text(personas: Sequence[Persona]) -> list[str]:
    out: list[str] = []
    for p in personas:
        out.extend([p.name, *p.aliases, p.role, p.summary, p.decision_role])
        for o in p.objections:
            out.extend([o.objection, *o.phrasings, o.response, *o.proof_points])
    return out


__all__ = ["Candidate", "LOW", "Retriever", "SURE", "Understanding", "words"]
