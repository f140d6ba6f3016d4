"""Generated activity over a span of days: questions, quizzes, role-plays, reviews, feedback.

Inserted in bulk straight into the tables (as the bot would have written them), seeded,
so the figures of a period can be counted independently of :mod:`storage.insights`.
Used by the tests, the browser test and ``benchmarks/bench_dashboard.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from content.changes import Change
from storage.db import Database
from storage.feedback_models import AnswerVoteRow, FeedbackRow, ProposalRow
from storage.models import (
    FlowRow,
    QuestionRow,
    QuizAnswerRow,
    QuizCardRow,
    QuizPlayerRow,
    ReviewRow,
    RoleplayRow,
)

PLATFORMS = ("slack", "teams", "console")
INTENTS = (("persona", 45), ("objection", 33), ("directory", 5), ("help", 3), ("unknown", 14))
GAPS = (
    "What does the CFO care about in a renewal?",
    "Do we have a persona for procurement?",
    "How do I handle a security questionnaire?",
    "Which persona signs the contract?",
    "What is our answer to the data residency question?",
)
BATCH = 5000


@dataclass
class Activity:
    """What was generated, for the tests to count against."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    roleplays: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    votes: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)


def generate(
    db: Database,
    *,
    personas: Sequence[str],
    now: dt.datetime,
    days: int = 90,
    questions: int = 3000,
    quiz_answers: int = 600,
    feedback: int = 60,
    users: int = 40,
    seed: int = 7,
) -> Activity:
    """Insert activity spread over the ``days`` before ``now``; returns what was inserted."""
    rng = random.Random(seed)
    out = Activity()
    people = [f"U{n:04d}" for n in range(users)]

    def when() -> dt.datetime:
        return now - dt.timedelta(seconds=rng.randrange(1, days * 86400))

    intents = [name for name, weight in INTENTS for _ in range(weight)]
    for _ in range(questions):
        intent = rng.choice(intents)
        persona = rng.choice(personas) if intent in ("persona", "objection") else None
        out.questions.append(
            {
                "asked_at": when(),
                "platform": rng.choice(PLATFORMS),
                "user_id": rng.choice(people),
                "user_email": None,
                "conversation_id": "c",
                "text": rng.choice(GAPS) if intent == "unknown" else f"who is {persona}",
                "intent": intent,
                "persona_id": persona,
                "objection_id": None,
                "confidence": 0.9,
                "answer": "…",
            }
        )
    cards: dict[tuple[str, str], dict[str, Any]] = {}
    for number in range(quiz_answers // 5):
        user = f"slack:{rng.choice(people)}"
        ended = when()
        flow_id = f"f{number}"
        steps = 5 if rng.random() < 0.8 else rng.randrange(1, 5)
        out.flows.append(
            {
                "id": flow_id,
                "kind": "quiz",
                "user_key": user,
                "active_key": None,
                "conversation_key": user,
                "step": steps,
                "nonce": "n",
                "data": {"index": steps, "questions": ["q"] * 5},
                "started_at": ended - dt.timedelta(minutes=3),
                "updated_at": ended,
                "expires_at": ended,
                "ended_at": ended,
            }
        )
        for step in range(steps):
            persona = rng.choice(personas)
            question = f"{persona}-q{rng.randrange(6)}"
            correct = rng.random() < 0.7
            out.answers.append(
                {
                    "flow_id": flow_id,
                    "step": step,
                    "user_key": user,
                    "question_id": question,
                    "kind": "pains",
                    "persona_id": persona,
                    "correct": correct,
                    "points": 10 if correct else 0,
                    "answered_at": ended - dt.timedelta(seconds=30 * (steps - step)),
                }
            )
            cards[(user, question)] = {
                "user_key": user,
                "question_id": question,
                "persona_id": persona,
                "box": rng.randrange(1, 6),
                "seen_at": ended,
                "due_at": ended,
                "retired_at": None,
            }
    players = sorted({c["user_key"] for c in cards.values()})
    for index in range(max(4, quiz_answers // 50)):
        persona = rng.choice(personas)
        ended = when()
        score = rng.randrange(30, 100)
        out.roleplays.append(
            {
                "flow_id": f"r{index}",
                "user_key": f"slack:{rng.choice(people)}",
                "user_name": None,
                "user_email": None,
                "scenario_id": "s",
                "title": "t",
                "persona_id": persona,
                "score": score,
                "pass_mark": 70,
                "completed": rng.random() < 0.9,
                "transcript": [],
                "started_at": ended - dt.timedelta(minutes=10),
                "ended_at": ended,
            }
        )
    proposal_id = 0
    for index in range(feedback):
        persona = rng.choice(personas)
        created = when()
        status, proposal = "open", None
        if index % 3 == 0:
            proposal_id += 1
            proposal = proposal_id
            decided = created + dt.timedelta(days=rng.randrange(1, 10))
            outcome = rng.choice(("approved", "approved", "rejected", "pending"))
            done = outcome != "pending" and decided < now
            status = outcome if done else "open"
            out.proposals.append(
                {
                    "id": proposal,
                    "persona_id": persona,
                    "kind": "pain",
                    "change": Change(field="pains", op="add", text="x").to_json(),
                    "base_version": 1,
                    "status": outcome if done else "pending",
                    "nonce": "n",
                    "reporters": 1,
                    "created_at": created + dt.timedelta(hours=2),
                    "updated_at": created,
                    "decided_by": "owner@fieldline.example" if done else None,
                    "decided_at": decided if done else None,
                }
            )
        out.feedback.append(
            {
                "persona_id": persona,
                "kind": "pain",
                "text": "x",
                "source": "text",
                "origin": f"o{index}",
                "reporter_key": f"slack:{rng.choice(people)}",
                "status": status,
                "proposal_id": proposal,
                "created_at": created,
            }
        )
    for index in range(questions // 10):
        persona = rng.choice(personas)
        out.votes.append(
            {
                "answer_key": f"a{index}",
                "user_key": f"slack:{rng.choice(people)}",
                "helpful": rng.random() < 0.75,
                "persona_id": persona,
                "created_at": when(),
            }
        )
    reviews = [
        {"persona_id": p, "kind": "reviewed", "by_email": "o@x", "at": when(), "until": None}
        for p in personas
        for _ in range(2)
    ]
    track = [
        {
            "user_key": user,
            "email": None,
            "name": user,
            "hidden": False,
            "track_completed_at": when() if rng.random() < 0.3 else None,
            "updated_at": now,
        }
        for user in players
    ]
    with db.session() as session:
        for table, rows in (
            (QuestionRow, out.questions),
            (FlowRow, out.flows),
            (QuizAnswerRow, out.answers),
            (QuizCardRow, list(cards.values())),
            (QuizPlayerRow, track),
            (RoleplayRow, out.roleplays),
            (ProposalRow, out.proposals),
            (FeedbackRow, out.feedback),
            (AnswerVoteRow, out.votes),
            (ReviewRow, reviews),
        ):
            for start in range(0, len(rows), BATCH):
                session.execute(insert(table), rows[start : start + BATCH])
    return out
