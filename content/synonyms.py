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

from collections.abc import Callable, Iterable, Mapping, Sequence

#: Joins the words of a multi-word synonym into one term.
JOIN = "_"
#: An inflected form: a member's stem (at least this long) plus at most this many letters.
MIN_STEM = 5
#: How many other words may stand inside a multi-word synonym.
GAP = 2
MAX_ENDING = 3


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

    def join_spans(self, terms: Sequence[str]) -> tuple[list[str], list[tuple[int, ...]]]:
        """``terms`` with every multi-word synonym joined into one term.

        Up to ``GAP`` other words may stand inside a synonym, as word order splits Nordic
        and German particle verbs ("tjänar vi in", "lohnt es sich"): the synonym takes the
        place of its first word, the words inside stay after it.

        Returns:
            The terms, and for each the positions of the input terms it stands for.
        """
        if self._phrases.keys().isdisjoint(terms):
            return list(terms), [(i,) for i in range(len(terms))]
        out: list[str] = []
        spans: list[tuple[int, ...]] = []
        taken: set[int] = set()
        for i, term in enumerate(terms):
            if i in taken:
                continue
            for phrase in self._phrases.get(term, ()):
                at = _find(phrase, terms, i, taken)
                if at:
                    out.append(JOIN.join(phrase))
                    spans.append(at)
                    taken.update(at)
                    break
            else:
                out.append(term)
                spans.append((i,))
        return out, spans

    def of(self, term: str) -> tuple[str, ...]:
        """The concepts ``term`` belongs to (``()`` for none)."""
        return self.concepts.get(term, ())

    def learn(self, terms: Iterable[str]) -> None:
        """Give inflected forms of concept members their concepts.

        A stemmer leaves some endings on ("persondataene" → "persondata" while the member
        "persondata" stems to "persondat"): a term that is a member's stem plus at most
        ``MAX_ENDING`` letters belongs to that member's concepts.
        """
        for term in terms:
            if term in self.concepts or JOIN in term or len(term) < MIN_STEM + 1:
                continue
            for k in range(len(term) - 1, max(MIN_STEM, len(term) - MAX_ENDING) - 1, -1):
                found = self.concepts.get(term[:k])
                if found:
                    self.concepts[term] = found
                    break


def _find(
    phrase: Sequence[str], terms: Sequence[str], start: int, taken: set[int]
) -> tuple[int, ...]:
    """Positions of ``phrase`` in ``terms`` from ``start``, up to ``GAP`` words apart."""
    found = [start]
    for part in phrase[1:]:
        last = found[-1]
        window = range(last + 1, min(len(terms), last + 2 + GAP))
        nxt = next((k for k in window if terms[k] == part and k not in taken), None)
        if nxt is None:
            return ()
        found.append(nxt)
    return tuple(found)


def pack_groups(groups: Sequence[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """A pack's ``synonyms:`` groups as named concepts (``pack-1``, ``pack-2``, ...)."""
    return {f"pack-{i}": tuple(group) for i, group in enumerate(groups, 1)}
