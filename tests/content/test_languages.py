"""Typical questions in every pack language are understood.

One table per language, written the way sellers type in Slack: inflected and genitive
forms of aliases, informal phrasing, typos, missing diacritics, and questions that have
nothing to do with personas. English and Danish use the dev packs in
``shared/eval/dev``; the other languages use the small packs in ``tests/fixtures/packs``.

Rows marked ``known_bug`` fail because of the retrieval code, not the lexicon; they are
strict xfails so they start failing loudly once the bug is fixed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from content.lexicon import lexicon
from content.loader import load_pack
from content.retrieval import Retriever
from content.schema import Pack

DEV = Path(__file__).parents[2].parent / "shared" / "eval" / "dev"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "packs"
LEXICONS = Path(__file__).parents[2] / "content" / "lexicon"

PACKS = {
    "en": DEV / "pack-en",
    "da": DEV / "pack-da",
    "nb": FIXTURES / "nb",
    "sv": FIXTURES / "sv",
    "de": FIXTURES / "de",
    "fr": FIXTURES / "fr",
}

PERSONA, OBJECTION, UNKNOWN = "persona", "objection", "unknown"

# Known retrieval bugs (see the report that came with these tests); none open now (the
# lexicons' concepts fixed "nytår" vs "årsskiftet").


def q(
    text: str,
    intent: str,
    persona: str | None = None,
    objection: str | None = None,
    *,
    field: str | None = None,
    known_bug: str | None = None,
) -> pytest.param:
    """One row: the question, what it is (persona/objection None = any), an asked field."""
    marks = [pytest.mark.xfail(reason=known_bug, strict=True)] if known_bug else []
    return pytest.param(text, intent, persona, objection, field, marks=marks, id=text)


QUESTIONS = {
    "en": [
        q("what are the CFO's goals?", PERSONA, "cfo-camilla", field="goals"),
        q("who's the head of IT?", PERSONA, "it-manager-ib"),
        q("what are Maria's biggest pains?", PERSONA, "marketing-manager-maria", field="pains"),
        q(
            "customer says its way too expensive for a crm, what do i say",
            OBJECTION,
            objection="price",
        ),
        q(
            "the it guy is worried our data ends up on american servers",
            OBJECTION,
            "it-manager-ib",
            "data-residency",
        ),
        q(
            "prospect wants to wait until after summer, how do i hanlde that",
            OBJECTION,
            objection="timing",
        ),
        q("whats for lunch today?", UNKNOWN),
        q("when are the summer holidays?", UNKNOWN),
    ],
    "da": [
        q("hvad er bogholderens mål?", PERSONA, "bogholder-bente", field="goals"),
        q("hvem er ejerlederen?", PERSONA, "ejerleder-erik"),
        q("hvad er Eriks største udfordringer?", PERSONA, "ejerleder-erik", field="pains"),
        q("kunden synes det er alt for dyrt, hvad svarer jeg", OBJECTION, objection="pris"),
        q(
            "bogholderen er nervos for at lønnen bliver forkert når de skifter",
            OBJECTION,
            "bogholder-bente",
            "skifte-risiko",
        ),
        q(
            "kan vi intergrere med e-conomic? kunden gider ikke taste to gange",
            OBJECTION,
            objection="integration",
        ),
        q(
            "kunden vil først skifte efter nytår, hvordan takler jeg det?",
            OBJECTION,
            objection="tidspunkt",
        ),
        q("hvad er koden til wifi?", UNKNOWN),
        q("hvad skal vi have til frokost?", UNKNOWN),
    ],
    "nb": [
        q("hvem er økonomisjefen?", PERSONA, "okonomisjef-oyvind"),
        q("hva er butikksjefens største utfordringer?", PERSONA, "butikksjef-berit", field="pains"),
        q("hva er målene til Øyvind?", PERSONA, "okonomisjef-oyvind", field="goals"),
        q("hva er Oyvind opptatt av?", PERSONA, "okonomisjef-oyvind", field="goals"),
        q(
            "kunden sier det blir for dyrt med alle deltidsansatte, hva svarer jeg?",
            OBJECTION,
            objection="pris",
        ),
        q(
            "butikksjefen er nervos for at de eldre ansatte ikke klarer appen",
            OBJECTION,
            "butikksjef-berit",
            "adopsjon",
        ),
        q(
            "kunden vil ikke binde seg i tre år, hvordan takler jeg det",
            OBJECTION,
            objection="bindingstid",
        ),
        q("kunden er redd for intergrasjonen mot lønn", OBJECTION, objection="integrasjon"),
        q(
            "hun er bekymret for hviletid og tillitsvalgte",
            OBJECTION,
            objection="arbeidsmiljoloven",
        ),
        q("når er julebordet?", UNKNOWN),
        q("hvor mange feriedager har jeg igjen?", UNKNOWN),
    ],
    "sv": [
        q("vilka är ekonomichefens mål?", PERSONA, "ekonomichef-elin", field="goals"),
        q("berätta om IT-chefen", PERSONA, "it-ansvarig-isak"),
        q("vad är Isaks största utmaningar?", PERSONA, "it-ansvarig-isak", field="pains"),
        q(
            "kunden tycker det är för dyrt per användare, vad svarar jag?",
            OBJECTION,
            objection="pris",
        ),
        q("IT-killen ar orolig att datan hamnar i usa", OBJECTION, objection="sakerhet"),
        q(
            "kunden säger att det bara blir dubbeljobb om det inte funkar med fortnox",
            OBJECTION,
            objection="integration",
        ),
        q(
            "it-chefen tycker intergrationer alltid går sönder",
            OBJECTION,
            "it-ansvarig-isak",
            "integration",
        ),
        q("kunden vill inte ha fler losenord att halla koll pa", OBJECTION, objection="inloggning"),
        q("när är det afterwork?", UNKNOWN),
        q("hur många semesterdagar har jag kvar?", UNKNOWN),
    ],
    "de": [
        q("Was sind die Ziele des Einkaufsleiters?", PERSONA, "einkaufsleiter-jens", field="goals"),
        q("Erzähl mir was über die Fuhrparkleiterin", PERSONA, "fuhrparkleiterin-sabine"),
        q("Was sind Sabines größte Probleme?", PERSONA, "fuhrparkleiterin-sabine", field="pains"),
        q("Was treibt den Einkaufsleiter an?", PERSONA, "einkaufsleiter-jens", field="motivations"),
        q("wer ist Jens?", PERSONA, "einkaufsleiter-jens"),
        q(
            "Kunde meint, das ist pro Fahrzeug viel zu teuer. Was sag ich?",
            OBJECTION,
            objection="preis",
        ),
        q(
            "der Betriebsrat wird das nie durchwinken, die Fahrer wollen nicht überwacht werden",
            OBJECTION,
            objection="datenschutz",
        ),
        q(
            "Sabine ist nervos wegen dem Einbau, die LKWs stehen dann tagelang still",
            OBJECTION,
            "fuhrparkleiterin-sabine",
            "einbau",
        ),
        q(
            "Jens will keine Vertragslauftzeit von 5 Jahren",
            OBJECTION,
            "einkaufsleiter-jens",
            "vertragslaufzeit",
        ),
        q("Die Fahrer haben kein Bock auf ne neue App", OBJECTION, objection="fahrer-akzeptanz"),
        q("Wann ist die Weihnachtsfeier?", UNKNOWN),
        q("Wie lautet das WLAN-Passwort?", UNKNOWN),
    ],
    "fr": [
        q("Quels sont les objectifs de la DAF ?", PERSONA, "daf-claire", field="goals"),
        q("C'est quoi les galères du comptable ?", PERSONA, "comptable-julien", field="pains"),
        q("parle-moi de Julien", PERSONA, "comptable-julien"),
        q(
            "c'est quoi l'objectif principal de Julien ?",
            PERSONA,
            "comptable-julien",
            field="goals",
        ),
        q("le client dit que c'est trop cher, je réponds quoi ?", OBJECTION, objection="prix"),
        q(
            "la DAF préfère attendre 2027 pour la réforme, on verra à ce moment-là",
            OBJECTION,
            "daf-claire",
            "calendrier-reforme",
        ),
        q(
            "le comptable est inquiet, il a peur de perdre la main sur ses ecritures",
            OBJECTION,
            "comptable-julien",
            "controle",
        ),
        q(
            "le prospect demande si ça marche avec Sage, il veut pas tout ressaisir",
            OBJECTION,
            objection="integration",
        ),
        q(
            "le client s'inquiète de l'intégration",
            OBJECTION,
            objection="integration",
        ),
        q("on mange où ce midi ?", UNKNOWN),
        q("c'est quoi le code wifi ?", UNKNOWN),
    ],
}


@cache
def _pack(language: str) -> Pack:
    path = PACKS[language]
    if not path.is_dir():
        pytest.skip(f"{path} is not here")
    return load_pack(path)


@cache
def _retriever(language: str) -> Retriever:
    pack = _pack(language)
    return Retriever(personas=pack.personas, language=pack.language)


@pytest.mark.parametrize(
    ("language", "text", "intent", "persona", "objection", "field"),
    [
        pytest.param(language, *row.values, marks=row.marks, id=f"{language}: {row.id}")
        for language, rows in QUESTIONS.items()
        for row in rows
    ],
)
def test_question_is_understood(
    language: str,
    text: str,
    intent: str,
    persona: str | None,
    objection: str | None,
    field: str | None,
) -> None:
    got = _retriever(language).understand(text)
    seen = (got.intent, got.persona_id, got.objection_id, got.fields, got.confidence)
    if intent == UNKNOWN:
        assert got.intent in (UNKNOWN, "help"), seen
        return
    assert got.intent == intent, seen
    if persona is not None:
        assert got.persona_id == persona, seen
    if objection is not None:
        assert got.objection_id == objection, seen
    if field is not None:
        assert field in got.fields, seen


@pytest.mark.parametrize("language", ["nb", "sv", "de", "fr"])
def test_fixture_pack_is_realistic(language: str) -> None:
    pack = _pack(language)
    assert pack.language == language
    assert len(pack.personas) == 2
    for persona in pack.personas:
        assert 3 <= len(persona.objections) <= 4, persona.id
    first, second = ({o.id for o in p.objections} for p in pack.personas)
    assert first & second, "the two personas share no objection id"


@pytest.mark.parametrize("language", list(PACKS))
def test_lexicon_has_the_english_lists(language: str) -> None:
    path = LEXICONS / f"{language}.yaml"
    assert path.is_file(), "no lexicon: questions would be read with the English one"
    english = yaml.safe_load((LEXICONS / "en.yaml").read_text(encoding="utf-8"))
    own = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(own) == set(english)
    assert set(own["fields"]) == set(english["fields"])
    lists = [v for k, v in own.items() if k != "fields"] + list(own["fields"].values())
    # Unquoted YAML 1.1 words like French "on" load as booleans, not text.
    assert [w for words in lists for w in words if not isinstance(w, str)] == []
    lex = lexicon(language)
    assert all([lex.buyer, lex.filler, lex.who, lex.says, lex.help])
    assert all(lex.fields.values())
