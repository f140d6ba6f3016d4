"""`personabot digest send` and `personabot digest show`: the weekly digest for admins and cron."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli_reviews import review_date
from bot.cli_support import EXIT_FAILED, EXIT_OK, EXIT_USAGE, start
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import App
    from bot.digest_job import DigestResult, Target
    from bot.people import PersonPort
    from bot.timers import Sender


def digest_target(value: str) -> Target:
    """``--to``: ``slack:C…``, ``teams:…``, ``#channel`` or an email."""
    from bot.digest_job import parse_target

    try:
        return parse_target(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_digest_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], content_opt: argparse.ArgumentParser
) -> None:
    """Add ``digest send`` and ``digest show`` to the command line."""
    digest = sub.add_parser("digest", help='the weekly "personas in action" digest')
    digest_sub = digest.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    send = digest_sub.add_parser(
        "send",
        parents=[content_opt],
        help="post this week's digest now (once per week and target)",
    )
    send.add_argument(
        "--to",
        type=digest_target,
        metavar="slack:C…|teams:…|#channel|EMAIL",
        help="where to (default: PERSONABOT_DIGEST_CHANNEL)",
    )
    send.add_argument(
        "--at", type=review_date, metavar="YYYY-MM-DD", help="as of this date (default: now)"
    )
    send.set_defaults(run=digest_send_command)
    show = digest_sub.add_parser(
        "show", parents=[content_opt], help="print this week's digest (nothing is posted)"
    )
    show.add_argument(
        "--at", type=review_date, metavar="YYYY-MM-DD", help="as of this date (default: now)"
    )
    show.set_defaults(run=digest_show_command)


def _now(app: App, at: dt.date | None) -> dt.datetime:
    now = app.clock()
    return now if at is None else dt.datetime.combine(at, now.timetz())


def digest_show_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the digest of the week up to now (or ``--at``)."""
    from bot.digest_job import digest_builder
    from bot.render.text import render_text

    app = start(settings)
    if app is None:
        return EXIT_FAILED
    try:
        now = _now(app, args.at)
        reply = digest_builder(app).build(until=now)
    finally:
        app.close()
    print(render_text(reply))
    return EXIT_OK


def digest_send_command(args: argparse.Namespace, settings: Settings) -> int:
    """Post this week's digest to ``--to`` (or the configured channel) unless it was."""
    from bot.digest_job import parse_target

    target = args.to or (parse_target(settings.digest_channel) if settings.digest_channel else None)
    if target is None:
        print(
            "personabot: digest send needs --to or PERSONABOT_DIGEST_CHANNEL "
            "(slack:C…, teams:…, #channel or an email)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if target.platform == "slack" and not settings.slack_enabled:
        print(
            "personabot: a Slack channel needs SLACK_BOT_TOKEN (or a Slack OAuth app)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    app = start(settings)
    if app is None:
        return EXIT_FAILED
    try:
        result = asyncio.run(_send(app, settings, target, _now(app, args.at)))
    finally:
        app.close()
    if result.status == "sent":
        print(f"weekly digest {result.week} posted to {result.target}")
        return EXIT_OK
    if result.status == "taken":
        print(f"weekly digest {result.week} was already posted to {result.target}; nothing sent")
        return EXIT_OK
    print(
        f"personabot: weekly digest {result.week} to {result.target} failed: {result.error}",
        file=sys.stderr,
    )
    return EXIT_FAILED


async def _send(app: App, settings: Settings, target: Target, now: dt.datetime) -> DigestResult:
    """Claim and post the digest through the configured platforms."""
    from bot.digest_job import digest_job

    senders: dict[str, Sender] = {}
    people: list[PersonPort] = []
    closing: list[Callable[[], Awaitable[object]]] = []
    if settings.slack_enabled:
        from bot.adapters.slack import SlackAdapter

        slack = SlackAdapter(core=app, settings=settings)
        senders["slack"] = slack.send
        people.append(slack)
    if settings.teams_enabled or target.platform in ("teams", "email"):
        # Without an app id, Teams posts through the references stored in local mode.
        from bot.adapters.teams.adapter import TeamsAdapter

        teams = TeamsAdapter(core=app, settings=settings)
        senders["teams"] = teams.send
        people.append(teams)
        closing.append(teams.auth.close)
    try:
        job = digest_job(app, senders, people)
        return await job.send(target, now, retry_failed=True)
    finally:
        for close in closing:
            await close()
