"""What the bot can do, with examples taken from the live pack."""

from __future__ import annotations

from bot.i18n import Texts
from bot.model import Reply
from content.catalog import Catalog
from handlers.cards import objection_choice, persona_choice


def help_reply(*, catalog: Catalog, texts: Texts) -> Reply:
    """The help text, with a real persona and objection from the pack as examples."""
    persona = catalog.example_persona()
    if persona is None:
        return Reply(text=texts("empty_pack"), meta={"intent": "help", "confidence": 1.0})
    first = persona.aliases[0] if persona.aliases else persona.name
    lines = [texts("help", persona_example=persona.name, persona_first=first)]
    choices = [persona_choice(persona, texts=texts)]
    example = catalog.example_objection()
    if example is not None:
        lines.append(texts("help_objection", objection_example=example[1].objection))
        choices.append(objection_choice(*example, texts=texts))
    lines.append(texts("help_training"))
    lines.append(texts("feedback.help"))
    lines.append(texts("help_again"))
    text = "\n".join(lines)
    return Reply(
        text=text,
        choices=tuple(choices),
        meta={"intent": "help", "persona": None, "objection": None, "confidence": 1.0},
    )
