"""Review context: the right figures on SQLite and PostgreSQL, and read through the index.

``ReviewContexts.of`` (one persona) and ``of_many`` (many, each since its own date) must
agree with each other and with the rows: questions since the date, content gaps
(confidence below 0.5, the newest five shown, newest first), quiz answers right/total,
completed role-plays and their average. On PostgreSQL the statements that read the
question log are captured as they run and explained: one persona's go through
``ix_questions_persona_id_asked_at`` as the planner picks it (enough rows, analysed);
the batched ones can (shown with sequential scans off, since reading most of the table
in one pass is what the planner rightly prefers for many personas).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from storage import Database, review_context
from storage.feedback_models import AnswerVoteRow, ProposalRow
from storage.models import QuestionRow, QuizAnswerRow, RoleplayRow
from storage.review_context import ReviewContext, ReviewContexts

INDEX = "ix_questions_persona_id_asked_at"
SINCE = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
# 2026-06-10 12:00 UTC, given in another zone: compared as the same instant everywhere.
BETA_SINCE = dt.datetime(2026, 6, 10, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, tzinfo=dt.UTC)


def question(
    persona: str | None, when: dt.datetime, confidence: float, said: str
) -> dict[str, Any]:
    return {
        "asked_at": when,
        "platform": "slack",
        "user_id": "U1",
        "user_email": None,
        "conversation_id": "D1",
        "text": said,
        "intent": "persona" if persona else "unknown",
        "persona_id": persona,
        "objection_id": None,
        "confidence": confidence,
        "answer": "…",
    }


def answer(n: int, persona: str, when: dt.datetime, *, correct: bool) -> dict[str, Any]:
    return {
        "flow_id": f"quiz{n}",
        "step": 0,
        "user_key": "slack:U1",
        "question_id": f"q{n}",
        "kind": "objection",
        "persona_id": persona,
        "correct": correct,
        "points": 10 if correct else 0,
        "answered_at": when,
    }


def roleplay(
    n: int, persona: str, when: dt.datetime, score: int, *, completed: bool = True
) -> dict[str, Any]:
    return {
        "flow_id": f"play{n}",
        "user_key": "slack:U1",
        "user_name": None,
        "user_email": None,
        "scenario_id": "first-call",
        "title": "First call",
        "persona_id": persona,
        "score": score,
        "pass_mark": 70,
        "completed": completed,
        "transcript": [],
        "started_at": when - dt.timedelta(minutes=10),
        "ended_at": when,
    }


def fill(database: Database) -> None:
    """alpha: 6 gaps of 8 questions since SINCE; beta: 1 question since its own date."""
    questions = [
        question("alpha", SINCE - dt.timedelta(seconds=1), 0.1, "alpha before"),  # too early
        question("alpha", at(1, 0), 0.2, "alpha gap 1"),  # exactly at SINCE: counts
        question("alpha", at(2), 0.9, "alpha answered"),
        question("alpha", at(3), 0.5, "alpha at the threshold"),  # 0.5 is no gap
        *(question("alpha", at(3 + k), 0.05 * k, f"alpha gap {k + 1}") for k in range(1, 6)),
        question(None, at(5), 0.0, "lunch?"),  # about no persona
        question("beta", at(10, 11), 0.9, "beta before its review"),  # before BETA_SINCE
        question("beta", at(10, 13), 0.3, "beta gap"),
    ]
    with database.session(write=True) as session:
        session.execute(insert(QuestionRow), questions)
        session.execute(
            insert(QuizAnswerRow),
            [
                answer(1, "alpha", at(2), correct=True),
                answer(2, "alpha", at(3), correct=True),
                answer(3, "alpha", at(4), correct=False),
                answer(4, "alpha", at(5), correct=True),
                answer(5, "alpha", SINCE - dt.timedelta(days=1), correct=True),  # too early
                answer(6, "beta", at(9), correct=True),  # before BETA_SINCE
            ],
        )
        session.execute(
            insert(RoleplayRow),
            [
                roleplay(1, "alpha", at(2), 60),
                roleplay(2, "alpha", at(3), 81),
                roleplay(3, "alpha", at(4), 90),
                roleplay(4, "alpha", at(5), 10, completed=False),  # stopped: not counted
                roleplay(5, "alpha", SINCE - dt.timedelta(days=2), 0),  # too early
                roleplay(6, "beta", at(11), 50),
            ],
        )
        session.execute(
            insert(AnswerVoteRow),
            [
                vote(1, "alpha", at(2), helpful=False),
                vote(2, "alpha", at(3), helpful=False),
                vote(3, "alpha", at(4), helpful=True),  # helpful: not counted
                vote(4, "alpha", SINCE - dt.timedelta(days=1), helpful=False),  # too early
                vote(5, "beta", at(9), helpful=False),  # before BETA_SINCE
            ],
        )
        session.execute(
            insert(ProposalRow),
            [
                proposal(1, "alpha", "pending", reporters=2),
                proposal(2, "alpha", "pending", reporters=1),
                proposal(3, "alpha", "rejected", reporters=4),  # decided: not counted
                proposal(4, "beta", "approved", reporters=1),
            ],
        )


def vote(n: int, persona: str, when: dt.datetime, *, helpful: bool) -> dict[str, Any]:
    return {
        "answer_key": f"a{n}",
        "user_key": f"slack:U{n}",
        "user_email": None,
        "helpful": helpful,
        "persona_id": persona,
        "objection_id": None,
        "created_at": when,
    }


def proposal(n: int, persona: str, status: str, *, reporters: int) -> dict[str, Any]:
    return {
        "id": n,
        "persona_id": persona,
        "kind": "pain",
        "change": {"field": "pains", "op": "add", "text": f"pain {n}"},
        "base_version": 1,
        "status": status,
        "nonce": f"n{n}",
        "reporters": reporters,
        "created_at": SINCE,
        "updated_at": SINCE,
    }


ALPHA = ReviewContext(
    questions=8,
    gaps=("alpha gap 6", "alpha gap 5", "alpha gap 4", "alpha gap 3", "alpha gap 2"),
    gap_count=6,
    quiz_answers=4,
    quiz_right=3,
    roleplays=3,
    roleplay_average=77,
    proposals=2,
    reporters=3,
    not_helpful=2,
)
BETA = ReviewContext(questions=1, gaps=("beta gap",), gap_count=1, roleplays=1, roleplay_average=50)


def test_context_counts_only_what_happened_since_the_date(database: Database) -> None:
    fill(database)
    contexts = ReviewContexts(db=database)

    assert contexts.of("alpha", since=SINCE) == ALPHA
    assert contexts.of("beta", since=BETA_SINCE) == BETA
    assert contexts.of("gamma", since=SINCE) == ReviewContext()
    # Proposals are counted while they wait, whatever the date; the rest since it.
    assert contexts.of("alpha", since=at(30)) == ReviewContext(proposals=2, reporters=3)


@pytest.mark.parametrize("batch", [5000, 2])
def test_batched_context_is_the_same_as_one_by_one(
    database: Database, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_context, "BATCH", batch)
    fill(database)
    contexts = ReviewContexts(db=database)
    since = {"alpha": SINCE, "beta": BETA_SINCE, "gamma": SINCE, "delta": at(6)}

    many = contexts.of_many(since)

    assert many == {pid: contexts.of(pid, since=when) for pid, when in since.items()}
    assert many["alpha"] == ALPHA
    assert many["beta"] == BETA
    assert many["gamma"] == ReviewContext()
    assert contexts.of_many({}) == {}


# -- the plans, on PostgreSQL ---------------------------------------------------------------


@contextmanager
def captured(database: Database) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and their parameters) sent to the database inside the block."""
    seen: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", before)


def plans_of_question_reads(
    database: Database, read: Callable[[], object], *, seqscan: bool = True
) -> list[str]:
    """The EXPLAIN of every statement ``read`` sends that reads the question log."""
    with captured(database) as seen:
        read()
    reads = [
        (sql, params) for sql, params in seen if "FROM questions" in sql or "JOIN questions" in sql
    ]
    assert reads, "no statement read the question log"
    plans = []
    with database.engine.begin() as connection:
        if not seqscan:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for sql, params in reads:
            rows = connection.exec_driver_sql("EXPLAIN " + sql, params)
            plans.append("\n".join(str(row[0]) for row in rows))
    return plans


@pytest.fixture
def busy(database: Database) -> Database:
    """200 personas × 60 questions over a year (a fifth of them gaps), analysed."""
    start = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
    rows = [
        question(
            f"persona-{p}",
            start + dt.timedelta(hours=146 * q + p),
            0.3 if q % 5 == 0 else 0.9,
            f"question {q} about persona {p}",
        )
        for p in range(200)
        for q in range(60)
    ]
    with database.session(write=True) as session:
        session.execute(insert(QuestionRow), rows)
        session.execute(text("ANALYZE questions"))
    return database


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_one_personas_context_reads_questions_through_the_index(busy: Database) -> None:
    contexts = ReviewContexts(db=busy)

    plans = plans_of_question_reads(busy, lambda: contexts.of("persona-7", since=SINCE))

    assert len(plans) == 2  # counts, then the newest gaps
    for plan in plans:
        assert INDEX in plan, plan
        assert "Seq Scan on questions" not in plan, plan


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_batched_context_can_read_questions_through_the_index(busy: Database) -> None:
    contexts = ReviewContexts(db=busy)
    since = {f"persona-{p}": SINCE - dt.timedelta(days=p) for p in range(0, 200, 2)}

    plans = plans_of_question_reads(busy, lambda: contexts.of_many(since), seqscan=False)

    assert len(plans) == 2  # counts, then the newest gaps
    for plan in plans:
        assert INDEX in plan, plan
    assert contexts.of_many(since) == {pid: contexts.of(pid, since=d) for pid, d in since.items()}
