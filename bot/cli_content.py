"""`personabot content export DIR`: the live pack as YAML files, for keeping personas in git.

The personas are the database's live versions (chat edits, approved proposals and
rollbacks included), each ``last_reviewed`` the later of the persona's and the last
review recorded in chat; everything else (``pack.yaml``, quizzes, scenarios) comes from
the configured pack. :mod:`content.export` lays the files out; this module checks the
target and writes them. ``content validate DIR`` passes on the result, and ``content
import --content DIR`` right after finds every persona unchanged.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_support import EXIT_FAILED, EXIT_OK, load, open_db
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.i18n import Texts
    from content.schema import Pack
    from storage.db import Database

#: The folders of a pack whose ``*.yaml`` files an export owns (and may remove).
PACK_FOLDERS = ("personas", "quizzes", "scenarios")


def add_export_parser(
    content_sub: argparse._SubParsersAction[argparse.ArgumentParser],
    content_opt: argparse.ArgumentParser,
) -> None:
    """Add ``content export DIR`` to the ``content`` command."""
    export = content_sub.add_parser(
        "export",
        parents=[content_opt],
        help="write the live pack (personas as the database holds them) as YAML to DIR",
    )
    export.add_argument(
        "dir", type=Path, metavar="DIR", help="where to write it (e.g. a git checkout)"
    )
    export.add_argument(
        "--force",
        action="store_true",
        help="write into a DIR that is not empty: its pack files are replaced, personas no "
        "longer live are removed, other files (such as .git) stay",
    )
    export.set_defaults(run=export_command)


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the live pack to ``args.dir``; exit 1 with one clear line if it cannot."""
    from bot.i18n import Texts
    from content.export import pack_files

    loaded = load(settings)
    if loaded is None:
        return EXIT_FAILED
    configured_dir, configured = loaded
    texts = Texts(language=configured.language)
    target: Path = args.dir
    problem = _target_problem(target, force=args.force, texts=texts)
    if problem is not None:
        print(f"personabot: {problem}", file=sys.stderr)
        return EXIT_FAILED
    db = open_db(settings)
    if db is None:
        return EXIT_FAILED
    try:
        live = live_pack(db, configured, texts)
    finally:
        db.dispose()
    if isinstance(live, str):
        print(f"personabot: {live}", file=sys.stderr)
        return EXIT_FAILED
    files = pack_files(live)
    try:
        removed = write_pack(target, files)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        message = texts("history.export.cannot_write", dir=target, reason=reason)
        print(f"personabot: {message}", file=sys.stderr)
        return EXIT_FAILED
    print(
        texts(
            "history.export.done",
            name=live.info.name,
            dir=target,
            personas=len(live.personas),
            quizzes=len(live.quizzes),
            scenarios=len(live.scenarios),
        )
    )
    if removed:
        print("  " + texts("history.export.removed", files=", ".join(removed)))
    if target.resolve() != configured_dir.resolve():
        print(texts("history.export.elsewhere", dir=target, pack=configured_dir))
    return EXIT_OK


def live_pack(db: Database, configured: Pack, texts: Texts) -> Pack | str:
    """The pack as the bot answers from it, or why there is none (one line)."""
    from content.schema import Pack
    from storage.personas import PersonaRepository
    from storage.reviews import ReviewStore

    repository = PersonaRepository(db=db)
    held = repository.live_pack()
    if held is None:
        return texts("history.export.no_pack")
    if held.name is not None and held.name != configured.info.name:
        return texts("history.export.other_pack", live=held.name, pack=configured.info.name)
    reviewed = ReviewStore(db=db).last_reviewed()
    personas = []
    for persona in repository.live():
        chat = reviewed.get(persona.id)
        if chat is not None and (persona.last_reviewed is None or chat > persona.last_reviewed):
            persona = persona.model_copy(update={"last_reviewed": chat})
        personas.append(persona)
    return Pack(
        info=configured.info,
        personas=tuple(personas),
        quizzes=configured.quizzes,
        scenarios=configured.scenarios,
    )


def write_pack(target: Path, files: dict[str, str]) -> list[str]:
    """Write ``files`` under ``target``; remove the pack's other ``*.yaml`` files there.

    Each file is written whole (a temporary file, then renamed), so a reader never sees
    half a file. Files outside the pack's folders are left alone.

    Returns:
        The paths removed (personas, quizzes or scenarios no longer in the pack).

    """
    removed = []
    for folder in PACK_FOLDERS:
        directory = target / folder
        if directory.is_dir():
            for path in sorted(directory.glob("*.yaml")):
                rel = f"{folder}/{path.name}"
                if rel not in files:
                    path.unlink()
                    removed.append(rel)
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return removed


def _target_problem(target: Path, *, force: bool, texts: Texts) -> str | None:
    """Why ``target`` cannot take the export, or ``None``."""
    if target.exists() and not target.is_dir():
        return texts("history.export.not_dir", dir=target)
    if target.is_dir() and not force and any(target.iterdir()):
        return texts("history.export.not_empty", dir=target)
    return None
