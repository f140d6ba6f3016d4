"""A local fake of the Slack Web API: a real aiohttp HTTP server on 127.0.0.1.

The bot talks to it with the real ``slack_sdk`` client
(``AsyncWebClient(token=..., base_url=fake.base_url)``). Every request is recorded as a
:class:`Call`; answers follow the shapes Slack documents for each method, including its
errors (``not_authed``, ``invalid_auth``, ``unknown_method``, ``invalid_blocks``,
``msg_too_long``, ``user_not_found``, ``users_not_found``, HTTP 429 ``ratelimited``).

Two ways to run it:

* :class:`FakeSlack` on the caller's event loop (``await fake.start()`` /
  ``async with FakeSlack() as fake``);
* :class:`FakeSlackThread` in a background thread with its own event loop, for tests and
  benchmarks that drive the bot from another loop or process (``with FakeSlackThread() as
  fake``). Its inspection API is the same and thread-safe; ``wait_for`` blocks and
  ``wait_for_async`` can be awaited from any loop.

Several workspaces: ``oauth.v2.access`` exchanges a code registered with
:meth:`FakeSlack.add_oauth_code` for a bot token of that code's team (client credentials
as HTTP Basic auth or ``client_id``/``client_secret`` params, as Slack accepts them), and
``auth.test`` answers with the team of the token it is called with (tokens it did not
issue belong to team ``T0001``).

Besides ``/api/<method>`` it serves response URLs (``fake.response_url("k")`` →
``http://127.0.0.1:<port>/hooks/commands/T0001/k``); posts to them are recorded as calls
of the method ``"response_url"`` (``call.path`` tells which).

Values that Slack accepts as JSON strings in form bodies (``blocks``, ``attachments``,
``view``, ``metadata``) are decoded in ``call.params`` whichever encoding was used, so
tests can assert on ``call.params["blocks"]`` directly.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import contextlib
import itertools
import json
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from server_thread import ServerThread

TEAM_ID = "T0001"
TEAM_NAME = "Fake Team"
TEAM_DOMAIN = "fake"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
BOT_NAME = "personabot"
APP_ID = "A0001"
JSON_FIELDS = ("blocks", "attachments", "view", "metadata")
VALID_TOKEN_PREFIXES = ("xoxb-", "xoxp-")
MAX_TEXT = 40_000
KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "context_actions",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)

Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request the fake received.

    Attributes:
        method: The Web API method (``"chat.postMessage"``), or ``"response_url"``.
        params: Query string, form or JSON body merged (body wins); JSON-valued fields
            (``blocks``, ``attachments``, ``view``, ``metadata``) decoded.
        headers: The request headers, case-insensitive (``call.headers["authorization"]``).
        http_method: ``"GET"`` or ``"POST"``.
        path: The request path (``/api/chat.postMessage``).
        status: The HTTP status answered.
        response: The JSON answered (``{}`` when the answer was not JSON).
        at: ``time.monotonic()`` when the request was answered.
    """

    method: str
    params: dict[str, Any]
    headers: Mapping[str, str]
    http_method: str
    path: str
    status: int
    response: Json
    at: float

    @property
    def token(self) -> str | None:
        """The token the request carried (``Authorization: Bearer`` or ``token``)."""
        return _token_of(self.headers, self.params)

    @property
    def ok(self) -> bool:
        """Whether the fake answered ``ok: true``."""
        return bool(self.response.get("ok"))


@dataclass
class _User:
    id: str
    email: str
    name: str
    is_bot: bool = False

    def to_json(self) -> Json:
        profile: Json = {
            "real_name": self.name,
            "display_name": self.name,
            "real_name_normalized": self.name,
            "display_name_normalized": self.name,
            "team": TEAM_ID,
        }
        if self.email:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = BOT_ID if self.id == BOT_USER_ID else "B" + self.id[1:]
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name.lower().replace(" ", "."),
            "deleted": False,
            "real_name": self.name,
            "tz": "Europe/Copenhagen",
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
        }


@dataclass(frozen=True)
class Grant:
    """A workspace's installation of the app: what ``oauth.v2.access`` returns for a code.

    Attributes:
        team_id: The workspace (``T…``).
        team_name: Its name.
        token: The bot token issued for it (``xoxb-…``, one per team).
        scope: The bot scopes granted, comma-separated.
        bot_user_id: The bot's user in that workspace.
        bot_id: The bot's id in that workspace.
        installer: The user who installed the app.
    """

    team_id: str
    team_name: str
    token: str
    scope: str
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    installer: str = "U0INSTALLER"

    @property
    def domain(self) -> str:
        """The workspace's subdomain (``fake`` for the default team)."""
        return TEAM_DOMAIN if self.team_id == TEAM_ID else self.team_id.lower()


@dataclass
class _Failure:
    times: int
    status: int
    body: Json
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Waiter:
    method: str
    count: int
    future: asyncio.Future[None]


class FakeSlack:
    """The fake Slack Web API server, on the running event loop.

    Args:
        host: Address to listen on (keep the default; traffic stays local).
        port: 0 picks a free port.
        tokens: If given, only these tokens are valid; otherwise any ``xoxb-``/``xoxp-``
            token is.
    """

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, tokens: set[str] | None = None
    ) -> None:
        self.host = host
        self._port = port
        self._tokens = tokens
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._waiters: list[_Waiter] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._users: dict[str, _User] = {}
        self._messages: dict[tuple[str, str], Json] = {}
        self._home_views: dict[str, str] = {}
        self._ts = itertools.count(100)
        self._ids = itertools.count(1)
        self._counts: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self._oauth_client: tuple[str, str] | None = None
        self._codes: dict[str, Grant] = {}
        self._used_codes: set[str] = set()
        self._grants: dict[str, Grant] = {}  # by token
        self._team_tokens: dict[str, str] = {}  # team id -> its bot token
        self.add_user(BOT_USER_ID, "", BOT_NAME, is_bot=True)
        self._handlers: dict[str, Callable[[dict[str, Any]], Json]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "views.open": self._views_open,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "users.lookupByEmail": self._lookup_by_email,
            "conversations.open": self._conversations_open,
        }

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (on a free port unless one was given)."""
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/hooks/{rest:.*}", self._handle_hook)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port, reuse_address=True)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop the server; pending ``wait_for`` calls fail with ``TimeoutError``."""
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter.future.get_loop().call_soon_threadsafe(
                _fail, waiter.future, TimeoutError("fake Slack stopped")
            )
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on (after :meth:`start`)."""
        return self._port

    @property
    def base_url(self) -> str:
        """The Web API base URL for ``AsyncWebClient(base_url=...)`` (ends with ``/``)."""
        return f"http://{self.host}:{self._port}/api/"

    def response_url(self, key: str = "1") -> str:
        """A response URL served by the fake (for slash command / block_actions payloads)."""
        return f"http://{self.host}:{self._port}/hooks/commands/{TEAM_ID}/{key}"

    # -- inspection --------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call received so far (a copy), oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method, oldest first."""
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def clear(self) -> None:
        """Forget the recorded calls (users, messages and pending failures stay)."""
        with self._lock:
            self._calls.clear()
            self._counts.clear()

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``count`` calls of ``method`` were recorded; return them.

        Woken by each recorded call (no polling).

        Raises:
            TimeoutError: Fewer calls arrived within ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._counts.get(method, 0) >= count:
                return [c for c in self._calls if c.method == method]
            waiter = _Waiter(method, count, loop.create_future())
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter.future, timeout)
        except TimeoutError as exc:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                got = self._counts.get(method, 0)
                recent = [c.method for c in self._calls[-10:]]
            raise TimeoutError(
                f"{got} of {count} {method} calls within {timeout} s ({exc or 'timed out'};"
                f" last calls: {recent})"
            ) from None
        return self.calls_to(method)

    # -- behaviour -------------------------------------------------------------------

    def add_user(self, id: str, email: str, name: str, is_bot: bool = False) -> None:  # noqa: A002
        """Make a user known to ``users.info`` and ``users.lookupByEmail``."""
        with self._lock:
            self._users[id] = _User(id=id, email=email, name=name, is_bot=is_bot)

    def add_message(
        self, channel: str, ts: str, text: str = "", blocks: list[Any] | None = None
    ) -> None:
        """Make a message exist (so ``chat.update`` finds it) without posting it."""
        with self._lock:
            self._messages[(channel, ts)] = {"text": text, "blocks": blocks or []}

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        """Accept only these app credentials in ``oauth.v2.access`` (default: any pair)."""
        with self._lock:
            self._oauth_client = (client_id, client_secret)

    def add_oauth_code(
        self,
        code: str,
        *,
        team_id: str,
        team_name: str | None = None,
        scope: str = "app_mentions:read,chat:write,commands",
        installer: str = "U0INSTALLER",
        bot_user_id: str = BOT_USER_ID,
    ) -> Grant:
        """Make ``code`` exchangeable (once) by ``oauth.v2.access`` for an install in ``team_id``.

        Every code of one team yields the same bot token, as reinstalling does in Slack.

        Returns:
            The grant the exchange will answer with (``grant.token`` is the bot token).
        """
        with self._lock:
            token = self._team_tokens.get(team_id)
            if token is None:
                token = f"xoxb-{team_id}-{secrets.token_hex(12)}"
                self._team_tokens[team_id] = token
            grant = Grant(
                team_id=team_id,
                team_name=team_name or f"Team {team_id}",
                token=token,
                scope=scope,
                bot_user_id=bot_user_id,
                bot_id="B" + bot_user_id[1:],
                installer=installer,
            )
            self._codes[code] = grant
            if self._tokens is not None:
                self._tokens.add(token)
        return grant

    def token_of(self, team_id: str) -> str | None:
        """The bot token issued to ``team_id`` through ``oauth.v2.access``, if any."""
        with self._lock:
            return self._team_tokens.get(team_id)

    def fail_with_rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429 and ``Retry-After``."""
        self._add_failure(
            method,
            _Failure(
                times=times,
                status=429,
                body={"ok": False, "error": "ratelimited"},
                headers={"Retry-After": str(retry_after)},
            ),
        )

    def fail_with_error(self, method: str, error: str, times: int = 1, status: int = 200) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": error}``."""
        self._add_failure(
            method, _Failure(times=times, status=status, body={"ok": False, "error": error})
        )

    def _add_failure(self, method: str, failure: _Failure) -> None:
        if failure.times > 0:
            with self._lock:
                self._failures.setdefault(method, []).append(failure)

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    # -- HTTP --------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        headers = CIMultiDictProxy(CIMultiDict(request.headers))
        status, body, extra = self._answer(method, params, headers)
        self._record(
            Call(
                method=method,
                params=params,
                headers=headers,
                http_method=request.method,
                path=request.path,
                status=status,
                response=body,
                at=time.monotonic(),
            )
        )
        return web.Response(
            status=status,
            text=json.dumps(body),
            content_type="application/json",
            charset="utf-8",
            headers=extra,
        )

    async def _handle_hook(self, request: web.Request) -> web.Response:
        params = await _read_params(request)
        headers = CIMultiDictProxy(CIMultiDict(request.headers))
        errors = _validate_blocks(params.get("blocks"), limit=50) if "blocks" in params else []
        text = params.get("text")
        status, reply = 200, "ok"
        if errors:
            status, reply = 400, "invalid_blocks"
        elif isinstance(text, str) and len(text) > MAX_TEXT:
            status, reply = 400, "msg_too_long"
        self._record(
            Call(
                method="response_url",
                params=params,
                headers=headers,
                http_method=request.method,
                path=request.path,
                status=status,
                response={"ok": status == 200} if status == 200 else {"error": reply},
                at=time.monotonic(),
            )
        )
        return web.Response(status=status, text=reply, content_type="text/html")

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._counts[call.method] = self._counts.get(call.method, 0) + 1
            if not self._waiters:
                return
            ready = [w for w in self._waiters if self._counts.get(w.method, 0) >= w.count]
            for waiter in ready:
                self._waiters.remove(waiter)
        for waiter in ready:
            waiter.future.get_loop().call_soon_threadsafe(_resolve, waiter.future)

    def _answer(
        self, method: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> tuple[int, Json, dict[str, str]]:
        if method == "oauth.v2.access":  # authenticated by the app's credentials, no token
            failure = self._take_failure(method)
            if failure is not None:
                return failure.status, dict(failure.body), dict(failure.headers)
            return 200, self._oauth_v2_access(params, headers), {}
        token = _token_of(headers, params)
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if self._tokens is not None:
            valid = token in self._tokens
        else:
            valid = token.startswith(VALID_TOKEN_PREFIXES) and len(token) > len("xoxb-")
        if not valid:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        handler = self._handlers.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}
        failure = self._take_failure(method)
        if failure is not None:
            return failure.status, dict(failure.body), dict(failure.headers)
        if method == "auth.test":
            return 200, self._auth_test(params, token), {}
        return 200, handler(params), {}

    # -- methods -----------------------------------------------------------------------

    def _next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n // 1_000_000}.{n % 1_000_000:06d}"

    def _api_test(self, params: dict[str, Any]) -> Json:
        args = {k: v for k, v in params.items() if k != "token"}
        return {"ok": True, "args": args} if args else {"ok": True}

    def _auth_test(self, params: dict[str, Any], token: str | None = None) -> Json:
        with self._lock:
            grant = self._grants.get(token or "")
        if grant is None:  # a token this fake did not issue: the default workspace's
            grant = Grant(team_id=TEAM_ID, team_name=TEAM_NAME, token=token or "", scope="")
        return {
            "ok": True,
            "url": f"https://{grant.domain}.slack.com/",
            "team": grant.team_name,
            "user": BOT_NAME,
            "team_id": grant.team_id,
            "user_id": grant.bot_user_id,
            "bot_id": grant.bot_id,
            "is_enterprise_install": False,
        }

    def _oauth_v2_access(self, params: dict[str, Any], headers: Mapping[str, str]) -> Json:
        """Exchange a code for a bot token (https://api.slack.com/methods/oauth.v2.access)."""
        client_id, client_secret = _basic_auth(headers)
        client_id = client_id or str(params.get("client_id") or "")
        client_secret = client_secret or str(params.get("client_secret") or "")
        code = str(params.get("code") or "")
        with self._lock:
            expected = self._oauth_client
            if not client_id or (expected is not None and client_id != expected[0]):
                return {"ok": False, "error": "invalid_client_id"}
            if not client_secret or (expected is not None and client_secret != expected[1]):
                return {"ok": False, "error": "bad_client_secret"}
            if code in self._used_codes:
                return {"ok": False, "error": "code_already_used"}
            grant = self._codes.pop(code, None)
            if grant is None:
                return {"ok": False, "error": "invalid_code"}
            self._used_codes.add(code)
            self._grants[grant.token] = grant
        return {
            "ok": True,
            "access_token": grant.token,
            "token_type": "bot",
            "scope": grant.scope,
            "bot_user_id": grant.bot_user_id,
            "app_id": APP_ID,
            "team": {"id": grant.team_id, "name": grant.team_name},
            "enterprise": None,
            "authed_user": {"id": grant.installer},
            "is_enterprise_install": False,
        }

    def _message_problem(self, params: dict[str, Any]) -> Json | None:
        if "blocks" in params:
            errors = _validate_blocks(params["blocks"], limit=50)
            if errors:
                return _invalid_blocks(errors)
        text = params.get("text")
        if text is not None and not isinstance(text, str):
            text = str(text)
        if text is not None and len(text) > MAX_TEXT:
            return {"ok": False, "error": "msg_too_long"}
        return None

    def _post_message(self, params: dict[str, Any]) -> Json:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        problem = self._message_problem(params)
        if problem:
            return problem
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        message: Json = {
            "user": BOT_USER_ID,
            "type": "message",
            "ts": ts,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": params.get("text") or "",
            "team": TEAM_ID,
            "bot_profile": {
                "id": BOT_ID,
                "app_id": APP_ID,
                "name": BOT_NAME,
                "deleted": False,
                "team_id": TEAM_ID,
            },
            "blocks": params.get("blocks") or [],
        }
        if params.get("attachments"):
            message["attachments"] = params["attachments"]
        if params.get("thread_ts"):
            message["thread_ts"] = str(params["thread_ts"])
            message["parent_user_id"] = params.get("parent_user_id", "")
            if not message["parent_user_id"]:
                del message["parent_user_id"]
        with self._lock:
            self._messages[(str(channel), ts)] = dict(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _post_ephemeral(self, params: dict[str, Any]) -> Json:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_found"}
        problem = self._message_problem(params)
        if problem:
            return problem
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _update(self, params: dict[str, Any]) -> Json:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        problem = self._message_problem(params)
        if problem:
            return problem
        key = (str(channel), str(ts))
        with self._lock:
            message = self._messages.get(key)
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            if "text" in params:
                message["text"] = params.get("text") or ""
            if "blocks" in params:
                message["blocks"] = params.get("blocks") or []
            reply_message = dict(message)
        return {
            "ok": True,
            "channel": channel,
            "ts": str(ts),
            "text": reply_message.get("text", ""),
            "message": reply_message,
        }

    def _view(self, params: dict[str, Any], *, view_id: str | None = None) -> Json:
        view = params.get("view")
        if not isinstance(view, dict):
            return _invalid_arguments("must provide an object [json-pointer:/view]")
        kind = view.get("type")
        if kind not in ("home", "modal"):
            return _invalid_arguments("must be a valid enum value [json-pointer:/view/type]")
        if kind == "modal":
            title = view.get("title")
            if not isinstance(title, dict) or not isinstance(title.get("text"), str):
                return _invalid_arguments("must provide an object [json-pointer:/view/title]")
            for part in ("title", "submit", "close"):
                obj = view.get(part)
                if isinstance(obj, dict) and len(str(obj.get("text", ""))) > 24:
                    return _invalid_arguments(
                        f"must be less than 25 characters [json-pointer:/view/{part}/text]"
                    )
        if len(str(view.get("private_metadata", ""))) > 3000:
            return _invalid_arguments(
                "must be less than 3001 characters [json-pointer:/view/private_metadata]"
            )
        errors = _validate_blocks(view.get("blocks"), limit=100, pointer="/view/blocks")
        blocks = view.get("blocks") if isinstance(view.get("blocks"), list) else []
        ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
        if len(ids) != len(set(ids)):
            errors.append("block_id must be unique [json-pointer:/view/blocks]")
        inputs = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if kind == "modal" and inputs and not isinstance(view.get("submit"), dict):
            errors.append(
                "must provide submit when the view has inputs [json-pointer:/view/submit]"
            )
        if errors:
            return _invalid_blocks(errors)
        view_id = view_id or f"V{next(self._ids):08d}"
        return {
            "ok": True,
            "view": {
                "id": view_id,
                "team_id": TEAM_ID,
                "type": kind,
                "blocks": view.get("blocks") or [],
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "state": {"values": {}},
                "hash": f"1700000000.{next(self._ids):08d}",
                "title": view.get("title"),
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
                "close": view.get("close"),
                "submit": view.get("submit"),
                "previous_view_id": None,
                "root_view_id": view_id,
                "app_id": APP_ID,
                "external_id": view.get("external_id", ""),
                "app_installed_team_id": TEAM_ID,
                "bot_id": BOT_ID,
            },
        }

    def _views_open(self, params: dict[str, Any]) -> Json:
        if not params.get("trigger_id") and not params.get("interactivity_pointer"):
            return _invalid_arguments("missing required field: trigger_id")
        return self._view(params)

    def _views_publish(self, params: dict[str, Any]) -> Json:
        user_id = params.get("user_id")
        if not user_id:
            return _invalid_arguments("missing required field: user_id")
        if isinstance(params.get("view"), dict) and params["view"].get("type") != "home":
            return _invalid_arguments("must be a valid enum value [json-pointer:/view/type]")
        with self._lock:
            view_id = self._home_views.get(str(user_id))
        reply = self._view(params, view_id=view_id)
        if reply.get("ok"):
            with self._lock:
                self._home_views[str(user_id)] = reply["view"]["id"]
        return reply

    def _users_info(self, params: dict[str, Any]) -> Json:
        with self._lock:
            user = self._users.get(str(params.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user.to_json()}

    def _lookup_by_email(self, params: dict[str, Any]) -> Json:
        email = str(params.get("email", "")).lower()
        with self._lock:
            found = next(
                (u for u in self._users.values() if u.email and u.email.lower() == email), None
            )
        if found is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": found.to_json()}

    def _conversations_open(self, params: dict[str, Any]) -> Json:
        if params.get("channel"):
            return {"ok": True, "channel": {"id": str(params["channel"])}}
        users = [u for u in str(params.get("users", "")).split(",") if u.strip()]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        with self._lock:
            unknown = [u for u in users if u.strip() not in self._users]
        if unknown:
            return {"ok": False, "error": "user_not_found"}
        if len(users) == 1:
            return {"ok": True, "channel": {"id": "D" + users[0].strip()}}
        return {"ok": True, "channel": {"id": "G" + "".join(u.strip()[1:] for u in users)}}


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _fail(future: asyncio.Future[None], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def _token_of(headers: Mapping[str, str], params: Mapping[str, Any]) -> str | None:
    auth = headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth[len("Bearer ") :].strip() or None
    token = params.get("token")
    return str(token) if token else None


def _basic_auth(headers: Mapping[str, str]) -> tuple[str, str]:
    """Client id and secret from ``Authorization: Basic …`` (empty strings without one)."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("Basic "):
        return "", ""
    try:
        decoded = base64.b64decode(auth[len("Basic ") :].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if raw:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = json.loads(raw)
            except ValueError:
                body = {}
            if isinstance(body, dict):
                params.update(body)
        else:
            # Slack reads urlencoded bodies whatever the declared type (e.g. no header).
            params.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    for name in JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # else left as the string for validation
                params[name] = json.loads(value)
    return params


def _invalid_blocks(errors: list[str]) -> Json:
    return {
        "ok": False,
        "error": "invalid_blocks",
        "errors": errors,
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }


def _invalid_arguments(message: str) -> Json:
    return {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": [f"[ERROR] {message}"]},
    }


def _too_long(limit: int, pointer: str) -> str:
    return f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


def _validate_blocks(blocks: Any, *, limit: int, pointer: str = "/blocks") -> list[str]:
    """Slack's Block Kit checks, as ``invalid_blocks`` error strings (empty when valid)."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [f"must provide an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(f"no more than {limit} items allowed [json-pointer:{pointer}]")
    for i, block in enumerate(blocks):
        errors.extend(_validate_block(block, f"{pointer}/{i}"))
    return errors


def _validate_block(block: Any, at: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"must provide an object [json-pointer:{at}]"]
    kind = block.get("type")
    if kind not in KNOWN_BLOCK_TYPES:
        return [f"unsupported type: {kind} [json-pointer:{at}/type]"]
    errors: list[str] = []
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > 255:
        errors.append(_too_long(255, f"{at}/block_id"))
    if kind == "section":
        text, fields = block.get("text"), block.get("fields")
        if text is None and not fields:
            errors.append(f"must provide text or fields [json-pointer:{at}]")
        errors.extend(_validate_text(text, 3000, f"{at}/text"))
        if fields is not None:
            if not isinstance(fields, list):
                errors.append(f"must provide an array [json-pointer:{at}/fields]")
            else:
                if len(fields) > 10:
                    errors.append(f"no more than 10 items allowed [json-pointer:{at}/fields]")
                for j, item in enumerate(fields):
                    errors.extend(_validate_text(item, 2000, f"{at}/fields/{j}"))
        if block.get("accessory") is not None:
            errors.extend(_validate_element(block["accessory"], f"{at}/accessory"))
    elif kind == "header":
        text = block.get("text")
        if not isinstance(text, dict):
            errors.append(f"must provide an object [json-pointer:{at}/text]")
        else:
            if text.get("type") != "plain_text":
                errors.append(f"must be a valid enum value [json-pointer:{at}/text/type]")
            errors.extend(_validate_text(text, 150, f"{at}/text"))
    elif kind in ("actions", "context"):
        elements = block.get("elements")
        most = 25 if kind == "actions" else 10
        if not isinstance(elements, list) or not elements:
            errors.append(f"must provide an array [json-pointer:{at}/elements]")
        else:
            if len(elements) > most:
                errors.append(f"no more than {most} items allowed [json-pointer:{at}/elements]")
            for j, element in enumerate(elements):
                if kind == "actions":
                    errors.extend(_validate_element(element, f"{at}/elements/{j}"))
                elif isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                    errors.extend(_validate_text(element, 3000, f"{at}/elements/{j}"))
    elif kind == "input":
        errors.extend(_validate_text(block.get("label"), 2000, f"{at}/label"))
        errors.extend(_validate_text(block.get("hint"), 2000, f"{at}/hint"))
        if block.get("element") is None:
            errors.append(f"must provide an object [json-pointer:{at}/element]")
        else:
            errors.extend(_validate_element(block["element"], f"{at}/element"))
    return errors


def _validate_input_element(element: Json, at: str) -> list[str]:
    """Slack's checks of a modal's ``plain_text_input`` and ``static_select``."""
    errors: list[str] = []
    if element.get("type") == "plain_text_input":
        most = element.get("max_length", 3000)
        if not isinstance(most, int) or not 1 <= most <= 3000:
            errors.append(f"must be between 1 and 3000 [json-pointer:{at}/max_length]")
            most = 3000
        initial = element.get("initial_value")
        if initial is not None and (not isinstance(initial, str) or len(initial) > most):
            errors.append(_too_long(most, f"{at}/initial_value"))
        errors.extend(_validate_text(element.get("placeholder"), 150, f"{at}/placeholder"))
    elif element.get("type") == "static_select":
        options = element.get("options")
        if not isinstance(options, list) or not options:
            return [f"must provide an array [json-pointer:{at}/options]"]
        if len(options) > 100:
            errors.append(f"no more than 100 items allowed [json-pointer:{at}/options]")
        for j, option in enumerate(options):
            if not isinstance(option, dict):
                errors.append(f"must provide an object [json-pointer:{at}/options/{j}]")
                continue
            errors.extend(_validate_text(option.get("text"), 75, f"{at}/options/{j}/text"))
            value = option.get("value")
            if not isinstance(value, str) or len(value) > 150:
                errors.append(_too_long(150, f"{at}/options/{j}/value"))
        initial = element.get("initial_option")
        if initial is not None and initial not in options:
            errors.append(f"must match one of the options [json-pointer:{at}/initial_option]")
    return errors


def _validate_text(text: Any, limit: int, at: str) -> list[str]:
    if text is None:
        return []
    if not isinstance(text, dict):
        return [f"must provide an object [json-pointer:{at}]"]
    if text.get("type") not in ("plain_text", "mrkdwn"):
        return [f"must be a valid enum value [json-pointer:{at}/type]"]
    value = text.get("text")
    if not isinstance(value, str):
        return [f"must provide a string [json-pointer:{at}/text]"]
    if not value:
        return [f"must be more than 0 characters [json-pointer:{at}/text]"]
    if len(value) > limit:
        return [_too_long(limit, f"{at}/text")]
    return []


def _validate_element(element: Any, at: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"must provide an object [json-pointer:{at}]"]
    errors: list[str] = []
    action_id = element.get("action_id")
    if isinstance(action_id, str) and len(action_id) > 255:
        errors.append(_too_long(255, f"{at}/action_id"))
    if element.get("type") in ("plain_text_input", "static_select"):
        errors.extend(_validate_input_element(element, at))
    if element.get("type") == "button":
        text = element.get("text")
        if not isinstance(text, dict):
            errors.append(f"must provide an object [json-pointer:{at}/text]")
        else:
            if text.get("type") != "plain_text":
                errors.append(f"must be a valid enum value [json-pointer:{at}/text/type]")
            errors.extend(_validate_text(text, 75, f"{at}/text"))
        value = element.get("value")
        if isinstance(value, str) and len(value) > 2000:
            errors.append(_too_long(2000, f"{at}/value"))
        url = element.get("url")
        if isinstance(url, str) and len(url) > 3000:
            errors.append(_too_long(3000, f"{at}/url"))
        if element.get("style") not in (None, "primary", "danger"):
            errors.append(f"must be a valid enum value [json-pointer:{at}/style]")
    return errors


class FakeSlackThread(ServerThread):
    """:class:`FakeSlack` in a background thread with its own event loop.

    ``with FakeSlackThread() as fake:`` or ``start()``/``stop()``. The inspection and
    behaviour methods are safe to call from any thread; :meth:`wait_for` blocks the
    calling thread, :meth:`wait_for_async` can be awaited on any event loop.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeSlack(**kwargs)
        super().__init__(self.fake, name="fake-slack")

    # Same inspection API as FakeSlack, thread-safe.

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self.fake.port

    @property
    def base_url(self) -> str:
        """The Web API base URL (``http://127.0.0.1:<port>/api/``)."""
        return self.fake.base_url

    def response_url(self, key: str = "1") -> str:
        """A response URL served by the fake."""
        return self.fake.response_url(key)

    @property
    def calls(self) -> list[Call]:
        """Every call received so far (a copy)."""
        return self.fake.calls

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method, oldest first."""
        return self.fake.calls_to(method)

    def clear(self) -> None:
        """Forget the recorded calls."""
        self.fake.clear()

    def add_user(self, id: str, email: str, name: str, is_bot: bool = False) -> None:  # noqa: A002
        """Make a user known to ``users.info`` and ``users.lookupByEmail``."""
        self.fake.add_user(id, email, name, is_bot)

    def add_message(
        self, channel: str, ts: str, text: str = "", blocks: list[Any] | None = None
    ) -> None:
        """Make a message exist (so ``chat.update`` finds it)."""
        self.fake.add_message(channel, ts, text, blocks)

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        """Accept only these app credentials in ``oauth.v2.access``."""
        self.fake.set_oauth_client(client_id, client_secret)

    def add_oauth_code(self, code: str, *, team_id: str, **kwargs: Any) -> Grant:
        """Make ``code`` exchangeable by ``oauth.v2.access`` for an install in ``team_id``."""
        return self.fake.add_oauth_code(code, team_id=team_id, **kwargs)

    def token_of(self, team_id: str) -> str | None:
        """The bot token issued to ``team_id``, if any."""
        return self.fake.token_of(team_id)

    def fail_with_rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429."""
        self.fake.fail_with_rate_limit(method, times, retry_after)

    def fail_with_error(self, method: str, error: str, times: int = 1, status: int = 200) -> None:
        """Answer the next ``times`` calls of ``method`` with ``ok: false``."""
        self.fake.fail_with_error(method, error, times, status)

    def _submit(self, coro: Awaitable[list[Call]]) -> concurrent.futures.Future[list[Call]]:
        return self.submit(coro)  # type: ignore[arg-type]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls of ``method`` were recorded; return them.

        Raises:
            TimeoutError: Fewer calls arrived within ``timeout`` seconds.
        """
        return self._submit(self.fake.wait_for(method, count, timeout)).result(timeout + 5)

    async def wait_for_async(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Await (on any event loop) until ``count`` calls of ``method`` were recorded."""
        return await asyncio.wrap_future(self._submit(self.fake.wait_for(method, count, timeout)))
