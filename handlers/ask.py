"""Answer questions: who a persona is, and how to handle an objection.

The router records every question with the answer's ``meta`` (intent, ids, confidence).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping

from bot.i18n import Texts
from bot.model import Incoming, Reply, User
from bot.roles import Roles
from content.catalog import Catalog
from content.retrieval import Understanding
from handlers.cards import (
    FULL,
    objection_card,
    objection_choice,
    persona_card,
    persona_choice,
)
from handlers.directory import directory_reply
from handlers.health import HealthScores, health_line
from handlers.help import help_reply

_PUNCTUATION = re.compile(r"[\W_]+")


class AskHandler:
    """Turns a question into a persona card, an objection answer, choices or "I don't know".

    Args:
        catalog: Returns the live personas and their index (a new one after changes).
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware); injected for tests.
        reviewed: Returns the last review recorded in chat, by persona id (a card shows
            it when it is later than the pack's ``last_reviewed``).
        roles: Who owns which persona (owners see its health score on its card).
        health: The personas' health scores.
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        texts: Texts,
        clock: Callable[[], dt.datetime],
        reviewed: Callable[[], Mapping[str, dt.date]] | None = None,
        roles: Roles | None = None,
        health: HealthScores | None = None,
    ) -> None:
        self.roles = roles
        self.health = health
        self._catalog = catalog
        self.texts = texts
        self.clock = clock
        self.reviewed = reviewed

    @property
    def catalog(self) -> Catalog:
        """The live catalog."""
        return self._catalog()

    def handle(self, message: Incoming) -> Reply:
        """Answer a free-text question."""
        if _plain(message.text) == _plain(self.texts("choice_more")):
            # "Show more" picks the "Show more" of the card just shown (a pending
            # choice, picked by the router); here nothing shown had more.
            return Reply(text=self.texts("more_none"), meta=_meta("unknown", None, None, 0.0))
        understood = self.catalog.retriever.understand(message.text)
        if understood.intent == "help":
            return help_reply(catalog=self.catalog, texts=self.texts)
        return self._reply(understood, message.user)

    def show(self, message: Incoming) -> Reply | None:
        """Answer a picked choice (``persona:<id>[/full]`` or ``objection:<persona>/<id>``).

        Returns:
            The answer, or ``None`` if the choice no longer exists.
        """
        kind, _, ref = (message.action or "").partition(":")
        if kind == "persona":
            persona_id, _, view = ref.partition("/")
            if self.catalog.persona(persona_id) and view in ("", FULL):
                return self._persona(persona_id, (), 1.0, full=view == FULL, viewer=message.user)
        if kind == "objection":
            persona_id, _, objection_id = ref.partition("/")
            if self.catalog.objection(persona_id, objection_id):
                return self._objection(persona_id, objection_id, 1.0)
        return None

    def _reply(self, understood: Understanding, viewer: User | None = None) -> Reply:
        if understood.intent == "directory":
            return directory_reply(
                catalog=self.catalog, texts=self.texts, confidence=understood.confidence
            )
        if understood.intent == "persona" and understood.persona_id:
            return self._persona(
                understood.persona_id, understood.fields, understood.confidence, viewer=viewer
            )
        if understood.intent == "objection" and understood.persona_id and understood.objection_id:
            return self._objection(
                understood.persona_id, understood.objection_id, understood.confidence
            )
        if understood.missing:
            return directory_reply(
                catalog=self.catalog, texts=self.texts, missing=understood.missing
            )
        if understood.candidates:
            return self._unsure(understood)
        return self.unknown(understood.confidence)

    def _persona(
        self,
        persona_id: str,
        fields: tuple[str, ...],
        confidence: float,
        *,
        full: bool = False,
        viewer: User | None = None,
    ) -> Reply:
        persona = self.catalog.persona(persona_id)
        assert persona is not None  # the retriever only returns live personas
        in_chat = self.reviewed().get(persona_id) if self.reviewed else None
        if in_chat is not None and (
            persona.last_reviewed is None or in_chat > persona.last_reviewed
        ):
            persona = persona.model_copy(update={"last_reviewed": in_chat})
        focus = tuple(f for f in fields if f != "summary")
        card = persona_card(
            persona,
            texts=self.texts,
            today=self.clock().date(),
            review_every_days=self.catalog.review_every_days,
            focus=focus,
            full=full,
        )
        owner = (
            viewer is not None and self.roles is not None and self.roles.owns(viewer, persona_id)
        )
        score = self.health.of(persona_id, self.clock().date()) if owner and self.health else None
        if score is not None:  # its owners see the persona's health on its card
            shown = health_line(score, self.texts)
            card = dataclasses.replace(
                card, footer=f"{card.footer} · {shown}" if card.footer else shown
            )
        text = ""
        if focus:
            labels = ", ".join(self.texts(f"card.{f}") for f in focus)
            text = self.texts("persona_field_intro", name=persona.name, field=labels)
        return Reply(
            text=text,
            cards=(card,),
            meta=_meta("persona", persona_id, None, confidence),
        )

    def _objection(self, persona_id: str, objection_id: str, confidence: float) -> Reply:
        found = self.catalog.objection(persona_id, objection_id)
        assert found is not None
        persona, objection = found
        others = self.catalog.others_with(objection_id, besides=persona_id)
        card = objection_card(persona, objection, texts=self.texts, others=others)
        return Reply(
            text=self.texts("objection_intro", objection=objection.objection, persona=persona.name),
            cards=(card,),
            meta=_meta("objection", persona_id, objection_id, confidence),
        )

    def _unsure(self, understood: Understanding) -> Reply:
        choices = []
        for c in understood.candidates:
            if c.objection_id is None:
                persona = self.catalog.persona(c.persona_id)
                if persona:
                    choices.append(persona_choice(persona, texts=self.texts))
                continue
            found = self.catalog.objection(c.persona_id, c.objection_id)
            if found:
                choices.append(objection_choice(*found, texts=self.texts))
        return Reply(
            text=self.texts("unsure"),
            choices=tuple(choices),
            meta=_meta("unknown", None, None, understood.confidence),
        )

    def unknown(self, confidence: float = 0.0) -> Reply:
        """The honest "I don't know that" with a hint of what the bot can do."""
        example = self.catalog.example_persona()
        if example is None:
            return Reply(text=self.texts("empty_pack"), meta=_meta("unknown", None, None, 0.0))
        name = example.aliases[0] if example.aliases else example.name
        lines = [self.texts("unknown", persona_example=name)]
        objection = self.catalog.example_objection()
        if objection is not None:
            lines.append(self.texts("unknown_objection", objection_example=objection[1].objection))
        return Reply(text="\n".join(lines), meta=_meta("unknown", None, None, confidence))


def _plain(text: str) -> str:
    """``text`` without case and punctuation, for comparing typed words."""
    return _PUNCTUATION.sub(" ", text).strip().casefold()


def _meta(
    intent: str, persona: str | None, objection: str | None, confidence: float
) -> dict[str, object]:
    return {
        "intent": intent,
        "persona": persona,
        "objection": objection,
        "confidence": round(confidence, 3),
    }
