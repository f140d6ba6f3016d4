"""Words that mean the same to a buyer: the language's sales lexicon plus a pack's own.

Each group of synonyms is a *concept*. A term of a concept gets the concept's term
(``~price`` for "discount") beside it, in the pack's objections and in questions alike, so
"they want a discount" meets "the price is too high". A synonym of several words ("notice
period", "sign off") is joined into one term wherever its words stand together, in the pack
and in questions, and then belongs to its concept like a single word.

Groups come from ``content/lexicon/<language>.yaml`` (``concepts:``) and from a pack's
``pack.yaml`` (``synonyms:``, a list of groups); a pack's group is its own concept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

#: Joins the words of a multi-word synonym into one term.
JOIN = "_"


class Synonyms:
    """Concept terms for words and phrases of one pack language.

    Args:
        groups: Concept name → its words and phrases.
        analyze: Text → its terms (stemmed, folded), function words included.
    """

    def __init__(
        self,
        *,
        groups: Mapping[str, Sequence[str]],
        analyze: Callable[[str], list[str]],
    ) -> None:
        concepts: dict[str, list[str]] = {}
        phrases: dict[str, list[tuple[str, ...]]] = {}
        self.members: dict[str, tuple[str, ...]] = {}
        for name, members in groups.items():
            concept = f"~{name}"
            self.members[concept] = tuple(members)
            for member in members:
                terms = tuple(analyze(member))
                if not terms:
                    continue
                if len(terms) > 1:
                    phrases.setdefault(terms[0], []).append(terms)
                term = JOIN.join(terms)
                concepts.setdefault(term, [])
                if concept not in concepts[term]:
                    concepts[term].append(concept)
        self.concepts: dict[str, tuple[str, ...]] = {t: tuple(c) for t, c in concepts.items()}
        # Longest phrase first where several start with the same term.
        self._phrases = {t: sorted(set(p), key=len, reverse=True) for t, p in phrases.items()}

    def join_spans(self, terms: Sequence[str]) -> tuple[list[str], list[tuple[int, int]]]:
        """``terms`` with every multi-word synonym joined into one term.

        Returns:
            The terms, and for each the ``(start, end)`` of the input terms it stands for.
        """
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(terms):
            for phrase in self._phrases.get(terms[i], ()):
                if tuple(terms[i : i + len(phrase)]) == phrase:
                    out.append(JOIN.join(phrase))
                    spans.append((i, i + len(phrase)))
                    i += len(phrase)
                    break
            else:
                out.append(terms[i])
                spans.append((i, i + 1))
                i += 1
        return out, spans

    def of(self, term: str) -> tuple[str, ...]:
        """The concepts ``term`` belongs to (``()`` for none)."""
        return self.concepts.get(term, ())


def pack_groups(groups: Sequence[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """A pack's ``synonyms:`` groups as named concepts (``pack-1``, ``pack-2``, ...)."""
    return {f"pack-{i}": tuple(group) for i, group in enumerate(groups, 1)}
