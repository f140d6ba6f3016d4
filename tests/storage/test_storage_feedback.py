"""Feedback, proposals and decisions on SQLite and PostgreSQL: nothing lost, nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from parallel import run_in_parallel

from content.changes import Change, apply
from content.loader import EXAMPLE_PACK, load_pack
from content.schema import Persona
from storage import Database
from storage.feedback import Draft, FeedbackStore
from storage.feedback_notices import FeedbackNotices
from storage.personas import PersonaRepository
from storage.proposals import DecisionError, Decisions
from storage.reviews import ReviewStore
from storage.votes import VoteStore

NOW = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)
FRIDA = "cfo-frida"


@pytest.fixture
def pack_db(database: Database) -> Database:
    PersonaRepository(db=database).import_pack(load_pack(EXAMPLE_PACK), origin="pack", now=NOW)
    return database


def draft(text: str, *, reporter: str = "slack:U1", origin: str | None = None) -> Draft:
    return Draft(
        persona_id=FRIDA,
        kind="pain",
        text=text,
        evidence=None,
        source="text",
        origin=origin,
        reporter_key=reporter,
        reporter_email=f"{reporter.split(':')[1].lower()}@example.com",
        reporter_name=None,
    )


def pain(text: str) -> dict[str, Any]:
    return Change(field="pains", op="add", text=text).to_json()


def adding(text: str) -> Any:
    def make(data: dict[str, Any]) -> dict[str, Any]:
        changed = apply(Persona.model_validate(data), Change(field="pains", op="add", text=text))
        return changed.model_dump(mode="json")

    return make


def test_a_redelivered_submission_is_stored_once(pack_db: Database) -> None:
    store = FeedbackStore(db=pack_db)
    first = store.submit(draft("late payments", origin="Ev1"), join=None, change=pain("x"), now=NOW)
    again = store.submit(draft("late payments", origin="Ev1"), join=None, change=pain("x"), now=NOW)
    assert again.again and again.feedback_id == first.feedback_id
    assert len(store.of_reporter("slack:U1")) == 1


def test_concurrent_deliveries_of_one_submission_store_one_row(pack_db: Database) -> None:
    def deliver(db: Database) -> int:
        done = FeedbackStore(db=db).submit(
            draft("late payments", origin="Ev7"), join=None, change=pain("x"), now=NOW
        )
        return done.feedback_id

    results, errors = run_in_parallel(pack_db, 4, deliver)
    assert not errors
    assert len(set(results)) == 1
    assert len(FeedbackStore(db=pack_db).of_reporter("slack:U1")) == 1


def test_two_owners_approving_at_once_make_exactly_one_version(pack_db: Database) -> None:
    store = FeedbackStore(db=pack_db)
    done = store.submit(draft("late payments"), join=None, change=pain("late payments"), now=NOW)

    def approve(db: Database) -> int:
        return (
            Decisions(db=db)
            .approve(
                done.proposal_id,
                nonce=None,
                make=adding("late payments"),
                by="owner@example.com",
                note="t",
                now=NOW,
            )
            .version
        )

    results, errors = run_in_parallel(pack_db, 2, approve)
    assert results == [2]
    assert len(errors) == 1 and isinstance(errors[0], DecisionError)
    assert errors[0].reason == "decided" and errors[0].by == "owner@example.com"
    history = PersonaRepository(db=pack_db).history(FRIDA)
    assert [v.version for v in history] == [1, 2]
    assert ReviewStore(db=pack_db).last_reviewed()[FRIDA] == NOW.date()


def test_approve_and_reject_at_once_one_wins_and_the_feedback_follows_it(
    pack_db: Database,
) -> None:
    store = FeedbackStore(db=pack_db)
    done = store.submit(draft("late payments"), join=None, change=pain("late payments"), now=NOW)

    def decide(db: Database, *, reject: bool) -> str:
        decisions = Decisions(db=db)
        if reject:
            decisions.reject(done.proposal_id, nonce=None, by="b@x.com", reason="no", now=NOW)
            return "rejected"
        decisions.approve(
            done.proposal_id,
            nonce=None,
            make=adding("late payments"),
            by="a@x.com",
            note="",
            now=NOW,
        )
        return "approved"

    turns = iter([True, False])
    results, errors = run_in_parallel(pack_db, 2, lambda db: decide(db, reject=next(turns)))
    assert len(results) == 1 and len(errors) == 1
    proposal = store.proposal(done.proposal_id)
    assert proposal is not None and proposal.status == results[0]
    assert [q.status for q in store.of_reporter("slack:U1")] == [results[0]]


def test_an_approval_against_an_older_version_applies_to_the_live_one(pack_db: Database) -> None:
    store = FeedbackStore(db=pack_db)
    first = store.submit(draft("late payments"), join=None, change=pain("late payments"), now=NOW)
    other = store.submit(
        draft("audit of subcontractor hours", reporter="slack:U2"),
        join=None,
        change=pain("audit of subcontractor hours"),
        now=NOW,
    )
    decisions = Decisions(db=pack_db)
    decisions.approve(
        other.proposal_id,
        nonce=None,
        make=adding("audit of subcontractor hours"),
        by="o@x.com",
        note="",
        now=NOW,
    )
    approved = decisions.approve(
        first.proposal_id, nonce=None, make=adding("late payments"), by="o@x.com", note="", now=NOW
    )
    assert approved.version == 3
    live = PersonaRepository(db=pack_db).get(FRIDA)
    assert live is not None
    assert live.pains[-2:] == ["audit of subcontractor hours", "late payments"]


def test_a_button_from_before_an_edit_is_stale(pack_db: Database) -> None:
    store = FeedbackStore(db=pack_db)
    done = store.submit(draft("late payments"), join=None, change=pain("late payments"), now=NOW)
    old = store.proposal(done.proposal_id)
    assert old is not None
    Decisions(db=pack_db).edit(
        done.proposal_id, nonce=old.nonce, change=pain("late payments (edited)"), now=NOW
    )
    with pytest.raises(DecisionError) as stale:
        Decisions(db=pack_db).reject(
            done.proposal_id, nonce=old.nonce, by="o@x", reason="", now=NOW
        )
    assert stale.value.reason == "stale"


def test_outcomes_and_urgent_proposals_are_claimed_once(pack_db: Database) -> None:
    store = FeedbackStore(db=pack_db)
    done = store.submit(draft("late payments"), join=None, change=pain("late payments"), now=NOW)
    for n in (2, 3):
        store.submit(
            draft("late payments again", reporter=f"slack:U{n}"),
            join=done.proposal_id,
            change={},
            now=NOW,
        )
    notices = FeedbackNotices(db=pack_db)
    assert [p.reporters for p in notices.claim_urgent(at_least=3, now=NOW)] == [3]
    assert notices.claim_urgent(at_least=3, now=NOW) == []
    Decisions(db=pack_db).reject(done.proposal_id, nonce=None, by="o@x", reason="no", now=NOW)
    told = notices.claim_outcomes(now=NOW)
    assert sorted(o.reporter_email for o in told) == [
        "u1@example.com",
        "u2@example.com",
        "u3@example.com",
    ]
    assert notices.claim_outcomes(now=NOW) == []
    assert notices.claim_batch("o@x.com", day=NOW.date(), now=NOW)
    assert not notices.claim_batch("O@x.com", day=NOW.date(), now=NOW)


def test_one_vote_per_user_per_answer_counts(pack_db: Database) -> None:
    votes = VoteStore(db=pack_db)

    def vote(user: str, helpful: bool) -> bool:
        return votes.vote(
            answer_key="a1",
            user_key=user,
            user_email=None,
            helpful=helpful,
            persona_id=FRIDA,
            objection_id=None,
            now=NOW,
        )

    assert vote("slack:U1", True)
    assert not vote("slack:U1", True)
    assert vote("slack:U1", False)
    assert vote("slack:U2", True)
    tally = votes.tally(FRIDA)
    assert (tally.helpful, tally.not_helpful) == (1, 1)
