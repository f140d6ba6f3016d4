"""What the bot can do, with examples taken from the live pack."""

from __future__ import annotations

from bot.i18n import Texts
from bot.model import Choice, Reply
from content.catalog import Catalog
from handlers.cards import objection_action, persona_action


def help_reply(*, catalog: Catalog, texts: Texts) -> Reply:
    """The help text, with a real persona and objection from the pack as examples."""
    persona = catalog.example_persona()
    if persona is None:
        return Reply(text=texts("empty_pack"), meta={"intent": "help", "confidence": 1.0})
    first = persona.aliases[0] if persona.aliases else persona.name
    objection = persona.objections[0] if persona.objections else None
    text = texts(
        "help",
        persona_example=persona.name,
        persona_first=first,
        objection_example=objection.objection if objection else "",
    )
    choices = [
        Choice(label=texts("choice_persona", name=persona.name), value=persona_action(persona.id))
    ]
    if objection is not None:
        choices.append(
            Choice(
                label=texts(
                    "choice_objection", objection=_short(objection.objection), persona=persona.name
                ),
                value=objection_action(persona.id, objection.id),
            )
        )
    return Reply(
        text=text,
        choices=tuple(choices),
        meta={"intent": "help", "persona": None, "objection": None, "confidence": 1.0},
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
