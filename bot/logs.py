"""Logging: JSON lines for machines, a readable line for people, a request id, no secrets.

:func:`configure_logging` installs one handler on the root logger. When the stream is a
terminal each record is one readable line; otherwise (a container, a pipe, a file) it is
one JSON object per line with ``time`` (ISO-8601, UTC), ``level``, ``logger``,
``message``, ``request_id`` (while a request is being answered), ``exc`` (the traceback,
as text) and any ``extra`` fields.

Every record goes through a :class:`Redactor` first: Slack tokens, bearer tokens and
``Authorization`` values, JSON web tokens, passwords in URLs and ``password=…``-style
parameters are masked, and so is every literal secret value handed to
:func:`configure_logging` (the settings' secrets), wherever it appears, tracebacks
included.

The request id lives in a :class:`contextvars.ContextVar`: the server's middleware sets
it for each request, and tasks started while answering (the turn worked out after the
acknowledgement) inherit it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json as jsonlib
import logging
import re
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import IO, Any
from urllib.parse import quote, unquote, urlsplit

from pydantic import SecretStr

from bot.settings import Settings

MASK = "***"
REQUEST_ID_HEADER = "X-Request-Id"
# The request (or other unit of work) being handled; None outside of one.
REQUEST_ID: ContextVar[str | None] = ContextVar("personabot_request_id", default=None)
# A caller's id is kept only if it is short and made of safe characters.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def _authorization(match: re.Match[str]) -> str:
    scheme = match.group(2)
    return f"{match.group(1)}{scheme} {MASK}" if scheme else match.group(1) + MASK


_PATTERNS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # Slack tokens: xoxb- (bot), xoxp- (user), xoxa-, xoxr-, xoxs-, xoxe- (rotating,
    # also xoxe.xoxp-), xapp- (app-level). The kind stays visible, the secret goes.
    (re.compile(r"\b(x(?:ox[a-z](?:\.xox[a-z])?|app)-)[A-Za-z0-9-]+"), r"\1" + MASK),
    # An Authorization header's value, with or without its scheme.
    (
        re.compile(
            r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)"
            r"(?:(bearer|basic|token|digest)\s+)?[^\s\"',;}]+"
        ),
        _authorization,
    ),
    (re.compile(r"\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MASK),
    # JSON web tokens (Bot Framework tokens among them).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), MASK),
    # scheme://user:password@host
    (re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@"), r"\1" + MASK + "@"),
    # password=…, client_secret=…, token=… in query strings and key=value text.
    (
        re.compile(
            r"(?i)\b((?:password|passwd|pwd|secret|client_secret|signing_secret|token|"
            r"access_token|refresh_token|api_key|apikey)=)[^&\s\"',;]+"
        ),
        r"\1" + MASK,
    ),
)


class Redactor:
    """Masks secrets in text.

    Args:
        secrets: Literal values never to show (e.g. the settings' secrets); each is
            replaced by ``***`` wherever it appears, URL-encoded forms included.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        literals: set[str] = set()
        for value in secrets:
            if value:
                literals.update({value, quote(value, safe=""), unquote(value)})
        literals.discard("")
        # Longest first, so a secret containing another is masked whole.
        self.literals = tuple(sorted(literals, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        """``text`` with every known secret and secret-shaped value masked."""
        for literal in self.literals:
            if literal in text:
                text = text.replace(literal, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret value in ``settings``: its secret fields and the database password."""
    found = [
        value.get_secret_value()
        for name in type(settings).model_fields
        if isinstance(value := getattr(settings, name), SecretStr)
    ]
    with contextlib.suppress(ValueError):
        password = urlsplit(settings.database_url).password
        if password:
            found.append(password)
    return [value for value in found if value]


def new_request_id() -> str:
    """A fresh, short random request id (12 hex digits)."""
    return secrets.token_hex(6)


def accept_request_id(given: str | None) -> str:
    """The caller's request id if it is sane (≤ 64 safe characters), else a new one."""
    if given and _SAFE_REQUEST_ID.fullmatch(given):
        return given
    return new_request_id()


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    return REQUEST_ID.get()


@contextlib.contextmanager
def request_context(request_id: str | None) -> Iterator[None]:
    """Log with ``request_id`` inside the block (e.g. a queued job run later)."""
    token = REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        REQUEST_ID.reset(token)


# Attributes every LogRecord has; anything else on a record came from ``extra``.
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "request_tag",
    "taskName",
}


class _RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (unless it carries one already)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, secrets masked.

    Args:
        redact: Masks secrets in every string that is written.
    """

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        stamp = dt.datetime.fromtimestamp(record.created, dt.UTC)
        out: dict[str, Any] = {
            "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and key not in out and not key.startswith("_"):
                out[key] = _jsonable(value, self.redact)
        request_id = getattr(record, "request_id", None)
        if request_id:
            out["request_id"] = request_id
        if record.exc_info:
            out["exc"] = self.redact(self.formatException(record.exc_info))
        elif record.exc_text:
            out["exc"] = self.redact(record.exc_text)
        if record.stack_info:
            out["stack"] = self.redact(self.formatStack(record.stack_info))
        return jsonlib.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [request id]: message`` (and the traceback), secrets masked.

    Args:
        redact: Masks secrets in the formatted text.
    """

    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """The record as readable text."""
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id}]" if request_id else ""
        # Format the traceback here rather than caching it (unmasked) on the record.
        exc_info, exc_text = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text = exc_info, exc_text
        if exc_info:
            text += "\n" + self.formatException(exc_info)
        elif exc_text:
            text += "\n" + exc_text
        return self.redact(text)


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`configure_logging` installs (so it can find and replace it)."""


def configure_logging(
    level: str | int,
    *,
    json: bool | None = None,
    stream: IO[str] | None = None,
    secrets: Iterable[str] = (),
) -> logging.Handler:
    """Send every log record to ``stream``, as JSON lines or readable text, secrets masked.

    Calling it again replaces the handler it installed before (other handlers, such as a
    test runner's, are left alone).

    Args:
        level: The root level (``"WARNING"``, ``logging.INFO``, …).
        json: JSON lines (``True``) or text (``False``); ``None``: text on a terminal,
            JSON otherwise.
        stream: Where to write; standard error by default.
        secrets: Literal values to mask wherever they appear (see
            :func:`settings_secrets`).

    Returns:
        The installed handler.
    """
    stream = stream if stream is not None else sys.stderr
    if json is None:
        json = not _is_terminal(stream)
    redact = Redactor(secrets)
    handler = _Handler(stream)
    handler.setFormatter(JsonFormatter(redact) if json else TextFormatter(redact))
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    unconfigure_logging()
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def unconfigure_logging() -> None:
    """Remove the handler :func:`configure_logging` installed, if any."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _jsonable(value: object, redact: Redactor) -> object:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v, redact) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v, redact) for v in value]
    return redact(str(value))
