"""A local fake of an OpenAI-compatible chat-completions API: an aiohttp server on 127.0.0.1.

``POST /v1/chat/completions`` answers in the documented OpenAI response shape::

    {"id": "chatcmpl-…", "object": "chat.completion", "created": …, "model": <as asked>,
     "choices": [{"index": 0, "message": {"role": "assistant", "content": …},
                  "finish_reason": "stop"}],
     "usage": {"prompt_tokens": …, "completion_tokens": …, "total_tokens": …}}

Every request is recorded as a :class:`Request` (headers and JSON body) before it is
answered. What the fake answers is set with :meth:`FakeLLM.answer` (a text, or a function
of the request's JSON body, so a test can answer from what the prompt holds),
:meth:`FakeLLM.fail_with` (an error status with an OpenAI-style error body) or
:meth:`FakeLLM.stall` (no answer until :meth:`FakeLLM.release`, or the fake stops). With
``delay`` (seconds, ``FakeLLM(delay=10)``) every answer comes that long after its request,
as a slow model's would (benchmarks). Any other path answers 404.

:class:`FakeLLMThread` runs it in a background thread with its own loop (see
``server_thread.py``), for code under test that calls it synchronously::

    with FakeLLMThread() as llm:
        llm.answer("Fine, show me the numbers.")
        voice = ModelVoice(url=llm.url, api_key="sk-test", model="fake-1")
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import CIMultiDict
from server_thread import ServerThread

Json = dict[str, Any]
Content = str | Callable[[Json], str]
DEFAULT_CONTENT = "Fine. Show me what it costs."


@dataclass(frozen=True)
class Request:
    """One request the fake received.

    Attributes:
        path: The request path (``/v1/chat/completions``).
        headers: Its headers, case-insensitive.
        json: Its JSON body (``None`` when it was not JSON).
    """

    path: str
    headers: Mapping[str, str]
    json: Any

    @property
    def authorization(self) -> str | None:
        """The ``Authorization`` header (``None`` without one)."""
        return self.headers.get("Authorization")

    @property
    def messages(self) -> list[Json]:
        """The chat messages sent."""
        return list((self.json or {}).get("messages") or [])

    def content_of(self, role: str) -> list[str]:
        """The contents of the messages with ``role``, in order."""
        return [str(m.get("content")) for m in self.messages if m.get("role") == role]


class FakeLLM:
    """The fake API on the running event loop (``async with FakeLLM() as llm``)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0) -> None:
        self.host = host
        self._port = port
        self.delay = delay
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._content: Content = DEFAULT_CONTENT
        self._failure: tuple[int, Json] | None = None
        self._finish_reason = "stop"
        self._stalled: asyncio.Event | None = None
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Start listening (on a free port unless one was given)."""
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port, reuse_address=True)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Release stalled requests and stop the server."""
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLLM:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (after :meth:`start`)."""
        return self._port

    @property
    def url(self) -> str:
        """The API's base URL (``http://127.0.0.1:<port>/v1``), as PERSONABOT_LLM_URL."""
        return f"http://{self.host}:{self._port}/v1"

    @property
    def requests(self) -> list[Request]:
        """Every request received so far (a copy), oldest first."""
        with self._lock:
            return list(self._requests)

    # -- behaviour (call on the server's loop, or through FakeLLMThread) ---------------

    def answer(self, content: Content, *, finish_reason: str = "stop") -> None:
        """Answer every request with ``content`` (or ``content(body)``); ends fail/stall."""
        with self._lock:
            self._content = content
            self._finish_reason = finish_reason
            self._failure = None

    def fail_with(self, status: int, message: str = "the fake failed") -> None:
        """Answer every request with ``status`` and an OpenAI-style error body."""
        with self._lock:
            self._failure = (status, {"error": {"message": message, "type": "server_error"}})

    def stall(self) -> None:
        """Answer no request until :meth:`release` (requests are still recorded)."""
        self._stalled = asyncio.Event()

    def release(self) -> None:
        """Let stalled requests be answered."""
        stalled, self._stalled = self._stalled, None
        if stalled is not None:
            stalled.set()

    # -- the endpoint ------------------------------------------------------------------

    async def _completions(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self._requests.append(Request(request.path, CIMultiDict(request.headers), body))
        if self._stalled is not None:
            await self._stalled.wait()
        if self.delay > 0:
            await asyncio.sleep(self.delay)  # a slow model thinking
        with self._lock:
            failure, content, finish = self._failure, self._content, self._finish_reason
        if failure is not None:
            return web.json_response(failure[1], status=failure[0])
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            error = {"error": {"message": "messages: required", "type": "invalid_request_error"}}
            return web.json_response(error, status=400)
        text = content(body) if callable(content) else content
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        return web.json_response(
            {
                "id": f"chatcmpl-fake{next(self._ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": len(text.split()),
                    "total_tokens": prompt_tokens + len(text.split()),
                },
            }
        )


class FakeLLMThread(ServerThread):
    """:class:`FakeLLM` in a background thread (``with FakeLLMThread() as llm:``).

    Its methods are safe to call from any thread.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeLLM(**kwargs)
        super().__init__(self.fake, name="fake-llm")

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.fake.port

    @property
    def url(self) -> str:
        """The API's base URL (``http://127.0.0.1:<port>/v1``)."""
        return self.fake.url

    @property
    def requests(self) -> list[Request]:
        """Every request received so far, oldest first."""
        return self.fake.requests

    def answer(self, content: Content, *, finish_reason: str = "stop") -> None:
        """Answer every request with ``content`` (a text or a function of the body)."""
        self.fake.answer(content, finish_reason=finish_reason)

    def fail_with(self, status: int, message: str = "the fake failed") -> None:
        """Answer every request with ``status``."""
        self.fake.fail_with(status, message)

    def stall(self) -> None:
        """Answer no request until :meth:`release`."""
        self.submit(_call(self.fake.stall)).result(5)

    def release(self) -> None:
        """Let stalled requests be answered."""
        self.submit(_call(self.fake.release)).result(5)


async def _call(function: Callable[[], None]) -> None:
    function()
