"""The figures of a period, as one JSON-able dict: the dashboard and ``personabot report``.

Adoption, answer quality, training and the feedback funnel come from
:mod:`storage.insights` and :mod:`storage.insights_feedback`; freshness over time and
health are worked out here from the live personas and the reviews recorded in chat
(``content.freshness``, ``content.lint``), as ``reviews`` and the digest do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from content.freshness import fresh_share, freshness
from content.lint import health
from content.quiz.spacing import KNOWN_BOX
from content.schema import Pack, Persona
from storage.db import Database
from storage.insights import Insights, Period
from storage.insights_feedback import FeedbackInsights
from storage.reviews import ReviewStore

#: The period shown when none is asked for: the last 30 days, today included.
DEFAULT_DAYS = 30
#: At most this many points on the freshness line.
FRESHNESS_POINTS = 53


def percent(part: float, whole: float) -> int | None:
    """``part`` of ``whole`` in whole percent; ``None`` when there is no whole."""
    return round(100 * part / whole) if whole else None


def period_of(
    *,
    today: dt.date,
    since: dt.date | None = None,
    until: dt.date | None = None,
    persona: str | None = None,
) -> Period:
    """The period from ``since`` to ``until``, both days included (default: 30 days)."""
    last = until or today
    first = since or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        first, last = last, first
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return Period(since=start, until=end, persona=persona or None)


@dataclass(frozen=True, kw_only=True)
class Figures:
    """Works out the figures of the live pack.

    Args:
        db: The database.
        pack: The configured pack (its settings: cadence, persona count range).
        personas: Returns the live personas.
    """

    db: Database
    pack: Pack
    personas: Callable[[], Sequence[Persona]]

    def collect(self, period: Period) -> dict[str, Any]:
        """Every figure of ``period``, JSON-able (dates as ISO strings)."""
        live = tuple(self.personas())
        insights = Insights(db=self.db, known_box=KNOWN_BOX)
        feedback = FeedbackInsights(db=self.db)
        shown = [p for p in live if period.persona in (None, p.id)]
        adoption = insights.adoption(period)
        training = insights.training(period)
        votes = feedback.votes(period)
        funnel = feedback.funnel(period)
        fresh = self._freshness(insights, shown, period)
        scores = self._health(live, period)
        roleplay_pass = percent(training.roleplay_passed, training.roleplays)
        summary = {
            "questions": adoption.questions,
            "askers": adoption.askers,
            "unanswered_percent": percent(adoption.unanswered, adoption.questions),
            "helpful_percent": percent(votes.helpful, votes.helpful + votes.unhelpful),
            "quizzes_completed": training.quizzes_completed,
            "roleplay_pass_percent": roleplay_pass,
            "freshness_percent": fresh["now"],
            "median_days": funnel.median_days,
            "pack_health": scores["pack"],
        }
        return {
            "previous": self._previous(insights, feedback, period),
            "period": {
                "since": period.since.date().isoformat(),
                "until": (period.until.date() - dt.timedelta(days=1)).isoformat(),
                "persona": period.persona,
            },
            "personas": {p.id: p.name for p in live},
            "summary": summary,
            "adoption": _plain(adoption),
            "quality": {**_plain(votes), "percent": summary["helpful_percent"]},
            "training": self._training(training),
            "freshness": fresh,
            "funnel": {**_plain(funnel), "by_owner": _owners(live, funnel.by_persona)},
            "health": scores,
        }

    def _previous(
        self, insights: Insights, feedback: FeedbackInsights, period: Period
    ) -> dict[str, Any]:
        """The headline figures of the period as long just before, to compare with."""
        length = period.until - period.since
        before = Period(since=period.since - length, until=period.since, persona=period.persona)
        totals = insights.totals(before)
        votes = feedback.votes(before)
        completed = insights.quiz_completions(before)
        return {
            "since": before.since.date().isoformat(),
            "until": (before.until.date() - dt.timedelta(days=1)).isoformat(),
            "days": length.days,
            "summary": {
                "questions": totals.questions,
                "askers": totals.askers,
                "unanswered_percent": percent(totals.unanswered, totals.questions),
                "helpful_percent": percent(votes.helpful, votes.helpful + votes.unhelpful),
                "quizzes_completed": completed,
                "roleplay_pass_percent": percent(totals.roleplay_passed, totals.roleplays),
            },
        }

    def _training(self, training: Any) -> dict[str, Any]:
        out = _plain(training)
        for values in out["by_persona"].values():
            values["mastery_percent"] = percent(values["mastered"], values["cards"])
            values["correct_percent"] = percent(values["correct"], values["answers"])
            values["pass_percent"] = percent(values["roleplay_passed"], values["roleplays"])
        out["correct_percent"] = percent(training.quiz_correct, training.quiz_answers)
        out["roleplay_pass_percent"] = percent(training.roleplay_passed, training.roleplays)
        out["track_percent"] = percent(training.track_completed, training.track_players)
        return out

    def _freshness(
        self, insights: Insights, personas: Sequence[Persona], period: Period
    ) -> dict[str, Any]:
        """The share of personas within their review cadence, now and at each week's end."""
        reviews = [
            (pid, day)
            for pid, kind, day in insights.reviews_until(period.until)
            if kind in ("reviewed", "approved")
        ]
        last_day = period.until.date() - dt.timedelta(days=1)
        days = (last_day - period.since.date()).days + 1
        step = 7 * max(1, -(-days // (7 * FRESHNESS_POINTS)))
        samples = [last_day - dt.timedelta(days=step * i) for i in range(days // step + 1)]
        series: dict[str, int] = {}
        for day in sorted(d for d in samples if d >= period.since.date()):
            reviewed: dict[str, dt.date] = {}
            for pid, when in reviews:
                if when <= day and reviewed.get(pid, when) <= when:
                    reviewed[pid] = when
            known = [
                p
                if p.last_reviewed is None or p.last_reviewed <= day
                else p.model_copy(update={"last_reviewed": None})
                for p in personas
            ]
            statuses = freshness(
                known, pack_cadence=self.pack.info.review_every_days, at=day, reviewed=reviewed
            )
            series[day.isoformat()] = round(100 * fresh_share(statuses))
        return {"now": series.get(last_day.isoformat()), "per_week": series}

    def _health(self, live: Sequence[Persona], period: Period) -> dict[str, Any]:
        """Each persona's health score on the period's last day, with what cost points."""
        at = period.until.date() - dt.timedelta(days=1)
        reviewed = ReviewStore(db=self.db).last_reviewed()
        result = health(
            Pack(info=self.pack.info, personas=tuple(live)),
            at=at,
            reviewed=reviewed,
        )
        return {
            "pack": result.score,
            "pack_reasons": [f"{w.field} -{w.points}" for w in result.warnings],
            "personas": [
                {
                    "id": p.persona,
                    "score": p.score,
                    "reasons": [f"{w.field} -{w.points}" for w in p.warnings],
                }
                for p in result.personas
                if period.persona in (None, p.persona)
            ],
        }


def _owners(
    live: Sequence[Persona], by_persona: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The funnel per persona owner (a persona with two owners counts for both)."""
    owners: defaultdict[str, dict[str, Any]] = defaultdict(
        lambda: {"submitted": 0, "proposed": 0, "decided": 0, "approved": 0, "days": []}
    )
    for persona in live:
        counts = by_persona.get(persona.id)
        if not counts:
            continue
        for owner in persona.owners:
            mine = owners[owner.casefold()]
            for key in ("submitted", "proposed", "decided", "approved"):
                mine[key] += int(counts.get(key, 0))
            mine["days"] += list(counts.get("days", []))
    return {
        owner: {
            **{k: v for k, v in values.items() if k != "days"},
            "median_days": round(statistics.median(values["days"]), 1) if values["days"] else None,
        }
        for owner, values in sorted(owners.items())
    }


def _plain(value: Any) -> dict[str, Any]:
    """A dataclass of figures as a JSON-able dict."""
    out: dict[str, Any] = dataclasses.asdict(value)
    return out
