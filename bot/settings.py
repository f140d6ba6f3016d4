"""Settings, read from the environment (and an optional ``.env`` file) in this module only.

Everything else receives a :class:`Settings` instance; nothing else reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
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
            name = str(err["loc"][0]) if err["loc"] else "?"
            source = "--" + name if name in given else "PERSONABOT_" + name.upper()
            message = str(err.get("ctx", {}).get("error", err["msg"]))
            lines.append(f"{source}: {message}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
