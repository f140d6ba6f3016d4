"""A card that leaves something out can be expanded: "Show more", typed or picked."""

from __future__ import annotations

from pathlib import Path

import pytest
from testbot import BotUnderTest, MakeBot

from bot.model import Card, Choice

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "packs"


def content_choices(card: Card) -> list[Choice]:
    """A card's own buttons, without the Helpful / Not helpful votes every answer has."""
    return [c for c in card.choices if not c.value.startswith("vote:")]


def test_a_cut_card_says_so_and_offers_show_more_last(bot: BotUnderTest) -> None:
    card = bot.ask("who is Oskar?").cards[0]
    oskar = bot.app.catalog.persona("operations-director-oskar")
    assert oskar is not None and len(oskar.goals) > 3
    assert "…and 2 more" in bot.card_text(bot.ask("who is Oskar?"))
    assert content_choices(card)[-1].label == "Show more"  # then only the vote buttons
    assert "[4] Show more" in bot.out.getvalue()


@pytest.mark.parametrize("typed", ["show more", "Show more", "SHOW MORE", "4"])
def test_typing_show_more_expands_the_card_just_shown(bot: BotUnderTest, typed: str) -> None:
    bot.ask("who is Oskar?")
    full = bot.ask(typed)
    assert full.meta["intent"] == "persona"
    assert full.meta["persona"] == "operations-director-oskar"
    shown = bot.card_text(full)
    oskar = bot.app.catalog.persona("operations-director-oskar")
    assert oskar is not None
    assert all(goal in shown for goal in oskar.goals)
    assert all(pain in shown for pain in oskar.pains)
    assert all(item in shown for item in oskar.decision_criteria + oskar.triggers)
    assert oskar.value_proposition and oskar.value_proposition in shown
    assert all(e.source in shown for e in oskar.evidence)
    assert "…and" not in shown
    # Every objection is a choice now, and nothing is left to show.
    assert [c.value for c in content_choices(full.cards[0])] == [
        f"objection:{oskar.id}/{o.id}" for o in oskar.objections
    ]


def test_a_number_picks_an_objection_of_the_full_card(bot: BotUnderTest) -> None:
    bot.ask("who is Oskar?")
    bot.ask("show more")
    oskar = bot.app.catalog.persona("operations-director-oskar")
    assert oskar is not None
    picked = bot.ask("6")
    assert picked.meta["objection"] == oskar.objections[5].id


def test_show_more_with_nothing_cut_says_so_instead_of_answering_a_question(
    bot: BotUnderTest,
) -> None:
    bot.ask("the technicians say they'll never use an app")  # an objection: nothing cut
    reply = bot.ask("show more")
    assert reply.text.startswith("There is nothing more to show here.")
    assert not reply.cards and reply.meta["intent"] == "unknown"


def test_show_more_survives_a_restart(make_bot: MakeBot) -> None:
    make_bot().ask("who is Frida?")
    again = make_bot()  # a new process on the same database
    full = again.ask("show more")
    frida = again.app.catalog.persona("cfo-frida")
    assert frida is not None and full.meta["persona"] == "cfo-frida"
    assert all(item in again.card_text(full) for item in frida.motivations)


# The card's "Show more" in each pack language, typed as shown on the card.
SHOW_MORE = [
    ("da", "vis mere", "hvem er Mette?"),
    ("nb", "vis mer", "hvem er Kari?"),
    ("sv", "visa mer", "vem är Elin?"),
    ("de", "mehr anzeigen", "wer ist Jens?"),
    ("fr", "voir plus", "qui est Claire ?"),
]


@pytest.mark.parametrize(("language", "typed", "who"), SHOW_MORE)
def test_show_more_in_every_language(
    make_bot: MakeBot, language: str, typed: str, who: str
) -> None:
    bundled = ROOT / "content" / "example_packs" / language
    bot = make_bot(content=bundled if bundled.is_dir() else FIXTURES / language)
    card = bot.ask(who)
    assert card.meta["intent"] == "persona"
    if content_choices(card.cards[0])[-1].value.endswith("/full"):
        full = bot.ask(typed)
        assert full.meta["persona"] == card.meta["persona"]
        assert len(bot.card_text(full)) > len(bot.card_text(card))
    else:  # nothing was cut: the typed words are recognised all the same
        assert not bot.ask(typed).cards


def test_also_heard_from_choices_say_whose_answer_they_open(bot: BotUnderTest) -> None:
    reply = bot.ask("Frida says it's too expensive")
    choices = content_choices(reply.cards[0])
    assert choices[0].label == "Who is CFO Frida?"
    assert [(c.label, c.value) for c in choices[1:]] == [
        (
            "How to answer Operations Director Oskar on this",
            "objection:operations-director-oskar/price",
        )
    ]
    picked = bot.ask("How to answer Operations Director Oskar on this")
    assert picked.meta["persona"] == "operations-director-oskar"
    assert picked.meta["objection"] == "price"
