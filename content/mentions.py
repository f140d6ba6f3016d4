"""Find the personas a question names: by name, alias, decision role or role title."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from content.analysis import Analyzer, phrase_in, words
from content.schema import Persona

# Share of a who-is question's words a persona's name, aliases and role must explain.
TITLE_MATCH = 0.5


class PersonaFinder:
    """Alias phrases, decision roles and role titles of the live personas.

    Args:
        personas: The live personas.
        analyzer: The pack language's analyzer.
    """

    def __init__(self, *, personas: Sequence[Persona], analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._aliases = self._alias_phrases(personas)
        self._roles = [
            (analyzer.terms(p.decision_role.replace("-", " "), keep_stopwords=True), p.id)
            for p in personas
        ]
        # Who each persona is, in words: for "tell me about the plant manager" when
        # "plant manager" is not an alias.
        self._titles = {
            p.id: set(analyzer.terms(" ".join([p.name, *p.aliases, p.role]))) for p in personas
        }
        df: dict[str, int] = defaultdict(int)
        for terms in self._titles.values():
            for t in terms:
                df[t] += 1
        n = max(len(personas), 1)
        self._title_idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._title_unknown_idf = math.log(1 + n / 0.5)

    def _alias_phrases(self, personas: Sequence[Persona]) -> list[tuple[list[str], str]]:
        stop = self.analyzer.is_stopword
        stem = self.analyzer.stem
        forms: dict[tuple[str, ...], set[str]] = defaultdict(set)
        explicit: set[tuple[str, ...]] = set()
        for p in personas:
            name = words(p.name)
            # "IT Manager Ib" is also called "IT manager" (and "Ib").
            variants = [name, name[:-1], name[-1:]] if len(name) > 1 else [name]
            aliases = [words(a) for a in p.aliases]
            for form in [*variants, *aliases]:
                if len(form) > 2 and stop(form[0]):
                    form = form[1:]
                if not form or (len(form) == 1 and stop(form[0])):
                    continue
                terms = tuple(stem(w) for w in form)
                forms[terms].add(p.id)
                if form in aliases:
                    explicit.add(terms)
        out = [
            (list(terms), pid)
            for terms, pids in forms.items()
            # A name fragment two personas share ("Manager") names neither of them; an
            # alias two personas share (set on purpose) names both.
            if len(pids) == 1 or terms in explicit
            for pid in sorted(pids)
        ]
        # Longest first, so "sales director" wins over "sales".
        out.sort(key=lambda a: -len(a[0]))
        return out

    def mentions(self, terms: list[str], used: list[bool]) -> list[str]:
        """Personas named in ``terms``, in the order they are named; marks them used.

        Longer names claim their words first ("sales director" before "sales").
        """
        found: list[str] = []
        first: dict[str, int] = {}
        present = set(terms)
        for alias, pid in self._aliases:
            if alias[0] not in present:
                continue
            start = 0
            while (at := phrase_in(alias, terms[start:])) >= 0:
                at += start
                span = range(at, at + len(alias))
                if not any(used[i] for i in span):
                    for i in span:
                        used[i] = True
                    if pid not in found:
                        found.append(pid)
                        first[pid] = at
                start = at + 1
        return sorted(found, key=lambda pid: first[pid])

    def by_role(self, terms: list[str]) -> list[str]:
        """Personas whose decision role the question names ("the gatekeeper")."""
        return [pid for role, pid in self._roles if role and phrase_in(role, terms) >= 0]

    def by_title(self, content: list[str]) -> list[str]:
        """Personas whose name, aliases and role best explain ``content`` (ties: all)."""
        unique = set(content)
        total = sum(self._title_idf.get(t, self._title_unknown_idf) for t in unique)
        if not total:
            return []
        scored = {
            pid: sum(self._title_idf[t] for t in unique & terms) / total
            for pid, terms in self._titles.items()
        }
        best = max(scored.values(), default=0.0)
        if best < TITLE_MATCH:
            return []
        return sorted(pid for pid, score in scored.items() if score == best)
