"""Understand a question: which persona or objection it is about, and how sure we are.

Personas are found by name, alias, decision role or role title (:mod:`content.mentions`);
objections are ranked with BM25 (:mod:`content.ranking`). The lexicon of the pack's
language says whether the question asks *about* a persona ("who is", "what are her
goals") or reports *what a buyer said* (an objection to handle). When the evidence is
thin the answer is a choice between the best candidates, and below that an honest
"I don't know".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from content.analysis import Analyzer, fold, phrase_in, phrase_span, word_spans, words
from content.lexicon import Lexicon, lexicon
from content.mentions import PersonaFinder
from content.plain import plain
from content.ranking import LOW, SURE, Candidate, ObjectionIndex
from content.schema import Persona
from content.spelling import zipf
from content.synonyms import Synonyms, pack_groups

# A quoted stretch of several words is reported speech: what the buyer said.
_QUOTED = re.compile(r"(?:^|\s)['\"“‘«„](?:[^'\"”’»]+\s){2,}[^'\"”’»]*['\"”’»]")

# "Tell me about the plant manager" asks for a person: a stray word match with an
# objection's text must be this strong to answer it with an objection instead.
SURE_FOR_WHO = 0.8
#: How much of a message is read as the question (characters).
MAX_QUESTION = 1000
PERSONA_SURE = 0.9
PERSONA_BY_ROLE = 0.8
PERSONA_BY_TITLE = 0.7
PERSONA_UNSURE = 0.4
#: A word the pack never uses this common in the language (Zipf) is light: it says little
#: about what the question means ("funkar", "sieht", "room"); see ``ranking.LIGHT_WEIGHT``.
LIGHT_ZIPF = 4.5


@dataclass(frozen=True, kw_only=True)
class Understanding:
    """What a question is about.

    Attributes:
        intent: ``persona``, ``objection``, ``directory`` (which personas exist: "list
            personas", "who are your personas?"), ``help`` or ``unknown``.
        persona_id: The persona answered about (for objections: whose wording is shown).
        objection_id: The objection answered.
        confidence: 0-1, how well the answer explains the question.
        fields: Persona fields the question asked about (``goals``, ``pains``, ...).
        mentioned: Personas named in the question.
        candidates: Alternatives; with intent ``unknown`` they are offered as choices.
        missing: Only with intent ``unknown``: a who-is question ("who is the CEO?", "tell
            me about Ib") named no persona of the pack; this is the name or term asked
            about, as the user typed it, from its first to its last meaningful word —
            without question words, articles or punctuation ("CEO", "Ib", "head of
            sales"). ``None`` otherwise.
    """

    intent: str
    persona_id: str | None = None
    objection_id: str | None = None
    confidence: float = 0.0
    fields: tuple[str, ...] = ()
    mentioned: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    missing: str | None = None


@dataclass(frozen=True, kw_only=True)
class _Cues:
    """What the wording of a question says, apart from its topic."""

    mentioned: list[str]
    who: bool
    fields: tuple[str, ...]
    says: bool
    buyer: bool
    content: list[str]
    roles: list[str]
    directory: bool
    who_is: bool
    content_at: list[int]
    said: list[str]
    commands: bool
    light: frozenset[str] = frozenset()
    errand: bool = False


class Retriever:
    """An index over one pack's personas, built once and queried per question.

    Args:
        personas: The live personas.
        language: The pack language (ISO 639-1).
        synonyms: The pack's own groups of synonyms (``pack.yaml``'s ``synonyms:``).
    """

    def __init__(
        self,
        *,
        personas: Sequence[Persona],
        language: str,
        synonyms: Sequence[Sequence[str]] = (),
    ) -> None:
        self.language = language
        self.lexicon: Lexicon = lexicon(language)
        self.analyzer = Analyzer(language=language)
        self.analyzer.learn(
            [*_pack_text(personas), *_lexicon_text(self.lexicon), *_flat(synonyms)],
            protected=_names(personas),
        )
        self.synonyms = Synonyms(
            groups={**self.lexicon.concepts, **pack_groups(synonyms)}, analyze=self._phrase
        )
        self._filler = {t for w in self.lexicon.filler for t in self._phrase(w)}
        self._buyer = {t for w in self.lexicon.buyer for t in self._phrase(w)}
        self._help = {t for w in self.lexicon.help for t in self._phrase(w)}
        self._who = self._phrases(self.lexicon.who)
        self._fields = {k: self._phrases(v) for k, v in self.lexicon.fields.items()}
        self._says = self._phrases(self.lexicon.says)
        self._who_is = _literal(self.lexicon.who_is)
        self._who_words = _literal([*self.lexicon.who_is, *self.lexicon.who])
        self._directory = sorted(self._phrases(self.lexicon.directory), key=len, reverse=True)
        self._commands = {t for w in self.lexicon.commands for t in self._phrase(w)}
        # Errands match as typed, not stemmed: "expenses" is one, "expensive" is not.
        self._errands = [tuple(fold(w) for w in words(p)) for p in self.lexicon.offtopic]
        self.personas = PersonaFinder(personas=personas, analyzer=self.analyzer)
        self.synonyms.learn(self.analyzer.known_stems)
        # Pack texts repeat (the same phrasing for several personas): analysed once.
        self._analyzed: dict[str, tuple[str, ...]] = {}
        self.objections = ObjectionIndex(
            personas=personas,
            analyze=self._content_terms,
            sequence=self._phrase,
            concepts=self.synonyms.concepts,
        )
        self._analyzed.clear()

    def _content_terms(self, text: str) -> list[str]:
        """A pack text's content terms, multi-word synonyms joined into one term."""
        cached = self._analyzed.get(text)
        if cached is None:
            cached = self._analyzed[text] = self._analyze_content(text)
        return list(cached)

    def _analyze_content(self, text: str) -> tuple[str, ...]:
        surface = words(text)
        terms, spans = self.synonyms.join_spans([self.analyzer.stem(w) for w in surface])
        return tuple(
            t
            for t, span in zip(terms, spans, strict=True)
            if len(span) > 1 or not self.analyzer.is_stopword(surface[span[0]])
        )

    def _phrase(self, text: str) -> list[str]:
        return self.analyzer.terms(text, keep_stopwords=True)

    def _phrases(self, texts: Sequence[str]) -> list[list[str]]:
        return [terms for terms in (self._phrase(t) for t in texts) if terms]

    def understand(self, text: str) -> Understanding:
        """Work out what ``text`` asks.

        Args:
            text: The user's question, as typed.

        Returns:
            The intent, persona/objection ids, confidence and alternatives.
        """
        # A question is a sentence or two; a pasted document is read as its start, so no
        # message can cost more than a question's worth of work.
        text = plain(text[:MAX_QUESTION])
        surface, terms = self._read(text)
        if not terms:
            return Understanding(intent="help", confidence=1.0)
        self.synonyms.learn(terms)
        cues = self._cues(text, surface, terms)
        found = self._understand(cues, terms)
        if found.intent == "unknown" and self._asks_who(cues, found):
            return replace(found, missing=_span(text, cues.content_at))
        return found

    def _read(self, text: str) -> tuple[list[str], list[str]]:
        """The question's words (typos corrected) and their terms, in the same order."""
        # After "who is" or "tell me about", a short word is a name ("ib", "kim"), not a typo.
        asks_who = bool(
            self._who_words and self._who_words.search(fold(text.lower().replace("’", "'")))
        )
        surface = self.analyzer.corrected(text, short=not asks_who)
        return surface, [self.analyzer.stem(w) for w in surface]

    def _asks_who(self, cues: _Cues, found: Understanding) -> bool:
        """Whether an unanswered question asked who someone is (a name the pack lacks)."""
        if cues.mentioned or cues.says or not cues.content_at:
            return False
        if any(c.objection_id is None for c in found.candidates):
            return False  # it did name personas, only ambiguously
        # "who is X" asks for a person whatever else matches; "tell me about X" only when
        # nothing in the pack is about X.
        return cues.who_is or (bool(cues.who or cues.fields) and not found.candidates)

    def _understand(self, cues: _Cues, terms: list[str]) -> Understanding:
        """The answer to a question with its cues worked out."""
        if (
            cues.directory
            and not (cues.mentioned or cues.fields or cues.says)
            and all(t in self._commands for t in cues.content)
        ):
            return Understanding(intent="directory", confidence=1.0)
        if not (cues.content or cues.mentioned or cues.fields or cues.who or cues.says) and (
            cues.commands or any(t in self._help for t in terms)
        ):
            return Understanding(intent="help", confidence=1.0)

        framed = bool(cues.mentioned or cues.buyer or cues.says)
        ranked = self.objections.rank(
            cues.content,
            mentioned=cues.mentioned,
            framed=framed,
            reported=bool(cues.mentioned and cues.says),
            words=cues.said,
            light=cues.light,
            errand=cues.errand,
        )
        if cues.mentioned:
            return self._named(cues, ranked)
        if (cues.fields or cues.who) and not cues.says:
            found = self._persona_by_role_or_title(cues, ranked)
            if found is not None:
                return found
        best = ranked[0] if ranked else None
        conf = best.confidence if best else 0.0
        sure = SURE_FOR_WHO if cues.who and not cues.says else SURE
        if best is not None and conf >= sure:
            return self._objection(best, cues, ranked)
        return self._unsure(cues, ranked[:3] if conf >= LOW else [], conf)

    def _cues(self, text: str, surface: list[str], terms: list[str]) -> _Cues:
        used = [False] * len(terms)
        mentioned = self.personas.mentions(terms, used)
        who_is = bool(self._who_is and self._who_is.search(fold(text.lower().replace("’", "'"))))
        directory = self._cue_hits(terms, self._directory, used)
        who = self._cue_hits(terms, self._who, used)
        fields = tuple(k for k, p in self._fields.items() if self._cue_hits(terms, p, used))
        says = self._cue_hits(terms, self._says, used) or bool(_QUOTED.search(text))
        content_at = [
            i
            for i, (w, t, u) in enumerate(zip(surface, terms, used, strict=True))
            if not u
            and not self.analyzer.is_stopword(w)
            and t not in self._filler
            and t not in self._buyer
        ]
        # Multi-word synonyms ("notice period", "lohnt sich") become one term, once the cues
        # (names, "decision maker", "who is") have claimed their words.
        joined, spans = self.synonyms.join_spans(terms)
        at = set(content_at)
        content = [t for t, span in zip(joined, spans, strict=True) if not at.isdisjoint(span)]
        commands = bool(content) and all(t in self._commands or t.isdigit() for t in content)
        if commands or all(t.isdigit() for t in content):
            # Numbers alone name no topic ("2", "2026"); command words ("list", "show
            # more", "edit") ask the bot to do something, not about a buyer.
            content, content_at = [], []
        return _Cues(
            mentioned=mentioned,
            who=who,
            fields=fields,
            says=says,
            buyer=any(t in self._buyer for t in terms),
            content=content,
            roles=self.personas.by_role(terms),
            directory=directory,
            who_is=who_is,
            content_at=content_at,
            said=[t for t, u in zip(terms, used, strict=True) if not u and t not in self._buyer],
            commands=commands,
            errand=_has_phrase([fold(w) for w in surface], self._errands),
            light=frozenset(
                terms[i]
                for i in content_at
                if not self.synonyms.of(terms[i]) and zipf(surface[i], self.language) >= LIGHT_ZIPF
            ),
        )

    def _cue_hits(self, terms: list[str], phrases: list[list[str]], used: list[bool]) -> bool:
        """Whether any phrase occurs in words not claimed yet (they are claimed now)."""
        hit = False
        present = set(terms)
        for phrase in phrases:
            if phrase[0] not in present:
                continue
            span = phrase_span(phrase, terms, gap=2)
            if span and not any(used[i] for i in span):
                hit = True
                for i in span:
                    used[i] = True
        return hit

    def _named(self, cues: _Cues, ranked: list[Candidate]) -> Understanding:
        """A question that names one or more personas."""
        best = ranked[0] if ranked else None
        conf = best.confidence if best else 0.0
        asks_about = cues.who or cues.fields or not cues.content
        if cues.says and best is not None and conf >= SURE:
            return self._objection(best, cues, ranked)
        if len(cues.mentioned) > 1 and asks_about:
            return self._unsure(cues, [_persona(pid) for pid in cues.mentioned], PERSONA_UNSURE)
        theirs = best is not None and best.persona_id in cues.mentioned
        # Reported speech from a named persona about one of their own objections: a few
        # candidates, a strong prior, so a weaker match is enough.
        if cues.says and theirs and best is not None and conf >= LOW:
            return self._objection(best, cues, ranked)
        if asks_about or not theirs:
            return self._persona(cues.mentioned[0], PERSONA_SURE, cues, ranked)
        if best is not None and conf >= SURE:
            return self._objection(best, cues, ranked)
        if best is not None and conf >= LOW:
            options = [_persona(cues.mentioned[0]), *ranked[:2]]
            return self._unsure(cues, options, conf)
        return self._persona(cues.mentioned[0], PERSONA_SURE, cues, ranked)

    def _persona_by_role_or_title(
        self, cues: _Cues, ranked: list[Candidate]
    ) -> Understanding | None:
        """Personas named by decision role or by role title ("the gatekeeper")."""
        for found, confidence in (
            (cues.roles, PERSONA_BY_ROLE),
            (self.personas.by_title(cues.content), PERSONA_BY_TITLE),
        ):
            if len(found) == 1:
                return self._persona(found[0], confidence, cues, ranked)
            if found:
                return self._unsure(cues, [_persona(pid) for pid in found], PERSONA_UNSURE)
        return None

    def _persona(
        self, persona_id: str, confidence: float, cues: _Cues, ranked: Sequence[Candidate]
    ) -> Understanding:
        return Understanding(
            intent="persona",
            persona_id=persona_id,
            confidence=confidence,
            fields=cues.fields,
            mentioned=tuple(cues.mentioned),
            candidates=tuple(ranked[:2]),
        )

    def _objection(
        self, best: Candidate, cues: _Cues, ranked: Sequence[Candidate]
    ) -> Understanding:
        return Understanding(
            intent="objection",
            persona_id=best.persona_id,
            objection_id=best.objection_id,
            confidence=best.confidence,
            fields=cues.fields,
            mentioned=tuple(cues.mentioned),
            candidates=tuple(ranked[1:3]),
        )

    def _unsure(
        self, cues: _Cues, candidates: Sequence[Candidate], confidence: float
    ) -> Understanding:
        return Understanding(
            intent="unknown",
            confidence=confidence,
            fields=cues.fields,
            mentioned=tuple(cues.mentioned),
            candidates=tuple(candidates),
        )


def _has_phrase(found: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> bool:
    """Whether any of ``phrases`` stands in ``found`` word for word."""
    present = set(found)
    return any(p and p[0] in present and phrase_in(list(p), found) >= 0 for p in phrases)


def _literal(phrases: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern finding any of ``phrases`` as written (folded, whole words)."""
    if not phrases:
        return None
    alternatives = "|".join(re.escape(fold(p.lower())) for p in sorted(phrases, key=len)[::-1])
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _span(text: str, positions: Sequence[int]) -> str | None:
    """The stretch of ``text`` from the first to the last of the words at ``positions``."""
    if not positions:
        return None
    spans = word_spans(text)
    start, end = spans[positions[0]][0], spans[positions[-1]][1]
    return text[start:end].strip() or None


def _persona(persona_id: str) -> Candidate:
    return Candidate(persona_id=persona_id, objection_id=None, confidence=PERSONA_UNSURE)


def _lexicon_text(lex: Lexicon) -> list[str]:
    return [
        *lex.buyer,
        *lex.filler,
        *lex.who,
        *lex.says,
        *lex.help,
        *lex.who_is,
        *lex.directory,
        *lex.commands,
        *(w for v in lex.concepts.values() for w in v),
        *(w for v in lex.fields.values() for w in v),
    ]


def _flat(groups: Sequence[Sequence[str]]) -> list[str]:
    return [w for g in groups for w in g]


def _names(personas: Sequence[Persona]) -> list[str]:
    """Persona names and aliases: never corrected into something else."""
    return [n for p in personas for n in (p.name, *p.aliases)]


def _pack_text(personas: Sequence[Persona]) -> list[str]:
    out: list[str] = []
    for p in personas:
        out.extend([p.name, *p.aliases, p.role, p.summary, p.decision_role])
        for o in p.objections:
            out.extend([o.objection, *o.phrasings, o.response, *o.proof_points])
    return out


__all__ = ["LOW", "SURE", "Candidate", "Retriever", "Understanding"]
