"""Commands for the chat platforms: serve, notify, slack-manifest, teams-package."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli_support import EXIT_FAILED, EXIT_OK, EXIT_USAGE, start
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import App


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``personabot serve``."""
    from bot.server import serve

    app = start(settings, queued_writes=True)
    if app is None:
        return EXIT_FAILED
    try:
        serve(app, settings)
    except OSError as exc:
        # Binding the port is the one start-up step left that the OS can refuse.
        reason = exc.strerror or str(exc)
        print(
            f"personabot: cannot listen on {settings.host}:{settings.port}: {reason} "
            "(set PERSONABOT_HOST / PERSONABOT_PORT)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def notify_command(args: argparse.Namespace, settings: Settings) -> int:
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
    app = start(settings)
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

    from bot.adapters.teams.adapter import PLATFORM, TeamsAdapter
    from bot.adapters.teams.outbound import NotifyError
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


def slack_manifest_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``personabot slack-manifest``: ``--url`` for HTTP mode, or ``--socket-mode``."""
    from bot.adapters.slack.manifest import manifest, socket_mode_manifest

    if args.socket_mode:
        print(socket_mode_manifest(), end="")
        return EXIT_OK
    if not args.url:
        print(
            "personabot: slack-manifest needs --url https://HOST (the public address of "
            "`personabot serve`) or --socket-mode (no public URL; set SLACK_APP_TOKEN)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        print(manifest(args.url), end="")
    except ValueError as exc:
        print(f"personabot: --url: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def teams_package_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``personabot teams-package``."""
    from bot.adapters.teams.manifest import package

    if not settings.microsoft_app_id:
        print(
            "personabot: teams-package needs MicrosoftAppId (the Azure Bot's Microsoft App ID)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not args.url:
        print(
            "personabot: teams-package needs --url https://HOST: the public address of "
            "`personabot serve` (the app's website, privacy and terms pages)",
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
