"""The persona directory in the console: "which personas are there?" and unknown names."""

from __future__ import annotations

from pathlib import Path

import pytest
from testbot import BotUnderTest, MakeBot

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "packs"


def directory_lines(bot: BotUnderTest) -> list[tuple[str, str]]:
    """(name, what the directory must say about them) for every live persona."""
    return [(p.name, p.role) for p in bot.app.catalog.personas]


@pytest.mark.parametrize(
    "question",
    ["personas", "list personas", "who are your personas?", "Which personas do you have?"],
)
def test_asking_for_the_personas_lists_each_with_role_owner_and_a_choice(
    bot: BotUnderTest, question: str
) -> None:
    reply = bot.ask(question)
    assert reply.meta["intent"] == "directory"
    shown = bot.card_text(reply)
    for persona in bot.app.catalog.personas:
        assert persona.name in shown and persona.role in shown
        assert ", ".join(persona.owners) in shown
    (card,) = reply.cards
    assert [c.value for c in card.choices] == [f"persona:{p.id}" for p in bot.app.catalog.personas]
    assert [c.label for c in card.choices] == [
        f"Who is {p.name}?" for p in bot.app.catalog.personas
    ]


def test_the_console_numbers_the_personas_and_a_number_opens_one(bot: BotUnderTest) -> None:
    bot.ask("list personas")
    printed = bot.out.getvalue()
    names = [p.name for p in bot.app.catalog.personas]
    for number, name in enumerate(names, 1):
        assert f"[{number}] Who is {name}?" in printed
    picked = bot.ask("3")
    assert picked.meta["intent"] == "persona"
    assert picked.cards[0].title == names[2]


@pytest.mark.parametrize("question", ["who is Ib?", "who is the CEO?"])
def test_who_is_someone_the_pack_lacks_says_so_and_names_who_exists(
    bot: BotUnderTest, question: str
) -> None:
    reply = bot.ask(question)
    asked = question.removeprefix("who is ").removeprefix("the ").rstrip("?")
    assert reply.text.startswith(f"There is no persona called “{asked}”.")
    assert reply.meta["intent"] == "unknown" and reply.meta["persona"] is None
    shown = bot.card_text(reply)
    assert all(p.name in shown for p in bot.app.catalog.personas)
    assert len(reply.cards[0].choices) == len(bot.app.catalog.personas)


def test_a_known_persona_is_still_answered_with_their_card(bot: BotUnderTest) -> None:
    reply = bot.ask("who is Tuva?")
    assert reply.meta["intent"] == "persona" and reply.cards[0].title == "Team Lead Tuva"


# The directory question and an unknown name in each pack language.
LOCALES = [
    ("en", None, "list personas", "who is Bente?", "There is no persona called “Bente”"),
    ("da", "da", "hvilke personaer har du?", "hvem er Bente?", "Der er ingen persona"),
    ("nb", "nb", "vis meg personaene", "hvem er Bente?", "Det finnes ingen persona"),
    ("sv", FIXTURES / "sv", "vilka personas finns det?", "vem är Bente?", "Det finns ingen"),
    ("de", FIXTURES / "de", "welche Personas gibt es?", "wer ist Bente?", "Es gibt keine"),
    ("fr", FIXTURES / "fr", "quelles sont les personas ?", "qui est Bente ?", "Il n’y a pas"),
]


@pytest.mark.parametrize(("language", "pack", "listing", "stranger", "none"), LOCALES)
def test_the_directory_in_every_language(
    make_bot: MakeBot,
    language: str,
    pack: Path | str | None,
    listing: str,
    stranger: str,
    none: str,
) -> None:
    content = ROOT / "content" / "example_packs" / pack if isinstance(pack, str) else pack
    bot = make_bot(content=content)
    assert bot.app.pack.language == language
    listed = bot.ask(listing)
    assert listed.meta["intent"] == "directory"
    assert all(p.name in bot.card_text(listed) for p in bot.app.catalog.personas)
    unknown = bot.ask(stranger)
    assert unknown.text.startswith(none) and "Bente" in unknown.text
    assert len(unknown.cards[0].choices) == len(bot.app.catalog.personas)
