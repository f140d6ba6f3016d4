"""Installing the Slack app in several workspaces (OAuth), when ``SLACK_CLIENT_ID`` is set.

``GET /slack/install`` shows the "Add to Slack" page (Slack's authorize URL with our client
id, the manifest's bot scopes and a one-time ``state``, also set as a cookie);
``GET /slack/oauth_redirect`` checks the state, exchanges the code with
``oauth.v2.access`` and stores the installation. Both are bolt's own
:class:`~slack_bolt.oauth.async_oauth_flow.AsyncOAuthFlow`; this module gives it:

* slack_sdk's SQLAlchemy installation and state stores on the bot's own database (their
  tables come from our migration ``0003``, never from ``create_tables()``). The stores are
  synchronous, so :class:`DatabaseInstallationStore` and :class:`DatabaseOAuthStateStore`
  run them in worker threads;
* an authorize step (:class:`WorkspaceAuthorize`) that finds each request's bot token by
  its team, caches the ``auth.test`` answer per token and remembers the token for the
  request being handled;
* :class:`WorkspaceClient`, the adapter's Web API client in this mode: a call that names
  no token uses the token of the request being handled, so every call the adapter makes
  while answering (``users.info``, ``views.publish``, ``conversations.open``, …) speaks for
  the right workspace;
* :meth:`SlackInstalls.token_for`: the bot token for a conversation, by the team recorded
  in its :class:`~bot.model.ConversationRef`, for replies and proactive messages.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import time
from collections.abc import Callable
from logging import Logger
from typing import TYPE_CHECKING, Any

from aiohttp import FormData
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy import Engine

from bot.adapters.slack.manifest import scopes
from bot.model import ConversationRef
from bot.settings import Settings
from storage.db import Database

if TYPE_CHECKING:
    # Imported when used: they pull in sqlalchemy.ext.asyncio (and greenlet), which a
    # single-workspace bot never needs.
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
#: How long an install page's ``state`` stays valid.
STATE_SECONDS = 600
#: How long a workspace's bot token is reused from memory before the database is asked
#: again. Only an uninstall or a token revocation changes it, and then Slack stops sending
#: that workspace's events; writes in this process forget it at once.
BOT_CACHE_SECONDS = 60.0

#: The bot token bolt authorized for the request being handled (``None`` outside one).
#: Set inside bolt's dispatch, before it starts the listeners, whose tasks copy it.
_request_token: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "personabot_slack_request_token", default=None
)


class DatabaseInstallationStore(AsyncInstallationStore):
    """slack_sdk's :class:`SQLAlchemyInstallationStore` on our engine, off the event loop.

    Bots (what answering needs: one token per workspace) are cached for
    :data:`BOT_CACHE_SECONDS`; any save or delete in this process empties the cache.

    Args:
        client_id: The Slack app's client id (rows are kept per app).
        engine: The bot's database engine; the tables must exist (migration ``0003``).
        cache_seconds: How long a found bot is reused.
        clock: Monotonic seconds (tests pass their own).
    """

    def __init__(
        self,
        *,
        client_id: str,
        engine: Engine,
        cache_seconds: float = BOT_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

        self.sync: SQLAlchemyInstallationStore = SQLAlchemyInstallationStore(
            client_id=client_id, engine=engine, logger=log
        )
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._bots: dict[tuple[str | None, str | None], tuple[float, Bot]] = {}

    @property
    def logger(self) -> Logger:
        """This module's logger."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Store an installation (and its bot)."""
        await asyncio.to_thread(self.sync.save, installation)
        self._bots.clear()

    async def async_save_bot(self, bot: Bot) -> None:
        """Store a bot (e.g. after a token rotation)."""
        await asyncio.to_thread(self.sync.save_bot, bot)
        self._bots.clear()

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The latest bot installed in the workspace (or org, for an org-wide install)."""
        team = None if is_enterprise_install else team_id
        key = (enterprise_id, team)
        cached = self._bots.get(key)
        if cached is not None and self._clock() - cached[0] < self._cache_seconds:
            return cached[1]
        bot = await asyncio.to_thread(
            self.sync.find_bot,
            enterprise_id=enterprise_id,
            team_id=team,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is None:
            self._bots.pop(key, None)  # not installed (yet): never remembered
        else:
            self._bots[key] = (self._clock(), bot)
        return bot

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The latest installation in the workspace (by ``user_id``, if given)."""
        return await asyncio.to_thread(
            self.sync.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bots (its bot token was revoked)."""
        await asyncio.to_thread(self.sync.delete_bot, enterprise_id=enterprise_id, team_id=team_id)
        self._bots.clear()

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget the workspace's installations (of ``user_id``, if given)."""
        await asyncio.to_thread(
            self.sync.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )
        self._bots.clear()


class DatabaseOAuthStateStore(AsyncOAuthStateStore):
    """slack_sdk's :class:`SQLAlchemyOAuthStateStore` on our engine, off the event loop.

    Issuing a state also deletes the expired ones, so install pages opened and abandoned
    (anyone may open ``/slack/install``) never pile up.
    """

    def __init__(self, *, engine: Engine, expiration_seconds: int = STATE_SECONDS) -> None:
        from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

        self.sync: SQLAlchemyOAuthStateStore = SQLAlchemyOAuthStateStore(
            expiration_seconds=expiration_seconds, engine=engine, logger=log
        )

    @property
    def logger(self) -> Logger:
        """This module's logger."""
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new one-time state, valid for ``expiration_seconds``."""
        return await asyncio.to_thread(self._issue)

    async def async_consume(self, state: str) -> bool:
        """True once for a state that was issued here and has not expired."""
        return await asyncio.to_thread(self.sync.consume, state)

    def _issue(self) -> str:
        table = self.sync.oauth_states
        # Naive UTC, the way slack_sdk writes expire_at.
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.sync.engine.begin() as connection:
            connection.execute(table.delete().where(table.c.expire_at <= now))
        return self.sync.issue()


class WorkspaceAuthorize(AsyncInstallationStoreAuthorize):
    """Bolt's installation-store authorize, remembering the token for the request.

    ``auth.test`` answers are cached per token (a workspace's bot user and ids do not
    change while its token lives), so an event costs at most one cached store lookup.
    """

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        """Bolt's answer for the request's team, its token remembered for the request."""
        result = await super().__call__(
            context=context,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            actor_enterprise_id=actor_enterprise_id,
            actor_team_id=actor_team_id,
            actor_user_id=actor_user_id,
        )
        _request_token.set(result.bot_token if result is not None else None)
        return result


class WorkspaceClient(AsyncWebClient):
    """A Web API client for several workspaces.

    A call that brings no token of its own (no ``token=``, no client credentials) goes out
    with the bot token bolt authorized for the request being handled. Outside a request
    (a proactive message) pass ``token=`` (see :meth:`SlackInstalls.token_for`).
    """

    async def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | FormData | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> AsyncSlackResponse:
        """Call ``api_method``; with no token of its own, the request's token."""
        token = _request_token.get()
        own = self.token or auth is not None or _has_token(data, params, json, headers)
        if token and not own:
            headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        return await super().api_call(
            api_method,
            http_verb=http_verb,
            files=files,
            data=data,
            params=params,
            json=json,
            headers=headers,
            auth=auth,
        )


def _has_token(*parts: Any) -> bool:
    for part in parts:
        if isinstance(part, dict) and (part.get("token") or part.get("Authorization")):
            return True
    return False


class SlackInstalls:
    """The multi-workspace install: stores, bolt's OAuth settings and per-team tokens.

    Args:
        settings: With ``slack_client_id`` and ``slack_client_secret`` set.
        db: The bot's database (migrated: the Slack tables come from migration ``0003``).
    """

    def __init__(self, *, settings: Settings, db: Database) -> None:
        if not settings.slack_client_id or settings.slack_client_secret is None:
            raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are required")
        if settings.slack_bot_token:
            log.warning(
                "SLACK_BOT_TOKEN is not used with SLACK_CLIENT_ID: every workspace's bot "
                "token comes from its installation (%s)",
                INSTALL_PATH,
            )
        client_id = settings.slack_client_id
        client_secret = settings.slack_client_secret.get_secret_value()
        # slack_sdk's stores read, then write, in one transaction: see write_engine.
        engine = db.write_engine
        self.installations = DatabaseInstallationStore(client_id=client_id, engine=engine)
        self.states = DatabaseOAuthStateStore(engine=engine, expiration_seconds=STATE_SECONDS)
        self.oauth_settings = AsyncOAuthSettings(
            client_id=client_id,
            client_secret=client_secret,
            scopes=scopes(),
            user_scopes=[],
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=self.installations,
            installation_store_bot_only=True,  # the bot acts as itself, never as a user
            state_store=self.states,
            state_expiration_seconds=STATE_SECONDS,
        )

    def bolt_options(self, client: AsyncWebClient) -> dict[str, Any]:
        """Keyword arguments for :class:`~slack_bolt.async_app.AsyncApp`.

        Args:
            client: The adapter's Web API client (also passed to the app as ``client``):
                bolt exchanges codes and rotates tokens through it, so
                ``slack_api_url`` holds for the install too.
        """
        authorize = WorkspaceAuthorize(
            logger=log,
            installation_store=self.installations,
            client_id=self.oauth_settings.client_id,
            client_secret=self.oauth_settings.client_secret,
            bot_only=True,
            cache_enabled=True,
            client=client,
        )
        return {"oauth_settings": self.oauth_settings, "authorize": authorize}

    async def token_for(self, to: ConversationRef) -> str | None:
        """The bot token of the workspace ``to`` lives in (``None`` if unknown or absent)."""
        team_id = to.opaque.get("team_id")
        enterprise_id = to.opaque.get("enterprise_id")
        if not team_id and not enterprise_id:
            return None
        bot = await self.installations.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id:  # installed org-wide rather than in the workspace
            bot = await self.installations.async_find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        return bot.bot_token if bot is not None else None


async def no_token(to: ConversationRef) -> str | None:
    """One workspace (``SLACK_BOT_TOKEN``): the client's own token serves every call."""
    return None
