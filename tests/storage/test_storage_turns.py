"""A turn is logged and its choices kept or dropped; the server batches these writes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from storage import (
    ConversationStateStore,
    Database,
    ProcessedEvents,
    QuestionLog,
    QuestionRecord,
)
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


def test_claiming_many_events_at_once_wins_each_id_once(database: Database) -> None:
    events = ProcessedEvents(db=database)
    assert events.claim("Ev1", "slack", NOW) is True
    won = events.claim_many(["Ev1", "Ev2", "Ev3", "Ev2"], "slack", NOW)
    assert won == {"Ev2", "Ev3"}
    assert events.claim_many(["Ev2", "Ev3"], "slack", NOW) == set()
    assert events.claim_many([], "slack", NOW) == set()


def test_a_queued_turn_log_writes_on_flush_and_shows_pending_choices_before(
    database: Database,
) -> None:
    turns = TurnLog(db=database, queued=True)
    log = QuestionLog(db=database)
    choices = [{"label": "Who is Frida?", "value": "persona:cfo-frida"}]
    turns.finish(
        record("who is the cfo"), key="console:c1", kind="choices", choices=choices, now=NOW
    )
    assert log.recent(platform="console", user_id="u1") == []  # not committed yet
    pending = turns.choices("console:c1", kind="choices")
    assert pending is not None and pending.data == {"choices": choices}
    turns.finish(record("lunch?"), key="console:c1", kind="choices", choices=[], now=NOW)
    assert turns.choices("console:c1", kind="choices") is None  # dropped, also before a flush
    turns.close()
    assert sorted(q.text for q in log.recent(platform="console", user_id="u1")) == [
        "lunch?",
        "who is the cfo",
    ]
    assert ConversationStateStore(db=database).get("console:c1") is None


def test_a_turn_without_choice_tracking_leaves_state_alone(database: Database) -> None:
    store = ConversationStateStore(db=database)
    store.put("slack:C1", kind="choices", data={"choices": [{"label": "a", "value": "b"}]}, now=NOW)
    turns = TurnLog(db=database, queued=True)
    turns.finish(record("clicked"), key="slack:C1", kind="choices", choices=None, now=NOW)
    turns.flush()
    kept = store.get("slack:C1")
    assert kept is not None and kept.data["choices"][0]["value"] == "b"


def test_queued_choices_never_overwrite_another_kind_of_state(database: Database) -> None:
    store = ConversationStateStore(db=database)
    turns = TurnLog(db=database, queued=True)
    turns.finish(
        record("who is"), key="k", kind="choices", choices=[{"label": "x", "value": "y"}], now=NOW
    )
    store.put("k", kind="quiz", data={"question": 2}, now=NOW)  # a quiz started meanwhile
    turns.flush()
    kept = store.get("k")
    assert kept is not None and kept.kind == "quiz" and kept.data == {"question": 2}


def test_text_no_database_can_hold_is_left_out_not_fatal(database: Database) -> None:
    turns = TurnLog(db=database, queued=True)
    turns.finish(record("who is \ud800Frida\x00?"), key="k", kind="choices", choices=None, now=NOW)
    turns.flush()
    (stored,) = QuestionLog(db=database).recent(platform="console", user_id="u1")
    assert stored.text == "who is Frida?"


def test_one_turn_the_database_refuses_does_not_block_the_others(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    turns = TurnLog(db=database, queued=True)
    refused = dataclasses.replace(record("naive clock"), asked_at=NOW.replace(tzinfo=None))
    for entry in (record("before"), refused, record("after")):
        turns.finish(entry, key="k", kind="choices", choices=None, now=NOW)
    turns.flush()  # does not raise: the refused turn is dropped, the others are stored
    turns.finish(record("later"), key="k", kind="choices", choices=None, now=NOW)
    turns.flush()
    log = QuestionLog(db=database).recent(platform="console", user_id="u1")
    assert sorted(q.text for q in log) == ["after", "before", "later"]
    assert "dropped a turn the database refuses: question by console:u1" in caplog.text
