"""The persona directory: every live persona with role and owner, one choice each.

Asked for directly ("personas", "who are your personas?") and given when a who-is
question names a persona the pack does not have ("who is Ib?"), so the asker sees who
does exist instead of a bare "I don't know".
"""

from __future__ import annotations

from bot.i18n import Texts
from bot.model import Card, Field, Reply
from content.catalog import Catalog
from handlers.cards import persona_choice


def directory_reply(
    *, catalog: Catalog, texts: Texts, missing: str | None = None, confidence: float = 1.0
) -> Reply:
    """The directory, introduced as an answer to "which personas?" or to a missing name.

    Args:
        catalog: The live personas.
        texts: The pack language's texts.
        missing: The name a who-is question asked for that no persona has.
        confidence: How sure the question asked for this (recorded in ``meta``).
    """
    personas = catalog.personas
    if not personas:
        return Reply(
            text=texts("empty_pack"),
            meta=_meta("unknown" if missing else "directory", 0.0),
        )
    if missing:
        text = texts("directory.missing", name=missing, count=len(personas))
    else:
        text = texts("directory.intro", count=len(personas))
    fields = tuple(
        Field(
            label=p.name,
            text=p.role,
            items=(
                texts(f"roles.{p.decision_role}")
                + " · "
                + texts("card.owners")
                + ": "
                + ", ".join(p.owners),
            ),
        )
        for p in personas
    )
    card = Card(
        title=texts("directory.title"),
        subtitle=catalog.pack_name,
        fields=fields,
        choices=tuple(persona_choice(p, texts=texts) for p in personas),
    )
    # A name the pack lacks is a gap in it: recorded as unanswered, like "I don't know".
    return Reply(
        text=text,
        cards=(card,),
        meta=_meta("unknown" if missing else "directory", 0.0 if missing else confidence),
    )


def _meta(intent: str, confidence: float) -> dict[str, object]:
    return {
        "intent": intent,
        "persona": None,
        "objection": None,
        "confidence": round(confidence, 3),
    }
