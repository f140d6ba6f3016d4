"""A local fake of the Bot Framework Connector service: a real aiohttp server on 127.0.0.1.

Put :attr:`FakeConnector.url` (``http://127.0.0.1:<port>/``) in an inbound activity's
``serviceUrl``; the bot's real botbuilder ``ConnectorClient`` then sends its replies here.
Every request is recorded as a :class:`Call` (with its ``Authorization`` header, if any);
answers follow the Bot Connector REST API (v3) and the Teams status codes:

* ``POST /v3/conversations/{conversationId}/activities`` (send) and
  ``POST /v3/conversations/{conversationId}/activities/{activityId}`` (reply) → 200
  ``{"id": "<new activity id>"}``;
* ``PUT /v3/conversations/{conversationId}/activities/{activityId}`` (update a sent
  activity) → 200 ``{"id": activityId}``; an id it never issued → 404;
* ``DELETE /v3/conversations/{conversationId}/activities/{activityId}`` → 200;
* ``POST /v3/conversations`` (create a conversation; a proactive 1:1 needs ``bot``,
  ``members`` and a tenant in ``channelData.tenant.id`` or ``tenantId``) → 200
  ``{"id": "a:…"}`` (the same id for the same user and tenant, as Teams keeps one 1:1
  chat per user), plus ``"activityId"`` when the body carried an ``activity`` (recorded as
  sent). With ``channelData.channel.id`` it starts a channel thread
  (``"<channel>;messageid=<id>"``);
* ``GET /v3/conversations/{conversationId}/members``,
  ``GET /v3/conversations/{conversationId}/pagedmembers`` and
  ``GET /v3/conversations/{conversationId}/members/{memberId}`` (TeamsInfo lookups; the
  member id may be the ``29:…`` id or the Entra object id) answer the TeamsChannelAccount
  records registered with :meth:`FakeConnector.add_member` (``id``, ``name``,
  ``aadObjectId``, ``email``, ``userPrincipalName``, ``tenantId``, …); an unknown member
  → 404 ``MemberNotFoundInConversation``.

Sent activities (send, reply, update) are checked as the service does: the body must be
JSON (400 ``BadSyntax``), at most :data:`MAX_ACTIVITY_BYTES` (~28 KB, Teams' message size
limit → 413 ``MessageSizeTooBig``), of type ``message`` or ``typing`` with ``type``,
``from``, ``conversation`` and ``recipient`` (400 ``BadArgument``); a message needs text,
attachments or suggested actions; every Adaptive Card attachment
(``application/vnd.microsoft.card.adaptive``) must be valid against the Adaptive Card 1.5
schema (:mod:`cards`; 400 ``BadArgument`` with the schema errors in the message). Error
bodies are ``{"error": {"code": …, "message": …}}``.

There is no token endpoint: a bot without an app id (local mode) sends no
``Authorization`` header, and the fake accepts any or none (``call.authorization`` shows
what came).

Two ways to run it, with the same inspection API:

* :class:`FakeConnector` on the caller's event loop (``async with FakeConnector() as
  fake``);
* :class:`FakeConnectorThread` in a background thread with its own loop, for tests that
  drive a bot in a subprocess and for the benchmark (``with FakeConnectorThread() as
  fake``): ``wait_for_activities`` blocks, ``wait_for_activities_async`` can be awaited
  from any loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote

from aiohttp import web
from cards import ADAPTIVE_CARD_CONTENT_TYPE, validate_activity_cards
from multidict import CIMultiDict, CIMultiDictProxy
from server_thread import ServerThread

Json = dict[str, Any]
T = TypeVar("T")

# Teams rejects a message whose activity JSON is over about 28 KB.
MAX_ACTIVITY_BYTES = 28 * 1024
SENDABLE_TYPES = ("message", "typing")
REQUIRED_FIELDS = ("type", "from", "conversation", "recipient")
DEFAULT_TENANT = "a0e78124-8cd4-4887-a704-1d4c829cf888"
# The error codes Teams answers with for each status (Teams "bot API status codes").
ERROR_CODES = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "ConversationBlockedByUser",
    404: "ConversationNotFound",
    412: "PreconditionFailed",
    413: "MessageSizeTooBig",
    429: "Throttled",
    500: "ServiceError",
    502: "ServiceError",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass(frozen=True)
class Call:
    """One request the fake received.

    Attributes:
        method: The HTTP method (``"POST"``, ``"PUT"``, ``"GET"``, ``"DELETE"``).
        path: The request path as sent (percent-encoded, e.g. ``/v3/conversations/a%3A1/…``).
        operation: What it was: ``send``, ``reply``, ``update``, ``delete``,
            ``create_conversation``, ``get_members``, ``get_paged_members``,
            ``get_member`` or ``unknown``.
        conversation_id: The conversation id from the path (decoded), if any.
        activity_id: The activity id from the path (decoded): the activity replied to,
            updated or deleted.
        json: The JSON body (``None`` without one or when it was not JSON).
        headers: The request headers, case-insensitive.
        status: The HTTP status answered.
        response: The JSON answered (``{}`` for none).
        at: ``time.monotonic()`` when it was answered.
        new_id: The id the fake gave the sent activity (send, reply and a created
            conversation's first activity), else ``None``.
    """

    method: str
    path: str
    operation: str
    conversation_id: str | None
    activity_id: str | None
    json: Any
    headers: Mapping[str, str]
    status: int
    response: Any
    at: float
    new_id: str | None = None

    @property
    def authorization(self) -> str | None:
        """The ``Authorization`` header the call carried (``None`` without one)."""
        return self.headers.get("Authorization")

    @property
    def ok(self) -> bool:
        """Whether the fake answered with a 2xx status."""
        return 200 <= self.status < 300


@dataclass
class _Failure:
    times: int
    status: int
    body: Json
    headers: dict[str, str]
    operations: frozenset[str]


@dataclass
class _Waiter:
    done: Callable[[], bool]
    future: asyncio.Future[None]


class FakeConnector:
    """The fake Bot Connector service, on the running event loop.

    Args:
        host: Address to listen on (keep the default; traffic stays local).
        port: 0 picks a free port.
        latency: Seconds to wait before answering each call (a remote service's delay).
        validate_every: Check the Adaptive Cards of every n-th sent activity against the
            schema (default 1: all of them). A load run that only counts replies can
            sample (validating one card costs ~30 ms of CPU); every other check still
            applies to every activity.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        validate_every: int = 1,
    ) -> None:
        if validate_every < 1:
            raise ValueError("validate_every must be at least 1")
        self.host = host
        self._port = port
        self.latency = latency
        self.validate_every = validate_every
        self._to_validate = itertools.count()
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._sent: list[Json] = []  # accepted activities, in the order accepted
        self._sent_by_conversation: dict[str, int] = {}
        self._messages: dict[tuple[str, str], Json] = {}  # (conversation, id) -> latest
        self._members: dict[str, list[Json]] = {}  # conversation id -> members
        self._people: dict[str, Json] = {}  # member id / aadObjectId -> member (any conv.)
        self._failures: list[_Failure] = []
        self._waiters: list[_Waiter] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (on a free port unless one was given)."""
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port, reuse_address=True)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop the server; pending waits fail with ``TimeoutError``."""
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter.future.get_loop().call_soon_threadsafe(
                _fail, waiter.future, TimeoutError("fake connector stopped")
            )
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeConnector:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on (after :meth:`start`)."""
        return self._port

    @property
    def url(self) -> str:
        """The ``serviceUrl`` to put in inbound activities (``http://127.0.0.1:<port>/``)."""
        return f"http://{self.host}:{self._port}/"

    # -- inspection --------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call received so far (a copy), oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, operation: str) -> list[Call]:
        """The calls of one operation (``"reply"``, ``"send"``, …), oldest first."""
        with self._lock:
            return [c for c in self._calls if c.operation == operation]

    def activities_sent(self, conversation_id: str | None = None) -> list[Json]:
        """The activities the fake accepted (send, reply, a created conversation's first).

        Oldest first, each as the bot sent it with the ``id`` the fake gave it (and
        ``replyToId`` set from the path for a reply that did not carry one). Updates are
        in :meth:`activities_updated`; failed sends are only in :attr:`calls`.
        """
        with self._lock:
            sent = [
                a
                for a in self._sent
                if conversation_id is None or _conversation_of(a) == conversation_id
            ]
            return copy.deepcopy(sent)

    def activities_updated(self, conversation_id: str | None = None) -> list[Json]:
        """The accepted update bodies (``PUT``), oldest first."""
        return [
            c.json
            for c in self.calls_to("update")
            if c.ok and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def message(self, conversation_id: str, activity_id: str) -> Json | None:
        """The latest state of a sent activity (after updates), or ``None``."""
        with self._lock:
            found = self._messages.get((conversation_id, activity_id))
            return copy.deepcopy(found) if found is not None else None

    def clear(self) -> None:
        """Forget recorded calls and sent activities (members and pending failures stay)."""
        with self._lock:
            self._calls.clear()
            self._sent.clear()
            self._sent_by_conversation.clear()

    async def wait_for_activities(
        self,
        count: int,
        timeout: float = 5.0,
        *,
        conversation_id: str | None = None,
        type: str | None = None,  # noqa: A002 - the activity field's name
    ) -> list[Json]:
        """Wait until ``count`` activities were accepted; return them (as activities_sent).

        Woken by each accepted activity (no polling). ``conversation_id`` counts only that
        conversation's; ``type`` (e.g. ``"message"``) only activities of that type.

        Raises:
            TimeoutError: Fewer arrived within ``timeout`` seconds.
        """

        def matching() -> list[Json]:
            return [
                a
                for a in self.activities_sent(conversation_id)
                if type is None or a.get("type") == type
            ]

        def done() -> bool:  # called with the lock held
            if type is None:
                if conversation_id is None:
                    return len(self._sent) >= count
                return self._sent_by_conversation.get(conversation_id, 0) >= count
            n = sum(
                1
                for a in self._sent
                if a.get("type") == type
                and (conversation_id is None or _conversation_of(a) == conversation_id)
            )
            return n >= count

        try:
            await self._wait(done, timeout)
        except TimeoutError as exc:
            got = matching()
            recent = [(c.method, c.path, c.status) for c in self.calls[-5:]]
            raise TimeoutError(
                f"{len(got)} of {count} activities within {timeout} s ({exc or 'timed out'};"
                f" last calls: {recent})"
            ) from None
        return matching()

    async def wait_for_calls(
        self, operation: str, count: int = 1, timeout: float = 5.0
    ) -> list[Call]:
        """Wait until ``count`` calls of ``operation`` were recorded (any status)."""

        def done() -> bool:
            return sum(1 for c in self._calls if c.operation == operation) >= count

        try:
            await self._wait(done, timeout)
        except TimeoutError:
            got = len(self.calls_to(operation))
            raise TimeoutError(f"{got} of {count} {operation} calls within {timeout} s") from None
        return self.calls_to(operation)

    async def _wait(self, done: Callable[[], bool], timeout: float) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if done():
                return
            waiter = _Waiter(done, loop.create_future())
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter.future, timeout)
        finally:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    # -- behaviour ---------------------------------------------------------------------

    def add_member(self, conversation_id: str, member: Json) -> Json:
        """Make ``member`` (a TeamsChannelAccount dict) a member of ``conversation_id``.

        Needs at least ``id``; ``name``, ``aadObjectId``, ``email``, ``userPrincipalName``
        (defaults to the email), ``tenantId``, ``userRole``, ``givenName``, ``surname``
        are filled in when missing. The member is also found in conversations the fake
        creates for them (``POST /v3/conversations``).

        Returns:
            The stored record.
        """
        if not member.get("id"):
            raise ValueError("a member needs an id")
        record = dict(member)
        name = str(record.get("name") or "")
        given, _, surname = name.partition(" ")
        record.setdefault("name", name)
        record.setdefault("aadObjectId", None)
        record.setdefault("email", None)
        record.setdefault("userPrincipalName", record.get("email"))
        record.setdefault("tenantId", DEFAULT_TENANT)
        record.setdefault("userRole", "user")
        record.setdefault("givenName", given or None)
        record.setdefault("surname", surname or None)
        with self._lock:
            members = self._members.setdefault(conversation_id, [])
            members[:] = [m for m in members if m["id"] != record["id"]] + [record]
            self._people[record["id"]] = record
            if record.get("aadObjectId"):
                self._people[str(record["aadObjectId"])] = record
        return dict(record)

    def members(self, conversation_id: str) -> list[Json]:
        """The members registered for a conversation."""
        with self._lock:
            return [dict(m) for m in self._members.get(conversation_id, [])]

    def fail_with(
        self,
        status: int,
        times: int = 1,
        *,
        code: str | None = None,
        message: str | None = None,
        retry_after: int | None = None,
        operations: tuple[str, ...] = ("send", "reply"),
    ) -> None:
        """Answer the next ``times`` sends with ``status`` and a connector error body.

        ``operations`` selects which calls count (default: ``send`` and ``reply``; add
        ``"update"``, ``"create_conversation"``, ``"get_member"``… as needed).
        ``code`` defaults to Teams' code for the status (429 ``Throttled``, 503
        ``ServiceUnavailable``, …); 429 carries ``Retry-After`` (``retry_after``, default 1).
        """
        if times <= 0:
            return
        headers: dict[str, str] = {}
        if retry_after is not None or status == 429:
            headers["Retry-After"] = str(1 if retry_after is None else retry_after)
        body = _error(
            code or ERROR_CODES.get(status, "ServiceError"),
            message or f"injected failure ({status})",
        )
        with self._lock:
            self._failures.append(_Failure(times, status, body, headers, frozenset(operations)))

    def _take_failure(self, operation: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if operation in failure.operations:
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    # -- HTTP --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        headers = CIMultiDictProxy(CIMultiDict(request.headers))
        operation, conversation_id, activity_id = _route(request.method, request.raw_path)
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        status, answer, extra, new_id = self._answer(
            operation, conversation_id, activity_id, raw, body, request
        )
        self._record(
            Call(
                method=request.method,
                path=request.raw_path.split("?", 1)[0],
                operation=operation,
                conversation_id=conversation_id,
                activity_id=activity_id,
                json=body,
                headers=headers,
                status=status,
                response=answer,
                at=time.monotonic(),
                new_id=new_id,
            )
        )
        return web.Response(
            status=status,
            text=json.dumps(answer),
            content_type="application/json",
            charset="utf-8",
            headers=extra,
        )

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            if not self._waiters:
                return
            ready = [w for w in self._waiters if w.done()]
            for waiter in ready:
                self._waiters.remove(waiter)
        for waiter in ready:
            waiter.future.get_loop().call_soon_threadsafe(_resolve, waiter.future)

    def _answer(
        self,
        operation: str,
        conversation_id: str | None,
        activity_id: str | None,
        raw: bytes,
        body: Any,
        request: web.Request,
    ) -> tuple[int, Any, dict[str, str], str | None]:
        if operation == "unknown":
            problem = f"{request.method} {request.path} is not served"
            return 404, _error("NotFound", problem), {}, None
        failure = self._take_failure(operation)
        if failure is not None:
            return failure.status, copy.deepcopy(failure.body), dict(failure.headers), None
        if operation in ("send", "reply", "update"):
            return self._activity(operation, conversation_id or "", activity_id, raw, body)
        if operation == "delete":
            with self._lock:
                found = self._messages.pop((conversation_id or "", activity_id or ""), None)
            if found is None:
                return 404, _error("ActivityNotFoundInConversation", "Unknown activity"), {}, None
            return 200, {}, {}, None
        if operation == "create_conversation":
            return self._create_conversation(raw, body)
        if operation == "get_members":
            return 200, self.members(conversation_id or ""), {}, None
        if operation == "get_paged_members":
            return 200, self._paged_members(conversation_id or "", request.query), {}, None
        if operation == "get_member":
            found = self._find_member(conversation_id or "", activity_id or "")
            if found is None:
                return (
                    404,
                    _error(
                        "MemberNotFoundInConversation",
                        "The member is not found in the conversation.",
                    ),
                    {},
                    None,
                )
            return 200, found, {}, None
        return 404, _error("NotFound", "not served"), {}, None

    def _activity(
        self,
        operation: str,
        conversation_id: str,
        activity_id: str | None,
        raw: bytes,
        body: Any,
    ) -> tuple[int, Any, dict[str, str], str | None]:
        if len(raw) > MAX_ACTIVITY_BYTES:
            return (
                413,
                _error(
                    "MessageSizeTooBig",
                    f"Message size too big: {len(raw)} bytes (at most {MAX_ACTIVITY_BYTES}).",
                ),
                {},
                None,
            )
        if not isinstance(body, dict):
            return 400, _error("BadSyntax", "The request body is not a JSON object."), {}, None
        cards = next(self._to_validate) % self.validate_every == 0
        problem = _activity_problem(body, validate_cards=cards)
        if problem:
            return 400, _error("BadArgument", problem), {}, None
        if operation == "update":
            key = (conversation_id, activity_id or "")
            with self._lock:
                if key not in self._messages:
                    return (
                        404,
                        _error("ActivityNotFoundInConversation", "Unknown activity id."),
                        {},
                        None,
                    )
                self._messages[key] = {**body, "id": activity_id}
            return 200, {"id": activity_id}, {}, None
        new_id = self._new_activity_id()
        stored = {**body, "id": new_id}
        if operation == "reply" and activity_id and not stored.get("replyToId"):
            stored["replyToId"] = activity_id
        stored.setdefault("conversation", {})
        self._accept(conversation_id, new_id, stored)
        return 200, {"id": new_id}, {}, new_id

    def _accept(self, conversation_id: str, new_id: str, stored: Json) -> None:
        with self._lock:
            if _conversation_of(stored) != conversation_id:
                stored["conversation"] = {**stored.get("conversation", {}), "id": conversation_id}
            self._sent.append(stored)
            self._sent_by_conversation[conversation_id] = (
                self._sent_by_conversation.get(conversation_id, 0) + 1
            )
            self._messages[(conversation_id, new_id)] = stored

    def _new_activity_id(self) -> str:
        # Teams message ids are millisecond timestamps; keep them unique and increasing.
        return str(1_900_000_000_000 + next(self._ids))

    def _create_conversation(
        self, raw: bytes, body: Any
    ) -> tuple[int, Any, dict[str, str], str | None]:
        if not isinstance(body, dict):
            return 400, _error("BadSyntax", "The request body is not a JSON object."), {}, None
        channel_data = body.get("channelData") or {}
        tenant = (channel_data.get("tenant") or {}).get("id") or body.get("tenantId")
        if not tenant:
            return 400, _error("BadArgument", "Tenant id is required."), {}, None
        if not isinstance(body.get("bot"), dict) or not body["bot"].get("id"):
            return 400, _error("BadArgument", "The bot account is required."), {}, None
        members = [m for m in body.get("members") or [] if isinstance(m, dict) and m.get("id")]
        channel = (channel_data.get("channel") or {}).get("id")
        activity = body.get("activity")
        if channel is None and not members:
            return 400, _error("BadArgument", "Members are required."), {}, None
        if activity is not None:
            if len(raw) > MAX_ACTIVITY_BYTES:
                return 413, _error("MessageSizeTooBig", "Message size too big."), {}, None
            if not isinstance(activity, dict):
                return 400, _error("BadArgument", "The activity is not an object."), {}, None
            problem = _activity_problem(activity, require_routing=False)
            if problem:
                return 400, _error("BadArgument", problem), {}, None
        new_id = self._new_activity_id() if activity is not None or channel else None
        if channel:
            conversation_id = f"{channel};messageid={new_id}"
        elif len(members) == 1 and not body.get("isGroup"):
            digest = hashlib.sha256(f"{tenant}|{body['bot']['id']}|{members[0]['id']}".encode())
            conversation_id = "a:1" + digest.hexdigest()
        else:
            conversation_id = f"19:{hashlib.sha256(raw).hexdigest()[:32]}@thread.v2"
        with self._lock:
            known = self._members.setdefault(conversation_id, [])
            for m in members:
                person = self._people.get(str(m["id"]))
                record = dict(person) if person else {**m, "tenantId": tenant}
                if all(k["id"] != record["id"] for k in known):
                    known.append(record)
        answer: Json = {"id": conversation_id}
        if activity is not None and new_id is not None:
            stored = {
                **activity,
                "id": new_id,
                "conversation": {**(activity.get("conversation") or {}), "id": conversation_id},
            }
            stored.setdefault("from", body["bot"])
            self._accept(conversation_id, new_id, stored)
            answer["activityId"] = new_id
        return 200, answer, {}, new_id

    def _paged_members(self, conversation_id: str, query: Mapping[str, str]) -> Json:
        members = self.members(conversation_id)
        try:
            size = max(1, min(500, int(query.get("pageSize") or 200)))
            start = int(query.get("continuationToken") or 0)
        except ValueError:
            size, start = 200, 0
        page = members[start : start + size]
        answer: Json = {"members": page}
        if start + size < len(members):
            answer["continuationToken"] = str(start + size)
        return answer

    def _find_member(self, conversation_id: str, member_id: str) -> Json | None:
        # A channel thread (``<channel>;messageid=<root>``) has the channel's members.
        conversation_id = conversation_id.split(";messageid=", 1)[0]
        with self._lock:
            for m in self._members.get(conversation_id, []):
                if member_id in (m.get("id"), m.get("aadObjectId")):
                    return dict(m)
        return None


def _route(method: str, raw_path: str) -> tuple[str, str | None, str | None]:
    """(operation, conversation id, activity/member id) of a request's raw path.

    Split before decoding, so an id with an encoded ``/`` stays one segment.
    """
    parts = [unquote(p) for p in raw_path.split("?", 1)[0].split("/")]
    # "/v3/conversations/{id}/activities/{aid}" → ["", "v3", "conversations", id, …]
    if len(parts) < 3 or parts[1] != "v3" or parts[2] != "conversations":
        return "unknown", None, None
    rest = parts[3:]
    if not rest or rest == [""]:
        return ("create_conversation" if method == "POST" else "unknown"), None, None
    conversation = rest[0]
    tail = rest[1:]
    if tail == ["activities"] and method == "POST":
        return "send", conversation, None
    if len(tail) == 2 and tail[0] == "activities":
        kind = {"POST": "reply", "PUT": "update", "DELETE": "delete"}.get(method, "unknown")
        return kind, conversation, tail[1]
    if tail == ["members"] and method == "GET":
        return "get_members", conversation, None
    if tail == ["pagedmembers"] and method == "GET":
        return "get_paged_members", conversation, None
    if len(tail) == 2 and tail[0] == "members" and method == "GET":
        return "get_member", conversation, tail[1]
    return "unknown", conversation, None


def _activity_problem(
    activity: Json, *, require_routing: bool = True, validate_cards: bool = True
) -> str | None:
    """Why the connector would reject ``activity`` (``None`` when it would accept it)."""
    required = REQUIRED_FIELDS if require_routing else ("type",)
    missing = [f for f in required if not activity.get(f)]
    if missing:
        return f"Activity is missing required field(s): {', '.join(missing)}."
    kind = activity.get("type")
    if kind not in SENDABLE_TYPES:
        return f"Activity type {kind!r} cannot be sent to Teams (message or typing)."
    for name in ("from", "conversation", "recipient"):
        value = activity.get(name)
        if value is not None and (not isinstance(value, dict) or not value.get("id")):
            return f"Activity {name} needs an id."
    if kind == "message":
        attachments = activity.get("attachments")
        if attachments is not None and not isinstance(attachments, list):
            return "Activity attachments must be an array."
        if not (activity.get("text") or attachments or activity.get("suggestedActions")):
            return "A message needs text, attachments or suggested actions."
        if validate_cards and any(
            isinstance(a, dict) and a.get("contentType") == ADAPTIVE_CARD_CONTENT_TYPE
            for a in attachments or []
        ):
            errors = validate_activity_cards(activity)
            if errors:
                return "Invalid Adaptive Card: " + "; ".join(errors)
    return None


def _conversation_of(activity: Json) -> str | None:
    conversation = activity.get("conversation")
    return conversation.get("id") if isinstance(conversation, dict) else None


def _error(code: str, message: str) -> Json:
    return {"error": {"code": code, "message": message}}


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _fail(future: asyncio.Future[None], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


class FakeConnectorThread(ServerThread):
    """:class:`FakeConnector` in a background thread with its own event loop.

    ``with FakeConnectorThread() as fake:`` or ``start()``/``stop()``. The inspection and
    behaviour methods are safe to call from any thread; :meth:`wait_for_activities` blocks
    the calling thread, :meth:`wait_for_activities_async` can be awaited on any loop.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeConnector(**kwargs)
        super().__init__(self.fake, name="fake-connector")

    # Same inspection API as FakeConnector, thread-safe.

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self.fake.port

    @property
    def url(self) -> str:
        """The ``serviceUrl`` for inbound activities (``http://127.0.0.1:<port>/``)."""
        return self.fake.url

    @property
    def calls(self) -> list[Call]:
        """Every call received so far (a copy)."""
        return self.fake.calls

    def calls_to(self, operation: str) -> list[Call]:
        """The calls of one operation, oldest first."""
        return self.fake.calls_to(operation)

    def activities_sent(self, conversation_id: str | None = None) -> list[Json]:
        """The activities the fake accepted, oldest first."""
        return self.fake.activities_sent(conversation_id)

    def activities_updated(self, conversation_id: str | None = None) -> list[Json]:
        """The accepted update bodies, oldest first."""
        return self.fake.activities_updated(conversation_id)

    def message(self, conversation_id: str, activity_id: str) -> Json | None:
        """The latest state of a sent activity, or ``None``."""
        return self.fake.message(conversation_id, activity_id)

    def clear(self) -> None:
        """Forget recorded calls and sent activities."""
        self.fake.clear()

    def add_member(self, conversation_id: str, member: Json) -> Json:
        """Make ``member`` a member of ``conversation_id``."""
        return self.fake.add_member(conversation_id, member)

    def members(self, conversation_id: str) -> list[Json]:
        """The members registered for a conversation."""
        return self.fake.members(conversation_id)

    def fail_with(self, status: int, times: int = 1, **kwargs: Any) -> None:
        """Answer the next ``times`` sends with ``status`` (see FakeConnector.fail_with)."""
        self.fake.fail_with(status, times, **kwargs)

    @property
    def latency(self) -> float:
        """Seconds the fake waits before answering each call."""
        return self.fake.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.fake.latency = seconds

    def _submit(self, coro: Awaitable[T]) -> concurrent.futures.Future[T]:
        return self.submit(coro)  # type: ignore[arg-type]

    def wait_for_activities(
        self,
        count: int,
        timeout: float = 5.0,
        *,
        conversation_id: str | None = None,
        type: str | None = None,  # noqa: A002 - the activity field's name
    ) -> list[Json]:
        """Block until ``count`` activities were accepted; return them.

        Raises:
            TimeoutError: Fewer arrived within ``timeout`` seconds.
        """
        coro = self.fake.wait_for_activities(
            count, timeout, conversation_id=conversation_id, type=type
        )
        return self._submit(coro).result(timeout + 5)

    async def wait_for_activities_async(
        self,
        count: int,
        timeout: float = 5.0,
        *,
        conversation_id: str | None = None,
        type: str | None = None,  # noqa: A002 - the activity field's name
    ) -> list[Json]:
        """Await (on any event loop) until ``count`` activities were accepted."""
        coro = self.fake.wait_for_activities(
            count, timeout, conversation_id=conversation_id, type=type
        )
        return await asyncio.wrap_future(self._submit(coro))

    def wait_for_calls(self, operation: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls of ``operation`` were recorded."""
        return self._submit(self.fake.wait_for_calls(operation, count, timeout)).result(timeout + 5)

    async def wait_for_calls_async(
        self, operation: str, count: int = 1, timeout: float = 5.0
    ) -> list[Call]:
        """Await (on any event loop) until ``count`` calls of ``operation`` were recorded."""
        return await asyncio.wrap_future(
            self._submit(self.fake.wait_for_calls(operation, count, timeout))
        )
