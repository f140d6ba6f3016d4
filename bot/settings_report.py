"""The settings as in effect, for ``personabot config check``: each with its source.

Values are shown safely (secrets as ``***``, database passwords masked, long page texts
cut), and ``PERSONABOT_*`` variables that no setting reads are reported with a "did you
mean" for typos.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.settings import Settings, env_name, setting_sources


@dataclass(frozen=True)
class Effective:
    """One setting as in effect: its variable, shown value and where it came from.

    Attributes:
        variable: The environment variable, e.g. ``SLACK_BOT_TOKEN``.
        value: The value as safe to show: secrets are ``***`` and database passwords masked.
        source: ``environment``, ``.env``, ``command line`` or ``default``.
        description: What it does, for the operator.
    """

    variable: str
    value: str
    source: str
    description: str


def effective(settings: Settings, *, overrides: Iterable[str] = ()) -> list[Effective]:
    """Every setting as in effect, secrets masked, in declaration order.

    Args:
        settings: The loaded settings.
        overrides: Names of fields given on the command line.
    """
    in_environment, in_file = setting_sources(settings)
    given = set(overrides)
    rows = []
    for field, info in Settings.model_fields.items():
        variable = env_name(field)
        if field in given:
            source = "command line"
        elif variable in in_environment:
            source = "environment"
        elif variable in in_file:
            source = ".env"
        else:
            source = "default"
        rows.append(
            Effective(
                variable=variable,
                value=_shown(field, getattr(settings, field)),
                source=source,
                description=info.description or "",
            )
        )
    return rows


# How a setting left unset is shown, where "(not set)" would not say what happens.
_UNSET = {
    "content": "(example pack)",
    "privacy_text": "(default text)",
    "terms_text": "(default text)",
    "llm_url": "(off: scripted lines)",
    "secret_key": "(not set: no dashboard)",
    "public_url": "(not set: no dashboard)",
}
PAGE_TEXTS = ("privacy_text", "terms_text")
SHOWN_LENGTH = 60


def _shown(field: str, value: object) -> str:
    if value is None or value == "":
        return _UNSET.get(field, "(not set)")
    if isinstance(value, SecretStr):
        return "*** (set)" if value.get_secret_value() else "(empty)"
    if field == "database_url":  # may carry a password
        return make_url(str(value)).render_as_string(hide_password=True)
    if field == "llm_url":  # may carry a password, or a key in its query
        parts = urlsplit(str(value))
        host = parts.hostname or ""
        netloc = f"***@{host}" if parts.username or parts.password else host
        if parts.port:
            netloc += f":{parts.port}"
        query = "?***" if parts.query else ""
        return f"{parts.scheme}://{netloc}{parts.path}{query}"
    if isinstance(value, bool):
        return str(value).lower()
    if field in PAGE_TEXTS:
        # One line, however long the text: its start is enough to recognise it.
        shown = " ".join(str(value).split())
        return shown if len(shown) <= SHOWN_LENGTH else shown[: SHOWN_LENGTH - 1] + "…"
    return str(value)


def dashboard_missing(settings: Settings) -> list[str]:
    """The settings the dashboard needs that are not set (their variables)."""
    missing = [] if settings.secret_key else ["PERSONABOT_SECRET_KEY"]
    return missing + ([] if settings.public_url else ["PERSONABOT_PUBLIC_URL"])


def dashboard_status(settings: Settings) -> str:
    """Whether ``/admin`` can sign admins in, in words; names each missing variable."""
    missing = dashboard_missing(settings)
    if missing:
        return (
            f"off: needs {' and '.join(missing)} (sign-in links from the `dashboard` "
            "command are signed with the key and start with the URL)"
        )
    return f"{settings.public_url}/admin (admins type `dashboard` in chat for a sign-in link)"
