"""The ``personabot`` command line: ask, chat, content validate/import, db upgrade."""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import shlex
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError, load_settings
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings(content=getattr(args, "content", None))
    except SettingsError as exc:
        print(f"personabot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    result: int = args.run(args, settings)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="personabot",
        description="Keep buyer personas alive in chat: ask, train, review, learn.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    content_opt = argparse.ArgumentParser(add_help=False)
    content_opt.add_argument(
        "--content",
        type=Path,
        metavar="DIR",
        help="content pack directory (default: $PERSONABOT_CONTENT, else the example pack)",
    )

    ask = sub.add_parser(
        "ask",
        parents=[content_opt],
        help="answer one question (or one per line from standard input)",
    )
    ask.add_argument("question", nargs="*", help="the question; omit to read standard input")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.set_defaults(run=_ask)

    chat = sub.add_parser("chat", parents=[content_opt], help="talk to the bot in the terminal")
    chat.add_argument("--user", metavar="EMAIL", help="who you are (owners/admins by email)")
    chat.add_argument("--json", action="store_true", help="print each reply as one JSON line")
    chat.set_defaults(run=_chat)

    content = sub.add_parser("content", help="validate or import a content pack")
    content_sub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    validate = content_sub.add_parser("validate", help="check a pack and list every error")
    validate.add_argument("dir", type=Path, metavar="DIR")
    validate.set_defaults(run=_validate)
    imp = content_sub.add_parser(
        "import", parents=[content_opt], help="import the pack into the database"
    )
    imp.add_argument(
        "--force", action="store_true", help="let the files win where chat edits conflict"
    )
    imp.add_argument(
        "--replace",
        action="store_true",
        help="switch a database that holds another pack to this one (archives its personas)",
    )
    imp.set_defaults(run=_import)

    serve = sub.add_parser(
        "serve",
        parents=[content_opt],
        help="run the server for Slack (and Teams): POST /slack/events, GET /healthz",
    )
    serve.set_defaults(run=_serve)

    notify = sub.add_parser(
        "notify",
        parents=[content_opt],
        help="send a message to a person (by email: Slack and/or Teams) or a Slack channel",
    )
    notify.add_argument("--to", required=True, metavar="EMAIL|#channel")
    notify.add_argument(
        "--team", metavar="T…", help="the Slack workspace, when the app is in several"
    )
    notify.add_argument("text", nargs="+", help="the message")
    notify.set_defaults(run=_notify)

    manifest = sub.add_parser(
        "slack-manifest", help="print the Slack app manifest for your server's address"
    )
    manifest.add_argument(
        "--url", required=True, help="the public base URL of `personabot serve`, https://…"
    )
    manifest.set_defaults(run=_slack_manifest)

    teams_package = sub.add_parser(
        "teams-package", help="write the Teams app package (manifest.json and icons) as a zip"
    )
    teams_package.add_argument(
        "--out", type=Path, default=Path("personabot-teams.zip"), metavar="FILE"
    )
    teams_package.add_argument(
        "--url", help="the public base URL of `personabot serve`, https://… (valid domain)"
    )
    teams_package.set_defaults(run=_teams_package)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply database migrations")
    upgrade.set_defaults(run=_upgrade)
    return parser


def _print_pack_errors(exc: PackError) -> None:
    print(f"personabot: the content pack {exc.root} has errors:", file=sys.stderr)
    for error in exc.errors:
        print(f"  {error}", file=sys.stderr)


def _print_database_error(exc: DatabaseOpenError) -> None:
    print(f"personabot: cannot open the database {exc.url}: {exc.reason}", file=sys.stderr)


def _load(settings: Settings) -> tuple[Path, Pack] | None:
    """Load the configured pack, or print its errors and return ``None``."""
    from bot.app import pack_dir
    from content.loader import load_pack

    directory = pack_dir(settings)
    try:
        return directory, load_pack(directory)
    except PackError as exc:
        _print_pack_errors(exc)
        return None


def _open(settings: Settings) -> Database | None:
    """Open (and migrate) the database, or print why not and return ``None``."""
    from bot.app import DatabaseOpenError, open_database

    try:
        return open_database(settings)
    except DatabaseOpenError as exc:
        _print_database_error(exc)
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
            unchanged=len(report.unchanged),
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


def _start(settings: Settings, *, queued_writes: bool = False) -> App | None:
    """Build the app, or print why not and return ``None``."""
    from bot.app import build_app
    from bot.i18n import Texts
    from storage.import_report import OtherPackError

    loaded = _load(settings)
    if loaded is None:
        return None
    _, pack = loaded
    db = _open(settings)
    if db is None:
        return None
    try:
        return build_app(settings, pack=pack, db=db, queued_writes=queued_writes)
    except OtherPackError as exc:
        db.dispose()
        message = other_pack_message(exc, Texts(language=pack.language))
        print(f"personabot: {message}", file=sys.stderr)
        return None


def _tolerant_stdin() -> None:
    """Read bytes that are not valid UTF-8 (or the locale's encoding) as U+FFFD."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import ConsoleBot

    app = _start(settings)
    if app is None:
        return EXIT_FAILED
    # Each run is its own conversation: choices offered by an earlier run are not pending.
    bot = ConsoleBot(
        router=app.router,
        out=sys.stdout,
        json_lines=args.json,
        conversation_id=f"ask:{uuid.uuid4().hex}",
    )
    if args.question:
        bot.say(" ".join(args.question))
        return EXIT_OK
    _tolerant_stdin()
    for line in sys.stdin:
        if line.strip():
            bot.say(line.strip())
    return EXIT_OK


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import ConsoleBot

    app = _start(settings)
    if app is None:
        return EXIT_FAILED
    _tolerant_stdin()
    bot = ConsoleBot(router=app.router, out=sys.stdout, user_email=args.user, json_lines=args.json)
    interactive = sys.stdin.isatty() and not args.json
    if interactive:
        print(
            app.texts(
                "console_welcome", pack=app.catalog.pack_name, count=len(app.catalog.personas)
            )
            + "\n"
        )
        if not app.import_report.ok:
            print("\n".join(report_lines(app.import_report, app.texts)) + "\n", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        bot.run(sys.stdin, prompt="you> " if interactive else "")
    if interactive:
        print("\n" + app.texts("bye"))
    return EXIT_OK


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import Texts
    from content.loader import load_pack

    try:
        pack = load_pack(args.dir)
    except PackError as exc:
        texts = Texts(language="en")
        print(texts("validate.failed", path=args.dir, count=len(exc.errors)), file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return EXIT_FAILED
    texts = Texts(language=pack.language)
    print(
        texts(
            "validate.ok",
            path=args.dir,
            name=pack.info.name,
            language=pack.language,
            personas=len(pack.personas),
            objections=sum(len(p.objections) for p in pack.personas),
        )
    )
    return EXIT_OK


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import utc_now
    from bot.i18n import Texts
    from storage.import_report import OtherPackError
    from storage.personas import PersonaRepository

    loaded = _load(settings)
    if loaded is None:
        return EXIT_FAILED
    directory, pack = loaded
    texts = Texts(language=pack.language)
    db = _open(settings)
    if db is None:
        return EXIT_FAILED
    try:
        report = PersonaRepository(db=db).import_pack(
            pack, origin=str(directory), now=utc_now(), force=args.force, replace=args.replace
        )
    except OtherPackError as exc:
        print(f"personabot: {other_pack_message(exc, texts)}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        db.dispose()
    print("\n".join(report_lines(report, texts)))
    return EXIT_OK if report.ok else EXIT_FAILED


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import serve

    app = _start(settings, queued_writes=True)
    if app is None:
        return EXIT_FAILED
    serve(app, settings)
    return EXIT_OK


def _notify(args: argparse.Namespace, settings: Settings) -> int:
    """Slack (when configured) and Teams (when the person has a stored reference)."""
    import asyncio

    to = str(args.to)
    by_email = "@" in to and not to.startswith("#")
    if not settings.slack_enabled and not by_email:
        print(
            "personabot: notify to a channel needs SLACK_BOT_TOKEN (or a Slack OAuth app)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    app = _start(settings)
    if app is None:
        return EXIT_FAILED
    text = " ".join(args.text)
    sent: list[str] = []
    failures: list[str] = []
    try:
        if settings.slack_enabled:
            from bot.adapters.slack import NotifyError, SlackAdapter

            try:
                adapter = SlackAdapter(core=app, settings=settings)
                channel = asyncio.run(adapter.notify(to, text, team=args.team))
                sent.append(f"{to} ({channel})")
            except NotifyError as exc:
                failures.append(f"Slack refused: {exc}")
        if by_email:
            failure, known = _notify_teams(app, settings, to, text, sent)
            # Someone Teams never saw matters only when nothing else reached them.
            if failure and (known or not sent):
                failures.append(failure)
    finally:
        app.close()
    for line in sent:
        print(app.texts("slack.notified", to=line))
    for line in failures:
        print(f"personabot: {line}", file=sys.stderr)
    return EXIT_OK if sent else EXIT_FAILED


def _notify_teams(
    app: App, settings: Settings, email: str, text: str, sent: list[str]
) -> tuple[str, bool]:
    """Send in Teams if ``email`` has a stored reference.

    Returns:
        Why it was not sent ("" when sent) and whether Teams knows the person.
    """
    import asyncio

    from bot.adapters.teams.adapter import PLATFORM, NotifyError, TeamsAdapter
    from storage.references import ReferenceStore

    if ReferenceStore(db=app.db).by_email(PLATFORM, email) is None:
        return f"{email} has not talked to the bot in Teams nor installed it", False

    async def send() -> str:
        teams = TeamsAdapter(core=app, settings=settings)
        try:
            return await teams.notify(email, text)
        finally:
            await teams.auth.close()

    try:
        conversation = asyncio.run(send())
    except NotifyError as exc:
        return f"Teams: {exc}", True
    sent.append(f"{email} (Teams {conversation})")
    return "", True


def _slack_manifest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.slack.manifest import manifest

    try:
        print(manifest(args.url), end="")
    except ValueError as exc:
        print(f"personabot: --url: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _teams_package(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.teams.manifest import package

    if not settings.microsoft_app_id:
        print(
            "personabot: teams-package needs MicrosoftAppId (the Azure Bot's Microsoft App ID)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        data = package(settings, url=args.url)
    except ValueError as exc:
        print(f"personabot: --url: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        print(f"personabot: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {args.out}: manifest.json, color.png, outline.png")
    return EXIT_OK


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import DatabaseOpenError, database_errors
    from storage.db import Database

    try:
        with database_errors(settings.database_url):
            db = Database(url=settings.database_url)
            try:
                before = db.needs_upgrade()
                db.upgrade()
            finally:
                db.dispose()
    except DatabaseOpenError as exc:
        _print_database_error(exc)
        return EXIT_FAILED
    print("database upgraded to the latest schema" if before else "database already up to date")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
