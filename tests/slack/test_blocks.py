"""Block Kit rendering never breaks one of Slack's limits, whatever the content."""

from __future__ import annotations

import json

from bot.adapters.slack.blocks import MORE, more_button, render, render_more
from bot.adapters.slack.mrkdwn import escape, to_plain
from bot.i18n import Texts
from bot.model import Card, Choice, Field, Reply

TEXTS = Texts(language="en")


def limits_hold(blocks: list[dict]) -> None:  # type: ignore[type-arg]
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "context":
            assert all(len(e["text"]) <= 2000 for e in block["elements"])
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75
                assert len(button["value"]) <= 2000
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids))  # Slack rejects duplicate action ids in a message


def test_a_card_with_too_much_of_everything_fits_and_keeps_the_rest() -> None:
    card = Card(
        title="T" * 400,
        subtitle="s" * 3000,
        badges=("Review overdue",),
        fields=tuple(Field(label=f"Field {i}", text="word " * 900) for i in range(70)),
        footer="f" * 5000,
        choices=tuple(Choice(label="L" * 120, value=f"persona:{i}") for i in range(40)),
    )
    rendered = render(Reply(text="x" * 10_000, cards=(card,)), texts=TEXTS)
    assert rendered.overflow  # what did not fit is kept for "Show more"...
    limits_hold([*rendered.blocks, more_button("t", texts=TEXTS)])  # ...its button included
    buttons = [e for b in rendered.blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 40  # every choice is still a button
    for message in render_more(rendered.overflow, texts=TEXTS):
        limits_hold(message.blocks)
    shown = json.dumps(rendered.blocks) + json.dumps(
        [m.blocks for m in render_more(rendered.overflow, texts=TEXTS)]
    )
    assert "Field 69" in shown  # nothing is lost between the card and "Show more"


def test_the_more_button_carries_its_token() -> None:
    block = more_button("abc", texts=TEXTS)
    (button,) = block["elements"]
    assert button["value"] == MORE + "abc" and button["text"]["text"] == "Show more"


def test_user_and_pack_text_is_escaped_everywhere() -> None:
    nasty = "<!channel> <@U123> <https://x|y> & more"
    card = Card(
        title=nasty, subtitle=nasty, fields=(Field(label=nasty, text=nasty, items=(nasty,)),)
    )
    rendered = render(Reply(text=nasty, cards=(card,)), texts=TEXTS)
    mrkdwn = [b["text"]["text"] for b in rendered.blocks if b["type"] == "section"] + [
        e["text"] for b in rendered.blocks if b["type"] == "context" for e in b["elements"]
    ]
    assert mrkdwn and all("<!channel>" not in t and "<@U123>" not in t for t in mrkdwn)
    assert all("&lt;!channel&gt;" in t for t in mrkdwn)
    assert escape("a & b <c>") == "a &amp; b &lt;c&gt;"


def test_slack_markup_becomes_plain_words_for_the_core() -> None:
    text = "<@U0BOT> who is <@U1|ib>? see <#C1|sales> &amp; <https://x.example|this> <!here>"
    assert to_plain(text, bot_user_id="U0BOT") == "who is @ib? see #sales & this @here"
