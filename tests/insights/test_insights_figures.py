"""The figures of a period match the activity generated into the database (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any

import pytest
from activity import Activity, generate

from bot.app import build_app
from bot.dashboard.figures import Figures, period_of
from bot.settings import Settings
from storage.insights import QUESTION_INTENTS

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def built(database_url: str) -> tuple[Figures, Activity]:
    app = build_app(Settings(database_url=database_url), clock=lambda: NOW)
    ids = [p.id for p in app.catalog.personas]
    activity = generate(app.db, personas=ids, now=NOW, questions=1500, quiz_answers=400)
    return Figures(db=app.db, pack=app.pack, personas=lambda: app.catalog.personas), activity


def within(rows: list[dict[str, Any]], key: str, since: dt.date, until: dt.date) -> list[Any]:
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return [r for r in rows if r[key] is not None and start <= r[key] < end]


def test_adoption_counts_what_was_asked_in_the_period(built: tuple[Figures, Activity]) -> None:
    figures, activity = built
    since, until = dt.date(2026, 10, 15), dt.date(2026, 11, 14)
    out = figures.collect(period_of(today=NOW.date(), since=since, until=until))
    asked = [q for q in within(activity.questions, "asked_at", since, until)]
    asked = [q for q in asked if q["intent"] in QUESTION_INTENTS]
    adoption = out["adoption"]
    assert adoption["questions"] == len(asked) == out["summary"]["questions"] > 0
    assert adoption["unanswered"] == sum(q["intent"] == "unknown" for q in asked)
    assert adoption["askers"] == len({(q["platform"], q["user_id"]) for q in asked})
    assert adoption["by_persona"] == dict(
        Counter(q["persona_id"] for q in asked if q["persona_id"])
    )
    assert adoption["by_platform"] == dict(Counter(q["platform"] for q in asked))
    per_day = Counter(q["asked_at"].date().isoformat() for q in asked)
    assert adoption["per_day"] == dict(sorted(per_day.items()))
    weeks: dict[str, set[tuple[str, str]]] = {}
    for q in asked:
        day = q["asked_at"].date()
        monday = (day - dt.timedelta(days=day.weekday())).isoformat()
        weeks.setdefault(monday, set()).add((q["platform"], q["user_id"]))
    assert adoption["weekly_askers"] == {w: len(who) for w, who in sorted(weeks.items())}
    gaps = adoption["top_unanswered"]
    assert gaps and gaps[0]["count"] == max(
        Counter(q["text"] for q in asked if q["intent"] == "unknown").values()
    )


def test_a_persona_filter_keeps_that_persona_only(built: tuple[Figures, Activity]) -> None:
    figures, activity = built
    persona = "cfo-frida"
    out = figures.collect(period_of(today=NOW.date(), persona=persona))
    since = NOW.date() - dt.timedelta(days=29)
    asked = within(activity.questions, "asked_at", since, NOW.date())
    assert out["adoption"]["questions"] == sum(q["persona_id"] == persona for q in asked)
    answers = within(activity.answers, "answered_at", since, NOW.date())
    mine = [a for a in answers if a["persona_id"] == persona]
    assert out["training"]["quiz_answers"] == len(mine)
    assert list(out["training"]["by_persona"]) in ([persona], [])
    assert [p["id"] for p in out["health"]["personas"]] == [persona]


def test_training_quality_and_funnel_match_the_activity(built: tuple[Figures, Activity]) -> None:
    figures, activity = built
    since, until = NOW.date() - dt.timedelta(days=59), NOW.date()
    out = figures.collect(period_of(today=NOW.date(), since=since))
    answers = within(activity.answers, "answered_at", since, until)
    training = out["training"]
    assert training["quiz_answers"] == len(answers)
    assert training["quiz_correct"] == sum(a["correct"] for a in answers)
    flows = within(activity.flows, "ended_at", since, until)
    assert training["quizzes_completed"] == sum(f["step"] == 5 for f in flows)
    plays = [r for r in within(activity.roleplays, "ended_at", since, until) if r["completed"]]
    assert training["roleplays"] == len(plays)
    assert training["roleplay_passed"] == sum(r["score"] >= r["pass_mark"] for r in plays)
    votes = within(activity.votes, "created_at", since, until)
    assert out["quality"]["helpful"] == sum(v["helpful"] for v in votes)
    assert out["quality"]["unhelpful"] == sum(not v["helpful"] for v in votes)
    funnel = out["funnel"]
    assert funnel["submitted"] == len(within(activity.feedback, "created_at", since, until))
    assert funnel["proposed"] == len(within(activity.proposals, "created_at", since, until))
    decided = [
        p
        for p in within(activity.proposals, "decided_at", since, until)
        if p["status"] in ("approved", "rejected")
    ]
    assert funnel["decided"] == len(decided)
    approved = [p for p in decided if p["status"] == "approved"]
    assert funnel["approved"] == len(approved)
    firsts = {f["proposal_id"]: f["created_at"] for f in activity.feedback if f["proposal_id"]}
    leads = [
        round((p["decided_at"] - firsts[p["id"]]).total_seconds() / 86400, 1) for p in approved
    ]
    assert funnel["median_days"] == (round(statistics.median(leads), 1) if leads else None)
    owners = funnel["by_owner"]
    assert owners and sum(o["submitted"] for o in owners.values()) >= funnel["submitted"]


def test_freshness_and_health_cover_every_persona(built: tuple[Figures, Activity]) -> None:
    figures, _ = built
    out = figures.collect(period_of(today=NOW.date(), since=NOW.date() - dt.timedelta(days=89)))
    series = out["freshness"]["per_week"]
    assert len(series) == 13 and list(series)[-1] == NOW.date().isoformat()
    assert all(0 <= v <= 100 for v in series.values())
    assert out["freshness"]["now"] == series[NOW.date().isoformat()]
    assert {p["id"] for p in out["health"]["personas"]} == set(out["personas"])
    assert 0 <= out["health"]["pack"] <= 100


def test_an_empty_period_has_zeros_not_errors(built: tuple[Figures, Activity]) -> None:
    figures, _ = built
    out = figures.collect(
        period_of(today=NOW.date(), since=dt.date(2020, 1, 1), until=dt.date(2020, 1, 31))
    )
    assert out["summary"]["questions"] == 0
    assert out["summary"]["unanswered_percent"] is None
    assert out["summary"]["helpful_percent"] is None
    assert out["adoption"]["per_day"] == {}


def test_the_previous_period_of_the_same_length_is_there_to_compare(
    built: tuple[Figures, Activity],
) -> None:
    figures, activity = built
    out = figures.collect(
        period_of(today=NOW.date(), since=dt.date(2026, 10, 15), until=dt.date(2026, 11, 14))
    )
    previous = out["previous"]
    assert (previous["since"], previous["until"], previous["days"]) == (
        "2026-09-14",
        "2026-10-14",
        31,
    )
    since, until = dt.date(2026, 9, 14), dt.date(2026, 10, 14)
    asked = [
        q
        for q in within(activity.questions, "asked_at", since, until)
        if q["intent"] in QUESTION_INTENTS
    ]
    summary = previous["summary"]
    assert summary["questions"] == len(asked) != out["summary"]["questions"]
    assert summary["askers"] == len({(q["platform"], q["user_id"]) for q in asked})
    gaps = sum(q["intent"] == "unknown" for q in asked)
    assert summary["unanswered_percent"] == round(100 * gaps / len(asked))
    plays = [r for r in within(activity.roleplays, "ended_at", since, until) if r["completed"]]
    passed = sum(r["score"] >= r["pass_mark"] for r in plays)
    assert summary["roleplay_pass_percent"] == (round(100 * passed / len(plays)) if plays else None)
    flows = within(activity.flows, "ended_at", since, until)
    assert summary["quizzes_completed"] == sum(f["step"] == 5 for f in flows)
