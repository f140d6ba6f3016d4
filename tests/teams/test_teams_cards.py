"""Adaptive Card rendering of the core's replies: schema-valid, escaped, under 28 KB."""

from __future__ import annotations

import json

from cards import assert_valid_card
from fake_connector import MAX_ACTIVITY_BYTES

from bot.adapters.teams.cards import (
    CARD_BUDGET,
    DATA_KEY,
    MORE,
    escape,
    more_action,
    render,
    render_more,
    size,
)
from bot.i18n import Texts
from bot.model import Card, Choice, Field, Reply

TEXTS = Texts(language="en")


def persona_reply() -> Reply:
    return Reply(
        text="Here is who that is.",
        cards=(
            Card(
                title="CFO Frida",
                subtitle="Chief Financial Officer · Decision-maker",
                badges=("Review overdue",),
                fields=(
                    Field(label="Summary", text="Owns the budget.\nHates surprises."),
                    Field(label="Goals", items=("Predictable costs", "Fewer tools")),
                ),
                footer="Owner: frida.owner@fieldline.example",
                choices=(Choice(label="Too expensive", value="objection:cfo-frida/price"),),
            ),
        ),
        choices=(Choice(label="Who is Oskar?", value="persona:operations-director-oskar"),),
    )


def texts_of(card: dict) -> str:  # type: ignore[type-arg]
    return "\n".join(e.get("text", "") for e in card["body"])


def test_a_persona_card_is_a_valid_adaptive_card_with_submit_buttons() -> None:
    rendered = render(persona_reply(), texts=TEXTS)
    card = rendered.card
    assert_valid_card(card)
    assert card["version"] == "1.5" and rendered.overflow == []
    shown = texts_of(card)
    assert "CFO Frida" in shown and "Review overdue" in shown and "Predictable costs" in shown
    action_sets = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert action_sets[0]["actions"][0] == {
        "type": "Action.Submit",
        "title": "Too expensive",
        "data": {DATA_KEY: "objection:cfo-frida/price"},
    }
    assert card["actions"][0]["data"] == {DATA_KEY: "persona:operations-director-oskar"}
    assert rendered.summary == "Here is who that is."


def test_user_and_pack_text_cannot_inject_links_mentions_or_lists() -> None:
    hostile = "[click](https://evil.example) <at>Boss</at> **bold** _it_\n- item\n1. first\n# h"
    escaped = escape(hostile)
    assert "\\[click\\](https://evil.example)" in escaped
    assert "<at>" not in escaped and "\\<at\\>" in escaped
    assert "\\*\\*bold\\*\\*" in escaped and "\\_it\\_" in escaped
    assert "\n\\- item" in escaped and "\n\\1. first" in escaped and "\n\\# h" in escaped
    card = render(Reply(text=hostile, cards=(Card(title=hostile),)), texts=TEXTS).card
    assert_valid_card(card)
    assert "<at>" not in json.dumps(card)


def test_a_huge_reply_is_cut_under_the_size_limit_and_the_rest_shown_on_demand() -> None:
    long_field = "Many words here, with ø and <tags> and *stars*. " * 60
    reply = Reply(
        text="x" * 20_000,
        cards=tuple(
            Card(title=f"Card {i}", fields=(Field(label="Long", text=long_field),))
            for i in range(20)
        ),
        choices=(Choice(label="Again", value="persona:x"),),
    )
    rendered = render(reply, texts=TEXTS)
    card = dict(
        rendered.card, actions=[*rendered.card["actions"], more_action("a" * 32, texts=TEXTS)]
    )
    assert_valid_card(card)
    assert size(card) <= CARD_BUDGET < MAX_ACTIVITY_BYTES - 2048
    assert rendered.overflow, "the rest is kept for Show more"
    assert card["actions"][-1]["data"][DATA_KEY] == MORE + "a" * 32
    assert "shortened" in texts_of(card)
    rest = render_more(rendered.overflow, texts=TEXTS)
    assert len(rest) >= 2
    for more in rest:
        assert_valid_card(more.card)
        assert size(more.card) <= CARD_BUDGET
    everything = "".join(texts_of(r.card) for r in rest)
    assert "Card 19" in everything


def test_an_empty_reply_still_renders_a_valid_card() -> None:
    assert_valid_card(render(Reply(), texts=TEXTS).card)


def test_a_full_card_keeps_every_choice_button() -> None:
    huge = Field(label="Long", text="Many words here. " * 2000)
    choices = tuple(Choice(label=f"Objection {i}", value=f"objection:p/{i}") for i in range(7))
    reply = Reply(cards=(Card(title="Full", fields=(huge, huge, huge), choices=choices),))
    rendered = render(reply, texts=TEXTS)
    assert rendered.overflow
    card = dict(rendered.card, actions=[more_action("a" * 32, texts=TEXTS)])
    assert_valid_card(card)
    assert size(card) <= CARD_BUDGET
    values = [
        a["data"][DATA_KEY] for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]
    ]
    assert values == [c.value for c in choices]
