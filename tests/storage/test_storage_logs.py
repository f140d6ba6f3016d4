"""Question log, conversation state and event dedupe."""

from __future__ import annotations

import datetime as dt

from parallel import run_in_parallel

from storage import ConversationStateStore, Database, ProcessedEvents, QuestionLog, QuestionRecord
from storage.events import STALE_CLAIM

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def question(
    minute: int, *, user: str = "U1", platform: str = "slack", **kw: object
) -> QuestionRecord:
    fields: dict[str, object] = {
        "asked_at": T0 + dt.timedelta(minutes=minute),
        "platform": platform,
        "user_id": user,
        "conversation_id": "C1",
        "text": f"question {minute}",
        "intent": "objection",
        "confidence": 0.75,
        "answer": f"answer {minute}",
    }
    return QuestionRecord(**(fields | kw))  # type: ignore[arg-type]


def test_question_log_returns_a_users_latest_questions_newest_first(database: Database) -> None:
    log = QuestionLog(db=database)
    for minute in (3, 1, 7, 5):
        log.record(question(minute))
    log.record(question(9, user="U2"))
    log.record(question(10, platform="teams"))

    recent = log.recent(platform="slack", user_id="U1", limit=3)

    assert [r.text for r in recent] == ["question 7", "question 5", "question 3"]
    assert recent[0] == question(7)
    assert len(log.recent(platform="slack", user_id="U1")) == 4
    assert log.recent(platform="slack", user_id="nobody") == []


def test_question_log_keeps_every_field(database: Database) -> None:
    log = QuestionLog(db=database)
    entry = question(
        1,
        user_email="camilla@example.com",
        persona_id="cfo-camilla",
        objection_id="price",
        text="Hvad koster det i år tre? 💸",
    )
    log.record(entry)
    assert log.recent(platform="slack", user_id="U1") == [entry]


def test_question_log_counts_since(database: Database) -> None:
    log = QuestionLog(db=database)
    for minute in range(5):
        log.record(question(minute))
    assert log.count_since(T0 + dt.timedelta(minutes=2)) == 3
    assert log.count_since(T0 + dt.timedelta(days=1)) == 0


def test_state_put_get_replace_clear(database: Database) -> None:
    store = ConversationStateStore(db=database)
    assert store.get("console:local") is None

    store.put("console:local", kind="quiz", data={"question": 1, "score": [0]}, now=T0)
    state = store.get("console:local")
    assert state is not None
    assert (state.kind, state.data, state.updated_at) == ("quiz", {"question": 1, "score": [0]}, T0)

    later = T0 + dt.timedelta(minutes=1)
    store.put("console:local", kind="roleplay", data={"persona": "cfo-camilla"}, now=later)
    state = store.get("console:local")
    assert state is not None
    assert (state.kind, state.data, state.updated_at) == (
        "roleplay",
        {"persona": "cfo-camilla"},
        later,
    )

    store.put("slack:T1:U2", kind="quiz", data={}, now=T0)
    store.clear("console:local")
    store.clear("console:local")  # clearing twice is fine
    assert store.get("console:local") is None
    assert store.get("slack:T1:U2") is not None


def test_event_is_claimed_once(database: Database) -> None:
    events = ProcessedEvents(db=database)
    assert events.claim("Ev123", "slack", T0) is True
    assert events.claim("Ev123", "slack", T0 + dt.timedelta(seconds=3)) is False
    assert events.claim("Ev456", "slack", T0) is True


def test_concurrent_claims_have_exactly_one_winner(database: Database) -> None:
    results, errors = run_in_parallel(
        database, 6, lambda handle: ProcessedEvents(db=handle).claim("Ev-race", "slack", T0)
    )
    assert errors == []
    assert sorted(results) == [False] * 5 + [True]


def test_prune_forgets_old_events(database: Database) -> None:
    events = ProcessedEvents(db=database)
    events.claim("old", "slack", T0)
    events.claim("new", "slack", T0 + dt.timedelta(days=2))
    events.answered(["old", "new"], T0 + dt.timedelta(days=2))
    assert events.prune(before=T0 + dt.timedelta(days=1)) == 1
    assert events.claim("old", "slack", T0 + dt.timedelta(days=3)) is True
    assert events.claim("new", "slack", T0 + dt.timedelta(days=3)) is False


def test_a_retried_batch_wins_its_own_claims_again(database: Database) -> None:
    # The connection dropped after the insert committed: the same batch, tried again.
    events = ProcessedEvents(db=database)
    assert events.claim_many(["Ev1", "Ev2"], "slack", T0, token="batch-a") == {"Ev1", "Ev2"}
    assert events.claim_many(["Ev1", "Ev2"], "slack", T0, token="batch-a") == {"Ev1", "Ev2"}
    assert events.claim_many(["Ev1", "Ev2"], "slack", T0, token="batch-b") == set()


def test_an_unanswered_claim_is_taken_over_by_a_late_retry_only_once_stale(
    database: Database,
) -> None:
    events = ProcessedEvents(db=database)
    assert events.claim("Ev1", "slack", T0)  # its replica dies before answering
    assert not events.claim("Ev1", "slack", T0 + STALE_CLAIM - dt.timedelta(seconds=1))
    assert events.claim("Ev1", "slack", T0 + STALE_CLAIM + dt.timedelta(seconds=1))
    # Answered: retries are skipped for good, however late.
    assert events.claim("Ev2", "slack", T0)
    events.answered(["Ev2"], T0 + dt.timedelta(seconds=1))
    assert not events.claim("Ev2", "slack", T0 + dt.timedelta(hours=1))


def test_a_released_claim_is_answered_again_by_the_retry_or_a_late_answer(
    database: Database,
) -> None:
    events = ProcessedEvents(db=database)
    payloads = {"Ev1": "{}", "Ev2": "{}"}
    assert events.claim_many(["Ev1", "Ev2"], "slack", T0, token="mine", payloads=payloads)
    assert not events.release("Ev1", token="someone-else", now=T0)  # not theirs to release
    assert events.release("Ev1", token="mine", now=T0)  # the send failed
    assert events.release("Ev2", token="mine", now=T0)
    soon = T0 + dt.timedelta(seconds=1)
    assert events.claim("Ev1", "slack", soon)  # the platform's retry takes it at once
    # Nobody retried Ev2: the next look for unanswered questions takes it, payload kept.
    assert [(u.event_id, u.payload) for u in events.take_stale(soon, token="late")] == [
        ("Ev2", "{}")
    ]
    events.answered(["Ev2"], soon)
    assert not events.release("Ev2", token="late", now=soon)  # answered claims stay


def test_events_acknowledged_but_never_answered_are_taken_for_a_late_answer(
    database: Database,
) -> None:
    events = ProcessedEvents(db=database)
    stale = T0 + STALE_CLAIM + dt.timedelta(seconds=1)
    payloads = {e: f'{{"event_id": "{e}"}}' for e in ("Ev1", "Ev2", "Ev3", "Ev4")}
    assert events.claim_many(list(payloads), "slack", T0, payloads=payloads)
    events.answered(["Ev2"], T0)  # its answer went out
    assert events.claim("Ev5", "teams", T0)  # claimed without a payload: nothing to answer
    events.claim_many(["Ev4"], "slack", stale, payloads=payloads)  # a retry took it over
    events.answered(["Ev4"], stale)  # and answered it

    taken = events.take_stale(stale, token="late")
    assert {(u.event_id, u.platform, u.payload) for u in taken} == {
        ("Ev1", "slack", payloads["Ev1"]),
        ("Ev3", "slack", payloads["Ev3"]),
    }
    assert events.take_stale(stale, token="again") == []  # taken: no longer stale
    # The redelivery claims with the token it was taken under, and wins.
    assert events.claim_many(["Ev1"], "slack", stale, token="late", payloads=payloads)
    events.answered(["Ev1"], stale)
    # Ev3's redelivery died too: taken once more, then given up.
    later = stale + STALE_CLAIM + dt.timedelta(seconds=1)
    assert [u.event_id for u in events.take_stale(later, token="third")] == ["Ev3"]
    last = later + STALE_CLAIM + dt.timedelta(seconds=1)
    assert events.take_stale(last, token="fourth") == []


def test_late_answers_stop_after_an_hour(database: Database) -> None:
    events = ProcessedEvents(db=database)
    events.claim_many(["Ev1"], "slack", T0, payloads={"Ev1": "{}"})
    assert events.take_stale(T0 + dt.timedelta(hours=1, seconds=1), token="t") == []


def test_replicas_taking_stale_events_at_once_never_take_the_same_one(
    database: Database,
) -> None:
    ids = [f"Ev{n}" for n in range(60)]
    ProcessedEvents(db=database).claim_many(ids, "slack", T0, payloads=dict.fromkeys(ids, "{}"))
    now = T0 + STALE_CLAIM + dt.timedelta(seconds=1)
    results, errors = run_in_parallel(
        database,
        4,
        lambda handle: [
            u.event_id
            for u in ProcessedEvents(db=handle).take_stale(now, token=str(id(handle)), limit=20)
        ],
    )
    assert errors == []
    taken = [event_id for batch in results for event_id in batch]
    assert sorted(taken) == sorted(set(taken))  # nobody took one twice
