"""Installing personabot in several Slack workspaces (OAuth), over real HTTP.

Our server runs with ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` (and no bot token) against
the fake Slack Web API: a browser's visit to ``/slack/install``, Slack's redirect back to
``/slack/oauth_redirect`` with a code, the code exchanged at ``oauth.v2.access``, the
installation stored in the bot's database, and then signed events from that workspace
answered with that workspace's token. The full flow runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fake_slack import FakeSlack
from payloads import JSON, app_mention, dm_message, event_callback, new_event_id, next_ts
from payloads import post_signed as _post_signed
from rig import NOW, SECRET, SlackRig, running, text_of
from serving import served
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import inspect, text

from bot.adapters.slack import NotifyError
from bot.adapters.slack.manifest import scopes
from bot.adapters.slack.oauth import (
    DatabaseInstallationStore,
    DatabaseOAuthStateStore,
    SlackInstalls,
)
from bot.adapters.slack.server import SLACK
from bot.model import ConversationRef, Reply
from bot.settings import Settings
from storage import Database

CLIENT_ID = "1234567890.0987654321"
CLIENT_SECRET = "d3f1e5a0c9b8a7f6e5d4c3b2a1f0e9d8"
COOKIE = "slack-app-oauth-state"


@dataclass
class OAuthRig(SlackRig):
    """The Slack rig, with the server's base URL and the OAuth steps a browser takes."""

    base: str = ""

    @property
    def installs(self) -> SlackInstalls:
        assert self.adapter.installs is not None
        return self.adapter.installs

    async def get(self, path: str, **kwargs: Any) -> tuple[aiohttp.ClientResponse, str]:
        async with self.session.get(self.base + path, allow_redirects=False, **kwargs) as resp:
            return resp, await resp.text()

    async def install_page(self) -> tuple[str, dict[str, list[str]], str]:
        """Open ``/slack/install``: the authorize URL, its query and the state cookie."""
        resp, page = await self.get("/slack/install")
        assert resp.status == 200, page
        assert resp.content_type == "text/html"
        href = html.unescape(re.search(r'<a href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        query = parse_qs(urlsplit(href).query, keep_blank_values=True)
        cookie = resp.cookies[COOKIE]
        assert cookie["secure"] and cookie["httponly"]
        return href, query, cookie.value

    async def redirect(
        self, *, code: str, state: str, cookie: str | None = None
    ) -> tuple[aiohttp.ClientResponse, str]:
        """Slack sending the installer's browser back (with the state cookie, if given)."""
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        query = urlencode({"code": code, "state": state})
        return await self.get(f"/slack/oauth_redirect?{query}", headers=headers)

    async def install(self, team_id: str, *, code: str | None = None) -> str:
        """The whole install of the app in ``team_id``; returns the team's bot token."""
        code = code or f"code-{team_id}-{next_ts()}"
        grant = self.slack.add_oauth_code(code, team_id=team_id, scope=",".join(scopes()))
        _, query, state = await self.install_page()
        resp, page = await self.redirect(code=code, state=query["state"][0], cookie=state)
        assert resp.status == 200, page
        return grant.token

    async def team_event(self, event: dict[str, Any], team_id: str) -> aiohttp.ClientResponse:
        body = event_callback(event, event_id=new_event_id(), team_id=team_id)
        return await _post_signed(self.session, self.url, body, JSON, SECRET)

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.core.db.engine.connect() as connection:
            return list(connection.execute(text(sql), params))


@asynccontextmanager
async def oauth_running(database_url: str) -> AsyncIterator[OAuthRig]:
    """The fake Slack API and our server in OAuth mode (no bot token), on ``database_url``."""
    slack = FakeSlack()
    await slack.start()
    slack.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    slack.add_user("U0SELLER", "seller@fieldline.example", "Sam Seller")
    settings = Settings(
        database_url=database_url,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNING_SECRET=SECRET,
        slack_api_url=slack.base_url,
    )
    try:
        # Cookies are handed over by hand, as the browser would (the jar refuses IP hosts).
        async with (
            served(settings, clock=lambda: NOW) as server,
            aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session,
        ):
            adapter, base = server.web_app[SLACK], server.base
            yield OAuthRig(server.core, adapter, slack, base + "/slack/events", session, base)
    finally:
        await slack.stop()


Scenario = Callable[[OAuthRig], Awaitable[None]]


@pytest.fixture
def oauth_run(database_url: str) -> Callable[[Scenario], None]:
    """Run a scenario against a fresh OAuth rig (SQLite, and PostgreSQL when configured)."""

    def run(scenario: Scenario) -> None:
        async def main() -> None:
            async with oauth_running(database_url) as rig:
                await scenario(rig)

        asyncio.run(main())

    return run


def test_install_page_links_to_slacks_authorize_url_with_a_fresh_state(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        href, query, cookie = await rig.install_page()
        assert href.startswith("https://slack.com/oauth/v2/authorize?")
        assert query["client_id"] == [CLIENT_ID]
        assert query["scope"][0].split(",") == scopes()
        assert {"app_mentions:read", "chat:write", "commands", "im:history"} <= set(scopes())
        assert query["user_scope"] == [""]  # the bot never acts as a user
        assert query["state"] == [cookie]
        (stored,) = rig.rows("SELECT state, expire_at FROM slack_oauth_states")
        assert stored.state == cookie
        _, again, _ = await rig.install_page()
        assert again["state"] != query["state"]

    oauth_run(scenario)


def test_the_redirect_stores_the_installation_and_its_events_get_its_token(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        grant = rig.slack.add_oauth_code("code-1", team_id="T0002", team_name="Second", scope="a,b")
        _, query, cookie = await rig.install_page()
        resp, page = await rig.redirect(code="code-1", state=query["state"][0], cookie=cookie)
        assert resp.status == 200, page
        assert "slack://app?team=T0002" in page  # bolt's success page opens the app in Slack
        assert resp.cookies[COOKIE].value == "deleted"

        # the code was exchanged with our credentials, as HTTP Basic auth
        (exchange,) = rig.slack.calls_to("oauth.v2.access")
        assert exchange.ok and exchange.params["code"] == "code-1"
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        assert exchange.headers["Authorization"] == f"Basic {basic}"
        assert rig.slack.calls_to("auth.test")[0].token == grant.token

        # stored in our database, the state used up
        (row,) = rig.rows("SELECT * FROM slack_installations")
        assert (row.client_id, row.team_id, row.team_name) == (CLIENT_ID, "T0002", "Second")
        assert (row.bot_token, row.bot_user_id, row.bot_scopes) == (grant.token, "U0BOT", "a,b")
        assert (row.user_id, row.token_type, row.enterprise_id) == ("U0INSTALLER", "bot", None)
        assert rig.rows("SELECT team_id FROM slack_bots") == [("T0002",)]
        assert rig.rows("SELECT * FROM slack_oauth_states") == []
        found = await rig.installs.installations.async_find_bot(enterprise_id=None, team_id="T0002")
        assert found is not None and found.bot_token == grant.token

        # a mention in that workspace is answered with that workspace's token
        ts = next_ts()
        mention = app_mention("who is Oskar?", user="U0SELLER", channel="C0SALES", ts=ts)
        assert (await rig.team_event(mention, "T0002")).status == 200
        (reply,) = await rig.replies()
        assert reply["channel"] == "C0SALES" and reply["thread_ts"] == ts
        assert "Operations Director Oskar" in text_of(reply)
        (post,) = rig.slack.calls_to("chat.postMessage")
        assert post.headers["Authorization"] == f"Bearer {grant.token}"
        # and so is every other call made while answering (the asker's profile)
        assert {c.token for c in rig.slack.calls_to("users.info")} == {grant.token}

    oauth_run(scenario)


def test_each_workspace_is_answered_with_its_own_token(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        tokens = {team: await rig.install(team) for team in ("T0002", "T0003")}
        assert len(set(tokens.values())) == 2
        for team in ("T0003", "T0002", "T0003"):
            channel = f"D{team}"
            await rig.team_event(
                dm_message("who is Frida?", user="U0SELLER", channel=channel, ts=next_ts()), team
            )
        await rig.replies(3)
        await rig.settle()
        posts = rig.slack.calls_to("chat.postMessage")
        assert sorted((p.params["channel"], p.token) for p in posts) == [
            ("DT0002", tokens["T0002"]),
            ("DT0003", tokens["T0003"]),
            ("DT0003", tokens["T0003"]),
        ]

    oauth_run(scenario)


def test_a_proactive_message_uses_the_token_of_the_conversations_workspace(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        token = await rig.install("T0002")
        where = ConversationRef(platform="slack", id="C0NEWS", opaque={"team_id": "T0002"})
        await rig.adapter.send(Reply(text="Frida is due for review"), to=where)  # no request
        (post,) = rig.slack.calls_to("chat.postMessage")
        assert post.ok and post.token == token and post.params["channel"] == "C0NEWS"

    oauth_run(scenario)


def test_notify_in_multi_workspace_mode_names_the_workspace(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        token = await rig.install("T0002")
        rig.slack.add_user("U0OWNER2", "owner@fieldline.example", "Olga Owner")
        try:
            await rig.adapter.notify("owner@fieldline.example", "Review due")
        except NotifyError as exc:
            assert "--team" in str(exc)
        else:
            raise AssertionError("which workspace? must be asked")
        channel = await rig.adapter.notify("owner@fieldline.example", "Review due", team="T0002")
        assert channel == "DU0OWNER2"
        (lookup,) = rig.slack.calls_to("users.lookupByEmail")
        (post,) = rig.slack.calls_to("chat.postMessage")
        assert lookup.token == token and post.token == token

    oauth_run(scenario)


def test_an_invalid_state_gets_an_error_page_and_stores_nothing(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        rig.slack.add_oauth_code("code-1", team_id="T0002")
        _, query, cookie = await rig.install_page()
        # a state this server never issued (with a matching cookie: a forged round trip)
        forged, page = await rig.redirect(code="code-1", state="forged", cookie="forged")
        assert forged.status == 401 and "invalid_state" in page
        # the real state, but not from the browser that opened the install page
        no_cookie, page = await rig.redirect(code="code-1", state=query["state"][0])
        assert no_cookie.status == 400 and "invalid_browser" in page
        other, page = await rig.redirect(code="code-1", state=query["state"][0], cookie="x")
        assert other.status == 400 and "invalid_browser" in page
        assert rig.slack.calls_to("oauth.v2.access") == []
        assert rig.rows("SELECT id FROM slack_installations") == []
        assert rig.rows("SELECT id FROM slack_bots") == []
        # the state is still good for its own browser; used once, it is gone
        ok, _ = await rig.redirect(code="code-1", state=query["state"][0], cookie=cookie)
        assert ok.status == 200
        again, page = await rig.redirect(code="code-1", state=query["state"][0], cookie=cookie)
        assert again.status == 401 and "invalid_state" in page
        assert len(rig.rows("SELECT id FROM slack_installations")) == 1

    oauth_run(scenario)


def test_a_code_slack_refuses_gets_an_error_page_and_stores_nothing(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        _, query, cookie = await rig.install_page()
        resp, page = await rig.redirect(code="never-issued", state=query["state"][0], cookie=cookie)
        assert resp.status == 401 and "invalid_code" in page
        (exchange,) = rig.slack.calls_to("oauth.v2.access")
        assert exchange.response == {"ok": False, "error": "invalid_code"}
        assert rig.rows("SELECT id FROM slack_installations") == []
        # the installer cancelled on Slack's page
        cancelled, page = await rig.get("/slack/oauth_redirect?error=access_denied&state=x")
        assert cancelled.status == 200 and "access_denied" in page

    oauth_run(scenario)


def test_events_from_a_workspace_that_never_installed_are_not_answered(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        await rig.install("T0002")
        mention = app_mention("who is Oskar?", user="U0SELLER", channel="C0X", ts=next_ts())
        resp = await rig.team_event(mention, "T0099")
        assert resp.status == 200  # acknowledged, so Slack does not retry
        assert "installation" in await resp.text()
        await rig.settle()
        assert rig.slack.calls_to("chat.postMessage") == []

    oauth_run(scenario)


def test_uninstalling_deletes_the_workspaces_rows(oauth_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: OAuthRig) -> None:
        await rig.install("T0002")
        await rig.install("T0003")
        resp = await rig.team_event({"type": "app_uninstalled", "event_ts": next_ts()}, "T0002")
        assert resp.status == 200
        await rig.settle()
        assert rig.rows("SELECT team_id FROM slack_installations") == [("T0003",)]
        assert rig.rows("SELECT team_id FROM slack_bots") == [("T0003",)]
        where = ConversationRef(platform="slack", id="C1", opaque={"team_id": "T0002"})
        assert await rig.installs.token_for(where) is None

    oauth_run(scenario)


def test_single_workspace_mode_serves_no_install_routes(tmp_path: Path) -> None:
    async def main() -> None:
        async with running(tmp_path) as rig:
            assert rig.adapter.installs is None
            base = rig.url.removesuffix("/slack/events")
            for path in ("/slack/install", "/slack/oauth_redirect?code=x&state=y"):
                async with rig.session.get(base + path) as resp:
                    assert resp.status == 404

    asyncio.run(main())


# -- the stores' tables come from our migration ------------------------------------------


def _store_metadata(database: Database) -> list[Any]:
    installations = DatabaseInstallationStore(client_id=CLIENT_ID, engine=database.engine)
    states = DatabaseOAuthStateStore(engine=database.engine)
    return [installations.sync.metadata, states.sync.metadata]


def test_migrations_create_the_slack_sdk_stores_tables_as_they_define_them(
    database: Database,
) -> None:
    for metadata in _store_metadata(database):
        names = set(metadata.tables)

        def only_these(name: str | None, type_: str, parent: dict[str, Any]) -> bool:
            if type_ == "schema":
                return True
            table = name if type_ == "table" else parent.get("table_name")
            return table in names  # noqa: B023 - used right here, in this iteration

        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": only_these}
            )
            assert compare_metadata(context, metadata) == []
    tables = set(inspect(database.engine).get_table_names())
    assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= tables


def test_the_stores_work_on_the_migrated_database(database: Database) -> None:
    async def main() -> None:
        store = DatabaseInstallationStore(client_id=CLIENT_ID, engine=database.engine)
        installed = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
        for team, token in (("T0002", "xoxb-old"), ("T0002", "xoxb-new"), ("T0003", "xoxb-3")):
            installed += dt.timedelta(minutes=1)
            await store.async_save(
                Installation(
                    app_id="A0001",
                    team_id=team,
                    bot_token=token,
                    bot_id="B0BOT",
                    bot_user_id="U0BOT",
                    bot_scopes="chat:write",
                    user_id="U0INSTALLER",
                    installed_at=installed.timestamp(),
                )
            )
        bot = await store.async_find_bot(enterprise_id=None, team_id="T0002")
        assert bot is not None and bot.bot_token == "xoxb-new"  # the latest install wins
        found = await store.async_find_installation(enterprise_id=None, team_id="T0003")
        assert found is not None and found.bot_token == "xoxb-3"
        await store.async_delete_all(enterprise_id=None, team_id="T0002")
        assert await store.async_find_bot(enterprise_id=None, team_id="T0002") is None

        states = DatabaseOAuthStateStore(engine=database.engine, expiration_seconds=600)
        state = await states.async_issue()
        assert await states.async_consume(state) is True
        assert await states.async_consume(state) is False
        assert await states.async_consume("never-issued") is False

    asyncio.run(main())


def test_expired_states_are_refused_and_cleared_away(database: Database) -> None:
    async def main() -> None:
        states = DatabaseOAuthStateStore(engine=database.engine, expiration_seconds=-1)
        stale = [await states.async_issue() for _ in range(3)]
        assert await states.async_consume(stale[0]) is False
        fresh = DatabaseOAuthStateStore(engine=database.engine, expiration_seconds=600)
        state = await fresh.async_issue()  # issuing clears the expired ones
        with database.engine.connect() as connection:
            rows = connection.execute(text("SELECT state FROM slack_oauth_states"))
            left = [row.state for row in rows]
        assert left == [state]

    asyncio.run(main())


def test_found_bots_are_reused_for_a_while_and_writes_forget_them(database: Database) -> None:
    async def main() -> None:
        now = [0.0]
        store = DatabaseInstallationStore(
            client_id=CLIENT_ID, engine=database.engine, cache_seconds=60, clock=lambda: now[0]
        )
        assert await store.async_find_bot(enterprise_id=None, team_id="T0002") is None
        await store.async_save(
            Installation(
                app_id="A0001",
                team_id="T0002",
                bot_token="xoxb-1",
                bot_id="B0BOT",
                bot_user_id="U0BOT",
                user_id="U0INSTALLER",
            )
        )  # a miss is never remembered
        bot = await store.async_find_bot(enterprise_id=None, team_id="T0002")
        assert bot is not None and bot.bot_token == "xoxb-1"
        with database.engine.begin() as connection:  # another replica's change
            connection.execute(text("UPDATE slack_bots SET bot_token = 'xoxb-2'"))
        now[0] = 59.0
        bot = await store.async_find_bot(enterprise_id=None, team_id="T0002")
        assert bot is not None and bot.bot_token == "xoxb-1"
        now[0] = 61.0
        bot = await store.async_find_bot(enterprise_id=None, team_id="T0002")
        assert bot is not None and bot.bot_token == "xoxb-2"
        await store.async_delete_bot(enterprise_id=None, team_id="T0002")
        assert await store.async_find_bot(enterprise_id=None, team_id="T0002") is None

    asyncio.run(main())
