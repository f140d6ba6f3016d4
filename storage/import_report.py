"""The result of importing a content pack: what changed, per persona."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportConflict:
    """A persona whose file and chat edits both changed; the import left it alone."""

    persona_id: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    """What :meth:`~storage.personas.PersonaRepository.import_pack` did, by persona id.

    Attributes:
        origin: Where the pack came from (e.g. its directory).
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

    def summary(self) -> str:
        """Return a human-readable, multi-line account of the import."""
        total = len(self.created) + len(self.updated) + len(self.unchanged)
        total += len(self.recorded) + len(self.conflicts)
        counts = [
            f"{len(self.created)} created",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.archived)} archived",
            f"{len(self.conflicts)} conflict{'' if len(self.conflicts) == 1 else 's'}",
        ]
        where = f" from {self.origin}" if self.origin else ""
        lines = [f"Imported {total} persona(s){where}: {', '.join(counts)}."]
        for label, ids in (
            ("created", self.created),
            ("updated", self.updated),
            ("file won over chat edits (force)", self.forced),
            ("file already matched the chat edits, import recorded", self.recorded),
            ("back in the pack, restored", self.restored),
            ("no longer in the pack, archived", self.archived),
        ):
            if ids:
                lines.append(f"  {label}: {', '.join(ids)}")
        lines.extend(f"CONFLICT {c.persona_id}: {c.message}" for c in self.conflicts)
        return "\n".join(lines)
