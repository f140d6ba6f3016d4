"""content.diff: what changed between two versions of a persona, field by field."""

from __future__ import annotations

import datetime as dt

from content.diff import Change, diff
from content.loader import EXAMPLE_PACK, load_pack
from content.schema import Evidence, Objection, Persona


def _frida() -> Persona:
    persona = load_pack(EXAMPLE_PACK).persona("cfo-frida")
    assert persona is not None
    return persona


FRIDA = _frida()


def edited(persona: Persona, **fields: object) -> Persona:
    return Persona.model_validate({**persona.model_dump(), **fields})


def test_the_same_persona_has_no_changes() -> None:
    assert diff(FRIDA, FRIDA) == []
    assert diff(FRIDA, edited(FRIDA)) == []


def test_scalar_fields_are_modified_added_and_removed() -> None:
    after = edited(FRIDA, quote=None, review_every_days=30, decision_role="influencer")
    assert diff(FRIDA, after) == [
        Change("quote", "remove", before=FRIDA.quote),
        Change("decision_role", "modify", before="decision-maker", after="influencer"),
        Change("review_every_days", "add", after="30"),
    ]
    later = edited(FRIDA, last_reviewed=dt.date(2026, 12, 1))
    assert diff(FRIDA, later) == [
        Change("last_reviewed", "modify", before="2026-05-12", after="2026-12-01")
    ]


def test_list_items_added_removed_and_reworded_in_place() -> None:
    goals = list(FRIDA.goals)
    after = edited(
        FRIDA,
        goals=[goals[0], "Know the margin per contract", goals[3], "Close the books faster"],
        pains=FRIDA.pains[1:],
    )
    assert diff(FRIDA, after) == [
        Change("goals", "modify", before=goals[1], after="Know the margin per contract"),
        Change("goals", "remove", before=goals[2]),
        Change("goals", "add", after="Close the books faster"),
        Change("pains", "remove", before=FRIDA.pains[0]),
    ]


def test_a_reordered_list_is_one_change_naming_both_orders() -> None:
    after = edited(FRIDA, owners=["b@x.example", "a@x.example"])
    before = edited(FRIDA, owners=["a@x.example", "b@x.example"])
    assert diff(before, after) == [
        Change(
            "owners", "modify", before="a@x.example; b@x.example", after="b@x.example; a@x.example"
        )
    ]


def test_objections_are_matched_by_id_and_changed_part_by_part() -> None:
    price, payback, *rest = FRIDA.objections
    cheaper = Objection.model_validate(
        {**price.model_dump(), "response": "Lead with cash.", "phrasings": price.phrasings[:-1]}
    )
    new = Objection(id="vendor-lock-in", objection="We'd be stuck with you.", response="Export.")
    after = edited(FRIDA, objections=[o.model_dump() for o in [cheaper, *rest, new]])
    assert diff(FRIDA, after) == [
        Change("objections", "remove", "price", "phrasings", before=price.phrasings[-1]),
        Change("objections", "modify", "price", "response", price.response, "Lead with cash."),
        Change("objections", "add", "vendor-lock-in", after="We'd be stuck with you."),
        Change("objections", "remove", "payback", before=payback.objection),
    ]


def test_evidence_is_matched_by_position_and_demographics_by_key() -> None:
    first, second, third = FRIDA.evidence
    moved = Evidence(source=second.source, kind=second.kind, date=dt.date(2026, 5, 1))
    after = edited(
        FRIDA,
        evidence=[e.model_dump() for e in (first, moved, third)],
        demographics={"reports_to": "The board", "team": "4 people"},
    )
    assert diff(FRIDA, after) == [
        Change(
            "demographics", "modify", "reports_to", before="CEO or owner-manager", after="The board"
        ),
        Change("demographics", "add", "team", after="4 people"),
        Change("demographics", "remove", "scope", before="Finance, payroll and often IT budget"),
        Change("evidence", "modify", "2", "date", before="2026-04-28", after="2026-05-01"),
    ]
