"""Helpful / Not helpful on every answer about a persona or an objection.

The buttons name the answer (a random key), its persona and objection
(``vote:<key>:<persona>:<objection>:up|down``). One vote per person per answer counts;
a second click on the other button changes it. "Not helpful" asks, optionally, what was
wrong (a form), and that becomes feedback about the persona.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Callable

from bot.i18n import Texts
from bot.model import Choice, Form, FormField, Incoming, Reply
from content.catalog import Catalog
from content.schema import Persona
from handlers.feedback import MAX_TEXT, FeedbackHandler, meta
from storage.votes import VoteStore

VOTE = "vote"
_WHY = "why"


class VoteHandler:
    """Adds the vote buttons to answers and stores the clicks.

    Args:
        catalog: Returns the live personas.
        store: The votes.
        feedback: Takes the reason given for "Not helpful" as feedback.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        store: VoteStore,
        feedback: FeedbackHandler,
        texts: Texts,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.feedback = feedback
        self.texts = texts
        self.clock = clock

    def with_votes(self, reply: Reply) -> Reply:
        """An answer about a persona or objection, with Helpful / Not helpful buttons."""
        persona = reply.meta.get("persona")
        if not reply.cards or reply.meta.get("intent") not in ("persona", "objection"):
            return reply
        key = secrets.token_hex(6)
        objection = reply.meta.get("objection") or "-"
        base = f"{VOTE}:{key}:{persona}:{objection}"
        votes = (
            Choice(label=self.texts("feedback.vote.up"), value=f"{base}:up"),
            Choice(label=self.texts("feedback.vote.down"), value=f"{base}:down"),
        )
        # The answer card's last buttons, after its own (Show more stays where it was).
        first = reply.cards[0]
        card = dataclasses.replace(first, choices=(*first.choices, *votes))
        return dataclasses.replace(reply, cards=(card, *reply.cards[1:]))

    def on_vote(self, message: Incoming) -> Reply:
        """A click on Helpful / Not helpful, or the "what was wrong?" form behind it."""
        parts = (message.action or "").split(":")
        if len(parts) != 5 or parts[4] not in ("up", "down", _WHY):
            return Reply(text=self.texts("feedback.unknown_button"), meta=meta(), private=True)
        _, key, persona_id, objection, pick = parts
        objection_id = None if objection == "-" else objection
        persona = self.catalog().persona(persona_id)
        if pick == _WHY:
            return self._why(message, persona, objection_id)
        changed = self.store.vote(
            answer_key=key,
            user_key=message.user.key,
            user_email=message.user.email,
            helpful=pick == "up",
            persona_id=persona_id,
            objection_id=objection_id,
            now=self.clock(),
        )
        if pick == "up":
            key_text = "feedback.vote.thanks" if changed else "feedback.vote.again"
            return Reply(text=self.texts(key_text), private=True, meta=meta(vote="up"))
        form = Form(
            action=f"{VOTE}:{key}:{persona_id}:{objection}:{_WHY}",
            title=self.texts("feedback.vote.why_title"),
            intro=self.texts("feedback.vote.why_intro"),
            submit=self.texts("feedback.form.submit"),
            fields=(
                FormField(
                    name="text",
                    label=self.texts("feedback.vote.why_label"),
                    kind="multiline",
                    max_length=MAX_TEXT,
                ),
            ),
        )
        return Reply(
            text=self.texts("feedback.vote.noted" if changed else "feedback.vote.again"),
            form=form,
            private=True,
            meta=meta(vote="down"),
        )

    def _why(self, message: Incoming, persona: Persona | None, objection_id: str | None) -> Reply:
        text = ((message.form or {}).get("text") or "").strip()
        if not text or persona is None:
            return Reply(text=self.texts("feedback.vote.no_reason"), private=True, meta=meta())
        if len(text) > MAX_TEXT:
            return Reply(
                form_errors={"text": self.texts("forms.too_long", max=MAX_TEXT, count=len(text))},
                meta=meta(),
            )
        kind = "response" if objection_id else "correction"
        return self.feedback.take(
            message,
            persona=persona,
            kind=kind,
            text=text,
            source="vote",
            objection_id=objection_id,
        )
