"""``personabot config check``: the effective configuration, secrets masked, and checks."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.cli_support import EXIT_FAILED, EXIT_OK
from bot.settings import Settings, unknown_variables
from bot.settings_report import dashboard_status, effective


def config_check_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print every setting as in effect (secrets masked), then check content and database.

    Invalid settings never reach this command: :func:`bot.cli.main` reports them, one line
    per problem, and exits with status 2. Here the content pack must load and the database
    must answer; pending migrations are reported but are no error (``serve`` applies them).
    """
    overrides = ["content"] if getattr(args, "content", None) else []
    rows = effective(settings, overrides=overrides)
    width = max(len(row.variable) for row in rows)
    value_width = min(max(len(row.value) for row in rows), 48)
    print("personabot configuration (secrets masked):")
    for row in rows:
        print(f"  {row.variable:<{width}}  {row.value:<{value_width}}  [{row.source}]")
    print(f"platforms: {', '.join(enabled_platforms(settings))}")
    print(f"llm voice: {llm_voice(settings)}")
    print(f"dashboard: {dashboard_status(settings)}")
    for line in unknown_variables(settings):
        print(f"warning: {line}")
    results = [_check_content(settings), _check_database(settings)]
    for name, ok, detail in results:
        print(f"{name}: {'ok' if ok else 'FAILED'}: {detail}")
    failed = [name for name, ok, _ in results if not ok]
    if failed:
        print(f"personabot: configuration check failed: {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def enabled_platforms(settings: Settings) -> list[str]:
    """What ``personabot serve`` would serve with these settings, in words."""
    out = []
    if settings.slack_enabled:
        mode = "Socket Mode" if settings.slack_app_token else "HTTP, /slack/events"
        oauth = ", multi-workspace OAuth" if settings.slack_client_id else ""
        out.append(f"Slack ({mode}{oauth})")
    if settings.teams_enabled:
        out.append(f"Teams ({settings.microsoft_app_type}, /api/messages)")
    elif settings.teams_served:
        out.append("Teams (local mode: no authentication, local connectors only)")
    return out or ["none"]


def llm_voice(settings: Settings) -> str:
    """How the role-play personas are voiced, in words; the API key masked."""
    if not settings.llm_url:
        return "off (scripted lines; set PERSONABOT_LLM_URL for a model)"
    key = settings.llm_api_key.get_secret_value()
    shown_key = f"key *** (set, {len(key)} chars)" if key else "no key"
    url = make_url(settings.llm_url).render_as_string(hide_password=True)  # user:***@host
    return f"{settings.llm_model} at {url}, timeout {settings.llm_timeout:g} s, {shown_key}"


def _check_content(settings: Settings) -> tuple[str, bool, str]:
    from bot.app import pack_dir
    from content.loader import PackError, load_pack

    directory = pack_dir(settings)
    try:
        pack = load_pack(directory)
    except PackError as exc:
        first = exc.errors[0] if exc.errors else "invalid"
        more = f" (+{len(exc.errors) - 1} more; run `personabot content validate`)"
        return "content", False, f"{directory}: {first}" + (more if len(exc.errors) > 1 else "")
    detail = f"{pack.info.name} ({pack.language}), {len(pack.personas)} personas, {directory}"
    return "content", True, detail


def _check_database(settings: Settings) -> tuple[str, bool, str]:
    from bot.app import DatabaseOpenError, database_errors, masked_url
    from storage.db import Database

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.exists():
            # Checking must not create it; serve will (and its directory), if it can.
            parent = next((p for p in path.absolute().parents if p.exists()), None)
            if parent is None or not os.access(parent, os.W_OK):
                return "database", False, f"{path}: cannot be created (no writable directory)"
            return "database", True, f"{path}: does not exist yet; serve creates it"
    try:
        with database_errors(settings.database_url):
            db = Database(url=settings.database_url)
            try:
                pending = db.needs_upgrade()
            finally:
                db.dispose()
    except DatabaseOpenError as exc:
        return "database", False, f"{exc.url}: {exc.reason}"
    state = "migrations pending (serve applies them)" if pending else "schema current"
    return "database", True, f"{masked_url(settings.database_url)}: reachable, {state}"
