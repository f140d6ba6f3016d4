"""The Teams test kit itself, exercised with botbuilder's real ConnectorClient and adapters.

The fake Bot Connector (:mod:`fake_connector`) must answer botbuilder as the service does,
the activity builders (:mod:`activities`) must be what botbuilder's Teams handlers
understand, and :mod:`cards` must hold cards to the official Adaptive Card 1.5 schema.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import activities
import aiohttp
import cards
import pytest
from aiohttp import web
from botbuilder.core import (
    ActivityHandler,
    BotFrameworkAdapter,
    BotFrameworkAdapterSettings,
    CardFactory,
    MessageFactory,
    TurnContext,
)
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from botbuilder.schema.teams import TeamInfo
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from fake_connector import MAX_ACTIVITY_BYTES, FakeConnector, FakeConnectorThread
from msrest.exceptions import HttpOperationError

if importlib.util.find_spec("jsonschema") is None:
    pytest.skip(
        "the Teams kit validates Adaptive Cards with jsonschema: install it (test extra)",
        allow_module_level=True,
    )

T = TypeVar("T")
Json = dict[str, Any]

VALID_CARD: Json = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Oskar, the CFO", "wrap": True}],
    "actions": [{"type": "Action.Submit", "title": "Objections", "data": {"persona": "oskar"}}],
}


def run(test: Callable[[FakeConnector], Awaitable[T]]) -> T:
    """Run ``test(fake)`` on a fresh loop with a started fake connector."""

    async def main() -> T:
        async with FakeConnector() as fake:
            return await test(fake)

    return asyncio.run(main())


def anonymous_adapter() -> BotFrameworkAdapter:
    """botbuilder-core's adapter without an app id: no auth in, no token out."""
    return BotFrameworkAdapter(BotFrameworkAdapterSettings(app_id="", app_password=""))


def client_for(fake: FakeConnector | FakeConnectorThread) -> ConnectorClient:
    return ConnectorClient(MicrosoftAppCredentials.empty(), base_url=fake.url)


async def turn(activity: Json, logic: Callable[[TurnContext], Awaitable[None]]) -> None:
    """Process ``activity`` with the anonymous adapter, running ``logic`` as the bot."""
    await anonymous_adapter().process_activity(Activity().deserialize(activity), "", logic)


def status_of(exc: HttpOperationError) -> int:
    return int(exc.response.status_code)


def code_of(exc: HttpOperationError) -> str:
    text = exc.response.text  # requests' Response: a property
    return str(json.loads(text() if callable(text) else text)["error"]["code"])


class AnonymousConfig:
    """Configuration without Microsoft app credentials: local mode."""

    APP_ID = ""
    APP_PASSWORD = ""


class Echo(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(turn_context.activity.text))


@asynccontextmanager
async def echo_bot() -> AsyncIterator[str]:
    """The minimal botbuilder echo bot (CloudAdapter, anonymous) at ``POST /api/messages``."""
    integration = pytest.importorskip("botbuilder.integration.aiohttp")
    adapter = integration.CloudAdapter(
        integration.ConfigurationBotFrameworkAuthentication(AnonymousConfig())
    )
    bot = Echo()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
    finally:
        await runner.cleanup()


# -- the fake connector with botbuilder ------------------------------------------------


def test_cloud_adapter_reply_reaches_the_fake_over_http() -> None:
    async def test(fake: FakeConnector) -> None:
        inbound = activities.personal_message("who is Oskar?", service_url=fake.url)
        conversation = inbound["conversation"]["id"]
        async with echo_bot() as url, aiohttp.ClientSession() as session:
            resp = await activities.post_activity(session, url, inbound)
            assert 200 <= resp.status < 300
            # botbuilder sends the reply before it answers the request.
            sent = await fake.wait_for_activities(1, timeout=5)
        assert [a["text"] for a in sent] == ["who is Oskar?"]
        reply = sent[0]
        assert reply["type"] == "message"
        assert reply["replyToId"] == inbound["id"]
        assert reply["from"]["id"] == activities.BOT_ID
        assert reply["recipient"]["id"] == inbound["from"]["id"]
        assert reply["conversation"]["id"] == conversation
        assert reply["id"] == fake.calls[0].new_id
        (call,) = fake.calls
        assert (call.method, call.operation, call.status) == ("POST", "reply", 200)
        assert call.conversation_id == conversation  # ``a:…`` decoded from the path
        assert call.activity_id == inbound["id"]
        assert call.path.startswith("/v3/conversations/a%3A")
        # Anonymous (no app id): botbuilder sends no token to the serviceUrl.
        assert call.authorization is None
        assert fake.activities_sent(conversation) == sent
        assert fake.activities_sent("a:someone-else") == []

    run(test)


def test_shared_fixture_loads_with_its_service_url_rewritten() -> None:
    try:
        fixture = activities.load_fixture("http://127.0.0.1:1/")
    except FileNotFoundError:
        pytest.skip("shared/fixtures/teams is not beside the repository")
    assert fixture["channelId"] == "msteams"
    assert fixture["serviceUrl"] == "http://127.0.0.1:1/"
    assert fixture["conversation"]["conversationType"] == "personal"
    built = activities.personal_message("ping", service_url="http://127.0.0.1:1/")
    # The builder keeps the live capture's field set, at every level that matters.
    assert set(built) == set(fixture)
    for key in ("from", "conversation", "recipient", "channelData"):
        assert set(built[key]) == set(fixture[key]), key
    assert set(built["entities"][0]) == set(fixture["entities"][0])


def test_the_fixture_round_trips_through_the_echo_bot() -> None:
    async def test(fake: FakeConnector) -> None:
        try:
            fixture = activities.load_fixture(fake.url)
        except FileNotFoundError:
            pytest.skip("shared/fixtures/teams is not beside the repository")
        async with echo_bot() as url, aiohttp.ClientSession() as session:
            await activities.post_activity(session, url, fixture)
            (reply,) = await fake.wait_for_activities(1)
        assert reply["text"] == "ping"
        assert reply["conversation"]["id"] == fixture["conversation"]["id"]

    run(test)


def test_channel_reply_goes_to_the_thread_conversation() -> None:
    async def test(fake: FakeConnector) -> None:
        inbound = activities.channel_mention("who is Tuva?", service_url=fake.url)

        async def logic(tc: TurnContext) -> None:
            await tc.send_activity(TurnContext.remove_recipient_mention(tc.activity).strip())

        await turn(inbound, logic)
        (reply,) = fake.activities_sent()
        conversation = f"{activities.TEAM_ID};messageid={inbound['id']}"
        assert reply["conversation"]["id"] == conversation
        assert fake.calls[0].conversation_id == conversation  # ``;`` and ``@`` decoded
        assert reply["text"] == "who is Tuva?"

    run(test)


def test_invalid_adaptive_card_is_rejected_with_400_bad_argument() -> None:
    async def test(fake: FakeConnector) -> None:
        inbound = activities.personal_message("card please", service_url=fake.url)
        errors: list[HttpOperationError] = []

        async def logic(tc: TurnContext) -> None:
            await tc.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(VALID_CARD)))
            bad = {**VALID_CARD, "body": [{"type": "TextBlock"}]}  # no text
            try:
                await tc.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(bad)))
            except HttpOperationError as exc:
                errors.append(exc)

        await turn(inbound, logic)
        assert len(errors) == 1
        assert status_of(errors[0]) == 400
        assert code_of(errors[0]) == "BadArgument"
        assert "$.body[0]: 'text' is a required property" in str(errors[0])
        assert [c.status for c in fake.calls] == [200, 400]
        (accepted,) = fake.activities_sent()
        assert accepted["attachments"][0]["contentType"] == cards.ADAPTIVE_CARD_CONTENT_TYPE
        assert accepted["attachments"][0]["content"] == VALID_CARD

    run(test)


def test_card_with_msteams_width_is_accepted() -> None:
    async def test(fake: FakeConnector) -> None:
        card = {**VALID_CARD, "msteams": {"width": "Full"}}
        inbound = activities.personal_message("wide", service_url=fake.url)

        async def logic(tc: TurnContext) -> None:
            await tc.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

        await turn(inbound, logic)
        assert [c.status for c in fake.calls] == [200]

    run(test)


def test_activity_over_28_kb_gets_413() -> None:
    async def test(fake: FakeConnector) -> None:
        inbound = activities.personal_message("long", service_url=fake.url)
        caught: list[HttpOperationError] = []

        async def logic(tc: TurnContext) -> None:
            try:
                await tc.send_activity("x" * MAX_ACTIVITY_BYTES)
            except HttpOperationError as exc:
                caught.append(exc)
            await tc.send_activity("x" * (MAX_ACTIVITY_BYTES - 2048))

        await turn(inbound, logic)
        assert [status_of(e) for e in caught] == [413]
        assert code_of(caught[0]) == "MessageSizeTooBig"
        assert [c.status for c in fake.calls] == [413, 200]

    run(test)


def test_fail_with_answers_the_next_sends_then_recovers() -> None:
    async def test(fake: FakeConnector) -> None:
        fake.fail_with(503, times=2)
        fake.fail_with(429, times=1, retry_after=3)
        conversation = activities.PERSONAL_CONVERSATION_ID
        inbound = activities.personal_message("hello", service_url=fake.url)
        outcomes: list[int] = []

        async def logic(tc: TurnContext) -> None:
            for _ in range(4):
                try:
                    await tc.send_activity("answer")
                    outcomes.append(200)
                except HttpOperationError as exc:
                    outcomes.append(status_of(exc))

        await turn(inbound, logic)
        assert outcomes == [503, 503, 429, 200]
        throttled = fake.calls[2]
        assert throttled.response["error"]["code"] == "Throttled"
        assert len(fake.activities_sent(conversation)) == 1

    run(test)


def test_malformed_activities_are_rejected_like_the_service_does() -> None:
    async def test(fake: FakeConnector) -> None:
        url = f"{fake.url}v3/conversations/a%3Ax/activities"
        ok = {
            "type": "message",
            "text": "hi",
            "from": {"id": activities.BOT_ID},
            "recipient": {"id": activities.USER_ID},
            "conversation": {"id": "a:x"},
        }
        cases: list[tuple[Any, int, str]] = [
            ({k: v for k, v in ok.items() if k != "from"}, 400, "BadArgument"),
            ({**ok, "type": "event"}, 400, "BadArgument"),
            ({**ok, "text": ""}, 400, "BadArgument"),
            ({**ok, "recipient": {"name": "no id"}}, 400, "BadArgument"),
            ("not json", 400, "BadSyntax"),
            ({**ok, "type": "typing", "text": None}, 200, ""),
            (ok, 200, ""),
        ]
        async with aiohttp.ClientSession() as session:
            for body, status, code in cases:
                data = body if isinstance(body, str) else json.dumps(body)
                async with session.post(url, data=data) as resp:
                    answer = await resp.json()
                    assert resp.status == status, (body, answer)
                    if code:
                        assert answer["error"]["code"] == code
                    else:
                        assert answer["id"]
            async with session.get(f"{fake.url}v3/botstate") as resp:
                assert resp.status == 404
        assert [a.get("type") for a in fake.activities_sent("a:x")] == ["typing", "message"]

    run(test)


def test_update_replaces_a_sent_activity_and_unknown_ids_get_404() -> None:
    async def test(fake: FakeConnector) -> None:
        inbound = activities.personal_message("hi", service_url=fake.url)
        conversation = inbound["conversation"]["id"]
        statuses: list[int] = []

        async def logic(tc: TurnContext) -> None:
            sent = await tc.send_activity("first")
            changed = MessageFactory.text("second")
            changed.id = sent.id
            await tc.update_activity(changed)
            unknown = MessageFactory.text("third")
            unknown.id = "1234"
            try:
                await tc.update_activity(unknown)
            except HttpOperationError as exc:
                statuses.append(status_of(exc))
            await tc.delete_activity(sent.id)

        await turn(inbound, logic)
        assert statuses == [404]
        first_id = fake.calls[0].new_id
        assert [c.operation for c in fake.calls] == ["reply", "update", "update", "delete"]
        assert [u["text"] for u in fake.activities_updated(conversation)] == ["second"]
        assert fake.message(conversation, first_id or "") is None  # deleted
        assert [a["text"] for a in fake.activities_sent(conversation)] == ["first"]

    run(test)


def test_teamsinfo_member_lookups() -> None:
    async def test(fake: FakeConnector) -> None:
        oskar = activities.member(email="Oskar.Olsen@example.com")
        inbound = activities.personal_message(
            "hi",
            service_url=fake.url,
            user_id=oskar["id"],
            aad_object_id=oskar["aadObjectId"],
        )
        conversation = inbound["conversation"]["id"]
        fake.add_member(conversation, oskar)
        found: dict[str, Any] = {}

        async def logic(tc: TurnContext) -> None:
            found["by_aad"] = await TeamsInfo.get_member(tc, oskar["aadObjectId"])
            found["by_id"] = await TeamsInfo.get_member(tc, tc.activity.from_property.id)
            found["all"] = await TeamsInfo.get_members(tc)
            found["paged"] = await TeamsInfo.get_paged_members(tc, page_size=10)
            try:
                await TeamsInfo.get_member(tc, "29:nobody")
            except Exception as exc:  # noqa: BLE001 - botbuilder wraps the 404 differently
                found["missing"] = exc

        await turn(inbound, logic)
        for key in ("by_aad", "by_id"):
            account = found[key]
            assert account.id == oskar["id"]
            assert account.email == "Oskar.Olsen@example.com"
            assert account.user_principal_name == "oskar.olsen@example.com"
            assert account.aad_object_id == oskar["aadObjectId"]
            assert account.tenant_id == activities.TENANT_ID
            assert account.name == "Oskar Olsen"
        assert [m.email for m in found["all"]] == ["Oskar.Olsen@example.com"]
        assert [m.id for m in found["paged"].members] == [oskar["id"]]
        assert "missing" in found
        lookups = [c for c in fake.calls if c.operation == "get_member"]
        assert [c.status for c in lookups] == [200, 200, 404]

    run(test)


def test_proactive_create_conversation_and_continue_conversation() -> None:
    async def test(fake: FakeConnector) -> None:
        tuva = activities.member(email="tuva@example.com", name="Tuva Berg")
        fake.add_member("a:earlier", tuva)
        client = client_for(fake)
        params = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=activities.BOT_ID),
            members=[ChannelAccount(id=tuva["id"])],
            channel_data={"tenant": {"id": activities.TENANT_ID}},
            tenant_id=activities.TENANT_ID,
        )
        first = await client.conversations.create_conversation(params)
        again = await client.conversations.create_conversation(params)
        assert first.id.startswith("a:")
        assert again.id == first.id  # one 1:1 chat per user
        assert first.activity_id is None
        with_activity = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=activities.BOT_ID),
            members=[ChannelAccount(id=tuva["id"])],
            channel_data={"tenant": {"id": activities.TENANT_ID}},
            activity=MessageFactory.text("Tuva asked to be reminded"),
        )
        created = await client.conversations.create_conversation(with_activity)
        assert created.id == first.id and created.activity_id
        no_tenant = ConversationParameters(
            bot=ChannelAccount(id=activities.BOT_ID), members=[ChannelAccount(id=tuva["id"])]
        )
        with pytest.raises(HttpOperationError) as raised:
            await client.conversations.create_conversation(no_tenant)
        assert status_of(raised.value) == 400
        # The new conversation knows its member (for email → user lookups).
        member = await client.conversations.get_conversation_member(first.id, tuva["id"])
        assert member.additional_properties.get("email") == "tuva@example.com"

        # Later: continue the conversation from its stored reference.
        reference = ConversationReference(
            channel_id="msteams",
            service_url=fake.url,
            conversation=ConversationAccount(
                id=first.id, conversation_type="personal", tenant_id=activities.TENANT_ID
            ),
            bot=ChannelAccount(id=activities.BOT_ID, name=activities.BOT_NAME),
            user=ChannelAccount(id=tuva["id"]),
        )

        async def logic(tc: TurnContext) -> None:
            await tc.send_activity("your reminder")

        # CloudAdapter takes an empty app id (BotFrameworkAdapter insists on a bot_id).
        integration = pytest.importorskip("botbuilder.integration.aiohttp")
        cloud = integration.CloudAdapter(
            integration.ConfigurationBotFrameworkAuthentication(AnonymousConfig())
        )
        await cloud.continue_conversation(reference, logic, "")
        texts = [a["text"] for a in fake.activities_sent(first.id)]
        assert texts == ["Tuva asked to be reminded", "your reminder"]
        # botbuilder sends a proactive message as a reply to a made-up (uuid1) activity
        # id; the connector accepts replies to ids it never issued.
        last = fake.calls[-1]
        assert (last.operation, last.conversation_id, last.status) == ("reply", first.id, 200)
        assert all(c.authorization is None for c in fake.calls)

    run(test)


def test_thread_wrapper_waits_block_and_await() -> None:
    with FakeConnectorThread() as fake:
        conversation = "a:threaded"

        async def send(count: int) -> None:
            client = client_for(fake)
            for i in range(count):
                activity = MessageFactory.text(f"n{i}")
                activity.from_property = ChannelAccount(id=activities.BOT_ID)
                activity.recipient = ChannelAccount(id=activities.USER_ID)
                activity.conversation = ConversationAccount(id=conversation)
                await client.conversations.send_to_conversation(conversation, activity)

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            sending = pool.submit(asyncio.run, send(3))
            got = fake.wait_for_activities(3, timeout=10, conversation_id=conversation)
            sending.result(timeout=10)
        assert [a["text"] for a in got] == ["n0", "n1", "n2"]

        async def await_more() -> list[Json]:
            waiting = asyncio.ensure_future(fake.wait_for_activities_async(4, timeout=10))
            await send(1)
            return await waiting

        assert len(asyncio.run(await_more())) == 4
        assert threading.current_thread() is threading.main_thread()
        with pytest.raises(TimeoutError):
            fake.wait_for_activities(5, timeout=0.2)
        fake.clear()
        assert fake.activities_sent() == []
        assert fake.calls == []

    # Stopped: start() again on a new wrapper works on a new port.
    with FakeConnectorThread() as other:
        assert other.url.startswith("http://127.0.0.1:")


def test_post_activity_sends_json_with_teams_headers() -> None:
    async def test(fake: FakeConnector) -> None:
        seen: list[tuple[dict[str, str], Json]] = []

        async def messages(request: web.Request) -> web.Response:
            seen.append((dict(request.headers), await request.json()))
            return web.Response(status=202)

        app = web.Application()
        app.router.add_post("/api/messages", messages)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
        activity = activities.personal_message("Bjørn?", service_url=fake.url)
        try:
            async with aiohttp.ClientSession() as session:
                resp = await activities.post_activity(session, url, activity)
                assert resp.status == 202
                await activities.post_activity(session, url, activity, auth_header="Bearer t")
        finally:
            await runner.cleanup()
        (h1, body), (h2, _) = seen
        assert body == activity
        assert h1["Content-Type"].startswith("application/json")
        assert "Authorization" not in h1
        assert h2["Authorization"] == "Bearer t"

    run(test)


# -- builders as botbuilder's Teams handler sees them -------------------------------


class Recorder(TeamsActivityHandler):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        self.seen.append(("message", (activity.text, activity.value)))

    async def on_teams_members_added(  # type: ignore[override]
        self, teams_members_added: list[Any], team_info: TeamInfo, turn_context: TurnContext
    ) -> None:
        ids = [m.id for m in teams_members_added]
        self.seen.append(("members_added", (ids, team_info.id if team_info else None)))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        self.seen.append(("install_add", turn_context.activity.conversation.conversation_type))

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        self.seen.append(("install_remove", None))

    async def on_reactions_added(  # type: ignore[override]
        self, message_reactions: list[Any], turn_context: TurnContext
    ) -> None:
        self.seen.append(("reactions_added", [r.type for r in message_reactions]))

    async def on_unrecognized_activity_type(self, turn_context: TurnContext) -> None:
        self.seen.append(("unrecognized", turn_context.activity.type))


def test_builders_route_to_the_right_teams_handlers() -> None:
    url = "http://127.0.0.1:9/"
    recorder = Recorder()
    inbound = [
        activities.personal_message("who is Frida?", service_url=url),
        activities.card_submit({"persona": "frida"}, service_url=url, reply_to_id="1900000000001"),
        activities.conversation_update_installed(service_url=url),
        activities.conversation_update_installed(service_url=url, scope="team"),
        activities.installation_update("add", service_url=url),
        activities.installation_update("remove", service_url=url, scope="team"),
        activities.unknown_activity(service_url=url),
        activities.unknown_activity("deleteUserData", service_url=url),
    ]

    async def main() -> None:
        for activity in inbound:
            await turn(activity, recorder.on_turn)

    asyncio.run(main())
    assert recorder.seen == [
        ("message", ("who is Frida?", None)),
        ("message", (None, {"persona": "frida"})),
        ("members_added", ([activities.BOT_ID], None)),
        ("members_added", ([activities.BOT_ID], activities.TEAM_ID)),
        ("install_add", "personal"),
        ("install_remove", None),
        ("reactions_added", ["like"]),
        ("unrecognized", "deleteUserData"),
    ]


def test_mentions_strip_with_botbuilder_in_channels_and_group_chats() -> None:
    url = "http://127.0.0.1:9/"
    for build in (activities.channel_mention, activities.group_chat_mention):
        activity = Activity().deserialize(build("objections about price", service_url=url))
        assert activity.text == "<at>personabot</at> objections about price"
        assert activity.conversation.is_group is True
        mentions = TurnContext.get_mentions(activity)
        mentioned = [m.additional_properties["mentioned"]["id"] for m in mentions]
        assert mentioned == [activities.BOT_ID]
        assert TurnContext.remove_recipient_mention(activity).strip() == "objections about price"
    channel = activities.channel_mention("x", service_url=url, thread_id="1700000000000")
    assert channel["conversation"]["conversationType"] == "channel"
    assert channel["conversation"]["id"].endswith(";messageid=1700000000000")
    assert channel["channelData"]["team"]["id"] == activities.TEAM_ID
    assert channel["channelData"]["tenant"]["id"] == activities.TENANT_ID
    group = activities.group_chat_mention("x", service_url=url)
    assert group["conversation"]["conversationType"] == "groupChat"


def test_card_submit_has_value_and_no_text() -> None:
    submit = activities.card_submit(
        {"action": "objection", "persona": "bjorn"},
        service_url="http://127.0.0.1:9/",
        reply_to_id="1900000000007",
    )
    assert submit["type"] == "message"
    assert "text" not in submit
    assert submit["value"] == {"action": "objection", "persona": "bjorn"}
    assert submit["replyToId"] == "1900000000007"
    assert submit["conversation"]["conversationType"] == "personal"


# -- Adaptive Card validation ----------------------------------------------------------


def test_minimal_valid_card_passes() -> None:
    assert cards.validate_adaptive_card({"type": "AdaptiveCard", "version": "1.5"}) == []
    assert cards.validate_adaptive_card(VALID_CARD) == []
    cards.assert_valid_card(VALID_CARD)


def test_msteams_property_is_stripped_before_validating() -> None:
    card = {**VALID_CARD, "msteams": {"width": "Full"}}
    assert cards.validate_adaptive_card(card) == []
    assert "msteams" in card  # the caller's card is not changed
    other = {**VALID_CARD, "somethingElse": 1}
    assert cards.validate_adaptive_card(other) == [
        "$: Additional properties are not allowed ('somethingElse' was unexpected)"
    ]


def test_wrong_type_or_version_is_rejected() -> None:
    assert cards.validate_adaptive_card({**VALID_CARD, "type": "HeroCard"}) == [
        "$.type: 'HeroCard' is not allowed here (one of: AdaptiveCard)"
    ]
    assert cards.validate_adaptive_card({**VALID_CARD, "version": "1.6"}) == [
        "$.version: must be '1.5', got '1.6'"
    ]
    no_version = {k: v for k, v in VALID_CARD.items() if k != "version"}
    assert cards.validate_adaptive_card(no_version) == ["$.version: must be '1.5', got None"]
    no_type = {k: v for k, v in VALID_CARD.items() if k != "type"}
    assert cards.validate_adaptive_card(no_type) == [
        "$.type: 'AdaptiveCard' is required at the top level"
    ]
    assert cards.validate_adaptive_card([VALID_CARD])[0].startswith("$: ")
    with pytest.raises(AssertionError, match="version"):
        cards.assert_valid_card({**VALID_CARD, "version": "1.2"})


def test_schema_errors_are_readable_and_point_at_the_element() -> None:
    bad_element = {**VALID_CARD, "body": [{"type": "TextBlok", "text": "x"}]}
    (message,) = cards.validate_adaptive_card(bad_element)
    assert message.startswith("$.body[0].type: 'TextBlok' is not allowed here (one of: ")
    assert "TextBlock" in message
    bad_size = {**VALID_CARD, "body": [{"type": "TextBlock", "text": "x", "size": "huge"}]}
    assert cards.validate_adaptive_card(bad_size)[0].startswith("$.body[0].size: 'huge'")
    nested = {
        **VALID_CARD,
        "actions": [
            {
                "type": "Action.ShowCard",
                "title": "More",
                "card": {"type": "AdaptiveCard", "body": [{"type": "Image"}]},
            }
        ],
    }
    assert cards.validate_adaptive_card(nested) == [
        "$.actions[0].card.body[0]: 'url' is a required property"
    ]
    bad_action = {**VALID_CARD, "actions": [{"type": "Action.Submit", "title": "x", "bogus": 1}]}
    assert cards.validate_adaptive_card(bad_action) == [
        "$.actions[0]: Additional properties are not allowed ('bogus' was unexpected)"
    ]


def test_the_shipped_schema_is_the_official_1_5_schema() -> None:
    schema = cards.schema()
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    assert schema["definitions"]["AdaptiveCard"]["additionalProperties"] is False
    assert "Table" in schema["definitions"]  # a 1.5 element
    activity = {"attachments": [cards.card_attachment(VALID_CARD), {"contentType": "text/html"}]}
    assert cards.validate_activity_cards(activity) == []
    activity["attachments"].append(cards.card_attachment({"type": "AdaptiveCard"}))
    assert cards.validate_activity_cards(activity) == [
        "attachments[2] $.version: must be '1.5', got None"
    ]
