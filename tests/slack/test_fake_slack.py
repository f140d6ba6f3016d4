"""The fake Slack Web API and the payload builders, exercised with the real slack_sdk/bolt."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qs

import aiohttp
import payloads
import pytest
from aiohttp import web
from fake_slack import FakeSlack, FakeSlackThread
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

T = TypeVar("T")
TOKEN = "xoxb-test-token"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def run(test: Callable[[FakeSlack], Awaitable[T]]) -> T:
    """Run ``test(fake)`` on a fresh loop with a started fake."""

    async def main() -> T:
        async with FakeSlack() as fake:
            return await test(fake)

    return asyncio.run(main())


def client_for(fake: FakeSlack | FakeSlackThread, token: str | None = TOKEN) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=fake.base_url)


def button(text: str, value: str = "v", action_id: str = "pick") -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "value": value,
        "action_id": action_id,
    }


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_post_message_is_recorded_and_returns_increasing_ts() -> None:
    async def test(fake: FakeSlack) -> None:
        client = client_for(fake)
        blocks = [section("*Oskar*"), {"type": "actions", "elements": [button("More")]}]
        first = await client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
        second = await client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])

        assert first["ok"] and first["channel"] == "C1"
        assert first["message"]["text"] == "hi" and first["message"]["blocks"] == blocks
        assert first["message"]["bot_id"] == "B0BOT"
        assert float(second["ts"]) > float(first["ts"])
        assert second["message"]["thread_ts"] == first["ts"]
        call = fake.calls_to("chat.postMessage")[0]
        assert call.params["channel"] == "C1" and call.params["blocks"] == blocks
        assert call.headers["authorization"] == f"Bearer {TOKEN}" and call.token == TOKEN
        assert call.response["ts"] == first["ts"]

    run(test)


def test_form_encoded_bodies_and_query_params_are_merged() -> None:
    async def test(fake: FakeSlack) -> None:
        client = client_for(fake)
        blocks = [section("hello")]
        resp = await client.api_call(
            "chat.postMessage",
            data={"channel": "C2", "text": "form", "blocks": json.dumps(blocks)},
            params={"unfurl_links": "false"},
        )
        assert resp["ok"] and resp["message"]["blocks"] == blocks
        (call,) = fake.calls_to("chat.postMessage")
        assert call.params == {
            "channel": "C2",
            "text": "form",
            "blocks": blocks,
            "unfurl_links": "false",
        }
        assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")

    run(test)


def test_auth_and_unknown_methods() -> None:
    async def test(fake: FakeSlack) -> None:
        auth = await client_for(fake).auth_test()
        assert auth.data == {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake Team",
            "user": "personabot",
            "team_id": "T0001",
            "user_id": "U0BOT",
            "bot_id": "B0BOT",
            "is_enterprise_install": False,
        }
        with pytest.raises(SlackApiError) as missing:
            await client_for(fake, token=None).chat_postMessage(channel="C1", text="x")
        assert missing.value.response["error"] == "not_authed"
        with pytest.raises(SlackApiError) as wrong:
            await client_for(fake, token="nonsense").auth_test()
        assert wrong.value.response["error"] == "invalid_auth"
        with pytest.raises(SlackApiError) as unknown:
            await client_for(fake).api_call("chat.doesNotExist")
        assert unknown.value.response["error"] == "unknown_method"
        assert [c.method for c in fake.calls] == [
            "auth.test",
            "chat.postMessage",
            "auth.test",
            "chat.doesNotExist",
        ]

    run(test)


def test_token_in_the_body_is_accepted() -> None:
    async def test(fake: FakeSlack) -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.post(fake.base_url + "auth.test", data={"token": TOKEN}) as resp,
        ):
            assert (await resp.json())["ok"] is True

    run(test)


def test_block_kit_limits_are_enforced_like_slack() -> None:
    async def test(fake: FakeSlack) -> None:
        client = client_for(fake)

        async def error_of(**kwargs: Any) -> dict[str, Any]:
            with pytest.raises(SlackApiError) as caught:
                await client.chat_postMessage(channel="C1", text="x", **kwargs)
            return dict(caught.value.response.data)  # type: ignore[arg-type]

        too_many = await error_of(blocks=[section(str(i)) for i in range(51)])
        assert too_many["error"] == "invalid_blocks"
        assert too_many["errors"] == ["no more than 50 items allowed [json-pointer:/blocks]"]

        long_button = await error_of(blocks=[{"type": "actions", "elements": [button("x" * 76)]}])
        assert long_button["error"] == "invalid_blocks"
        assert long_button["errors"] == [
            "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"
        ]
        assert (await error_of(blocks=[section("x" * 3001)]))["error"] == "invalid_blocks"
        fields = {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}
        assert (await error_of(blocks=[fields]))["error"] == "invalid_blocks"
        header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
        assert (await error_of(blocks=[header]))["error"] == "invalid_blocks"
        value = {"type": "actions", "elements": [button("ok", value="v" * 2001)]}
        assert (await error_of(blocks=[value]))["error"] == "invalid_blocks"
        action = {"type": "actions", "elements": [button("ok", action_id="a" * 256)]}
        assert (await error_of(blocks=[action]))["error"] == "invalid_blocks"
        assert (await error_of(blocks={"type": "section"}))["error"] == "invalid_blocks"
        with pytest.raises(SlackApiError) as long_text:
            await client.chat_postMessage(channel="C1", text="x" * 40_001)
        assert long_text.value.response["error"] == "msg_too_long"

        # The limits themselves are fine.
        ok = await client.chat_postMessage(
            channel="C1",
            text="x" * 40_000,
            blocks=[section("x" * 3000)] * 49
            + [{"type": "actions", "elements": [button("x" * 75, "v" * 2000, "a" * 255)]}],
        )
        assert ok["ok"]

    run(test)


def test_views_allow_100_blocks_and_home_views_keep_their_id() -> None:
    async def test(fake: FakeSlack) -> None:
        client = client_for(fake)
        home = {"type": "home", "blocks": [section(str(i)) for i in range(100)]}
        first = await client.views_publish(user_id="U1", view=home)
        again = await client.views_publish(user_id="U1", view=home)
        assert first["view"]["type"] == "home" and len(first["view"]["blocks"]) == 100
        assert first["view"]["id"] == again["view"]["id"]
        with pytest.raises(SlackApiError) as too_many:
            await client.views_publish(
                user_id="U1", view={"type": "home", "blocks": [section("x")] * 101}
            )
        assert too_many.value.response["error"] == "invalid_blocks"
        modal = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Persona"},
            "blocks": [section("hi")],
        }
        opened = await client.views_open(trigger_id="123.456.abc", view=modal)
        assert opened["view"]["type"] == "modal" and opened["view"]["id"].startswith("V")

    run(test)


def test_rate_limit_then_success_with_the_sdk_retry_handler() -> None:
    async def test(fake: FakeSlack) -> None:
        client = client_for(fake)
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
        fake.fail_with_rate_limit("chat.postMessage", times=1, retry_after=0)
        resp = await client.chat_postMessage(channel="C1", text="hi")
        assert resp["ok"]
        first, second = fake.calls_to("chat.postMessage")
        assert first.status == 429 and first.response == {"ok": False, "error": "ratelimited"}
        assert second.status == 200 and second.ok

    run(test)


def test_rate_limit_answer_without_retry_handler() -> None:
    async def test(fake: FakeSlack) -> None:
        fake.fail_with_rate_limit("users.info", times=2, retry_after=7)
        async with aiohttp.ClientSession() as session:
            for _ in range(2):
                async with session.get(
                    fake.base_url + "users.info",
                    params={"user": "U0BOT"},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                ) as resp:
                    assert resp.status == 429 and resp.headers["Retry-After"] == "7"
                    assert await resp.json() == {"ok": False, "error": "ratelimited"}
        assert (await client_for(fake).users_info(user="U0BOT"))["user"]["is_bot"] is True

    run(test)


def test_users_lookup_and_info() -> None:
    async def test(fake: FakeSlack) -> None:
        fake.add_user("U1", "ada@example.com", "Ada Lovelace")
        client = client_for(fake)
        found = await client.users_lookupByEmail(email="ada@example.com")
        assert found["user"]["id"] == "U1"
        assert found["user"]["profile"]["email"] == "ada@example.com"
        assert found["user"]["profile"]["real_name"] == "Ada Lovelace"
        with pytest.raises(SlackApiError) as missing:
            await client.users_lookupByEmail(email="nobody@example.com")
        assert missing.value.response["error"] == "users_not_found"
        info = await client.users_info(user="U1")
        assert info["user"]["is_bot"] is False and info["user"]["profile"]["display_name"]
        with pytest.raises(SlackApiError) as unknown:
            await client.users_info(user="U404")
        assert unknown.value.response["error"] == "user_not_found"
        assert fake.calls_to("users.info")[0].http_method == "GET"

    run(test)


def test_conversations_ephemeral_and_update() -> None:
    async def test(fake: FakeSlack) -> None:
        fake.add_user("U1", "ada@example.com", "Ada")
        client = client_for(fake)
        opened = await client.conversations_open(users="U1")
        assert opened["channel"] == {"id": "DU1"}
        ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="psst")
        assert ephemeral["message_ts"]
        posted = await client.chat_postMessage(channel="C1", text="before")
        updated = await client.chat_update(channel="C1", ts=posted["ts"], text="after")
        assert (updated["channel"], updated["ts"], updated["text"]) == ("C1", posted["ts"], "after")
        with pytest.raises(SlackApiError) as missing:
            await client.chat_update(channel="C1", ts="1.000001", text="x")
        assert missing.value.response["error"] == "message_not_found"

    run(test)


def test_wait_for_wakes_on_calls_and_times_out() -> None:
    async def test(fake: FakeSlack) -> None:
        client = client_for(fake)
        waiting = asyncio.create_task(fake.wait_for("chat.postMessage", 3, timeout=5))
        await asyncio.sleep(0)
        for i in range(3):
            await client.chat_postMessage(channel="C1", text=str(i))
        calls = await waiting
        assert [c.params["text"] for c in calls] == ["0", "1", "2"]
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="0 of 1 views.open"):
            await fake.wait_for("views.open", 1, timeout=0.2)
        assert time.monotonic() - started < 2
        fake.clear()
        assert fake.calls == []

    run(test)


def test_thread_runner_is_usable_from_another_loop() -> None:
    with FakeSlackThread() as fake:
        fake.add_user("U7", "u7@example.com", "Seven")

        async def drive() -> None:
            client = client_for(fake)
            waiting = asyncio.ensure_future(fake.wait_for_async("chat.postMessage", 2))
            await client.chat_postMessage(channel="C1", text="a")
            await client.chat_postMessage(channel="C1", text="b")
            assert len(await waiting) == 2
            assert (await client.users_lookupByEmail(email="u7@example.com"))["user"]["id"] == "U7"

        asyncio.run(drive())
        assert len(fake.wait_for("chat.postMessage", 2, timeout=1)) == 2
        with pytest.raises(TimeoutError):
            fake.wait_for("chat.update", 1, timeout=0.1)


def test_sign_matches_the_sdk_verifier() -> None:
    body = json.dumps(
        payloads.event_callback(
            payloads.app_mention("who is Oskar?", user="U1", channel="C1", ts="1700000000.000100")
        )
    ).encode()
    now = int(time.time())
    headers = payloads.sign(body, SECRET, now)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body=body,
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert headers["X-Slack-Signature"] == verifier.generate_signature(
        timestamp=str(now), body=body
    )


@asynccontextmanager
async def serve(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/slack/events", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    finally:
        await runner.cleanup()


def test_post_signed_sends_a_verifiable_request_with_retry_headers() -> None:
    seen: list[tuple[bytes, dict[str, str]]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((await request.read(), dict(request.headers)))
        return web.json_response({"challenge": "c"})

    async def main() -> None:
        async with serve(handler) as url, aiohttp.ClientSession() as session:
            resp = await payloads.post_signed(
                session,
                url,
                payloads.url_verification("c"),
                payloads.JSON,
                SECRET,
                retry_num=1,
                retry_reason="http_timeout",
            )
            assert resp.status == 200 and (await resp.json()) == {"challenge": "c"}

    asyncio.run(main())
    ((body, headers),) = seen
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert headers["X-Slack-Retry-Num"] == "1"
    assert headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert json.loads(body)["type"] == "url_verification"


def test_payload_shapes() -> None:
    mention = payloads.app_mention("who is Oskar?", user="U1", channel="C1", ts="1.000001")
    assert mention["text"] == "<@U0BOT> who is Oskar?" and mention["event_ts"] == "1.000001"
    section_elements = mention["blocks"][0]["elements"][0]["elements"]
    assert section_elements[0] == {"type": "user", "user_id": "U0BOT"}
    envelope = payloads.event_callback(mention, event_id="Ev1", event_time=5)
    assert envelope["type"] == "event_callback" and envelope["event_id"] == "Ev1"
    assert envelope["authorizations"][0]["user_id"] == "U0BOT"
    assert payloads.dm_message("hi", user="U1", ts="1.2")["channel_type"] == "im"
    assert payloads.bot_message("x", channel="D1", ts="1.3")["subtype"] == "bot_message"
    assert payloads.app_home_opened("U1")["channel"] == "DU1"

    command = {
        k: v[0]
        for k, v in parse_qs(
            payloads.slash_command(
                "Oskar", user_id="U1", channel_id="C1", response_url="http://x/r", trigger_id="t"
            ),
            keep_blank_values=True,
        ).items()
    }
    assert set(command) == {
        "token",
        "team_id",
        "team_domain",
        "enterprise_id",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert command["command"] == "/persona" and command["text"] == "Oskar"

    form = parse_qs(
        payloads.block_actions(
            "pick",
            "persona:oskar",
            user="U1",
            channel="C1",
            message_ts="1.5",
            response_url="http://x/r",
            trigger_id="t",
        )
    )
    action = json.loads(form["payload"][0])
    assert action["type"] == "block_actions"
    assert action["container"] == {
        "type": "message",
        "message_ts": "1.5",
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert action["actions"][0]["value"] == "persona:oskar"
    assert action["actions"][0]["type"] == "button"
    assert action["message"]["ts"] == "1.5"


def test_payloads_drive_a_real_bolt_app_through_signed_requests() -> None:
    """The payloads route in slack_bolt exactly as Slack's own do."""

    async def test(fake: FakeSlack) -> None:
        app = AsyncApp(signing_secret=SECRET, client=client_for(fake))

        @app.event("app_mention")
        async def mention(event: dict[str, Any], say: Any) -> None:
            await say(text="echo " + event["text"], thread_ts=event["ts"])

        @app.command("/persona")
        async def command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
            await ack()
            await respond(text="card " + command["text"])

        @app.action("pick")
        async def pick(ack: Any, respond: Any, action: dict[str, Any]) -> None:
            await ack()
            await respond(text="picked " + action["value"], replace_original=False)

        async def handler(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await app.async_dispatch(await to_bolt_request(request))
            )

        async with serve(handler) as url, aiohttp.ClientSession() as session:
            event = payloads.event_callback(
                payloads.app_mention("who is Oskar?", user="U1", channel="C1", ts="1.000001")
            )
            assert (
                await payloads.post_signed(session, url, event, payloads.JSON, SECRET)
            ).status == 200
            (reply,) = await fake.wait_for("chat.postMessage", 1)
            assert reply.params["text"] == "echo <@U0BOT> who is Oskar?"
            assert reply.params["thread_ts"] == "1.000001"

            body = payloads.slash_command(
                "Oskar", user_id="U1", channel_id="C1", response_url=fake.response_url("cmd")
            )
            assert (
                await payloads.post_signed(session, url, body, payloads.FORM, SECRET)
            ).status == 200
            body = payloads.block_actions(
                "pick",
                "persona:oskar",
                user="U1",
                channel="C1",
                message_ts="1.5",
                response_url=fake.response_url("act"),
            )
            assert (
                await payloads.post_signed(session, url, body, payloads.FORM, SECRET)
            ).status == 200
            hooks = await fake.wait_for("response_url", 2)
            assert {h.path.rsplit("/", 1)[1]: h.params["text"] for h in hooks} == {
                "cmd": "card Oskar",
                "act": "picked persona:oskar",
            }

            stale = await payloads.post_signed(
                session, url, event, payloads.JSON, SECRET, timestamp=int(time.time()) - 600
            )
            assert stale.status == 401

    run(test)
