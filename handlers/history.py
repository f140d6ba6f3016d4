"""A persona's versions in chat: ``history <persona>`` and ``rollback <persona> <version>``.

``history`` (anyone) lists the newest versions first: when, who, how (imported, edited
in chat), why, and what changed from the version before, field by field
(:func:`content.diff.diff`). ``rollback`` (the persona's owners and the pack admins
only, checked here on every command) makes a new version equal to an older one, with
the note "rollback to vN by <email>". It is based on the live version it read: if the
persona changed meanwhile (another rollback, an approved edit), the database refuses it
(:class:`~storage.personas.StaleEditError`), nothing changes and the user is told who
changed it. Persona names are resolved in the live catalog on every command.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import PurePath

from bot.i18n import Texts
from bot.model import Card, Field, Incoming, Reply
from bot.roles import Roles
from content.catalog import Catalog
from content.diff import Change, diff
from content.schema import Persona
from storage.personas import (
    PersonaRepository,
    PersonaVersionInfo,
    StaleEditError,
    StoredVersion,
    UnknownPersonaError,
)

log = logging.getLogger(__name__)

INTENT = "history"
#: How many versions ``history`` shows (the newest).
SHOWN_VERSIONS = 10
#: How many changes each version lists before "…and N more".
SHOWN_CHANGES = 6
#: The most characters of a changed text shown on either side of the change.
EXCERPT = 70
_VERSION = re.compile(r"^v?(\d{1,9})$", re.IGNORECASE)


def meta(**values: object) -> dict[str, object]:
    """The machine-readable facts of a history reply."""
    return {"intent": INTENT, "confidence": 1.0, **values}


class HistoryHandler:
    """The ``history`` and ``rollback`` commands.

    Args:
        catalog: Returns the live catalog (personas are named in it on every command).
        personas: The versioned personas.
        roles: Who owns which persona (the live owners) and who is a pack admin.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
        changed: Called after a rollback made a new version (the live catalog's refresh,
            so this process answers from it at once).
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        personas: PersonaRepository,
        roles: Roles,
        texts: Texts,
        clock: Callable[[], dt.datetime],
        changed: Callable[[], object] = lambda: None,
    ) -> None:
        self.catalog = catalog
        self.personas = personas
        self.roles = roles
        self.texts = texts
        self.clock = clock
        self.changed = changed

    # -- history ----------------------------------------------------------------------------

    def history(self, message: Incoming, arguments: str) -> Reply:
        """``history <persona>``: its versions, newest first, with what changed."""
        persona = self._persona(arguments)
        if persona is None:
            return self._unknown(arguments, usage="history.usage_history")
        stored = self.personas.versions(persona.id, newest=SHOWN_VERSIONS + 1)
        if not stored:
            return self._unknown(arguments, usage="history.usage_history")
        live = stored[0].info.version
        total = len(self.personas.history(persona.id))
        older = [*stored[1:], None]
        fields = [
            self._version_field(stored[n], older[n])
            for n in range(min(len(stored), SHOWN_VERSIONS))
        ]
        footer = [self.texts("history.hint", command=self._word("rollback"), name=_short(persona))]
        if total > SHOWN_VERSIONS:
            footer.insert(0, self.texts("history.older", count=total - SHOWN_VERSIONS))
        card = Card(
            title=self.texts("history.title", name=persona.name),
            subtitle=self.texts("history.count", count=total, live=live),
            fields=tuple(fields),
            footer=" · ".join(footer),
        )
        return Reply(
            text=self.texts("history.intro", name=persona.name, live=live),
            cards=(card,),
            meta=meta(persona=persona.id, versions=total),
        )

    def _version_field(self, version: StoredVersion, older: StoredVersion | None) -> Field:
        info = version.info
        label = self.texts(
            "history.version",
            version=info.version,
            when=_when(info.created_at),
            who=self._who(info),
            source=self.texts(f"history.source.{_source(info.source)}"),
        )
        note = self.texts("history.note", note=info.note) if info.note else ""
        if older is None and info.version == 1:
            return Field(
                label=label, text=" ".join(filter(None, [note, self.texts("history.first")]))
            )
        if older is None:
            return Field(label=label, text=note)  # its predecessor is beyond the list
        if version.persona is None or older.persona is None:
            text = " ".join(filter(None, [note, self.texts("history.unreadable")]))
            return Field(label=label, text=text)
        changes = diff(older.persona, version.persona)
        if not changes:
            return Field(
                label=label, text=" ".join(filter(None, [note, self.texts("history.no_changes")]))
            )
        return Field(label=label, text=note, items=self.change_lines(changes))

    def change_lines(self, changes: Sequence[Change]) -> tuple[str, ...]:
        """Changes as short lines (``+ goals: “…”``): the first few, then "…and N more"."""
        lines = [self.change_line(c) for c in changes[:SHOWN_CHANGES]]
        if len(changes) > SHOWN_CHANGES:
            lines.append(self.texts("history.more_changes", count=len(changes) - SHOWN_CHANGES))
        return tuple(lines)

    def change_line(self, change: Change) -> str:
        """One change as a line: the field (as in the pack's YAML), before and after."""
        name = change.field
        if change.key is not None:
            name += f"[{change.key}]"
        if change.part is not None:
            name += f".{change.part}"
        before, after = excerpts(change.before or "", change.after or "")
        return self.texts(f"history.change.{change.op}", field=name, before=before, after=after)

    # -- rollback ---------------------------------------------------------------------------

    def rollback(self, message: Incoming, arguments: str) -> Reply:
        """``rollback <persona> <version>``: a new version equal to an older one (owners)."""
        words = arguments.split()
        wanted = _VERSION.match(words[-1]) if words else None
        if wanted is None or len(words) < 2:
            return self._usage("history.usage_rollback")
        name, number = " ".join(words[:-1]), int(wanted.group(1))
        persona = self._persona(name)
        if persona is None:
            return self._unknown(name, usage="history.usage_rollback")
        user = message.user
        roles = self.roles
        if not (roles.owns(user, persona.id) or roles.is_admin(user)) or not user.email:
            log.info("rollback refused: %s is no owner of %s", user.key, persona.id)
            owners = ", ".join(persona.owners)
            return self._say("history.not_allowed", private=True, name=persona.name, owners=owners)
        newest = self.personas.versions(persona.id, newest=1)
        if not newest:
            return self._unknown(name, usage="history.usage_rollback")
        live = newest[0]
        if number == live.info.version:
            return self._say("history.is_live", name=persona.name, version=number)
        target = self.personas.version(persona.id, number) if number < live.info.version else None
        if target is None:
            return self._say(
                "history.no_version", name=persona.name, version=number, live=live.info.version
            )
        if target.persona is None:
            return self._say("history.unreadable_version", name=persona.name, version=number)
        return self._roll_back(persona, live, target, by=user.email)

    def _roll_back(
        self, persona: Persona, live: StoredVersion, target: StoredVersion, *, by: str
    ) -> Reply:
        assert target.persona is not None
        number, base = target.info.version, live.info.version
        note = self.texts("history.rollback_note", version=number, by=by)
        try:
            made = self.personas.save_edit(
                target.persona, author=by, note=note, now=self.clock(), expected_version=base
            )
        except (StaleEditError, UnknownPersonaError):
            return self._stale(persona)
        if made == base:
            return self._say("history.same_content", name=persona.name, version=number, live=base)
        log.info("rollback: %s to v%d (now v%d)", persona.id, number, made)
        self.changed()
        changes = diff(live.persona, target.persona) if live.persona is not None else []
        text = self.texts("history.done", name=persona.name, version=number, by=by, new=made)
        lines = self.change_lines(changes)
        return Reply(
            text="\n".join([text, *lines]),
            meta=meta(persona=persona.id, version=made, rolled_back_to=number),
        )

    def _stale(self, persona: Persona) -> Reply:
        """Someone changed the persona between reading it and rolling it back."""
        newest = self.personas.versions(persona.id, newest=1)
        info = newest[0].info if newest else None
        return self._say(
            "history.stale",
            name=persona.name,
            live=info.version if info else "?",
            who=self._who(info) if info else "?",
            when=_when(info.created_at) if info else "?",
            command=self._word("history"),
            short=_short(persona),
        )

    # -- helpers ----------------------------------------------------------------------------

    def _persona(self, wanted: str) -> Persona | None:
        return self.catalog().named(wanted) if wanted.strip() else None

    def _unknown(self, wanted: str, *, usage: str) -> Reply:
        if not wanted.strip():
            return self._usage(usage)
        names = ", ".join(p.name for p in self.catalog().personas)
        return self._say("history.unknown_persona", name=wanted.strip(), personas=names)

    def _usage(self, key: str) -> Reply:
        example = self.catalog().example_persona()
        command = self._word("rollback" if key.endswith("rollback") else "history")
        return self._say(key, command=command, example=_short(example) if example else "")

    def _who(self, info: PersonaVersionInfo) -> str:
        author = info.author or ""
        if author.startswith("import:"):
            origin = author.removeprefix("import:")
            return self.texts("history.by_import", origin=PurePath(origin).name or origin)
        return author or self.texts("history.unknown_author")

    def _word(self, command: str) -> str:
        """The command's word in the pack's language (its first)."""
        return self.texts.words(f"commands.{command}")[0]

    def _say(self, key: str, *, private: bool = False, **values: object) -> Reply:
        return Reply(text=self.texts(key, **values), private=private, meta=meta())


def excerpts(before: str, after: str, *, limit: int = EXCERPT) -> tuple[str, str]:
    """The part of two texts that differs, with a little context, each at most ``limit``.

    "Anchor the talk in cash …" → "Anchor the talk in margin …" gives "…talk in cash…"
    and "…talk in margin…", not two copies of the same long beginning.
    """
    old, new = before.split(), after.split()
    if not old or not new:
        return _clip(before, limit), _clip(after, limit)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = max(prefix - 2, 0)
    return _window(old, start, len(old) - suffix + 2, limit), _window(
        new, start, len(new) - suffix + 2, limit
    )


def _window(words: Sequence[str], start: int, end: int, limit: int) -> str:
    end = min(end, len(words))
    text = " ".join(words[start:end])
    text = ("…" if start > 0 else "") + text + ("…" if end < len(words) else "")
    return _clip(text, limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _short(persona: Persona) -> str:
    """A short way to name the persona in a command: its first alias, else its name."""
    return persona.aliases[0] if persona.aliases else persona.name


def _source(source: str) -> str:
    return source if source in ("import", "edit") else "edit"


def _when(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def history_commands(
    *,
    catalog: Callable[[], Catalog],
    personas: PersonaRepository,
    roles: Roles,
    texts: Texts,
    clock: Callable[[], dt.datetime],
    changed: Callable[[], object] = lambda: None,
) -> dict[str, Callable[[Incoming, str], Reply]]:
    """The ``history`` and ``rollback`` commands, by name, for :class:`bot.commands.Commands`."""
    handler = HistoryHandler(
        catalog=catalog, personas=personas, roles=roles, texts=texts, clock=clock, changed=changed
    )
    return {"history": handler.history, "rollback": handler.rollback}
