"""The Danish and Norwegian example packs: rich enough to learn from, and answered well."""

from __future__ import annotations

import pytest
from testbot import MakeBot

from content.loader import load_pack
from content.packs import BUNDLED


@pytest.mark.parametrize("name", ["da", "nb"])
def test_the_pack_is_built_like_the_english_one(name: str) -> None:
    pack = load_pack(BUNDLED[name])
    assert pack.language == name
    assert 3 <= len(pack.personas) <= 5
    for persona in pack.personas:
        assert len(persona.goals) >= 4 and len(persona.pains) >= 4, persona.id
        assert persona.quote and persona.value_proposition and persona.owners, persona.id
        assert persona.buying_behaviour and persona.decision_criteria, persona.id
        assert len(persona.evidence) >= 2, persona.id
        assert len(persona.objections) >= 2, persona.id
        for objection in persona.objections:
            assert len(objection.phrasings) >= 2 and objection.proof_points, objection.id
    shared = [
        objection.id
        for persona in pack.personas
        for objection in persona.objections
        if sum(p.objection(objection.id) is not None for p in pack.personas) > 1
    ]
    assert shared, "some objections are heard from several personas"
    roles = {p.decision_role for p in pack.personas}
    assert "decision-maker" in roles and len(roles) >= 3


DANISH = [
    ("hvem er Henrik?", ("persona", "direktor-henrik", None)),
    ("fortæl mig om økonomichefen", ("persona", "okonomichef-mette", None)),
    ("hvad er de største udfordringer for Line?", ("persona", "e-handelsansvarlig-line", None)),
    ("kunden siger, at det er for dyrt", ("objection", "direktor-henrik", "pris")),
    ("IT-chefen er bekymret for sikkerheden", ("objection", "it-ansvarlig-kasper", "sikkerhed")),
    ("vores produktdata er ikke klar", ("objection", "e-handelsansvarlig-line", "produktdata")),
    (
        "kunderne vil hellere ringe end bestille på en skærm",
        ("objection", "direktor-henrik", "kunderne-ringer"),
    ),
    ("Mette spørger, hvor data ligger", ("objection", "okonomichef-mette", "gdpr")),
]
NORWEGIAN = [
    ("hvem er Terje?", ("persona", "daglig-leder-terje", None)),
    ("fortell om HMS-lederen", ("persona", "hms-leder-silje", None)),
    ("hva er målene til basen?", ("persona", "bas-ola", None)),
    ("kunden sier det er for dyrt", ("objection", "daglig-leder-terje", "pris")),
    ("vi har ikke dekning i kjelleren", ("objection", "bas-ola", "dekning")),
    ("Silje er bekymret for personvernet", ("objection", "hms-leder-silje", "personvern")),
    ("vi har allerede et system for dette", ("objection", "prosjektleder-kari", "har-allerede")),
    (
        "hvordan håndterer dere varsler etter NS 8407?",
        ("objection", "prosjektleder-kari", "varsling"),
    ),
]


@pytest.mark.parametrize(
    ("name", "question", "expected"),
    [("da", q, e) for q, e in DANISH] + [("nb", q, e) for q, e in NORWEGIAN],
)
def test_questions_in_the_packs_language(
    make_bot: MakeBot, name: str, question: str, expected: tuple[str, str, str | None]
) -> None:
    bot = make_bot(content=BUNDLED[name])
    reply = bot.ask(question)
    assert (reply.meta["intent"], reply.meta["persona"], reply.meta["objection"]) == expected
    persona = bot.app.catalog.persona(expected[1])
    assert persona is not None and persona.name in bot.card_text(reply)


@pytest.mark.parametrize(
    ("name", "question", "dont_know"),
    [
        ("da", "hvad er der til frokost i dag?", "Det ved jeg ikke"),
        ("da", "hvornår er sommerfesten?", "Det ved jeg ikke"),
        ("nb", "hva blir været i morgen?", "Det vet jeg ikke"),
        ("nb", "kan du bestille pizza til kontoret?", "Det vet jeg ikke"),
    ],
)
def test_out_of_scope_gets_an_honest_answer_in_the_packs_language(
    make_bot: MakeBot, name: str, question: str, dont_know: str
) -> None:
    reply = make_bot(content=BUNDLED[name]).ask(question)
    assert reply.meta["intent"] == "unknown" and not reply.cards
    assert reply.text.startswith(dont_know)


@pytest.mark.parametrize(("name", "more"), [("da", "Vis mere"), ("nb", "Vis mer")])
def test_the_help_and_the_cards_speak_the_packs_language(
    make_bot: MakeBot, name: str, more: str
) -> None:
    bot = make_bot(content=BUNDLED[name])
    persona = bot.app.catalog.personas[0]
    card = bot.ask(persona.aliases[0]).cards[0]
    assert card.title == persona.name
    own = [c for c in card.choices if not c.value.startswith("vote:")]  # votes come last
    assert own[-1].label == more
