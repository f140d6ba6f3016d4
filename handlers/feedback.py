"""Feedback from the front line: ``feedback <persona>: <text>`` and the feedback form.

Everything a reporter submits is stored before it is confirmed (one transaction stores it
and groups it into a proposal: :mod:`handlers.feedback_grouping`). Feedback without a
known persona is stored first and the reporter picks the persona after
(``feedback:<id>:about:<persona>``). The form (a Slack modal, a Teams task module,
console prompts) comes from ``feedback`` alone and from the message shortcut or
message-extension action (pre-filled with the message, the persona guessed from it).
Votes on answers live in :mod:`handlers.votes`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from bot.forms import SHORTCUT, problems, refilled
from bot.i18n import Texts
from bot.model import Choice, Form, FormField, Incoming, Reply
from content.analysis import fold, words
from content.catalog import Catalog
from content.changes import KINDS
from content.schema import Persona
from handlers.feedback_grouping import Grouping
from storage.feedback import UNSORTED, Draft, FeedbackStore, Submitted

PREFIX = "feedback"
#: The Slack global shortcut's callback id (the message shortcut's is ``feedback``).
GLOBAL = "feedback_form"
INTENT = "feedback"
#: The most characters one piece of feedback may have.
MAX_TEXT = 2000
MAX_EVIDENCE = 500
#: At most this many words before the colon of ``feedback <persona>: <text>``.
NAME_WORDS = 5
_SUBMIT = f"{PREFIX}:submit"


def meta(**values: object) -> dict[str, object]:
    """The machine-readable facts of a feedback reply."""
    return {"intent": INTENT, "confidence": 1.0, **values}


class FeedbackHandler:
    """Takes feedback and votes, stores them, confirms what was stored.

    Args:
        catalog: Returns the live personas.
        store: Feedback and proposals.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        store: FeedbackStore,
        texts: Texts,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.texts = texts
        self.clock = clock
        self.grouping = Grouping(catalog=catalog, store=store, texts=texts)

    def take(
        self,
        message: Incoming,
        *,
        persona: Persona,
        kind: str,
        text: str,
        source: str,
        objection_id: str | None = None,
    ) -> Reply:
        """Store checked feedback about ``persona`` and confirm it (votes' reasons use it)."""
        draft = self._draft(message, persona=persona, kind=kind, text=text, source=source)
        return self._confirm(self._submit(draft, persona, objection_id=objection_id), persona)

    # -- commands ---------------------------------------------------------------------------

    def command(self, message: Incoming, arguments: str) -> Reply:
        """``feedback`` (the form), ``feedback <persona>: <text>`` or ``feedback <text>``."""
        text = arguments.strip()
        if not text:
            return Reply(text=self.texts("feedback.usage"), form=self.form(), meta=meta())
        persona, text = self._split(text)
        if not text:
            return Reply(text=self.texts("feedback.empty"), meta=meta())
        if len(text) > MAX_TEXT:
            return Reply(
                text=self.texts("feedback.too_long", max=MAX_TEXT, count=len(text)), meta=meta()
            )
        kind = self._kind(text)
        draft = self._draft(message, persona=persona, kind=kind, text=text, source="text")
        if persona is None:
            held = self.store.hold(draft, now=self.clock())
            return self._which(held.feedback_id, text)
        return self._confirm(self._submit(draft, persona), persona)

    def withdraw(self, message: Incoming, arguments: str) -> Reply:
        """``withdraw <n>``: take back one's own feedback until it is decided."""
        number = _number(arguments)
        if number is None:
            return self.mine(message, "")
        done = self.store.withdraw(number, reporter_key=message.user.key, now=self.clock())
        return Reply(text=self.texts(f"feedback.withdraw.{done}", id=number), meta=meta())

    def mine(self, message: Incoming, arguments: str) -> Reply:
        """``my feedback``: one's latest feedback and what became of it."""
        items = self.store.of_reporter(message.user.key)
        if not items:
            return Reply(text=self.texts("feedback.mine_none"), meta=meta())
        catalog = self.catalog()
        lines = [self.texts("feedback.mine_title")]
        for q in items:
            persona = catalog.persona(q.persona_id)
            lines.append(
                self.texts(
                    "feedback.mine_line",
                    id=q.id,
                    persona=persona.name if persona else "?",
                    status=self.texts(f"feedback.status.{q.status}"),
                    text=_short(q.text),
                )
            )
        return Reply(text="\n".join(lines), meta=meta())

    # -- the form ---------------------------------------------------------------------------

    def form(
        self, *, persona: str = "", kind: str = "", text: str = "", evidence: str = ""
    ) -> Form:
        """The feedback form, pre-filled."""
        t = self.texts
        personas = self.catalog().personas
        return Form(
            action=_SUBMIT,
            title=t("feedback.form.title"),
            intro=t("feedback.form.intro"),
            submit=t("feedback.form.submit"),
            fields=(
                FormField(
                    name="persona",
                    label=t("feedback.form.persona"),
                    kind="choice",
                    options=tuple(Choice(label=p.name, value=p.id) for p in personas),
                    value=persona,
                    required=True,
                ),
                FormField(
                    name="kind",
                    label=t("feedback.form.kind"),
                    kind="choice",
                    options=tuple(Choice(label=t(f"feedback.kind.{k}"), value=k) for k in KINDS),
                    value=kind or "other",
                    required=True,
                ),
                FormField(
                    name="text",
                    label=t("feedback.form.text"),
                    kind="multiline",
                    value=text[:MAX_TEXT],
                    required=True,
                    max_length=MAX_TEXT,
                    hint=t("feedback.form.text_hint"),
                ),
                FormField(
                    name="evidence",
                    label=t("feedback.form.evidence"),
                    value=evidence,
                    max_length=MAX_EVIDENCE,
                    hint=t("feedback.form.evidence_hint"),
                ),
            ),
        )

    def on_action(self, message: Incoming) -> Reply:
        """The form's submission, the shortcut, and the persona picked for held feedback."""
        action = message.action or ""
        if action in (f"{PREFIX}:{SHORTCUT}", f"{GLOBAL}:{SHORTCUT}"):
            return self._shortcut(message)
        if action == _SUBMIT:
            return self._submitted(message)
        parts = action.split(":")
        if len(parts) == 4 and parts[2] == "about" and parts[1].isdigit():
            return self._about(message, int(parts[1]), parts[3])
        return Reply(text=self.texts("feedback.unknown_button"), meta=meta(), private=True)

    def _shortcut(self, message: Incoming) -> Reply:
        text = message.text.strip()
        persona = self._guess(text) if text else None
        form = self.form(persona=persona.id if persona else "", kind=self._kind(text), text=text)
        return Reply(form=form, meta=meta())

    def _submitted(self, message: Incoming) -> Reply:
        values = {k: (v or "").strip() for k, v in (message.form or {}).items()}
        form = self.form()
        errors = problems(form, values, texts=self.texts)
        persona = self.catalog().persona(values.get("persona", ""))
        if persona is None and "persona" not in errors:
            errors["persona"] = self.texts("feedback.form.no_persona")
        if errors:
            return Reply(
                text=self.texts("forms.check"),
                form=refilled(form, values),
                form_errors=errors,
                meta=meta(),
            )
        assert persona is not None
        draft = self._draft(
            message,
            persona=persona,
            kind=values["kind"],
            text=values["text"],
            source="form",
            evidence=values.get("evidence") or None,
        )
        return self._confirm(self._submit(draft, persona), persona)

    def _about(self, message: Incoming, feedback_id: int, persona_id: str) -> Reply:
        persona = self.catalog().persona(persona_id)
        held = self.store.own(feedback_id, reporter_key=message.user.key)
        if persona is None:
            return Reply(text=self.texts("feedback.unknown_button"), meta=meta(), private=True)
        if held is None or held.status != UNSORTED:
            key = "feedback.not_yours" if held is None else "feedback.sorted_already"
            return Reply(text=self.texts(key, id=feedback_id), meta=meta(), private=True)
        kind = self._kind(held.text)
        join, change = self.grouping.group(persona, kind, held.text)
        done = self.store.assign(
            feedback_id,
            reporter_key=message.user.key,
            persona_id=persona.id,
            kind=kind,
            join=join,
            change=change,
            now=self.clock(),
        )
        if done is None:  # sorted meanwhile by another click of the same reporter
            return Reply(text=self.texts("feedback.sorted_already", id=feedback_id), private=True)
        return self._confirm(done, persona, replaces=message)

    # -- shared -----------------------------------------------------------------------------

    def _draft(
        self,
        message: Incoming,
        *,
        persona: Persona | None,
        kind: str,
        text: str,
        source: str,
        evidence: str | None = None,
    ) -> Draft:
        return Draft(
            persona_id=persona.id if persona else "",
            kind=kind,
            text=text,
            evidence=evidence,
            source=source,
            origin=message.id,
            reporter_key=message.user.key,
            reporter_email=message.user.email,
            reporter_name=message.user.name,
        )

    def _submit(
        self, draft: Draft, persona: Persona, *, objection_id: str | None = None
    ) -> Submitted:
        join, change = self.grouping.group(
            persona, draft.kind, draft.text, objection_id=objection_id
        )
        return self.store.submit(draft, join=join, change=change, now=self.clock())

    def _split(self, text: str) -> tuple[Persona | None, str]:
        """``<persona>: <text>`` into the persona and the text (no colon: no persona)."""
        name, colon, rest = text.partition(":")
        if colon and 0 < len(name.split()) <= NAME_WORDS:
            persona = self.catalog().named(name.strip(), guess=False)
            if persona is not None:
                return persona, rest.strip()
        return None, text

    def _guess(self, text: str) -> Persona | None:
        likely = self.grouping.likely(text)
        return likely[0] if likely else None

    def _kind(self, text: str) -> str:
        """The kind the text's words suggest (the locale's cue words), else ``other``."""
        folded = " " + " ".join(fold(w) for w in words(text)) + " "
        for kind in KINDS[:-1]:  # every kind but "other" has cue words
            for cue in self.texts.words(f"feedback.cues.{kind}"):
                if f" {fold(cue)} " in folded or (len(cue) > 4 and f" {fold(cue)}" in folded):
                    return kind
        return "other"

    def _which(self, feedback_id: int, text: str) -> Reply:
        catalog = self.catalog()
        first = {p.id: p for p in self.grouping.likely(text)[:2]}
        ordered = [*first.values(), *(p for p in catalog.personas if p.id not in first)]
        return Reply(
            text=self.texts("feedback.which", id=feedback_id),
            choices=tuple(
                Choice(label=p.name, value=f"{PREFIX}:{feedback_id}:about:{p.id}") for p in ordered
            ),
            meta=meta(feedback=feedback_id, stored=True),
        )

    def _confirm(
        self, done: Submitted, persona: Persona, *, replaces: Incoming | None = None
    ) -> Reply:
        key = "feedback.stored_again" if done.again else "feedback.stored"
        text = self.texts(key, id=done.feedback_id, persona=persona.name)
        if done.reporters > 1:
            text += " " + self.texts("feedback.others", count=done.reporters - 1)
        text += " " + self.texts("feedback.withdraw_hint", id=done.feedback_id)
        return Reply(
            text=text,
            replaces=replaces.message if replaces is not None else None,
            meta=meta(feedback=done.feedback_id, proposal=done.proposal_id, stored=True),
        )


def _number(text: str) -> int | None:
    found = re.search(r"\d+", text)
    return int(found.group()) if found else None


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
