"""What a quiz looks like: a question with its buttons, the verdict, the score.

Pure functions from quiz state to :class:`~bot.model.Reply`; the quiz handler decides
what happens, these decide how it reads, in the pack's language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from bot.flows import button
from bot.i18n import Texts
from bot.model import MessageRef, Reply
from storage.flows import Flow

INTENT = "quiz"
#: Choices longer than this are listed in the text and their buttons lettered.
BUTTON_TEXT = 60
LETTERS = "ABCDEF"


def meta(**values: Any) -> dict[str, Any]:
    """The machine-readable facts of a quiz reply (logs, ``--json``)."""
    return {"intent": INTENT, "confidence": 1.0, **values}


def question_reply(
    flow: Flow,
    texts: Texts,
    *,
    reminder: bool = False,
    personal: bool = False,
    footer: str = "",
) -> Reply:
    """The flow's current question, with one button per choice.

    Choices too long for a button (a response to an objection) are listed in the text
    as A, B, C…, and their buttons say only the letter.

    Args:
        flow: The quiz.
        texts: Texts in the pack's language.
        reminder: Say first that the last message was no answer.
        personal: The buttons are answered to the clicker alone (a live quiz).
        footer: A last line (a live quiz's deadline).
    """
    data = flow.data
    index = int(data["index"])
    question: Mapping[str, Any] = data["questions"][index]
    choices = [str(c) for c in question["choices"]]
    lines = [
        texts("play.question", number=index + 1, total=len(data["questions"])),
        str(question["prompt"]),
    ]
    labels = choices
    if any(len(c) > BUTTON_TEXT for c in choices):
        labels = list(LETTERS[: len(choices)])
        lines += [f"{letter}. {choice}" for letter, choice in zip(labels, choices, strict=True)]
    if reminder:
        lines.insert(0, texts("play.reminder", count=len(choices)))
    if footer:
        lines.append(footer)
    buttons = (button(flow, label, str(k)) for k, label in enumerate(labels))
    return Reply(
        text="\n".join(lines),
        choices=tuple(dataclasses.replace(b, personal=personal) for b in buttons),
        meta=meta(question=question["id"]),
    )


def verdict_reply(
    question: Mapping[str, Any],
    *,
    picked: int,
    number: int,
    total: int,
    texts: Texts,
    replaces: MessageRef | None,
) -> Reply:
    """The answered question: what was picked, the right answer, why; no buttons."""
    choices: Sequence[str] = question["choices"]
    right = int(question["answer"])
    lines = [
        texts("play.question", number=number, total=total),
        str(question["prompt"]),
        texts("play.picked", choice=choices[picked]),
    ]
    if picked == right:
        lines.append(texts("play.right"))
    else:
        lines.append(texts("play.wrong", answer=choices[right]))
    lines.append(str(question["explanation"]))
    return Reply(
        text="\n".join(lines),
        replaces=replaces,
        meta=meta(question=question["id"], correct=picked == right),
    )


def score_reply(
    *,
    right: int,
    asked: int,
    practise: Sequence[str],
    texts: Texts,
    track_done: bool,
) -> Reply:
    """The end of a quiz: the score as ``right/asked`` and what to practise next."""
    lines = [texts("play.score", right=right, asked=asked)]
    if practise:
        lines.append(texts("play.practise", personas=", ".join(practise)))
    else:
        lines.append(texts("play.all_right"))
    if track_done:
        lines.append(texts("play.track_done"))
    lines.append(texts("play.next"))
    return Reply(text="\n".join(lines), meta=meta(right=right, asked=asked, completed=True))
