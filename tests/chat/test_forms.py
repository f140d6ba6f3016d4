"""Forms in the console: each field asked in turn, defaults kept, refusals asked again.

A test-only handler (``tests/fakes/form_handler.py``) answers ``testform`` with a form
(one line, multiline, a choice) and stores what is submitted; the console is the real
one, reading the answers from the same input as the chat.
"""

from __future__ import annotations

import io
import json

import pytest
from fakes.form_handler import REFUSED, SUMMARY_MAX, TITLE, TWO_STEPS, TestForms
from testbot import BotUnderTest

from bot.console import ConsoleBot


@pytest.fixture
def forms(bot: BotUnderTest) -> TestForms:
    handler = TestForms(texts=bot.app.texts)
    handler.install(bot.app.router)
    return handler


def values(handler: TestForms) -> list[dict[str, str]]:
    return [s.values for s in handler.stored]


def test_each_field_is_asked_with_its_default_and_the_form_is_submitted(
    bot: BotUnderTest, forms: TestForms
) -> None:
    bot.console.run(["testform", "Price is fine now", "", "2", "who is Oskar?"])
    assert values(forms) == [{"summary": "Price is fine now", "details": "", "kind": "goal"}]
    out = bot.out.getvalue()
    assert out.index("Please fill in the test form.") < out.index(f"== {TITLE} ==")
    assert "Type stop to cancel." in out
    assert "Summary (required)\n  One line the owners read first\nDetails" in out  # piped
    assert "Details (optional: Enter leaves it empty)\nKind" in out
    assert "Kind (required)\n  [1] Pain\n  [2] Goal\n  [3] Something else entirely\n" in out
    assert "Enter keeps: Pain" in out
    assert "Stored test feedback #1: Price is fine now" in out
    # The chat goes on after the form: the next line is a question again.
    assert "Operations Director Oskar" in out.split("Stored test feedback #1")[1]


def test_enter_keeps_the_pre_selected_option_and_a_label_or_value_picks_one(
    bot: BotUnderTest, forms: TestForms
) -> None:
    bot.console.run(
        ["testform", "one", "two", "", "testform", "three", "", "something else entirely"]
    )
    assert values(forms) == [
        {"summary": "one", "details": "two", "kind": "pain"},
        {"summary": "three", "details": "", "kind": "other"},
    ]


def test_a_refused_answer_is_asked_again_with_the_reason(
    bot: BotUnderTest, forms: TestForms
) -> None:
    lines = ["testform", "", "x" * (SUMMARY_MAX + 1), "Now filled", "details", "9", "goal"]
    bot.console.run(lines)
    out = bot.out.getvalue()
    assert "! Please fill this in.\nSummary (required)" in out
    assert f"! Please keep this to {SUMMARY_MAX} characters (it has {SUMMARY_MAX + 1})." in out
    assert "! Type the number of an option.\nKind (required)" in out
    assert values(forms) == [{"summary": "Now filled", "details": "details", "kind": "goal"}]


def test_what_the_handler_refuses_is_asked_again_alone(bot: BotUnderTest, forms: TestForms) -> None:
    bot.console.run(["testform", REFUSED, "kept details", "1", "accepted"])
    out = bot.out.getvalue()
    assert "! That summary is refused.\nSummary (required)" in out
    after = out.split("That summary is refused.")[1]
    assert "Details (" not in after and "Kind (" not in after  # only the refused field
    assert values(forms) == [{"summary": "accepted", "details": "kept details", "kind": "pain"}]


@pytest.mark.parametrize(
    "lines",
    [
        ["testform", "", ""],  # a required field left empty twice
        ["testform", "summary", "stop"],  # stop, in the pack's words
        ["testform", "summary", "details", *["nine"] * 5],  # no such option, five times
        ["testform", "summary"],  # the input ends
    ],
)
def test_a_form_is_cancelled_cleanly(bot: BotUnderTest, forms: TestForms, lines: list[str]) -> None:
    bot.console.run([*lines, "who is Oskar?"])
    out = bot.out.getvalue()
    assert forms.stored == []
    assert "Cancelled: nothing was sent." in out
    if len(lines) > 2 or lines[-1] != "summary":
        assert "Operations Director Oskar" in out.split("Cancelled")[1]


def test_json_lines_ask_each_field_as_one_object(bot: BotUnderTest, forms: TestForms) -> None:
    out = io.StringIO()
    console = ConsoleBot(router=bot.app.router, out=out, json_lines=True)
    console.run(["testform", "from a script", "", "goal"])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    reply, *questions, stored = lines
    assert reply["form"]["action"] == "testform:submit"
    assert [f["name"] for f in reply["form"]["fields"]] == ["summary", "details", "kind"]
    assert [q["form_field"] for q in questions] == ["summary", "details", "kind"]
    assert questions[2]["options"][1] == {"label": "Goal", "value": "goal"}
    assert questions[2]["value"] == "pain" and questions[0]["required"] is True
    assert "Stored test feedback #1: from a script" in stored["text"]
    assert values(forms) == [{"summary": "from a script", "details": "", "kind": "goal"}]


def test_a_second_form_is_asked_after_the_first(bot: BotUnderTest, forms: TestForms) -> None:
    bot.console.run(["testform", TWO_STEPS, "", "", "", "budgets"])
    out = bot.out.getvalue()
    assert "One more thing." in out and "Why does it matter? (required)" in out
    assert "! Please fill this in.\nWhy does it matter?" in out
    assert values(forms) == [{"why": "budgets"}]


def test_a_terminal_marks_where_to_type(bot: BotUnderTest, forms: TestForms) -> None:
    bot.console.run(["testform", "typed", "", ""], prompt="you> ")
    out = bot.out.getvalue()
    assert "Summary (required)\n  One line the owners read first\n> " in out
    assert "Details (optional: Enter leaves it empty)\n> " in out
    assert values(forms) == [{"summary": "typed", "details": "", "kind": "pain"}]
