"""The ``dashboard`` command wired for a bot: its words, its handler with the signer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.commands import CommandHandler
from bot.dashboard.links import signer_of
from bot.i18n import Texts
from bot.roles import Roles
from bot.settings import Settings
from bot.settings_report import dashboard_missing
from handlers.insights import WORDS, DashboardHandler
from storage.db import Database
from storage.insights_signin import SigninLinks

__all__ = ["WORDS", "dashboard_command"]


def dashboard_command(
    settings: Settings,
    *,
    db: Database,
    roles: Roles,
    texts: Texts,
    clock: Callable[[], dt.datetime],
) -> CommandHandler:
    """The ``dashboard`` command of a bot with these settings."""
    handler = DashboardHandler(
        roles=roles,
        texts=texts,
        clock=clock,
        signer=signer_of(settings, SigninLinks(db=db)),
        missing=dashboard_missing(settings),
    )
    return handler.command
