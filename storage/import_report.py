"""The result of importing a content pack: what changed, per persona, as plain data.

Storage holds no sentences: the command line renders these with the texts in
``bot/locales``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LivePack:
    """The pack whose personas the database holds, as recorded by the last import.

    Attributes:
        name: The pack's ``name`` from ``pack.yaml``; ``None`` for personas imported
            before the database recorded pack names (only ``origin`` is known then).
        origin: Where it was imported from (e.g. its directory).
        updated_at: When this pack (or its origin) was recorded (aware UTC).

    """

    name: str | None
    origin: str
    updated_at: dt.datetime


class OtherPackError(Exception):
    """The database holds another pack's personas; the import changed nothing.

    Importing with ``replace=True`` switches the database to the new pack (the old
    pack's personas are archived).

    Attributes:
        live: The pack the database holds.
        pack_name: The name of the pack that was to be imported.
        origin: Where that pack came from.

    """

    def __init__(self, *, live: LivePack, pack_name: str, origin: str) -> None:
        self.live = live
        self.pack_name = pack_name
        self.origin = origin
        held = repr(live.name) if live.name is not None else "an unnamed pack"
        super().__init__(
            f"the database holds {held} from {live.origin}, not {pack_name!r} from {origin}"
        )


@dataclass(frozen=True)
class ImportConflict:
    """A persona whose file and chat edits both changed; the import left it alone.

    Attributes:
        persona_id: The persona (its file is ``personas/<persona_id>.yaml``).
        live_version: The live version, made after the last import.
        edited_by: Who made it (an email for chat edits), if known.
        edited_at: When it was made (aware UTC).
        edit_source: ``"edit"`` for a chat edit (or ``"import"``).
        imported_version: The version the last import of the file made; 0 if the file
            was never imported.

    """

    persona_id: str
    live_version: int
    edited_by: str | None
    edited_at: dt.datetime
    edit_source: str
    imported_version: int


@dataclass(frozen=True)
class ImportReport:
    """What :meth:`~storage.personas.PersonaRepository.import_pack` did, by persona id.

    Attributes:
        origin: Where the pack came from (e.g. its directory).
        pack_name: The imported pack's name.
        previous: The pack the database held before, when this import replaced it with
            a different one (``replace=True``); else ``None``.
        created: New personas (version 1).
        updated: Personas that got a new version from the file (includes ``forced``).
        unchanged: Personas whose file did not change since the last import.
        archived: Personas no longer in the pack, now archived.
        conflicts: Personas left untouched because the file and a chat edit both changed.
        recorded: Changed files that already equal the live (chat-edited) persona; the
            import was recorded without a new version.
        restored: Archived personas that are back in the pack and live again.
        forced: Personas where ``force=True`` replaced chat edits with the file.

    """

    origin: str = ""
    pack_name: str = ""
    previous: LivePack | None = None
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    conflicts: list[ImportConflict] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    forced: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there were no conflicts."""
        return not self.conflicts

    @property
    def changed(self) -> bool:
        """True when the import changed anything in the database."""
        return bool(self.created or self.updated or self.archived or self.recorded or self.restored)

    @property
    def total(self) -> int:
        """How many personas the pack holds (every one is in exactly one list)."""
        return (
            len(self.created)
            + len(self.updated)
            + len(self.unchanged)
            + len(self.recorded)
            + len(self.conflicts)
        )
