"""Which personas are due for review, and how fresh the pack is.

A persona is due when ``last_reviewed + review_every_days`` has passed (its own cadence,
else the pack's); never reviewed, it is due at once. The last review is the later of
the pack's ``last_reviewed`` and the last one recorded in chat ("Still accurate", an
approved proposal), so a review survives a content import. A snooze holds a due
persona back until it ends.

Statuses: ``fresh`` (due in more than :data:`SOON_DAYS` days), ``soon`` (within them),
``due`` (past its date, by up to :data:`OVERDUE_AFTER_DAYS` days) and ``overdue``
(longer). The freshness score is the share of personas reviewed within their cadence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from content.schema import Persona

#: "Soon" means due within this many days.
SOON_DAYS = 14
#: Past due by more than this many days is overdue (a reminder and an escalation missed).
OVERDUE_AFTER_DAYS = 14

Status = Literal["fresh", "soon", "due", "overdue"]


@dataclass(frozen=True, kw_only=True)
class Freshness:
    """One persona's review status on a date.

    Attributes:
        persona_id: The persona.
        name: Its display name.
        owners: Its owners' emails.
        last_reviewed: The last review (pack or chat), or ``None`` if never reviewed.
        cadence_days: Days between reviews.
        due_on: When the next review is due (the date asked about, if never reviewed).
        snoozed_until: A snooze in force on the date, if any.
        status: ``fresh``, ``soon``, ``due`` or ``overdue``.
        at: The date asked about.
        period: The due period the persona is in: its due date, or the end of a snooze
            after it (a snoozed persona is prompted again once the snooze ends).
    """

    persona_id: str
    name: str
    owners: tuple[str, ...]
    last_reviewed: dt.date | None
    cadence_days: int
    due_on: dt.date
    snoozed_until: dt.date | None
    status: Status
    at: dt.date
    period: dt.date

    @property
    def days_overdue(self) -> int:
        """Days past the due date (0 when not due)."""
        return max(0, (self.at - self.due_on).days)

    @property
    def needs_review(self) -> bool:
        """Due or overdue, and not snoozed."""
        return self.status in ("due", "overdue") and self.snoozed_until is None

    def as_json(self) -> dict[str, object]:
        """The JSON of ``reviews due --json``."""
        return {
            "persona": self.persona_id,
            "name": self.name,
            "status": self.status,
            "owners": list(self.owners),
            "due_on": self.due_on.isoformat(),
            "last_reviewed": self.last_reviewed.isoformat() if self.last_reviewed else None,
            "cadence_days": self.cadence_days,
            "days_overdue": self.days_overdue,
            "snoozed_until": self.snoozed_until.isoformat() if self.snoozed_until else None,
        }


def freshness(
    personas: Sequence[Persona],
    *,
    pack_cadence: int,
    at: dt.date,
    reviewed: Mapping[str, dt.date] | None = None,
    snoozed: Mapping[str, dt.date] | None = None,
) -> list[Freshness]:
    """Every persona's review status on ``at``: never reviewed first, then most overdue.

    Args:
        personas: The live personas.
        pack_cadence: The pack's default days between reviews.
        at: The date asked about.
        reviewed: The last review recorded in chat, by persona id.
        snoozed: Snoozes, by persona id (the date they end).
    """
    out = []
    for persona in personas:
        recorded = (reviewed or {}).get(persona.id)
        dates = [d for d in (persona.last_reviewed, recorded) if d is not None]
        last = max(dates) if dates else None
        cadence = persona.review_cadence(pack_cadence)
        due_on = last + dt.timedelta(days=cadence) if last else at
        until = (snoozed or {}).get(persona.id)
        period = until if until is not None and due_on < until <= at else due_on
        out.append(
            Freshness(
                persona_id=persona.id,
                name=persona.name,
                owners=tuple(persona.owners),
                last_reviewed=last,
                cadence_days=cadence,
                due_on=due_on,
                snoozed_until=until if until is not None and until > at else None,
                status=_status(due_on, at),
                at=at,
                period=period,
            )
        )
    # Never reviewed first (the most neglected), then the longest past due.
    return sorted(out, key=lambda f: (f.last_reviewed is not None, f.due_on, f.persona_id))


def _status(due_on: dt.date, at: dt.date) -> Status:
    if due_on > at + dt.timedelta(days=SOON_DAYS):
        return "fresh"
    if due_on > at:
        return "soon"
    if (at - due_on).days > OVERDUE_AFTER_DAYS:
        return "overdue"
    return "due"


def fresh_share(statuses: Sequence[Freshness]) -> float:
    """The share (0 to 1) of personas reviewed within their cadence (fresh or soon)."""
    if not statuses:
        return 1.0
    return sum(1 for s in statuses if s.status in ("fresh", "soon")) / len(statuses)
