"""A test-only form handler: proves the form machinery on every transport.

``testform`` (typed) and the ``testform`` shortcut (``testform:shortcut``) answer with
a form of three fields (one line, multiline pre-filled with the shortcut's message, a
choice); its submission (``testform:submit``) is checked like a real handler checks
(required, length, option) and stored in :attr:`TestForms.stored`, which tests read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.forms import problems, refilled
from bot.i18n import Texts
from bot.model import Choice, Form, FormField, Incoming, Reply
from bot.router import Router

PREFIX = "testform"
SUBMIT = f"{PREFIX}:submit"
#: Longer than Slack's 24 characters: the modal's title is cut.
TITLE = "Tell the persona owners what you heard"
INTRO = "What did the buyer say? <!channel> *stays* text."
SUMMARY_MAX = 80
KINDS = (Choice(label="Pain", value="pain"), Choice(label="Goal", value="goal"))
OTHER = Choice(label="Something else entirely", value="other")
#: A summary only the handler refuses (no platform can check it before submitting).
REFUSED = "reject me"
#: A summary that asks one more question (a second form) before it is stored.
TWO_STEPS = "two steps"
#: A summary whose confirmation carries a button (a platform must still show it).
WITH_BUTTON = "with a button"
SECOND = f"{PREFIX}:second"


@dataclass
class Stored:
    """One accepted submission: who sent it and the values."""

    user: str
    values: dict[str, str]


@dataclass
class TestForms:
    """The handler; :meth:`install` registers it in a router."""

    texts: Texts
    stored: list[Stored] = field(default_factory=list)

    __test__ = False  # not a pytest class

    def form(self, *, details: str = "") -> Form:
        """The test form, its details pre-filled with ``details``."""
        return Form(
            action=SUBMIT,
            title=TITLE,
            intro=INTRO,
            submit="Send to the owners",
            fields=(
                FormField(
                    name="summary",
                    label="Summary",
                    required=True,
                    max_length=SUMMARY_MAX,
                    hint="One line the owners read first",
                ),
                FormField(name="details", label="Details", kind="multiline", value=details),
                FormField(
                    name="kind",
                    label="Kind",
                    kind="choice",
                    options=(*KINDS, OTHER),
                    value="pain",
                    required=True,
                ),
            ),
        )

    def on_text(self, message: Incoming) -> Reply | None:
        """``testform`` typed: the form."""
        if message.text.strip().casefold() != PREFIX:
            return None
        return Reply(text="Please fill in the test form.", form=self.form())

    def on_action(self, message: Incoming) -> Reply | None:
        """The shortcut (form pre-filled with the message) and the submission."""
        if message.action == f"{PREFIX}:shortcut":
            return Reply(form=self.form(details=message.text))
        if message.action == SECOND and message.form is not None:
            return self._second(message)
        if message.action != SUBMIT or message.form is None:
            return None
        values = dict(message.form)
        form = self.form()
        errors = problems(form, values, texts=self.texts)
        if values.get("summary") == REFUSED:  # a rule only the handler knows
            errors["summary"] = "That summary is refused."
        if errors:
            return Reply(form=refilled(form, values), form_errors=errors)
        if values["summary"] == TWO_STEPS:
            return Reply(text="One more thing.", form=self.second())
        self.stored.append(Stored(user=message.user.key, values=values))
        choices = (Choice(label="Withdraw", value=f"{PREFIX}:withdraw"),)
        return Reply(
            text=f"Stored test feedback #{len(self.stored)}: {values['summary']}",
            choices=choices if values["summary"] == WITH_BUTTON else (),
            meta={"intent": "testform"},
        )

    def second(self) -> Form:
        """The second step's form: one required question."""
        why = FormField(name="why", label="Why does it matter?", required=True)
        return Form(action=SECOND, title="One more thing", fields=(why,), submit="Done")

    def _second(self, message: Incoming) -> Reply:
        values = dict(message.form or {})
        errors = problems(self.second(), values, texts=self.texts)
        if errors:
            return Reply(form=refilled(self.second(), values), form_errors=errors)
        self.stored.append(Stored(user=message.user.key, values=values))
        return Reply(text=f"Stored test feedback #{len(self.stored)}: because {values['why']}")

    def install(self, router: Router) -> None:
        """Answer ``testform`` text and ``testform:…`` actions in ``router``."""
        router.actions[PREFIX] = self.on_action
        text_handler = router.text_handler

        def text(message: Incoming) -> Reply:
            return self.on_text(message) or text_handler(message)

        router.text_handler = text
