"""A running personabot server wired to a local fake Slack Web API, for signed requests.

Every test gets a fresh SQLite database, the fake Slack API on 127.0.0.1 and our real
aiohttp server (bolt, signature checks and all) on 127.0.0.1, and drives them with
requests shaped and signed exactly like Slack's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from fake_slack import FakeSlack
from payloads import FORM, JSON, event_callback, new_event_id, post_signed
from serving import served

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack.server import SLACK
from bot.app import App
from bot.settings import Settings

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"
NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)


@dataclass
class SlackRig:
    """Our server and the fake Slack it talks to."""

    core: App
    adapter: SlackAdapter
    slack: FakeSlack
    url: str
    session: aiohttp.ClientSession

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, **kwargs: Any
    ) -> aiohttp.ClientResponse:
        body = event_callback(event, event_id=event_id or new_event_id())
        return await post_signed(self.session, self.url, body, JSON, SECRET, **kwargs)

    async def form(self, body: str, **kwargs: Any) -> aiohttp.ClientResponse:
        return await post_signed(self.session, self.url, body, FORM, SECRET, **kwargs)

    async def replies(self, count: int = 1) -> list[dict[str, Any]]:
        """The params of the first ``count`` chat.postMessage calls (waits for them)."""
        calls = await self.slack.wait_for("chat.postMessage", count, timeout=10)
        return [call.params for call in calls]

    async def settle(self) -> None:
        """Wait for the work bolt runs after acknowledging (it is scheduled by then).

        Server and test share one event loop, so once a response has arrived every
        listener it started is a task here; nothing is left to chance or a sleep.
        """
        while pending := [
            t
            for t in asyncio.all_tasks()
            if "run_ack_function_asynchronously" in repr(t.get_coro()) and not t.done()
        ]:
            await asyncio.wait(pending, timeout=10)


def text_of(params: dict[str, Any]) -> str:
    """Everything a Slack message shows: its text and every text in its blocks."""
    parts = [str(params.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(params.get("blocks", []))
    return "\n".join(parts)


@asynccontextmanager
async def running(tmp_path: Path, *, content: Path | None = None) -> AsyncIterator[SlackRig]:
    """Start the fake Slack API and our server; stop both afterwards."""
    slack = FakeSlack()
    await slack.start()
    slack.add_user("U0SELLER", "seller@fieldline.example", "Sam Seller")
    settings = Settings(
        content=content,
        database_url=f"sqlite:///{tmp_path / 'slack.db'}",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        slack_api_url=slack.base_url,
    )
    try:
        async with (
            served(settings, clock=lambda: NOW) as server,
            aiohttp.ClientSession() as session,
        ):
            url = server.base + "/slack/events"
            yield SlackRig(server.core, server.web_app[SLACK], slack, url, session)
    finally:
        await slack.stop()
