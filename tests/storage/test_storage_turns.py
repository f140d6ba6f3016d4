"""A turn is logged and its choices kept or dropped in one transaction."""

from __future__ import annotations

import datetime as dt

from storage import ConversationStateStore, Database, QuestionLog, QuestionRecord
from storage.turns import TurnLog

NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)


def record(text: str) -> QuestionRecord:
    return QuestionRecord(
        asked_at=NOW,
        platform="console",
        user_id="u1",
        conversation_id="c1",
        text=text,
        intent="persona",
        confidence=0.9,
        answer="card",
        persona_id="cfo",
    )


def test_turn_stores_question_and_choices_then_clears_them(database: Database) -> None:
    turns, state = TurnLog(db=database), ConversationStateStore(db=database)
    choices = [{"label": "Who is CFO?", "value": "persona:cfo"}]
    turns.finish(
        record("who is the cfo"), key="console:c1", kind="choices", choices=choices, now=NOW
    )
    stored = state.get("console:c1")
    assert stored is not None and stored.kind == "choices"
    assert stored.data == {"choices": choices}

    turns.finish(record("what's for lunch"), key="console:c1", kind="choices", choices=[], now=NOW)
    assert state.get("console:c1") is None
    log = QuestionLog(db=database).recent(platform="console", user_id="u1")
    assert sorted(q.text for q in log) == ["what's for lunch", "who is the cfo"]


def test_a_turn_without_choices_leaves_other_state_alone(database: Database) -> None:
    state = ConversationStateStore(db=database)
    state.put("console:c1", kind="quiz", data={"question": 3}, now=NOW)
    TurnLog(db=database).finish(record("hi"), key="console:c1", kind="choices", choices=[], now=NOW)
    kept = state.get("console:c1")
    assert kept is not None and kept.kind == "quiz" and kept.data == {"question": 3}
