"""A form past every platform limit still renders as something Slack and Teams accept.

Long titles, labels and hints, 120 options, a pre-filled text of 5,000 characters and
an option value Slack cannot carry: the Slack modal passes the fake's ``views.open``
checks (Slack's own limits) and the Teams card the Adaptive Card 1.5 schema.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fake_slack import FakeSlack

from bot.adapters.slack import modal
from bot.adapters.teams.form_cards import form_card, html_text, submitted
from bot.forms import from_data, problems, refilled, to_data
from bot.i18n import Texts
from bot.model import Choice, ConversationRef, Form, FormField

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "teams"))
from cards import validate_adaptive_card  # noqa: E402 - the Teams tests' schema check

TEXTS = Texts(language="en")
HUGE = Form(
    action="huge:submit",
    title="A title far longer than the twenty-four characters Slack shows",
    submit="A submit label that is much too long for Slack",
    intro="Intro " * 800,
    fields=(
        FormField(name="text", label="L" * 2500, hint="H" * 2500, value="v" * 5000),
        FormField(
            name="pick",
            label="Pick",
            kind="choice",
            options=(
                *(Choice(label=f"Option {i} " + "x" * 80, value=f"o{i}") for i in range(120)),
                Choice(label="Too long a value", value="v" * 151),
            ),
            value="o7",
            required=True,
        ),
        FormField(
            name="capped", label="Capped", kind="multiline", max_length=10, value="12345678901"
        ),
    ),
)


def test_the_slack_modal_keeps_within_slacks_limits() -> None:
    where = ConversationRef(platform="slack", id="D1", opaque={"team_id": "T1"})
    view = modal.view(HUGE, texts=TEXTS, text="Some text", answer_in=where)
    answer = FakeSlack()._view({"view": view})
    assert answer["ok"], answer
    assert len(view["title"]["text"]) == 24 and view["title"]["text"].endswith("…")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    options = blocks["pick"]["element"]["options"]
    assert len(options) == 100 and blocks["pick"]["element"]["initial_option"]["value"] == "o7"
    assert blocks["capped"]["element"]["initial_value"] == "1234567890"
    shown = modal.errors({"pick": "No.", "gone": "About no field."}, view)
    assert shown == {"pick": "No.", "text": "About no field."}  # under the first input
    action, answer_in = modal.read_metadata(view)
    assert action == "huge:submit" and answer_in is not None and answer_in["id"] == "D1"


def test_the_teams_card_is_valid_adaptive_card_1_5() -> None:
    errors = {"text": "Wrong <at>x</at>", "elsewhere": "About no field"}
    card = form_card(HUGE, texts=TEXTS, text="Some text", errors=errors)
    assert validate_adaptive_card(card) == []
    assert card["body"][-1]["text"] == "About no field"  # shown, though no field has it


def test_values_round_trip_and_checks_are_generic() -> None:
    assert from_data(to_data(HUGE)) == HUGE
    again = refilled(HUGE, {"text": "typed", "nosuch": "x"})
    assert again.fields[0].value == "typed" and again.fields[1:] == HUGE.fields[1:]
    found = problems(HUGE, {"text": "", "pick": "nope", "capped": "12345678901"}, texts=TEXTS)
    assert found == {
        "pick": "Please pick one of the options.",
        "capped": "Please keep this to 10 characters (it has 11).",
    }
    data = {"personabot": "a:b", "personabot_form": ["x", "y"], "personabot_field:x": 3}
    assert submitted(data) == ("a:b", {"x": "3", "y": ""})
    assert html_text("<p>a&nbsp;<b>b</b></p><p>&lt;c&gt;</p>") == "a b <c>"
