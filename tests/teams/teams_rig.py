"""A running personabot server (Teams in local mode) wired to a local fake Bot Connector.

Every test gets a fresh SQLite database, the fake connector on 127.0.0.1 and our real
aiohttp server on 127.0.0.1; Teams-shaped activities (``activities.py``) with
``serviceUrl`` = the fake are POSTed to ``/api/messages`` and replies land in the fake.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from activities import (
    AAD_OBJECT_ID,
    GROUP_CHAT_ID,
    PERSONAL_CONVERSATION_ID,
    TEAM_ID,
    USER_ID,
    card_submit,
    member,
    personal_message,
    post_activity,
)
from cards import adaptive_attachments, validate_activity_cards
from fake_connector import FakeConnector
from serving import served

from bot.adapters.teams.adapter import TeamsAdapter
from bot.adapters.teams.server import TEAMS
from bot.app import App
from bot.settings import Settings

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
EMAIL = "megan.bowen@fieldline.example"

Json = dict[str, Any]


@dataclass
class TeamsRig:
    """Our server and the fake connector it talks to."""

    core: App
    adapter: TeamsAdapter
    fake: FakeConnector
    url: str
    session: aiohttp.ClientSession

    async def post(self, activity: Json | bytes) -> aiohttp.ClientResponse:
        return await post_activity(self.session, self.url, activity)

    async def replies(self, count: int = 1, **kwargs: Any) -> list[Json]:
        """The first ``count`` activities the fake accepted; each card must be valid."""
        sent = await self.fake.wait_for_activities(count, timeout=10, **kwargs)
        for activity in sent:
            assert validate_activity_cards(activity) == []
        return sent

    async def settle(self) -> None:
        """Wait until every acknowledged activity's turn has run."""
        await self.adapter.lanes.idle(10)


def shown(activity: Json) -> str:
    """Every text an activity shows: its text and every TextBlock and button title."""
    parts = [str(activity.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "title") and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(adaptive_attachments(activity))
    return "\n".join(parts).replace("\\", "")


def submits(activity: Json, kind: str = "Action.Submit") -> list[Json]:
    """Every action of ``kind`` (``Action.Submit``, ``Action.Execute``) of an activity's
    cards, in order."""
    found: list[Json] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == kind:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(adaptive_attachments(activity))
    return found


@asynccontextmanager
async def running(
    tmp_path: Path, *, content: Path | None = None, app_id: str | None = None
) -> AsyncIterator[TeamsRig]:
    """Start the fake connector and our server; stop both afterwards."""
    async with FakeConnector() as fake:
        megan = member(email=EMAIL, user_id=USER_ID, aad_object_id=AAD_OBJECT_ID)
        for conversation in (PERSONAL_CONVERSATION_ID, TEAM_ID, GROUP_CHAT_ID):
            fake.add_member(conversation, megan)
        credentials = {"MicrosoftAppId": app_id, "MicrosoftAppPassword": "secret"} if app_id else {}
        settings = Settings(
            content=content,
            database_url=f"sqlite:///{tmp_path / 'teams.db'}",
            **credentials,  # type: ignore[arg-type]
        )
        async with (
            served(settings, clock=lambda: NOW) as server,
            aiohttp.ClientSession() as session,
        ):
            url = server.base + "/api/messages"
            yield TeamsRig(server.core, server.web_app[TEAMS], fake, url, session)


Scenario = Callable[[TeamsRig], Awaitable[None]]


def run(
    tmp_path: Path, scenario: Scenario, *, content: Path | None = None, app_id: str | None = None
) -> None:
    async def main() -> None:
        async with running(tmp_path, content=content, app_id=app_id) as rig:
            await scenario(rig)

    asyncio.run(main())


@dataclass(frozen=True)
class Person:
    """A Teams user (their account as the connector knows it) and their 1:1 chat with the bot."""

    email: str
    name: str

    @property
    def account(self) -> Json:
        return member(email=self.email, name=self.name)

    @property
    def chat(self) -> str:
        return "a:1" + str(self.account["id"]).removeprefix("29:1")[:40]

    def who(self) -> dict[str, str]:
        account = self.account
        return {
            "user_id": account["id"],
            "aad_object_id": account["aadObjectId"],
            "conversation_id": self.chat,
            "user_name": self.name,
        }

    def said(self, text: str, *, service_url: str) -> Json:
        return personal_message(text, service_url=service_url, **self.who())

    def clicked(self, data: Json, *, on: Json, service_url: str) -> Json:
        return card_submit(data, service_url=service_url, reply_to_id=on["id"], **self.who())

    def invoke(self, name: str, value: Json, *, service_url: str) -> Json:
        activity = copy.deepcopy(self.said("x", service_url=service_url))
        for key in ("text", "textFormat", "attachments"):
            activity.pop(key, None)
        activity["entities"] = [e for e in activity.get("entities", []) if e["type"] != "mention"]
        activity.update(type="invoke", name=name, value=value)
        return activity
