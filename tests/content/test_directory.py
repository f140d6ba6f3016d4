"""Asking which personas exist, and asking who someone is that the pack does not have.

``intent == "directory"`` for "list personas" and its kind in all six languages;
``intent == "unknown"`` with ``missing`` set to the name asked for, as typed, when a
who-is question names nobody in the pack.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from generated import danish, english

from content.loader import load_pack
from content.retrieval import Retriever

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "packs"


@cache
def bundled() -> Retriever:
    pack = load_pack(ROOT / "content" / "example_pack")
    return Retriever(personas=pack.personas, language=pack.language)


@cache
def fixture(language: str) -> Retriever:
    pack = load_pack(FIXTURES / language)
    return Retriever(personas=pack.personas, language=pack.language)


@cache
def made_up(language: str) -> Retriever:
    personas = english() if language == "en" else danish()
    return Retriever(personas=personas, language=language)


def retriever(where: str) -> Retriever:
    if where == "bundled":
        return bundled()
    kind, _, language = where.partition("-")
    return made_up(language) if kind == "made" else fixture(language)


DIRECTORY = {
    "bundled": [
        "personas",
        "list personas",
        "list all personas",
        "who are your personas?",
        "show me the personas",
        "which personas do you have",
        "What personas are there?",
        "tell me about the personas",
        "Personas?",
    ],
    "made-en": ["list all the personas please", "which personas do you know", "personas"],
    "made-da": [
        "personaer",
        "hvilke personaer har du?",
        "vis mig personaerne",
        "list alle personaer",
        "hvem er jeres personaer?",
        "Personaerne",
    ],
    "fixture-de": [
        "Personas",
        "welche Personas gibt es?",
        "zeig mir die Personas",
        "Liste der Personas",
    ],
    "fixture-fr": ["personas", "quelles sont les personas ?", "montre-moi les personas"],
    "fixture-nb": ["personaer", "hvilke personaer har du?", "vis meg personaene"],
    "fixture-sv": ["personas", "vilka personas finns det?", "visa alla personas"],
}


@pytest.mark.parametrize(
    ("where", "text"), [(w, t) for w, texts in DIRECTORY.items() for t in texts]
)
def test_asking_which_personas_exist_is_a_directory_question(where: str, text: str) -> None:
    got = retriever(where).understand(text)
    assert got.intent == "directory", got
    assert got.missing is None


NOT_DIRECTORY = {
    # A persona, a field or a topic makes it a question about that, not the list.
    "bundled": [
        ("which persona worries about price?", None),
        ("what are the personas' goals?", None),
        ("personas frida", "persona"),
    ],
    "made-da": [("hvilke personaer synes det er for dyrt?", None), ("personaen Gorm", "persona")],
}


@pytest.mark.parametrize(
    ("where", "text", "intent"),
    [(w, t, i) for w, rows in NOT_DIRECTORY.items() for t, i in rows],
)
def test_a_question_about_something_else_is_not_the_directory(
    where: str, text: str, intent: str | None
) -> None:
    got = retriever(where).understand(text)
    assert got.intent != "directory", got
    if intent is not None:
        assert got.intent == intent, got


MISSING = {
    "bundled": [
        ("who is the ceo?", "ceo"),
        ("who is Ib?", "Ib"),
        ("Who's the head of sales?", "head of sales"),
        ("tell me about Gunnhild", "Gunnhild"),
    ],
    "made-en": [("who is Frida?", "Frida"), ("who's the CFO", "CFO")],
    "made-da": [("hvem er Bente?", "Bente"), ("hvem er direktøren", "direktøren")],
    "fixture-de": [("Wer ist der Geschäftsführer?", "Geschäftsführer")],
    "fixture-sv": [("vem är Ingrid?", "Ingrid")],
}


@pytest.mark.parametrize(
    ("where", "text", "missing"), [(w, t, m) for w, rows in MISSING.items() for t, m in rows]
)
def test_who_is_a_name_the_pack_lacks_says_which_name(where: str, text: str, missing: str) -> None:
    got = retriever(where).understand(text)
    assert (got.intent, got.persona_id, got.objection_id) == ("unknown", None, None), got
    assert got.missing == missing


KNOWN = {
    "bundled": [
        ("who is frida?", "cfo-frida"),
        ("who is the cfo", "cfo-frida"),
        ("who is bjorn", "it-manager-bjorn"),
    ],
    "made-en": [("who is Wilma?", "lab-manager-wilhelmina"), ("who's Okonkwo", None)],
    "made-da": [("hvem er Gorm?", "driftsleder-gorm"), ("hvem er bogholderen", None)],
}


@pytest.mark.parametrize(
    ("where", "text", "persona"), [(w, t, p) for w, rows in KNOWN.items() for t, p in rows]
)
def test_who_is_a_known_persona_misses_nothing(where: str, text: str, persona: str | None) -> None:
    got = retriever(where).understand(text)
    assert got.intent == "persona", got
    assert got.missing is None
    if persona is not None:
        assert got.persona_id == persona


def test_an_unanswered_question_that_is_no_who_question_misses_no_name() -> None:
    for text in ("when is lunch?", "the customer says it is too expensive", "what is 2+2"):
        assert bundled().understand(text).missing is None, text
