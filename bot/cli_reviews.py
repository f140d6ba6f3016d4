"""`personabot reviews due` and `personabot reviews send`: reviews for admins and cron."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli_support import EXIT_FAILED, EXIT_OK, start
from bot.console import ConsoleInbox
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import App
    from bot.people import PersonPort
    from bot.review_job import ReviewReport


def review_date(value: str) -> dt.date:
    """``--at``: a date, ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def add_reviews_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], content_opt: argparse.ArgumentParser
) -> None:
    """Add ``reviews due`` and ``reviews send`` to the command line."""
    reviews = sub.add_parser("reviews", help="persona reviews: which are due, send the prompts")
    reviews_sub = reviews.add_subparsers(dest="reviews_command", metavar="ACTION", required=True)
    due = reviews_sub.add_parser(
        "due", parents=[content_opt], help="list due and soon-due personas with their owners"
    )
    due.add_argument(
        "--at", type=review_date, metavar="YYYY-MM-DD", help="as of this date (default: today)"
    )
    due.add_argument(
        "--json", action="store_true", help="print them as a JSON list (with --all: every persona)"
    )
    due.add_argument("--all", action="store_true", help="fresh personas too")
    due.set_defaults(run=reviews_due_command)
    send = reviews_sub.add_parser(
        "send",
        parents=[content_opt],
        help="send the review prompts, reminders and escalations now (ignores working hours)",
    )
    send.add_argument(
        "--at",
        type=review_date,
        metavar="YYYY-MM-DD",
        help="which personas are due on this date (default: today); prompts are stamped now",
    )
    send.set_defaults(run=reviews_send_command)


def reviews_due_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the personas due for review (or all, as JSON)."""
    app = start(settings)
    if app is None or app.reviews is None:
        return EXIT_FAILED
    try:
        at = args.at or app.clock().date()
        statuses = app.reviews.statuses(at)
    finally:
        app.close()
    shown = [s for s in statuses if args.all or s.status != "fresh"]
    if args.json:
        print(json.dumps([s.as_json() for s in shown], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not shown:
        print(f"No persona is due or due soon on {at.isoformat()}.")
        return EXIT_OK
    width = max(len(s.name) for s in shown)
    for s in shown:
        late = f", {s.days_overdue} days overdue" if s.days_overdue else ""
        snoozed = f", snoozed until {s.snoozed_until.isoformat()}" if s.snoozed_until else ""
        print(
            f"{s.name:<{width}}  {s.status:<7}  due {s.due_on.isoformat()}{late}{snoozed}  "
            f"owners: {', '.join(s.owners)}"
        )
    return EXIT_OK


def reviews_send_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run the review job once, now, outside working hours too."""
    app = start(settings)
    if app is None:
        return EXIT_FAILED
    try:
        report = asyncio.run(_send(app, settings, app.clock(), as_of=args.at))
    finally:
        app.close()
    print(
        f"review prompts: {report.sent} sent, {report.unreachable} unreachable (admins told), "
        f"{report.failed} failed (tried again at the next run); {report.reminded} reminders, "
        f"{report.escalated} escalations"
    )
    return EXIT_FAILED if report.failed else EXIT_OK


async def _send(
    app: App, settings: Settings, now: dt.datetime, *, as_of: dt.date | None
) -> ReviewReport:
    """One run of the review job through the configured platforms (else the console)."""
    from bot.review_job import review_job

    ports: list[PersonPort] = []
    closing: list[Callable[[], Awaitable[object]]] = []
    if settings.slack_enabled:
        from bot.adapters.slack import SlackAdapter

        ports.append(SlackAdapter(core=app, settings=settings))
    if settings.teams_enabled:
        from bot.adapters.teams.adapter import TeamsAdapter

        teams = TeamsAdapter(core=app, settings=settings)
        ports.append(teams)
        closing.append(teams.auth.close)
    if not ports:
        ports.append(ConsoleInbox())  # kept for each owner's next `personabot chat`
    try:
        return await review_job(app, ports).run(now, working_hours=False, as_of=as_of)
    finally:
        for close in closing:
            await close()
