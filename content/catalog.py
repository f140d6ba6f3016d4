"""The live personas the bot answers from, with their retrieval index."""

from __future__ import annotations

from collections.abc import Sequence

from content.analysis import fold
from content.retrieval import Retriever
from content.schema import Objection, Persona


class Catalog:
    """Live personas (from the database) plus the pack's settings and a search index.

    Args:
        personas: The live personas.
        language: The pack language.
        pack_name: The pack's display name.
        review_every_days: The pack's default review cadence.
        admins: Pack admins' emails.
        synonyms: The pack's own groups of synonyms (``pack.yaml``'s ``synonyms:``).
    """

    def __init__(
        self,
        *,
        personas: Sequence[Persona],
        language: str,
        pack_name: str,
        review_every_days: int,
        admins: Sequence[str] = (),
        synonyms: Sequence[Sequence[str]] = (),
    ) -> None:
        self.personas = tuple(sorted(personas, key=lambda p: p.id))
        self.language = language
        self.pack_name = pack_name
        self.review_every_days = review_every_days
        self.admins = tuple(admins)
        self._by_id = {p.id: p for p in self.personas}
        self.retriever = Retriever(personas=self.personas, language=language, synonyms=synonyms)

    def persona(self, persona_id: str) -> Persona | None:
        """The persona with ``persona_id``, if live."""
        return self._by_id.get(persona_id)

    def named(self, wanted: str, *, guess: bool = True) -> Persona | None:
        """The persona ``wanted`` names, or ``None``.

        Its id, name or an alias, case, spacing and diacritics aside; failing that, with
        ``guess``, the one persona a "who is …" question finds.
        """
        key = _name_key(wanted)
        if not key:
            return None
        for persona in self.personas:
            if key in {_name_key(n) for n in (persona.id, persona.name, *persona.aliases)}:
                return persona
        if not guess:
            return None
        understood = self.retriever.understand(f"who is {wanted}")
        return self.persona(understood.mentioned[0]) if len(understood.mentioned) == 1 else None

    def objection(self, persona_id: str, objection_id: str) -> tuple[Persona, Objection] | None:
        """One persona's objection, if both exist."""
        persona = self._by_id.get(persona_id)
        objection = persona.objection(objection_id) if persona else None
        return (persona, objection) if persona and objection else None

    def others_with(self, objection_id: str, *, besides: str) -> list[Persona]:
        """Other personas that raise the same kind of objection."""
        return [
            p for p in self.personas if p.id != besides and p.objection(objection_id) is not None
        ]

    def example_persona(self) -> Persona | None:
        """A persona to use in examples ("who is ...?")."""
        return self.personas[0] if self.personas else None

    def example_objection(self) -> tuple[Persona, Objection] | None:
        """An objection to use in examples ("the customer says ..."), if the pack has one."""
        return next(((p, p.objections[0]) for p in self.personas if p.objections), None)


def _name_key(name: str) -> str:
    """A name as compared: case, spacing and diacritics aside ("bjorn" is "Bjørn")."""
    return fold(" ".join(name.casefold().split()))
