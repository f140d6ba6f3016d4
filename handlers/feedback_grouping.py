"""Which pending proposal new feedback belongs to, and what change it would propose.

Feedback joins a pending proposal of the same persona and kind when the two read as the
same thing: the same objection as the answering pipeline reads them, or texts whose
terms overlap (:data:`content.changes.SAME`; stemmed, stop words out, typos corrected
against the pack). Otherwise it opens a proposal with the change its kind makes
(:func:`content.changes.change_for`).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import Texts
from content.analysis import Analyzer
from content.catalog import Catalog
from content.changes import SAME, change_for, overlap
from content.schema import Persona
from storage.feedback import FeedbackStore

#: Kinds of feedback about one of the persona's objections (retrieval says which).
ABOUT_OBJECTIONS = ("response", "objection")
#: Stored feedback whose terms are kept (then the cache starts again).
CACHED = 20_000


class Grouping:
    """Groups feedback with the retrieval stack.

    Args:
        catalog: Returns the live personas and their index.
        store: Feedback and proposals (the pending ones are compared).
        texts: Texts in the pack's language (the draft response of a new objection).
    """

    def __init__(
        self, *, catalog: Callable[[], Catalog], store: FeedbackStore, texts: Texts
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.texts = texts
        self._analyzers: tuple[Catalog, Analyzer] | None = None
        self._cache: dict[int, frozenset[str]] = {}

    def group(
        self, persona: Persona, kind: str, text: str, *, objection_id: str | None = None
    ) -> tuple[int | None, dict[str, object]]:
        """The pending proposal this feedback joins, and the change a new one would make."""
        catalog = self.catalog()
        analyzer = self._analyzer(catalog)
        about = objection_id
        if about is None and kind in ABOUT_OBJECTIONS:  # other kinds never name one
            about = self._objection_of(catalog, persona, text)
        terms = frozenset(analyzer.terms(text))
        best: tuple[float, int] = (0.0, 0)
        targets = kind in ABOUT_OBJECTIONS
        pending = self.store.pending_texts(persona.id, kind, targets=targets)
        for proposal_id, target, feedback_id, said in pending:
            if about and kind in ABOUT_OBJECTIONS and target == about:
                return proposal_id, {}
            best = max(
                best, (overlap(terms, self._terms(analyzer, feedback_id, said)), proposal_id)
            )
        change = change_for(
            persona,
            kind=kind,
            text=text,
            objection_id=about,
            analyzer=analyzer,
            draft_response=self.texts("feedback.draft_response"),
        )
        return (best[1] if best[0] >= SAME and best[1] else None), change.to_json()

    def _terms(self, analyzer: Analyzer, feedback_id: int, text: str) -> frozenset[str]:
        """A stored feedback's terms, analysed once (feedback text never changes)."""
        found = self._cache.get(feedback_id)
        if found is None:
            if len(self._cache) >= CACHED:
                self._cache.clear()
            found = self._cache[feedback_id] = frozenset(analyzer.terms(text))
        return found

    def likely(self, text: str) -> list[Persona]:
        """The personas ``text`` is likely about, likeliest first."""
        catalog = self.catalog()
        found = [catalog.persona(pid) for pid, _ in readings(catalog, text)]
        unique = {p.id: p for p in found if p is not None}
        return list(unique.values())

    def _objection_of(self, catalog: Catalog, persona: Persona, text: str) -> str | None:
        for persona_id, objection_id in readings(catalog, text):
            if persona_id == persona.id and objection_id:
                return objection_id
        return None

    def _analyzer(self, catalog: Catalog) -> Analyzer:
        if self._analyzers is None or self._analyzers[0] is not catalog:
            analyzer = Analyzer(language=catalog.language)
            analyzer.learn(
                item
                for p in catalog.personas
                for item in (*p.goals, *p.pains, *p.triggers, *(o.objection for o in p.objections))
            )
            self._analyzers = (catalog, analyzer)
            self._cache.clear()  # terms depend on the vocabulary typos are corrected to
        return self._analyzers[1]


def readings(catalog: Catalog, text: str) -> list[tuple[str, str | None]]:
    """What retrieval reads ``text`` as about: (persona, objection), likeliest first."""
    understood = catalog.retriever.understand(text)
    found: list[tuple[str, str | None]] = []
    if understood.persona_id:
        found.append((understood.persona_id, understood.objection_id))
    found += [(pid, None) for pid in understood.mentioned]
    found += [(c.persona_id, c.objection_id) for c in understood.candidates]
    return list(dict.fromkeys(found))
