"""A role-play's state as its flow keeps it: the scenario snapshot and the marks.

The flow keeps a copy of the scenario when it starts, so a restart or another replica
plays exactly the same turns even if the content changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from content.roleplay.scenario import Point, Scenario, Turn
from content.roleplay.scoring import Earned, Marked
from storage.flows import Flow
from storage.roleplay import RoleplayResult


def earned_json(earned: Sequence[Earned]) -> list[dict[str, Any]]:
    """Marks as the flow keeps them (a restart shows the same)."""
    return [
        {
            "point": e.point.text,
            "evidence": list(e.point.evidence),
            "weight": e.point.weight,
            "credit": e.credit,
            "quote": e.quote,
        }
        for e in earned
    ]


def marked_from(data: Mapping[str, Any]) -> Marked:
    """A mark as the flow kept it."""
    earned = tuple(
        Earned(
            point=Point(
                text=str(e["point"]), evidence=tuple(e["evidence"]), weight=float(e["weight"])
            ),
            credit=float(e["credit"]),
            quote=str(e["quote"]),
        )
        for e in data["earned"]
    )
    return Marked(earned=earned, flags=tuple(data["flags"]), factor=float(data["factor"]))


def marked_json(marked: Marked) -> dict[str, Any]:
    """A mark as the flow keeps it."""
    return {
        "earned": earned_json(marked.earned),
        "flags": list(marked.flags),
        "factor": marked.factor,
    }


def score_of(marks: Sequence[Mapping[str, Any]]) -> int:
    """The session's score: the turns' scores averaged."""
    return round(sum(int(m["score"]) for m in marks) / len(marks)) if marks else 0


def snapshot(scenario: Scenario) -> dict[str, Any]:
    """A scenario as the flow keeps it: a restart plays exactly this."""
    return {
        "id": scenario.id,
        "title": scenario.title,
        "persona": scenario.persona_id,
        "situation": scenario.situation,
        "opening": scenario.opening,
        "pass_mark": scenario.pass_mark,
        "turns": [
            {
                "objection": t.objection_id,
                "lines": list(t.lines),
                "model": t.model,
                "points": [
                    {"text": p.text, "evidence": list(p.evidence), "weight": p.weight}
                    for p in t.points
                ],
            }
            for t in scenario.turns
        ],
    }


def turn_of(data: Mapping[str, Any]) -> Turn:
    """A turn as the flow kept it."""
    return Turn(
        objection_id=data["objection"],
        lines=tuple(data["lines"]),
        model=str(data["model"]),
        points=tuple(
            Point(text=str(p["text"]), evidence=tuple(p["evidence"]), weight=float(p["weight"]))
            for p in data["points"]
        ),
    )


def result_of(
    flow: Flow,
    data: Mapping[str, Any],
    score: int | None,
    completed: bool,
    now: dt.datetime,
) -> RoleplayResult:
    """The session's result to store: its score, whether completed, the transcript."""
    scenario = data["scenario"]
    user = data.get("user") or {}
    return RoleplayResult(
        flow_id=flow.id,
        user_key=flow.user_key,
        user_name=user.get("name"),
        user_email=user.get("email"),
        scenario_id=str(scenario["id"]),
        title=str(scenario["title"]),
        persona_id=str(scenario["persona"]),
        score=score,
        pass_mark=int(scenario["pass_mark"]),
        completed=completed,
        transcript=tuple(data["transcript"]),
        started_at=flow.started_at,
        ended_at=now,
    )
