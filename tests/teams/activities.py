"""Teams-shaped inbound activities, as Microsoft Teams posts them to a bot's messaging endpoint.

Every builder returns a fresh dict in the Bot Framework Activity schema with the fields
Teams sends (the personal message keeps exactly the field set of the live capture in
``shared/fixtures/teams/direct_message.json``; :func:`load_fixture` loads that capture).
``service_url`` is required everywhere: point it at a local fake Bot Connector
(``FakeConnector.url``) so the bot's replies reach it.

Ids follow Teams' formats: users ``29:…`` (with an Entra ``aadObjectId``), the bot
``28:<app id>``, personal conversations ``a:…``, channels and group chats ``19:…@thread…``,
message ids millisecond timestamps (``"1617455532474"``), conversation/installation update
ids ``f:…``.

:func:`post_activity` POSTs an activity as Teams does (JSON, Teams' user agent, an optional
``Authorization`` header; without an app id the bot runs in local mode and accepts none).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import uuid
from pathlib import Path
from typing import Any

import aiohttp

Json = dict[str, Any]

CHANNEL_ID = "msteams"
TENANT_ID = "a0e78124-8cd4-4887-a704-1d4c829cf888"
BOT_APP_ID = "5353a86e-52fb-4979-8a69-c7efcd1b0bd3"
BOT_ID = f"28:{BOT_APP_ID}"
BOT_NAME = "personabot"
USER_ID = (
    "29:1WlulF5q2n12i6sXKzPTrnj2Lj6Oa5zfG5b2Y5TL1k41_IZwKJF_2-lRCbTjsTzPLEWFMUmJ4U_OcnYBbOjDc0g"
)
USER_NAME = "Megan Bowen"
AAD_OBJECT_ID = "a437c99b-3703-4dd6-80c8-82c69f181061"
PERSONAL_CONVERSATION_ID = (
    "a:1bR3bAgRDGDoLRBJm7zrHrYAXZuVoyjijEmUbb-t00nDjcyPL2fenwr_xQ0Cv2-6_dn_OAj17bujvlp5a7Ee"
    "b-2ct2eHfSgLai6yok7WY7pR6rsqzls5gYeOcTsUD-6ON"
)
TEAM_ID = "19:Wm5LsQPvTgIRNwoNCtBm8T5dRd8zJ0VQ3h7hXkU_Rvw1@thread.tacv2"
TEAM_AAD_GROUP_ID = "d8b31ff7-3b0c-4b7e-8f1c-0a3b5b3d6a11"
TEAM_NAME = "Sales"
CHANNEL_CONVERSATION_ID = TEAM_ID  # the General channel's id is the team's id
GROUP_CHAT_ID = "19:a7c1a5e8f6b54b2f9c3d1e0f7a6b5c4d@thread.v2"
LOCALE = "en-GB"
TIMEZONE = "Europe/London"
USER_AGENT = "Microsoft-SkypeBotApi (Microsoft-BotFramework/3.0)"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "teams"

_ids = itertools.count(int(dt.datetime(2030, 1, 1, tzinfo=dt.UTC).timestamp() * 1000))


def new_activity_id() -> str:
    """A fresh, increasing message id shaped like Teams' (a millisecond timestamp)."""
    return str(next(_ids))


def new_event_id() -> str:
    """A fresh conversation/installation update id (``f:`` + digits, as Teams sends)."""
    return f"f:{uuid.uuid4().int % 10**19:019d}"


def _timestamps() -> tuple[str, str]:
    now = dt.datetime.now(dt.UTC)
    local = now.astimezone(dt.timezone(dt.timedelta(hours=1)))
    return (
        now.strftime("%Y-%m-%dT%H:%M:%S.%f0Z"),
        local.strftime("%Y-%m-%dT%H:%M:%S.%f0+01:00"),
    )


def _client_info(locale: str) -> Json:
    country = locale.split("-")[-1].upper() if "-" in locale else "GB"
    return {
        "locale": locale,
        "country": country,
        "platform": "Web",
        "timezone": TIMEZONE,
        "type": "clientInfo",
    }


def _user(user_id: str, user_name: str | None, aad_object_id: str | None) -> Json:
    account: Json = {"id": user_id}
    if user_name is not None:
        account["name"] = user_name
    if aad_object_id is not None:
        account["aadObjectId"] = aad_object_id
    return account


def _bot(bot_id: str, bot_name: str) -> Json:
    return {"id": bot_id, "name": bot_name}


def mention_entity(name: str = BOT_NAME, mentioned_id: str = BOT_ID) -> Json:
    """The ``mention`` entity Teams attaches for ``<at>name</at>`` in the text."""
    return {
        "type": "mention",
        "mentioned": {"id": mentioned_id, "name": name},
        "text": f"<at>{name}</at>",
    }


def _mentioning(text: str, bot_name: str) -> str:
    tag = f"<at>{bot_name}</at>"
    return text if tag in text else f"{tag} {text}"


def _html_attachment(text: str, bot_name: str) -> Json:
    """The ``text/html`` rendering Teams attaches to a message with a mention."""
    span = (
        '<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">'
        f"{bot_name}</span>"
    )
    body = text.replace(f"<at>{bot_name}</at>", span)
    return {"contentType": "text/html", "content": f"<div><div>{body}</div></div>"}


# -- message activities ----------------------------------------------------------------


def personal_message(
    text: str,
    *,
    service_url: str,
    user_id: str = USER_ID,
    aad_object_id: str | None = AAD_OBJECT_ID,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    tenant_id: str = TENANT_ID,
    activity_id: str | None = None,
    user_name: str | None = USER_NAME,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
    locale: str = LOCALE,
) -> Json:
    """A message in the bot's 1:1 chat (``conversationType: personal``).

    The field set is the live capture's (``direct_message.json``).
    """
    timestamp, local = _timestamps()
    return {
        "text": text,
        "textFormat": "plain",
        "type": "message",
        "timestamp": timestamp,
        "localTimestamp": local,
        "id": activity_id or new_activity_id(),
        "channelId": CHANNEL_ID,
        "serviceUrl": service_url,
        "from": _user(user_id, user_name, aad_object_id),
        "conversation": {
            "conversationType": "personal",
            "tenantId": tenant_id,
            "id": conversation_id,
        },
        "recipient": _bot(bot_id, bot_name),
        "entities": [_client_info(locale)],
        "channelData": {"tenant": {"id": tenant_id}},
        "locale": locale,
        "localTimezone": TIMEZONE,
    }


def channel_mention(
    text: str,
    *,
    service_url: str,
    user_id: str = USER_ID,
    aad_object_id: str | None = AAD_OBJECT_ID,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_CONVERSATION_ID,
    tenant_id: str = TENANT_ID,
    activity_id: str | None = None,
    thread_id: str | None = None,
    user_name: str | None = USER_NAME,
    team_name: str = TEAM_NAME,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
    locale: str = LOCALE,
) -> Json:
    """A channel post (or thread reply) that @mentions the bot.

    ``text`` gets a leading ``<at>personabot</at> `` unless it already mentions the bot.
    The conversation id is ``<channel id>;messageid=<thread root id>``; a new post is its
    own root (``thread_id`` defaults to the activity's id), a reply passes the root's id.
    """
    text = _mentioning(text, bot_name)
    activity_id = activity_id or new_activity_id()
    timestamp, local = _timestamps()
    return {
        "text": text,
        "textFormat": "plain",
        "attachments": [_html_attachment(text, bot_name)],
        "type": "message",
        "timestamp": timestamp,
        "localTimestamp": local,
        "id": activity_id,
        "channelId": CHANNEL_ID,
        "serviceUrl": service_url,
        "from": _user(user_id, user_name, aad_object_id),
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": tenant_id,
            "id": f"{channel_id};messageid={thread_id or activity_id}",
        },
        "recipient": _bot(bot_id, bot_name),
        "entities": [mention_entity(bot_name, bot_id), _client_info(locale)],
        "channelData": {
            "teamsChannelId": channel_id,
            "teamsTeamId": team_id,
            "channel": {"id": channel_id},
            "team": {"id": team_id, "name": team_name, "aadGroupId": TEAM_AAD_GROUP_ID},
            "tenant": {"id": tenant_id},
        },
        "locale": locale,
        "localTimezone": TIMEZONE,
    }


def group_chat_mention(
    text: str,
    *,
    service_url: str,
    user_id: str = USER_ID,
    aad_object_id: str | None = AAD_OBJECT_ID,
    conversation_id: str = GROUP_CHAT_ID,
    tenant_id: str = TENANT_ID,
    activity_id: str | None = None,
    user_name: str | None = USER_NAME,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
    locale: str = LOCALE,
) -> Json:
    """A group chat message that @mentions the bot (``conversationType: groupChat``)."""
    text = _mentioning(text, bot_name)
    timestamp, local = _timestamps()
    return {
        "text": text,
        "textFormat": "plain",
        "attachments": [_html_attachment(text, bot_name)],
        "type": "message",
        "timestamp": timestamp,
        "localTimestamp": local,
        "id": activity_id or new_activity_id(),
        "channelId": CHANNEL_ID,
        "serviceUrl": service_url,
        "from": _user(user_id, user_name, aad_object_id),
        "conversation": {
            "isGroup": True,
            "conversationType": "groupChat",
            "tenantId": tenant_id,
            "id": conversation_id,
        },
        "recipient": _bot(bot_id, bot_name),
        "entities": [mention_entity(bot_name, bot_id), _client_info(locale)],
        "channelData": {"tenant": {"id": tenant_id}},
        "locale": locale,
        "localTimezone": TIMEZONE,
    }


def card_submit(
    value: Json,
    *,
    service_url: str,
    reply_to_id: str | None = None,
    user_id: str = USER_ID,
    aad_object_id: str | None = AAD_OBJECT_ID,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    conversation_type: str = "personal",
    tenant_id: str = TENANT_ID,
    activity_id: str | None = None,
    user_name: str | None = USER_NAME,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
    locale: str = LOCALE,
) -> Json:
    """An ``Action.Submit`` click: a message activity with ``value`` and no ``text``.

    ``value`` is the action's ``data`` merged with the card's inputs. ``reply_to_id`` is
    the id of the message holding the card (the id the connector returned when the bot
    sent it). ``conversation_type`` is ``personal``, ``groupChat`` or ``channel`` (for a
    channel, pass the ``…;messageid=…`` conversation id the card was posted in).
    """
    timestamp, local = _timestamps()
    conversation: Json = {"conversationType": conversation_type, "tenantId": tenant_id}
    if conversation_type != "personal":
        conversation["isGroup"] = True
    conversation["id"] = conversation_id
    activity: Json = {
        "type": "message",
        "timestamp": timestamp,
        "localTimestamp": local,
        "id": activity_id or new_activity_id(),
        "channelId": CHANNEL_ID,
        "serviceUrl": service_url,
        "from": _user(user_id, user_name, aad_object_id),
        "conversation": conversation,
        "recipient": _bot(bot_id, bot_name),
        "entities": [_client_info(locale)],
        "channelData": {"source": {"name": "message"}, "tenant": {"id": tenant_id}},
        "value": copy.deepcopy(value),
        "locale": locale,
        "localTimezone": TIMEZONE,
    }
    if reply_to_id is not None:
        activity["replyToId"] = reply_to_id
        activity["channelData"]["legacy"] = {"replyToId": reply_to_id}
    return activity


# -- conversation and installation updates ---------------------------------------------


def conversation_update_installed(
    *,
    service_url: str,
    scope: str = "personal",
    user_id: str = USER_ID,
    aad_object_id: str | None = AAD_OBJECT_ID,
    conversation_id: str | None = None,
    tenant_id: str = TENANT_ID,
    team_id: str = TEAM_ID,
    team_name: str = TEAM_NAME,
    activity_id: str | None = None,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
    members_added: list[Json] | None = None,
) -> Json:
    """The ``conversationUpdate`` sent when the bot is added (``membersAdded`` has the bot).

    ``scope``: ``personal`` (a user installed it for themselves), ``team`` (added to a
    team: ``channelData.eventType`` ``teamMemberAdded`` and the team) or ``groupChat``.
    ``members_added`` replaces the default ``[{"id": bot_id}]``.
    """
    timestamp, _ = _timestamps()
    if scope == "personal":
        conversation: Json = {
            "conversationType": "personal",
            "tenantId": tenant_id,
            "id": conversation_id or PERSONAL_CONVERSATION_ID,
        }
        channel_data: Json = {"tenant": {"id": tenant_id}}
    elif scope == "team":
        conversation = {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": tenant_id,
            "id": conversation_id or team_id,
        }
        channel_data = {
            "team": {"aadGroupId": TEAM_AAD_GROUP_ID, "name": team_name, "id": team_id},
            "eventType": "teamMemberAdded",
            "tenant": {"id": tenant_id},
            "settings": {"selectedChannel": {"id": team_id}},
        }
    elif scope == "groupChat":
        conversation = {
            "isGroup": True,
            "conversationType": "groupChat",
            "tenantId": tenant_id,
            "id": conversation_id or GROUP_CHAT_ID,
        }
        channel_data = {"tenant": {"id": tenant_id}}
    else:
        raise ValueError(f"unknown scope {scope!r} (personal, team or groupChat)")
    return {
        "membersAdded": members_added if members_added is not None else [{"id": bot_id}],
        "type": "conversationUpdate",
        "timestamp": timestamp,
        "id": activity_id or new_event_id(),
        "channelId": CHANNEL_ID,
        "serviceUrl": service_url,
        "from": _user(user_id, None, aad_object_id),
        "conversation": conversation,
        "recipient": _bot(bot_id, bot_name),
        "channelData": channel_data,
    }


def installation_update(
    action: str = "add",
    *,
    service_url: str,
    scope: str = "personal",
    user_id: str = USER_ID,
    aad_object_id: str | None = AAD_OBJECT_ID,
    conversation_id: str | None = None,
    tenant_id: str = TENANT_ID,
    team_id: str = TEAM_ID,
    activity_id: str | None = None,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
    locale: str = LOCALE,
) -> Json:
    """The ``installationUpdate`` activity (``action``: ``add``, ``remove``, ``add-upgrade``…).

    ``scope`` as in :func:`conversation_update_installed`.
    """
    if action not in ("add", "remove", "add-upgrade", "remove-upgrade"):
        raise ValueError(f"unknown installationUpdate action {action!r}")
    base = conversation_update_installed(
        service_url=service_url,
        scope=scope,
        user_id=user_id,
        aad_object_id=aad_object_id,
        conversation_id=conversation_id,
        tenant_id=tenant_id,
        team_id=team_id,
        bot_id=bot_id,
        bot_name=bot_name,
    )
    channel_data: Json = {"tenant": {"id": tenant_id}}
    if scope == "team":
        channel_data = {
            "settings": {"selectedChannel": {"id": team_id}},
            "channel": {"id": team_id},
            "team": {"id": team_id},
            "tenant": {"id": tenant_id},
            "source": {"name": "message"},
        }
    return {
        "action": action,
        "type": "installationUpdate",
        "timestamp": base["timestamp"],
        "id": activity_id or new_event_id(),
        "channelId": CHANNEL_ID,
        "serviceUrl": service_url,
        "from": base["from"],
        "conversation": base["conversation"],
        "recipient": base["recipient"],
        "entities": [{"locale": locale, "platform": "Web", "type": "clientInfo"}],
        "channelData": channel_data,
        "locale": locale,
    }


def unknown_activity(
    type: str = "messageReaction",  # noqa: A002 - the activity's own field name
    *,
    service_url: str,
    user_id: str = USER_ID,
    aad_object_id: str | None = AAD_OBJECT_ID,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    tenant_id: str = TENANT_ID,
    activity_id: str | None = None,
    reply_to_id: str | None = None,
    bot_id: str = BOT_ID,
    bot_name: str = BOT_NAME,
) -> Json:
    """An activity the bot does not act on, in the personal chat.

    ``messageReaction`` (default) carries ``reactionsAdded: [{"type": "like"}]`` and the
    ``replyToId`` of the message reacted to; ``typing``, ``event``, ``deleteUserData`` etc.
    carry only the common fields.
    """
    timestamp, local = _timestamps()
    activity: Json = {
        "type": type,
        "timestamp": timestamp,
        "localTimestamp": local,
        "id": activity_id or new_activity_id(),
        "channelId": CHANNEL_ID,
        "serviceUrl": service_url,
        "from": _user(user_id, USER_NAME, aad_object_id),
        "conversation": {
            "conversationType": "personal",
            "tenantId": tenant_id,
            "id": conversation_id,
        },
        "recipient": _bot(bot_id, bot_name),
        "channelData": {"tenant": {"id": tenant_id}},
    }
    if type == "messageReaction":
        activity["reactionsAdded"] = [{"type": "like"}]
        activity["replyToId"] = reply_to_id or new_activity_id()
        activity["channelData"]["legacy"] = {"replyToId": activity["replyToId"]}
    elif reply_to_id is not None:
        activity["replyToId"] = reply_to_id
    return activity


# -- members ---------------------------------------------------------------------------


def member(
    *,
    email: str,
    name: str | None = None,
    user_id: str | None = None,
    aad_object_id: str | None = None,
    tenant_id: str = TENANT_ID,
) -> Json:
    """A TeamsChannelAccount as the connector returns it for a member lookup.

    Missing ids are derived from ``email`` (stable across calls), so a test can build
    the activity of a user and the member record from the same email.
    """
    local_part = email.split("@", 1)[0]
    name = name or " ".join(p.capitalize() for p in local_part.replace("_", ".").split("."))
    given, _, surname = name.partition(" ")
    aad = aad_object_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"aad:{email.lower()}"))
    return {
        "id": user_id or user_id_for(email),
        "name": name,
        "aadObjectId": aad,
        "givenName": given,
        "surname": surname,
        "email": email,
        "userPrincipalName": email.lower(),
        "tenantId": tenant_id,
        "userRole": "user",
    }


def user_id_for(email: str) -> str:
    """A stable Teams user id (``29:…``) for an email, as :func:`member` makes it."""
    digest = uuid.uuid5(uuid.NAMESPACE_URL, f"teams:{email.lower()}").hex
    return f"29:1{digest}{digest[:20]}"


# -- fixture and posting ---------------------------------------------------------------


def load_fixture(service_url: str, name: str = "direct_message.json") -> Json:
    """A captured Teams activity from ``shared/fixtures/teams`` with ``serviceUrl`` replaced.

    Raises:
        FileNotFoundError: ``shared/`` is not beside the repository.
    """
    activity: Json = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    activity["serviceUrl"] = service_url
    return activity


def json_body(activity: Json) -> bytes:
    """An activity as the JSON bytes Teams sends."""
    return json.dumps(activity, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def post_activity(
    session: aiohttp.ClientSession,
    url: str,
    activity: Json | bytes,
    *,
    auth_header: str | None = None,
    timeout: float = 30.0,
) -> aiohttp.ClientResponse:
    """POST ``activity`` to the bot's messaging endpoint (``…/api/messages``) as Teams does.

    ``auth_header`` is sent as ``Authorization`` (e.g. ``"Bearer <jwt>"``); without it the
    request is unauthenticated, which only a bot without an app id (local mode) accepts.

    Returns:
        The response with its body already read: ``resp.status``, ``await resp.text()``
        and ``await resp.json()`` work after the call.
    """
    raw = activity if isinstance(activity, bytes) else json_body(activity)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if auth_header is not None:
        headers["Authorization"] = auth_header
    async with session.post(
        url, data=raw, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)
    ) as resp:
        await resp.read()
        return resp
