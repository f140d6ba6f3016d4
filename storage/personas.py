"""Versioned personas: imported from content packs, edited in chat."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from content.schema import Pack, Persona
from storage.db import Database
from storage.import_report import ImportReport, LivePack
from storage.models import PersonaRow, PersonaVersionRow
from storage.pack_import import (
    latest_versions,
    live_pack,
    normalised,
    persona_data,
    run_import,
)


class UnknownPersonaError(KeyError):
    """No persona with that id exists (personas are created by importing a pack)."""


class StaleEditError(RuntimeError):
    """The persona changed since the version an edit was based on."""


@dataclass(frozen=True)
class PersonaVersionInfo:
    """One entry of a persona's history (newest last in :meth:`PersonaRepository.history`).

    Attributes:
        version: 1, 2, 3, ... per persona; the highest is live.
        source: ``"import"`` or ``"edit"``.
        author: An email for edits, ``"import:<origin>"`` for imports.
        note: Free text, e.g. why an edit was made.
        created_at: When the version was made (aware UTC).

    """

    version: int
    source: str
    author: str | None
    note: str | None
    created_at: dt.datetime


class PersonaRepository:
    """Reads and writes personas; hands out :class:`content.schema.Persona` objects.

    Args:
        db: The database.

    """

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def import_pack(
        self,
        pack: Pack,
        *,
        origin: str,
        now: dt.datetime,
        force: bool = False,
        replace: bool = False,
    ) -> ImportReport:
        """Import ``pack`` in one transaction; see :mod:`storage.pack_import` for the rules.

        Args:
            pack: A loaded pack (:func:`content.loader.load_pack`).
            origin: Where it came from, e.g. the pack directory; recorded as the
                author ``"import:<origin>"`` of new versions and in :meth:`live_pack`.
            now: Timezone-aware time of the import.
            force: Let the file win where it and a chat edit both changed.
            replace: Switch the database to ``pack`` even if it holds another pack
                (whose personas are archived).

        Returns:
            What was created, updated, unchanged, archived and in conflict.

        Raises:
            storage.import_report.OtherPackError: The database holds a pack with
                another name and ``replace`` is false; nothing changed.

        """
        with self._db.session(exclusive=True) as session:
            return run_import(session, pack, origin=origin, now=now, force=force, replace=replace)

    def live_pack(self) -> LivePack | None:
        """Return the pack whose personas the database holds (``None`` before any import)."""
        with self._db.session() as session:
            return live_pack(session)

    def live(self) -> list[Persona]:
        """Return the latest version of every non-archived persona, sorted by id."""
        with self._db.session() as session:
            ids = session.scalars(select(PersonaRow.id).where(PersonaRow.archived_at.is_(None)))
            rows = latest_versions(session, ids)
        return [Persona.model_validate(rows[pid].data) for pid in sorted(rows)]

    def get(self, persona_id: str, *, include_archived: bool = False) -> Persona | None:
        """Return the live version of one persona.

        Args:
            persona_id: The persona's id (slug).
            include_archived: Also return archived personas (normally hidden).

        Returns:
            The persona, or ``None`` if unknown (or archived, unless included).

        """
        with self._db.session() as session:
            row = session.get(PersonaRow, persona_id)
            if row is None or (row.archived_at is not None and not include_archived):
                return None
            live = latest_versions(session, [persona_id]).get(persona_id)
        return None if live is None else Persona.model_validate(live.data)

    def save_edit(
        self,
        persona: Persona,
        *,
        author: str,
        note: str | None,
        now: dt.datetime,
        expected_version: int | None = None,
    ) -> int:
        """Store an edited persona as a new version with source ``"edit"``.

        An edit identical to the live version adds nothing and returns the live version,
        so a no-op approval never causes import conflicts later.

        Args:
            persona: The full edited persona (its ``id`` says which one).
            author: Who approved the edit (an email).
            note: Why, e.g. the feedback that led to it.
            now: Timezone-aware time of the edit.
            expected_version: If given, the live version the edit was based on; a
                different live version raises :class:`StaleEditError`.

        Returns:
            The live version number after the edit.

        Raises:
            UnknownPersonaError: No persona has ``persona.id``.
            StaleEditError: The live version is not ``expected_version``.

        """
        data = persona_data(persona)
        with self._db.session(exclusive=True) as session:
            if session.get(PersonaRow, persona.id) is None:
                raise UnknownPersonaError(persona.id)
            live = latest_versions(session, [persona.id]).get(persona.id)
            current = live.version if live is not None else 0
            if expected_version is not None and expected_version != current:
                raise StaleEditError(
                    f"persona '{persona.id}' is at v{current}, the edit was based on "
                    f"v{expected_version}"
                )
            if live is not None and normalised(live.data) == data:
                return current
            session.add(
                PersonaVersionRow(
                    persona_id=persona.id,
                    version=current + 1,
                    data=data,
                    source="edit",
                    author=author,
                    note=note,
                    created_at=now,
                )
            )
        return current + 1

    def history(self, persona_id: str) -> list[PersonaVersionInfo]:
        """Return every version of a persona, oldest first (empty if unknown)."""
        with self._db.session() as session:
            rows = session.execute(
                select(
                    PersonaVersionRow.version,
                    PersonaVersionRow.source,
                    PersonaVersionRow.author,
                    PersonaVersionRow.note,
                    PersonaVersionRow.created_at,
                )
                .where(PersonaVersionRow.persona_id == persona_id)
                .order_by(PersonaVersionRow.version)
            ).all()
        return [PersonaVersionInfo(*row) for row in rows]

    def versions(self, persona_id: str, *, newest: int | None = None) -> list[StoredVersion]:
        """A persona's versions with their content, newest first (empty if unknown).

        Args:
            persona_id: The persona's id.
            newest: At most this many (the newest); all when ``None``.

        """
        query = (
            select(PersonaVersionRow)
            .where(PersonaVersionRow.persona_id == persona_id)
            .order_by(PersonaVersionRow.version.desc())
        )
        if newest is not None:
            query = query.limit(newest)
        with self._db.session() as session:
            return [_stored(row) for row in session.scalars(query)]

    def version(self, persona_id: str, version: int) -> StoredVersion | None:
        """One version of a persona with its content, or ``None`` if there is none."""
        query = select(PersonaVersionRow).where(
            PersonaVersionRow.persona_id == persona_id, PersonaVersionRow.version == version
        )
        with self._db.session() as session:
            row = session.scalars(query).first()
            return None if row is None else _stored(row)


@dataclass(frozen=True)
class StoredVersion:
    """One version of a persona with its content (see :meth:`PersonaRepository.versions`).

    Attributes:
        info: Who made it, when, how and why.
        persona: Its content, or ``None`` if the stored data no longer fits the schema.

    """

    info: PersonaVersionInfo
    persona: Persona | None


def _stored(row: PersonaVersionRow) -> StoredVersion:
    data = normalised(row.data)
    return StoredVersion(
        PersonaVersionInfo(row.version, row.source, row.author, row.note, row.created_at),
        None if data is None else Persona.model_validate(data),
    )
