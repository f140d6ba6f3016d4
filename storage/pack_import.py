"""Importing a content pack into versioned personas without losing chat edits.

For each persona in the pack (compared by the sha256 of its canonical JSON):

* new id: create it at version 1 (``created``);
* same content as the last import: nothing happens, even if it was edited in chat
  since (``unchanged``);
* changed file, no chat edit since the last import: new version (``updated``);
* changed file that equals the live (edited) persona: record the import only
  (``recorded``);
* changed file that differs from the live persona only by a ``last_reviewed`` that the
  reviews recorded in chat already reach (``content export`` writes the later date):
  ``unchanged``, the file becoming the baseline (``recorded`` after chat edits);
* changed file and a chat edit since the last import: ``conflicts``, nothing changes
  for that persona, unless ``force`` lets the file win (``updated`` and ``forced``).

Personas missing from the pack are archived; an archived persona that reappears is
restored. :class:`~storage.personas.PersonaRepository` runs this in one transaction.

The database records which pack is live (``live_pack``: its name and origin). A pack
with another name is refused with :class:`OtherPackError` and nothing changes, unless
``replace`` switches the database to it (the old pack's personas are archived by the
rule above). A database without a recorded pack takes any pack; one whose personas
predate the record (no name, only the origin) takes a pack from the same origin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from content.schema import Pack, Persona
from storage.import_report import ImportConflict, ImportReport, LivePack, OtherPackError
from storage.models import (
    LivePackRow,
    PersonaImportRow,
    PersonaRow,
    PersonaVersionRow,
    ReviewRow,
)

#: The primary key of the single ``live_pack`` row.
LIVE_PACK_ID = 1

__all__ = [
    "ImportConflict",
    "ImportReport",
    "LivePack",
    "OtherPackError",
    "content_hash",
    "latest_versions",
    "live_pack",
    "normalised",
    "persona_data",
    "run_import",
]


def persona_data(persona: Persona) -> dict[str, Any]:
    """Return the persona as plain JSON data, the form stored in the database."""
    return persona.model_dump(mode="json")


def content_hash(data: dict[str, Any]) -> str:
    """Return the sha256 hex digest of ``data`` as canonical JSON (sorted keys)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def normalised(data: dict[str, Any]) -> dict[str, Any] | None:
    """Return stored data as the current schema would dump it (``None`` if invalid).

    Makes comparisons robust to schema changes such as a new field with a default.
    """
    try:
        return persona_data(Persona.model_validate(data))
    except ValidationError:
        return None


def latest_versions(session: Session, ids: Iterable[str]) -> dict[str, PersonaVersionRow]:
    """Load the highest version row of each persona in ``ids`` with one query."""
    wanted = list(ids)
    if not wanted:
        return {}
    top = (
        select(PersonaVersionRow.persona_id, func.max(PersonaVersionRow.version).label("v"))
        .where(PersonaVersionRow.persona_id.in_(wanted))
        .group_by(PersonaVersionRow.persona_id)
        .subquery()
    )
    rows = session.scalars(
        select(PersonaVersionRow).join(
            top,
            and_(
                PersonaVersionRow.persona_id == top.c.persona_id,
                PersonaVersionRow.version == top.c.v,
            ),
        )
    )
    return {row.persona_id: row for row in rows}


def live_pack(session: Session) -> LivePack | None:
    """Return the pack the database holds, or ``None`` if no pack was recorded."""
    row = session.get(LivePackRow, LIVE_PACK_ID)
    return None if row is None else LivePack(row.name, row.origin, row.updated_at)


def _same_pack(live: LivePackRow, name: str, origin: str) -> bool:
    if live.name is None:  # imported before pack names were recorded
        return live.origin == origin
    return live.name == name


@dataclass
class _Import:
    """One import run inside an open session."""

    session: Session
    origin: str
    now: dt.datetime
    force: bool
    replace: bool
    report: ImportReport
    reviewed: dict[str, str] = field(default_factory=dict)

    @property
    def author(self) -> str:
        return f"import:{self.origin}"

    def run(self, pack: Pack) -> ImportReport:
        self._switch_pack(pack.info.name)
        rows = {row.id: row for row in self.session.scalars(select(PersonaRow))}
        imports = {row.persona_id: row for row in self.session.scalars(select(PersonaImportRow))}
        changed: list[tuple[Persona, dict[str, Any], str]] = []
        for persona in pack.personas:
            data = persona_data(persona)
            digest = content_hash(data)
            row, imported = rows.get(persona.id), imports.get(persona.id)
            if row is None:
                self._create(persona.id, data, digest)
            elif imported is not None and imported.content_hash == digest:
                self._unchanged(row, imported, None)
            elif imported is not None and normalised(imported.data) == data:
                self._unchanged(row, imported, (data, digest))  # only the schema changed
            else:
                changed.append((persona, data, digest))
        live = latest_versions(self.session, (p.id for p, _, _ in changed))
        if changed:  # an unchanged pack stays a handful of statements
            self.reviewed = chat_reviews(self.session)
        for persona, data, digest in changed:
            self._changed(
                rows[persona.id], imports.get(persona.id), live.get(persona.id), data, digest
            )
        in_pack = {persona.id for persona in pack.personas}
        for row in sorted(rows.values(), key=lambda r: r.id):
            if row.id not in in_pack and row.archived_at is None:
                row.archived_at = self.now
                self.report.archived.append(row.id)
        return self.report

    def _switch_pack(self, name: str) -> None:
        """Refuse another pack (unless replacing) and record this one as live."""
        row = self.session.get(LivePackRow, LIVE_PACK_ID)
        if row is None:
            self.session.add(
                LivePackRow(id=LIVE_PACK_ID, name=name, origin=self.origin, updated_at=self.now)
            )
            return
        same = _same_pack(row, name, self.origin)
        if not same:
            previous = LivePack(row.name, row.origin, row.updated_at)
            if not self.replace:
                raise OtherPackError(live=previous, pack_name=name, origin=self.origin)
            self.report = replace(self.report, previous=previous)
        if row.name != name or row.origin != self.origin:  # also a legacy row gets its name
            row.name, row.origin, row.updated_at = name, self.origin, self.now

    def _create(self, persona_id: str, data: dict[str, Any], digest: str) -> None:
        self.session.add(PersonaRow(id=persona_id, archived_at=None, created_at=self.now))
        self._add_version(persona_id, 1, data, None)
        self._record(None, persona_id, data, digest, 1)
        self.report.created.append(persona_id)

    def _unchanged(
        self,
        row: PersonaRow,
        imported: PersonaImportRow,
        refresh: tuple[dict[str, Any], str] | None,
    ) -> None:
        if refresh is not None:
            imported.data, imported.content_hash = refresh
        self._restore(row)
        self.report.unchanged.append(row.id)

    def _changed(
        self,
        row: PersonaRow,
        imported: PersonaImportRow | None,
        live: PersonaVersionRow | None,
        data: dict[str, Any],
        digest: str,
    ) -> None:
        if live is None:  # a persona row without versions: only after manual surgery
            self._new_version(row, imported, data, digest, 1, None)
            return
        imported_version = imported.imported_version if imported is not None else 0
        no_edits = live.version <= imported_version or (
            imported is not None and normalised(live.data) == normalised(imported.data)
        )
        live_data = normalised(live.data)
        same = live_data is not None and self._reviewed(live_data) == self._reviewed(data)
        if no_edits and same and imported is not None:
            self._unchanged(row, imported, (data, digest))  # only a review recorded in chat
        elif no_edits:
            self._new_version(row, imported, data, digest, live.version + 1, None)
        elif same:
            self._record(imported, row.id, data, digest, live.version)
            self._restore(row)
            self.report.recorded.append(row.id)
        elif self.force:
            note = f"forced import: the file replaced chat edit v{live.version}"
            self._new_version(row, imported, data, digest, live.version + 1, note)
            self.report.forced.append(row.id)
        else:
            self.report.conflicts.append(
                ImportConflict(
                    persona_id=row.id,
                    live_version=live.version,
                    edited_by=live.author,
                    edited_at=live.created_at,
                    edit_source=live.source,
                    imported_version=imported_version,
                )
            )

    def _new_version(
        self,
        row: PersonaRow,
        imported: PersonaImportRow | None,
        data: dict[str, Any],
        digest: str,
        version: int,
        note: str | None,
    ) -> None:
        self._add_version(row.id, version, data, note)
        self._record(imported, row.id, data, digest, version)
        self._restore(row)
        self.report.updated.append(row.id)

    def _add_version(
        self, persona_id: str, version: int, data: dict[str, Any], note: str | None
    ) -> None:
        self.session.add(
            PersonaVersionRow(
                persona_id=persona_id,
                version=version,
                data=data,
                source="import",
                author=self.author,
                note=note,
                created_at=self.now,
            )
        )

    def _record(
        self,
        imported: PersonaImportRow | None,
        persona_id: str,
        data: dict[str, Any],
        digest: str,
        version: int,
    ) -> None:
        if imported is None:
            imported = PersonaImportRow(persona_id=persona_id)
            self.session.add(imported)
        imported.content_hash = digest
        imported.data = data
        imported.imported_version = version
        imported.imported_at = self.now

    def _reviewed(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` with ``last_reviewed`` as the bot sees it: the file's or chat's, the later."""
        chat = self.reviewed.get(str(data.get("id")))
        if chat is None or (data.get("last_reviewed") or "") >= chat:
            return data
        return {**data, "last_reviewed": chat}

    def _restore(self, row: PersonaRow) -> None:
        if row.archived_at is not None:
            row.archived_at = None
            self.report.restored.append(row.id)


def chat_reviews(session: Session) -> dict[str, str]:
    """The last review recorded in chat (or approval) per persona id, as an ISO date."""
    query = (
        select(ReviewRow.persona_id, func.max(ReviewRow.at))
        .where(ReviewRow.kind.in_(("reviewed", "approved")))
        .group_by(ReviewRow.persona_id)
    )
    return {pid: at.date().isoformat() for pid, at in session.execute(query) if at is not None}


def run_import(
    session: Session,
    pack: Pack,
    *,
    origin: str,
    now: dt.datetime,
    force: bool,
    replace: bool = False,
) -> ImportReport:
    """Apply ``pack`` inside ``session`` (the caller owns the transaction).

    Args:
        session: An open session; nothing is committed here.
        pack: The loaded pack.
        origin: Where the pack came from; versions get author ``"import:<origin>"``.
        now: Timezone-aware time stamped on every change.
        force: Let the file win over chat edits instead of reporting a conflict.
        replace: Import even if the database holds another pack (archiving its
            personas) instead of raising :class:`OtherPackError`.

    Returns:
        The report of what changed.

    Raises:
        OtherPackError: The database holds a different pack and ``replace`` is false;
            nothing was changed.

    """
    report = ImportReport(origin=origin, pack_name=pack.info.name)
    return _Import(session, origin, now, force, replace, report).run(pack)
