"""What the commands share: loading the pack, opening the database, reporting."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings
from content.loader import PackError

if TYPE_CHECKING:
    from bot.app import App, DatabaseOpenError
    from bot.i18n import Texts
    from content.schema import Pack
    from storage.db import Database
    from storage.import_report import ImportReport, LivePack, OtherPackError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def print_pack_errors(exc: PackError) -> None:
    """Print every error of a broken pack, one per line."""
    print(f"personabot: the content pack {exc.root} has errors:", file=sys.stderr)
    for error in exc.errors:
        print(f"  {error}", file=sys.stderr)


def print_database_error(exc: DatabaseOpenError) -> None:
    """Print why the database cannot be opened, in one line."""
    print(f"personabot: cannot open the database {exc.url}: {exc.reason}", file=sys.stderr)


def load(settings: Settings) -> tuple[Path, Pack] | None:
    """Load the configured pack, or print its errors and return ``None``."""
    from bot.app import pack_dir
    from content.loader import load_pack

    directory = pack_dir(settings)
    try:
        return directory, load_pack(directory)
    except PackError as exc:
        print_pack_errors(exc)
        return None


def open_db(settings: Settings) -> Database | None:
    """Open (and migrate) the database, or print why not and return ``None``."""
    from bot.app import DatabaseOpenError, open_database

    try:
        return open_database(settings)
    except DatabaseOpenError as exc:
        print_database_error(exc)
        return None


def other_pack_message(exc: OtherPackError, texts: Texts) -> str:
    """One line: which pack the database holds, which is configured, how to switch."""
    values = {
        "live": exc.live.name,
        "live_origin": exc.live.origin,
        "pack": exc.pack_name,
        "origin": exc.origin,
        "dir": shlex.quote(exc.origin),
    }
    key = "import.other_pack" if exc.live.name is not None else "import.other_origin"
    return texts(key, **values)


def _previous_pack_line(previous: LivePack, report: ImportReport, texts: Texts) -> str:
    if previous.name is None:
        return texts("import.replaced_unnamed", old_origin=previous.origin, new=report.pack_name)
    return texts("import.replaced", old=previous.name, new=report.pack_name)


def report_lines(report: ImportReport, texts: Texts) -> list[str]:
    """Render an import report, one line per fact, in the language of ``texts``."""
    lines = []
    if report.previous is not None:
        lines.append(_previous_pack_line(report.previous, report, texts))
    lines.append(
        texts(
            "import.summary",
            total=report.total,
            origin=report.origin,
            created=len(report.created),
            updated=len(report.updated),
            # A file that already matched the chat edits changed no persona either.
            unchanged=len(report.unchanged) + len(report.recorded),
            archived=len(report.archived),
            conflicts=len(report.conflicts),
        )
    )
    for key, ids in (
        ("created", report.created),
        ("updated", report.updated),
        ("forced", report.forced),
        ("recorded", report.recorded),
        ("restored", report.restored),
        ("archived", report.archived),
    ):
        if ids:
            lines.append("  " + texts(f"import.{key}", ids=", ".join(ids)))
    for conflict in report.conflicts:
        key = "import.conflict" if conflict.imported_version else "import.conflict_never_imported"
        lines.append(
            texts(
                key,
                persona=conflict.persona_id,
                version=conflict.live_version,
                author=conflict.edited_by or texts("import.unknown_author"),
                date=conflict.edited_at.strftime("%Y-%m-%d %H:%M UTC"),
                imported=conflict.imported_version,
            )
        )
    return lines


def start(settings: Settings, *, queued_writes: bool = False) -> App | None:
    """Build the app, or print why not and return ``None``."""
    from bot.app import build_app
    from bot.i18n import Texts
    from storage.import_report import OtherPackError

    loaded = load(settings)
    if loaded is None:
        return None
    _, pack = loaded
    db = open_db(settings)
    if db is None:
        return None
    try:
        return build_app(settings, pack=pack, db=db, queued_writes=queued_writes)
    except OtherPackError as exc:
        db.dispose()
        message = other_pack_message(exc, Texts(language=pack.language))
        print(f"personabot: {message}", file=sys.stderr)
        return None
