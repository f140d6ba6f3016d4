"""Settings, read from the environment (and an optional ``.env`` file) in this module only.

Everything else receives a :class:`Settings` instance; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.public_url import http_base_url

DEFAULT_DATABASE_URL = "sqlite:///personabot.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("auto", "json", "text")
#: The shortest ``PERSONABOT_SECRET_KEY`` accepted (characters).
MIN_SECRET_KEY = 32
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: ``PERSONABOT_DIGEST_CHANNEL``: a Slack channel id (or ``#name``), or a Teams conversation id.
DIGEST_CHANNEL = re.compile(r"slack:(?:[CGD][A-Z0-9]{2,}|#[a-z0-9][a-z0-9._-]*)|teams:\S*:\S+")


class SettingsError(Exception):
    """The environment holds invalid settings; each line names a variable and the problem.

    Attributes:
        lines: One line per problem, e.g. ``SLACK_SIGNING_SECRET: required …``.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


class Settings(BaseSettings):
    """Runtime configuration.

    Each field is set by the environment variable :func:`env_name` gives (``PERSONABOT_``
    plus the field name in capitals, or the platform's own name such as
    ``SLACK_BOT_TOKEN``); its ``description`` is what ``personabot config check`` and the
    README's settings table say about it. Rules across settings (a Slack token without a
    way to verify requests, say) are checked when the settings are built.
    """

    # Whether MicrosoftAppId needs MicrosoftAppPassword (for commands that talk to Teams).
    app_password_required: ClassVar[bool] = True

    model_config = SettingsConfigDict(
        env_prefix="PERSONABOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    content: Path | None = Field(
        default=None,
        description="Content pack directory (pack.yaml + personas/); default: the bundled "
        "example pack",
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path.db or postgresql://user:pw@host/db "
        "(PostgreSQL for several replicas)",
    )
    log_level: str = Field(default="WARNING", description="DEBUG, INFO, WARNING or ERROR")
    log_format: str = Field(
        default="auto",
        description="json, text, or auto (JSON lines when stderr is not a terminal)",
    )
    host: str = Field(
        default="0.0.0.0",  # noqa: S104 - a server in a container listens on all interfaces
        description="Address `personabot serve` listens on",
    )
    port: int = Field(
        default=3978, ge=1, le=65535, description="Port `personabot serve` listens on"
    )
    shutdown_timeout: float = Field(
        default=8.0,
        gt=0,
        le=60,
        description="Seconds SIGTERM waits for in-flight requests and replies before exiting",
    )
    redeliver_after: float = Field(
        default=120.0,
        ge=1,
        le=3600,
        description="Seconds after which a question a crashed replica acknowledged but "
        "never answered is answered by another (or the restarted) replica; well above "
        "the slowest answer (Slack's rate-limit waits), or slow answers go out twice",
    )
    operator: str | None = Field(
        default=None,
        description="Who runs this bot and how to reach them (e.g. Sales Ops, "
        "sales-ops@example.com); named on the default /privacy and /terms pages",
    )
    privacy_text: str | None = Field(
        default=None,
        description="Text of the GET /privacy page (blank lines separate paragraphs); "
        "default: what the bot stores and why, and who operates it",
    )
    terms_text: str | None = Field(
        default=None,
        description="Text of the GET /terms page (blank lines separate paragraphs); "
        "default: what the bot is for, and who operates it",
    )
    slack_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_BOT_TOKEN",
        description="Bot token (xoxb-…) of a single-workspace Slack app",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_SIGNING_SECRET",
        description="Verifies requests from Slack (required for Slack over HTTP)",
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_APP_TOKEN",
        description="App-level token (xapp-…): Slack over Socket Mode instead of HTTP",
    )
    slack_client_id: str | None = Field(
        default=None,
        validation_alias="SLACK_CLIENT_ID",
        description="OAuth client id: multi-workspace install via /slack/install",
    )
    slack_client_secret: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_CLIENT_SECRET",
        description="OAuth client secret, with SLACK_CLIENT_ID",
    )
    slack_api_url: str | None = Field(
        default=None, description="Slack Web API base URL (default Slack's; for local testing)"
    )
    microsoft_app_id: str | None = Field(
        default=None,
        validation_alias="MicrosoftAppId",
        description="Teams bot's Microsoft app id; turns on JWT-authenticated Teams",
    )
    microsoft_app_password: SecretStr | None = Field(
        default=None,
        validation_alias="MicrosoftAppPassword",
        description="Its client secret (not for UserAssignedMSI)",
    )
    microsoft_app_type: str = Field(
        default="MultiTenant",
        validation_alias="MicrosoftAppType",
        description="MultiTenant, SingleTenant or UserAssignedMSI",
    )
    microsoft_app_tenant_id: str | None = Field(
        default=None,
        validation_alias="MicrosoftAppTenantId",
        description="Tenant id, required for a SingleTenant app",
    )
    teams_local: bool | None = Field(
        default=None,
        description="Serve Teams unauthenticated for local connectors only (Emulator); "
        "default: on when no platform is configured",
    )
    llm_url: str = Field(
        default="",
        description="OpenAI-compatible API base URL (e.g. http://localhost:11434/v1): a model "
        "voices the role-play personas; default: off, the scripted lines",
    )
    llm_api_key: SecretStr = Field(
        default=SecretStr(""), description="Its API key (none for a local Ollama)"
    )
    llm_model: str = Field(default="", description="The model, required with PERSONABOT_LLM_URL")
    llm_timeout: float = Field(
        default=8.0, gt=0, description="Seconds to wait for the model before the scripted line"
    )
    timezone: str = Field(
        default="UTC",
        description="Time zone for working hours (review prompts go out 09:00-17:00 on "
        "weekdays) when Slack does not say the owner's own",
    )
    review_remind_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="Days after a review prompt before the owner is reminded; as long again "
        "and the pack admins are told",
    )
    digest_channel: str = Field(
        default="",
        description="Where the weekly digest is posted: slack:<channel id> or "
        "teams:<conversation id> (slack:C0123, teams:19:abc@thread.tacv2); default: off",
    )
    digest_day: str = Field(
        default="monday",
        description="The day the weekly digest is posted, monday … sunday (in PERSONABOT_TIMEZONE)",
    )
    digest_time: str = Field(
        default="09:00",
        description="The time (HH:MM) on that day the weekly digest is posted, "
        "in PERSONABOT_TIMEZONE",
    )

    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs the dashboard's sign-in links and session cookies (at least 32 "
        "random characters, the same on every replica); the dashboard needs it",
    )
    public_url: str = Field(
        default="",
        description="The address people open `personabot serve` at (https://bot.example.org): "
        "dashboard sign-in links start with it; the dashboard needs it",
    )

    @property
    def slack_enabled(self) -> bool:
        """Whether Slack is configured (a bot token or an OAuth app)."""
        return bool(self.slack_bot_token or self.slack_client_id)

    @model_validator(mode="after")
    def _slack(self) -> Settings:
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            raise ValueError(
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: set both for multi-workspace install"
            )
        if self.slack_enabled and not self.slack_app_token and not self.slack_signing_secret:
            raise ValueError(
                "SLACK_SIGNING_SECRET: required to verify Slack's requests in HTTP mode "
                "(or set SLACK_APP_TOKEN for Socket Mode)"
            )
        if self.slack_app_token and not self.slack_app_token.get_secret_value().startswith("xapp-"):
            raise ValueError("SLACK_APP_TOKEN: an app-level token starts with xapp-")
        return self

    @property
    def teams_enabled(self) -> bool:
        """Whether Teams is configured (a Microsoft app id)."""
        return bool(self.microsoft_app_id)

    @property
    def teams_served(self) -> bool:
        """Whether ``/api/messages`` is served (authenticated, or in local mode)."""
        if self.teams_enabled:
            return True
        if self.teams_local is None:
            return not self.slack_enabled
        return self.teams_local

    @model_validator(mode="after")
    def _teams(self) -> Settings:
        if self.teams_local and self.microsoft_app_id:
            raise ValueError(
                "PERSONABOT_TEAMS_LOCAL and MicrosoftAppId: local mode runs without a "
                "Microsoft app; unset one of them"
            )
        types = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
        if self.microsoft_app_type not in types:
            raise ValueError(f"MicrosoftAppType: one of {', '.join(types)}")
        if (
            self.app_password_required
            and self.microsoft_app_id
            and self.microsoft_app_type != "UserAssignedMSI"
            and not self.microsoft_app_password
        ):
            raise ValueError(
                "MicrosoftAppPassword: required with MicrosoftAppId (the Azure Bot's client "
                "secret, to answer and send in Teams)"
            )
        if self.microsoft_app_type == "SingleTenant" and not self.microsoft_app_tenant_id:
            raise ValueError("MicrosoftAppTenantId: required for a SingleTenant app")
        return self

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and 0 < len(value.get_secret_value()) < MIN_SECRET_KEY:
            raise ValueError(f"too short: at least {MIN_SECRET_KEY} random characters")
        return value if value is not None and value.get_secret_value() else None

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        return http_base_url(value) if value.strip() else ""

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not a time zone (e.g. Europe/Copenhagen)") from exc
        return value

    @field_validator("digest_channel")
    @classmethod
    def _digest_channel(cls, value: str) -> str:
        value = value.strip()
        if value and not DIGEST_CHANNEL.fullmatch(value):
            raise ValueError(
                f"{value!r} is not slack:<channel id> or teams:<conversation id> "
                "(e.g. slack:C0123 or teams:19:abc@thread.tacv2)"
            )
        return value

    @field_validator("digest_day")
    @classmethod
    def _digest_day(cls, value: str) -> str:
        day = value.strip().lower()
        if day not in WEEKDAYS:
            raise ValueError(f"{value!r} is not a day of the week (monday … sunday)")
        return day

    @field_validator("digest_time")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(f"{value!r} is not a time of day, HH:MM (e.g. 09:00)")
        return f"{int(match[1]):02d}:{match[2]}"

    @field_validator("llm_url")
    @classmethod
    def _llm_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if value.strip() and (parts.scheme not in ("http", "https") or not parts.hostname):
            # The value is not echoed: a URL may carry a password.
            raise ValueError("not an http(s) URL with a host (e.g. http://localhost:11434/v1)")
        return value.strip()

    @model_validator(mode="after")
    def _llm(self) -> Settings:
        if self.llm_url and not self.llm_model.strip():
            raise ValueError("PERSONABOT_LLM_MODEL: required with PERSONABOT_LLM_URL")
        return self

    @field_validator("content")
    @classmethod
    def _pack_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a directory (expected a content pack)")
        return value

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"{value!r} is not a database URL ({exc})") from None
        if url.get_backend_name() not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(
                f"unsupported database {url.get_backend_name()!r}; use sqlite or postgresql"
            )
        return value

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value.lower() not in LOG_FORMATS:
            raise ValueError(f"{value!r} is not one of {', '.join(LOG_FORMATS)}")
        return value.lower()

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not one of {', '.join(LOG_LEVELS)}")
        return value.upper()


class PackagingSettings(Settings):
    """Settings for a command that only describes the Teams app (``teams-package``).

    The package names the app by its id; nothing talks to Teams, so the app's password
    (a secret the packaging machine need not hold) is not required.
    """

    app_password_required: ClassVar[bool] = False


def load_settings(*, app_password: bool = True, **overrides: object) -> Settings:
    """Read settings from the environment, with command-line ``overrides`` on top.

    Args:
        app_password: Whether ``MicrosoftAppId`` needs ``MicrosoftAppPassword``; only
            ``teams-package`` does without.
        overrides: Settings given on the command line (``None``: not given).

    Raises:
        SettingsError: naming the variable and the problem, for any invalid value.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    kind = Settings if app_password else PackagingSettings
    try:
        return kind(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = str(err.get("ctx", {}).get("error", err["msg"]))
            if not err["loc"]:
                lines.append(message)  # a rule across settings names its variables itself
                continue
            name = str(err["loc"][0])
            source = "--" + name if name in given else env_name(name)
            lines.append(f"{source}: {message}")
        raise SettingsError(lines) from None


def env_name(field: str) -> str:
    """The environment variable that sets the setting ``field``."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    return alias if isinstance(alias, str) else "PERSONABOT_" + field.upper()


def setting_sources(settings: Settings) -> tuple[frozenset[str], dict[str, str | None]]:
    """Where settings can come from: the environment's variable names, the ``.env`` values."""
    return frozenset(os.environ), _env_file_values(settings)


def unknown_variables(settings: Settings) -> list[str]:
    """``PERSONABOT_*`` variables (environment or ``.env``) that no setting reads.

    A typo such as ``PERSONABOT_DATABSE_URL`` would otherwise be ignored in silence; each
    line names the variable and, when one is close, the setting that was probably meant.
    """
    # The test suite's database is read by the tests, not the bot.
    known = {env_name(field) for field in Settings.model_fields} | {"PERSONABOT_TEST_DATABASE_URL"}
    in_file = _env_file_values(settings)
    lines = []
    for name in sorted({*os.environ, *in_file}):
        if name.upper().startswith("PERSONABOT_") and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            lines.append(f"{name}: not a personabot setting, ignored{hint}")
    return lines


def _env_file_values(settings: Settings) -> dict[str, str | None]:
    env_file = settings.model_config.get("env_file")
    if isinstance(env_file, str) and Path(env_file).is_file():
        return dict(dotenv_values(env_file))
    return {}
