"""The ``personabot`` command line: the parser, and the console and content commands.

Platform commands (serve, notify, slack-manifest, teams-package) are in
:mod:`bot.cli_platforms`; what all commands share is in :mod:`bot.cli_support`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_config import config_check_command
from bot.cli_content import add_export_parser
from bot.cli_digest import add_digest_parser
from bot.cli_platforms import (
    notify_command,
    serve_command,
    slack_manifest_command,
    teams_package_command,
)
from bot.cli_report import add_report_parser
from bot.cli_reviews import add_reviews_parser
from bot.cli_support import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    load,
    open_db,
    other_pack_message,
    print_database_error,
    report_lines,
    start,
)
from bot.logs import configure_logging, settings_secrets
from bot.settings import Settings, SettingsError, load_settings
from content.loader import PackError
from content.packs import pack_path

if TYPE_CHECKING:
    from content.retrieval import Retriever


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings(
            content=getattr(args, "content", None),
            app_password=getattr(args, "app_password", True),
        )
    except SettingsError as exc:
        for line in exc.lines:
            print(f"personabot: {line}", file=sys.stderr)
        return EXIT_USAGE
    # PERSONABOT_LOG_FORMAT=auto: text on a terminal, JSON lines otherwise. The settings'
    # secrets are never written.
    json_logs = {"auto": None, "json": True, "text": False}[settings.log_format]
    configure_logging(settings.log_level, json=json_logs, secrets=settings_secrets(settings))
    result: int = args.run(args, settings)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="personabot",
        description="Keep buyer personas alive in chat: ask who a persona is or how to "
        "answer an objection, in Slack, Microsoft Teams or the terminal.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    content_opt = argparse.ArgumentParser(add_help=False)
    content_opt.add_argument(
        "--content",
        type=pack_path,
        metavar="DIR",
        help="content pack directory, or a bundled pack: en, da, nb "
        "(default: $PERSONABOT_CONTENT, else the example pack)",
    )

    ask = sub.add_parser(
        "ask",
        parents=[content_opt],
        help="answer one question (or one per line from standard input)",
    )
    ask.add_argument("question", nargs="*", help="the question; omit to read standard input")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.add_argument(
        "--explain",
        action="store_true",
        help="after each answer, show why: words corrected, synonyms, matched terms, runner-up",
    )
    ask.set_defaults(run=_ask)

    chat = sub.add_parser("chat", parents=[content_opt], help="talk to the bot in the terminal")
    chat.add_argument("--user", metavar="EMAIL", help="who you are (owners/admins by email)")
    chat.add_argument("--json", action="store_true", help="print each reply as one JSON line")
    chat.set_defaults(run=_chat)

    content = sub.add_parser("content", help="validate, import or export a content pack")
    content_sub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    validate = content_sub.add_parser(
        "validate",
        help="check a pack: every error, then persona-health warnings and scores",
    )
    validate.add_argument("dir", type=pack_path, metavar="DIR")
    validate.add_argument(
        "--strict", action="store_true", help="fail (exit 1) on warnings too, for CI"
    )
    validate.add_argument(
        "--at",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="judge reviews and evidence as on this date (default: today)",
    )
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
    add_export_parser(content_sub, content_opt)

    serve = sub.add_parser(
        "serve",
        parents=[content_opt],
        help="run the server: Slack (POST /slack/events), Teams (POST /api/messages), "
        "GET /healthz, /readyz, /metrics",
        description="Run the server for Slack and Microsoft Teams on PERSONABOT_HOST:"
        "PERSONABOT_PORT: POST /slack/events (Slack events, buttons, /persona; Socket Mode "
        "instead when SLACK_APP_TOKEN is set), GET /slack/install and /slack/oauth_redirect "
        "(with SLACK_CLIENT_ID), POST /api/messages (Teams), GET /healthz, GET /readyz, "
        "GET /metrics (Prometheus), GET /privacy and GET /terms; the admin dashboard: GET /admin, "
        "GET /admin/data, GET and POST /admin/signin, POST /admin/signout, "
        "GET /admin/static/{name}.",
    )
    serve.set_defaults(run=serve_command)

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
    notify.set_defaults(run=notify_command)

    manifest = sub.add_parser(
        "slack-manifest",
        help="print the Slack app manifest: --url https://HOST (HTTP) or --socket-mode",
    )
    mode = manifest.add_mutually_exclusive_group()
    mode.add_argument(
        "--url", help="HTTP mode: the public base URL of `personabot serve`, https://…"
    )
    mode.add_argument(
        "--socket-mode",
        action="store_true",
        help="Socket Mode (SLACK_APP_TOKEN): no public URL, no request URLs in the manifest",
    )
    manifest.set_defaults(run=slack_manifest_command)

    teams_package = sub.add_parser(
        "teams-package",
        help="write the Teams app package (manifest.json and icons) as a zip; needs "
        "MicrosoftAppId and --url",
    )
    teams_package.add_argument(
        "--out", type=Path, default=Path("personabot-teams.zip"), metavar="FILE"
    )
    teams_package.add_argument(
        "--url",
        help="required: the public base URL of `personabot serve`, https://… (the app's "
        "website, /privacy and /terms pages, and valid domain)",
    )
    # The package names the app; only serving and notifying need its password.
    teams_package.set_defaults(run=teams_package_command, app_password=False)

    config = sub.add_parser("config", help="configuration")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser(
        "check",
        parents=[content_opt],
        help="print the effective configuration (secrets masked); exit 1 if it cannot run",
    )
    check.set_defaults(run=config_check_command)

    add_reviews_parser(sub, content_opt)
    add_digest_parser(sub, content_opt)
    add_report_parser(sub, content_opt)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply database migrations")
    upgrade.set_defaults(run=_upgrade)
    return parser


def _tolerant_stdin() -> None:
    """Read bytes that are not valid UTF-8 (or the locale's encoding) as U+FFFD."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import ConsoleBot

    app = start(settings)
    if app is None:
        return EXIT_FAILED
    # Each run is its own conversation: choices offered by an earlier run are not pending.
    bot = ConsoleBot(
        router=app.router,
        out=sys.stdout,
        json_lines=args.json,
        conversation_id=f"ask:{uuid.uuid4().hex}",
    )
    questions = [" ".join(args.question)] if args.question else None
    if questions is None:
        _tolerant_stdin()
    for line in questions or sys.stdin:
        if line.strip():
            bot.say(line.strip())
            if args.explain:
                _explain(app.catalog.retriever, line.strip())
    return EXIT_OK


def _explain(retriever: Retriever, question: str) -> None:
    """Print why ``question`` got its answer (``ask --explain``), as indented lines.

    The lines never start with ``{``, so ``--json`` readers still see one object per answer.
    """
    from content.explain import explain, explain_lines

    print("\n".join(explain_lines(explain(retriever, question))))


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import ConsoleBot

    app = start(settings)
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
    if args.user:
        bot.greet()  # review prompts kept for this owner
    with contextlib.suppress(KeyboardInterrupt):
        bot.run(sys.stdin, prompt="you> " if interactive else "")
    if interactive:
        print("\n" + app.texts("bye"))
    return EXIT_OK


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import Texts
    from content.lint import health
    from content.lint import report_lines as health_lines
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
    result = health(pack, at=args.at or dt.date.today())
    print("\n".join(health_lines(result, texts)))
    if args.strict and result.all_warnings:
        print(texts("validate.strict_failed", count=len(result.all_warnings)), file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import utc_now
    from bot.i18n import Texts
    from storage.import_report import OtherPackError
    from storage.personas import PersonaRepository

    loaded = load(settings)
    if loaded is None:
        return EXIT_FAILED
    directory, pack = loaded
    texts = Texts(language=pack.language)
    db = open_db(settings)
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
        print_database_error(exc)
        return EXIT_FAILED
    print("database upgraded to the latest schema" if before else "database already up to date")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
