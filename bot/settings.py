"""Settings, read from the environment (and an optional ``.env`` file) in this module only.

Everything else receives a :class:`Settings` instance; nothing else reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///personabot.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingsError(Exception):
    """The environment holds an invalid setting; the message says which and why."""


class Settings(BaseSettings):
    """Runtime configuration.

    Attributes:
        content: The content pack directory (``PERSONABOT_CONTENT``); ``None`` means the
            bundled example pack.
        database_url: SQLAlchemy URL (``PERSONABOT_DATABASE_URL``); default a SQLite file
            ``personabot.db`` in the working directory.
        log_level: ``PERSONABOT_LOG_LEVEL`` (DEBUG, INFO, WARNING, ERROR).
        host: Address ``personabot serve`` listens on (``PERSONABOT_HOST``).
        port: Its port (``PERSONABOT_PORT``, default 3978).
        slack_bot_token: ``SLACK_BOT_TOKEN``, a single-workspace bot token (``xoxb-…``).
        slack_signing_secret: ``SLACK_SIGNING_SECRET``, verifies requests from Slack.
        slack_app_token: ``SLACK_APP_TOKEN`` (``xapp-…``): Socket Mode instead of HTTP.
        slack_client_id: ``SLACK_CLIENT_ID``: multi-workspace install over OAuth.
        slack_client_secret: ``SLACK_CLIENT_SECRET``: with the client id.
        slack_api_url: ``PERSONABOT_SLACK_API_URL``: the Slack Web API base URL (tests and
            local runs point it at a local server).
        microsoft_app_id: ``MicrosoftAppId``, the Teams bot's Microsoft app id; without it
            Teams runs in local mode (no authentication).
        microsoft_app_password: ``MicrosoftAppPassword``, its client secret.
        microsoft_app_type: ``MicrosoftAppType``: ``MultiTenant`` (default),
            ``SingleTenant`` or ``UserAssignedMSI``.
        microsoft_app_tenant_id: ``MicrosoftAppTenantId``, for a single-tenant app.
        teams_local: ``PERSONABOT_TEAMS_LOCAL``: serve Teams in local mode (no
            authentication, answering only connectors on this machine, e.g. the Bot
            Framework Emulator). Unset: on exactly when no platform is configured.
    """

    model_config = SettingsConfigDict(
        env_prefix="PERSONABOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    content: Path | None = None
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = Field(default="WARNING")
    host: str = "0.0.0.0"  # noqa: S104 - a server in a container listens on all interfaces
    port: int = Field(default=3978, ge=1, le=65535)
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_CLIENT_SECRET"
    )
    slack_api_url: str | None = None
    microsoft_app_id: str | None = Field(default=None, validation_alias="MicrosoftAppId")
    microsoft_app_password: SecretStr | None = Field(
        default=None, validation_alias="MicrosoftAppPassword"
    )
    microsoft_app_type: str = Field(default="MultiTenant", validation_alias="MicrosoftAppType")
    microsoft_app_tenant_id: str | None = Field(
        default=None, validation_alias="MicrosoftAppTenantId"
    )
    teams_local: bool | None = None

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
            self.microsoft_app_id
            and self.microsoft_app_type != "UserAssignedMSI"
            and not self.microsoft_app_password
        ):
            raise ValueError("MicrosoftAppPassword: required with MicrosoftAppId")
        if self.microsoft_app_type == "SingleTenant" and not self.microsoft_app_tenant_id:
            raise ValueError("MicrosoftAppTenantId: required for a SingleTenant app")
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

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not one of {', '.join(LOG_LEVELS)}")
        return value.upper()


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with command-line ``overrides`` on top.

    Raises:
        SettingsError: naming the variable and the problem, for any invalid value.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = str(err.get("ctx", {}).get("error", err["msg"]))
            if not err["loc"]:
                lines.append(message)  # a rule across settings names its variables itself
                continue
            name = str(err["loc"][0])
            field = Settings.model_fields.get(name)
            alias = field.validation_alias if field else None
            if name in given:
                source = "--" + name
            elif isinstance(alias, str):
                source = alias
            else:
                source = "PERSONABOT_" + name.upper()
            lines.append(f"{source}: {message}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
