"""Forms in the console: each field asked in turn, the way a terminal can.

A text field shows its label (required or optional), its hint and its pre-filled value
("Enter keeps: …"); a choice field numbers its options and takes a number, an option's
label or its value. An empty answer keeps the pre-filled value; a required field left
empty, text over its length or an unknown option is asked again with the reason. A
required field left empty twice cancels the form (so do ``stop``, the end of input, and
five failed answers to one question).
A multiline field is one line here. With ``--json`` each question is one JSON line
(``{"form_field": name, "label", "kind", "options", "value", "required", "error"}``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping

from bot.forms import option_label, problems
from bot.i18n import Texts
from bot.model import Form, FormField

#: Empty answers to a required question before the form is cancelled.
MAX_EMPTY = 2
#: Failed answers of any kind to one question before the form is cancelled.
MAX_TRIES = 5


class Cancelled(Exception):
    """The user stopped the form (``stop``, the end of input, or too many failed tries)."""


class FormPrompter:
    """Asks a form's fields in a terminal.

    Args:
        texts: Texts in the pack's language.
        read: The next line the user typed; ``None`` at the end of input.
        write: Shows text to the user.
        json_lines: Ask each question as one JSON line instead of text.

    Attributes:
        marker: Ends each question where the user types (``"> "`` in a terminal); empty
            when the answers are piped in, so each question is a line of its own.
    """

    def __init__(
        self,
        *,
        texts: Texts,
        read: Callable[[], str | None],
        write: Callable[[str], None],
        json_lines: bool = False,
    ) -> None:
        self.texts = texts
        self.read = read
        self.write = write
        self.json_lines = json_lines
        self.marker = "> "
        self._stop = {w.casefold() for w in texts.words("commands.stop")}

    def fill(
        self,
        form: Form,
        *,
        errors: Mapping[str, str] | None = None,
        only: Collection[str] | None = None,
    ) -> dict[str, str]:
        """The values the user gives for ``form`` (every field, as submitted).

        Args:
            form: The form; each field's ``value`` is its pre-filled answer.
            errors: Messages to show before asking these fields again.
            only: Ask only these fields (the others keep their values).

        Raises:
            Cancelled: The user stopped, input ended, or a question kept failing.
        """
        errors = errors or {}
        if not self.json_lines and only is None:
            lines = [f"== {form.title} =="]
            lines += [form.intro] if form.intro.strip() else []
            self.write("\n".join([*lines, self.texts("forms.console_stop")]) + "\n")
        values = {item.name: item.value for item in form.fields}
        for item in form.fields:
            if only is not None and item.name not in only:
                continue
            values[item.name] = self._ask(item, error=errors.get(item.name))
        return values

    def _ask(self, item: FormField, *, error: str | None) -> str:
        tries = empty = 0
        while True:
            self._question(item, error)
            raw = self.read()
            if raw is None or " ".join(raw.casefold().split()).strip(" .!") in self._stop:
                raise Cancelled
            answer = self._answer(item, raw.strip())
            one = _single(item)
            error = (
                self.texts("forms.console_pick")
                if answer is None
                else problems(one, {item.name: answer}, texts=self.texts).get(item.name)
            )
            if error is None and answer is not None:
                return answer
            tries += 1
            empty += not raw.strip()
            if tries >= MAX_TRIES or empty >= MAX_EMPTY:
                raise Cancelled

    def _answer(self, item: FormField, typed: str) -> str | None:
        """What ``typed`` means for ``item`` (``None``: no such option)."""
        if not typed:
            return item.value
        if item.kind != "choice":
            return typed
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(item.options):
            return item.options[int(typed) - 1].value
        for option in item.options:
            if typed.casefold() in (option.label.casefold(), option.value.casefold()):
                return option.value
        return None

    def _question(self, item: FormField, error: str | None) -> None:
        if self.json_lines:
            question = {
                "form_field": item.name,
                "label": item.label,
                "kind": item.kind,
                "options": [{"label": o.label, "value": o.value} for o in item.options],
                "value": item.value,
                "required": item.required,
                "error": error,
            }
            self.write(json.dumps(question, ensure_ascii=False) + "\n")
            return
        need = self.texts("forms.console_required" if item.required else "forms.console_optional")
        lines = [f"! {error}"] if error else []
        lines.append(f"{item.label} ({need})")
        if item.hint:
            lines.append(f"  {item.hint}")
        lines += [f"  [{i}] {o.label}" for i, o in enumerate(item.options, 1)]
        if item.value:
            shown = option_label(item, item.value) if item.kind == "choice" else item.value
            lines.append("  " + self.texts("forms.console_keep", value=shown or item.value))
        self.write("\n".join(lines) + ("\n" + self.marker if self.marker else "\n"))


def _single(item: FormField) -> Form:
    """A form of ``item`` alone, to check one answer."""
    return Form(action="", title="", fields=(item,), submit="")
