"""Persona health in chat: the lint's scores for the live personas (``content.lint``).

The same score as ``personabot content validate``, worked out for the personas the bot
answers from, with reviews recorded in chat counted. Owners see their persona's score
in its card's footer; pack admins see every score in ``reviews``. It is worked out once
a day (and again when a review is recorded), not on every card.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from bot.i18n import Texts
from content.catalog import Catalog
from content.lint import PackHealth, PersonaHealth, health
from content.schema import Pack, PackInfo


class HealthScores:
    """The live personas' health, cached per day and recorded reviews.

    Args:
        info: The pack's settings (cadence, persona count range).
        catalog: Returns the live personas.
        reviewed: Returns the reviews recorded in chat, by persona id.
    """

    def __init__(
        self,
        *,
        info: PackInfo,
        catalog: Callable[[], Catalog],
        reviewed: Callable[[], Mapping[str, dt.date]],
    ) -> None:
        self.info = info
        self.catalog = catalog
        self.reviewed = reviewed
        self._cached: tuple[object, PackHealth] | None = None

    def of_pack(self, at: dt.date) -> PackHealth:
        """Every live persona's health on ``at``."""
        catalog = self.catalog()
        reviewed = dict(self.reviewed())
        key = (id(catalog), at, tuple(sorted(reviewed.items())))
        if self._cached is None or self._cached[0] != key:
            pack = Pack(info=self.info, personas=catalog.personas)
            self._cached = (key, health(pack, at=at, reviewed=reviewed))
        return self._cached[1]

    def of(self, persona_id: str, at: dt.date) -> PersonaHealth | None:
        """One persona's health on ``at``."""
        return next((p for p in self.of_pack(at).personas if p.persona == persona_id), None)


def health_line(score: PersonaHealth, texts: Texts) -> str:
    """``Health 85/100 (last_reviewed -15)``: the score and what cost points."""
    reasons = ", ".join(f"{w.field} -{w.points}" for w in score.warnings)
    return texts("card.health", score=score.score, reasons=f" ({reasons})" if reasons else "")
