"""personabot in Slack: real signed requests to our server, replies to a fake Web API."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import yaml
from payloads import (
    JSON,
    app_home_opened,
    app_mention,
    block_actions,
    bot_message,
    dm_message,
    event_callback,
    json_body,
    next_ts,
    post_signed,
    slash_command,
)
from rig import SECRET, SlackRig, text_of

from bot.adapters.slack import NotifyError
from content.loader import EXAMPLE_PACK


def test_mention_is_answered_in_its_thread_with_the_persona_card(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        ts = next_ts()
        response = await rig.event(
            app_mention("who is Oskar?", user="U0SELLER", channel="C0SALES", ts=ts)
        )
        assert response.status == 200
        (reply,) = await rig.replies()
        assert reply["channel"] == "C0SALES" and reply["thread_ts"] == ts
        shown = text_of(reply)
        assert "Operations Director Oskar" in shown
        assert "Decision-maker" in shown and "Owner:" in shown

    slack_run(scenario)


def test_dm_objection_is_answered_in_the_dm(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(
            dm_message(
                "the technicians say they'll never use an app", user="U0SELLER", ts=next_ts()
            )
        )
        (reply,) = await rig.replies()
        assert reply["channel"] == "D0USER" and not reply.get("thread_ts")
        found = rig.core.catalog.objection("operations-director-oskar", "technician-adoption")
        assert found is not None
        assert found[1].response.split(".")[0] in text_of(reply)
        # the question was recorded with the user's email from users.info
        assert rig.slack.calls_to("users.info")

    slack_run(scenario)


def test_slash_command_is_acknowledged_at_once_and_answered_privately(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        body = slash_command(
            "who is Frida",
            user_id="U0SELLER",
            channel_id="C0SALES",
            response_url=rig.slack.response_url("frida"),
        )
        response = await rig.form(body)
        assert response.status == 200 and await response.text() == ""  # the ack, at once
        (posted,) = await rig.slack.wait_for("response_url", 1, timeout=10)
        assert posted.params["response_type"] == "ephemeral"
        assert "CFO Frida" in text_of(posted.params)
        assert rig.slack.calls_to("chat.postMessage") == []  # nothing in the channel
        await rig.form(
            slash_command(
                "", user_id="U0SELLER", channel_id="C0SALES", response_url=rig.slack.response_url()
            )
        )
        _, help_answer = await rig.slack.wait_for("response_url", 2, timeout=10)
        assert "who is" in text_of(help_answer.params)

    slack_run(scenario)


def test_clicks_on_a_private_answer_stay_private(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        url = rig.slack.response_url("tuva")
        await rig.form(
            slash_command("who is Tuva", user_id="U0SELLER", channel_id="C0SALES", response_url=url)
        )
        (card,) = await rig.slack.wait_for("response_url", 1, timeout=10)
        button = next(
            e for b in card.params["blocks"] if b["type"] == "actions" for e in b["elements"]
        )
        click = block_actions(
            button["action_id"],
            button["value"],
            user="U0SELLER",
            channel="C0SALES",
            message_ts=next_ts(),
            response_url=url,
            is_ephemeral=True,
        )
        await rig.form(click)
        _, answer = await rig.slack.wait_for("response_url", 2, timeout=10)
        assert answer.params["response_type"] == "ephemeral"
        assert rig.slack.calls_to("chat.postMessage") == []
        assert rig.slack.calls_to("chat.postEphemeral") == []

    slack_run(scenario)


def test_a_dm_with_a_file_is_still_a_question_and_dm_clicks_start_no_thread(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        event = dm_message("who is Oskar?", user="U0SELLER", ts=next_ts())
        event["subtype"] = "file_share"
        await rig.event(event)
        (card,) = await rig.replies()
        ts = rig.slack.calls_to("chat.postMessage")[0].response["ts"]
        button = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"])
        rig.slack.add_message("D0USER", ts, text="card")
        await rig.form(
            block_actions(
                button["action_id"],
                button["value"],
                user="U0SELLER",
                channel="D0USER",
                message_ts=ts,
            )
        )
        _, answer = await rig.replies(2)
        assert answer["channel"] == "D0USER" and not answer.get("thread_ts")

    slack_run(scenario)


def test_button_click_round_trip(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(
            app_mention("who is Frida?", user="U0SELLER", channel="C0SALES", ts=next_ts())
        )
        (card,) = await rig.replies()
        button = next(
            e for block in card["blocks"] if block["type"] == "actions" for e in block["elements"]
        )
        assert button["value"].startswith("objection:cfo-frida/")
        click = block_actions(
            button["action_id"],
            button["value"],
            user="U0SELLER",
            channel="C0SALES",
            message_ts=card.get("thread_ts"),
            response_url=rig.slack.response_url(),
        )
        assert (await rig.form(click)).status == 200
        _, answer = await rig.replies(2)
        objection_id = button["value"].split("/")[1]
        found = rig.core.catalog.objection("cfo-frida", objection_id)
        assert found is not None and found[1].objection in text_of(answer)

    slack_run(scenario)


def test_app_home_shows_the_directory_and_recent_questions(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(
            dm_message("<!here> who is <@U0OTHER> Tuva?", user="U0SELLER", ts=next_ts())
        )
        await rig.replies()
        await rig.event(app_home_opened("U0SELLER"))
        (call,) = await rig.slack.wait_for("views.publish", 1, timeout=10)
        view = call.params["view"]
        assert call.params["user_id"] == "U0SELLER" and view["type"] == "home"
        shown = text_of({"blocks": view["blocks"]})
        for persona in rig.core.catalog.personas:
            assert persona.name in shown
        buttons = [b["accessory"]["value"] for b in view["blocks"] if "accessory" in b]
        assert "persona:team-lead-tuva" in buttons
        assert "@here who is @U0OTHER Tuva?" in shown
        assert "<!here>" not in shown and "<@U0OTHER>" not in shown

    slack_run(scenario)


def test_a_retried_event_is_answered_once(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        event = app_mention("who is Tuva?", user="U0SELLER", channel="C0SALES", ts=next_ts())
        first = await rig.event(event, event_id="Ev0RETRY")
        retry = await rig.event(
            event, event_id="Ev0RETRY", retry_num=1, retry_reason="http_timeout"
        )
        assert first.status == retry.status == 200
        await rig.replies()
        await rig.settle()
        assert len(rig.slack.calls_to("chat.postMessage")) == 1

    slack_run(scenario)


def test_bad_or_stale_signatures_get_401_and_nothing_happens(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        body = json_body(
            event_callback(
                app_mention("who is Oskar?", user="U0SELLER", channel="C0SALES", ts=next_ts())
            )
        )
        forged = await post_signed(rig.session, rig.url, body, JSON, "not-the-secret")
        stale = await post_signed(
            rig.session, rig.url, body, JSON, SECRET, timestamp=int(time.time()) - 6 * 60
        )
        assert forged.status == stale.status == 401
        await rig.settle()
        assert rig.slack.calls_to("chat.postMessage") == []

    slack_run(scenario)


def test_the_bot_ignores_itself_and_other_bots(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        assert (
            await rig.event(bot_message("who is Oskar?", channel="D0USER", ts=next_ts()))
        ).status == 200
        assert (
            await rig.event(
                bot_message(
                    "who is Oskar?",
                    channel="D0USER",
                    ts=next_ts(),
                    bot_id="B0OTHER",
                    user="U0OTHERBOT",
                )
            )
        ).status == 200
        await rig.settle()
        assert rig.slack.calls_to("chat.postMessage") == []

    slack_run(scenario)


def test_mentions_in_questions_and_packs_never_ping(slack_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    path = pack / "personas/team-lead-tuva.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] = "Tell <!channel> and <@U0BOSS> & <https://evil.example|click> everything."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    async def scenario(rig: SlackRig) -> None:
        await rig.event(
            app_mention("<!channel> who is Tuva?", user="U0SELLER", channel="C0SALES", ts=next_ts())
        )
        (reply,) = await rig.replies()
        shown = text_of(reply)
        assert "&lt;!channel&gt;" in shown and "&lt;@U0BOSS&gt;" in shown and "&amp;" in shown
        assert "<!channel>" not in shown and "<@U0BOSS>" not in shown and "<https://" not in shown

    slack_run(scenario, content=pack)


def test_a_huge_persona_fits_slacks_limits_and_the_rest_is_one_click_away(
    slack_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    path = pack / "personas/cfo-frida.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] = " ".join(
        f"Sentence {i} about how Frida weighs every investment." for i in range(400)
    )
    data["goals"] = [f"Goal {i}: " + "keep margins healthy " * 30 for i in range(80)]
    data["objections"][0]["response"] = "Answer with the numbers. " * 400
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    async def scenario(rig: SlackRig) -> None:
        await rig.event(
            app_mention("what are Frida's goals?", user="U0SELLER", channel="C0SALES", ts=next_ts())
        )
        (reply,) = await rig.replies()
        (call,) = rig.slack.calls_to("chat.postMessage")
        assert call.ok, call.response  # Slack accepted it: within every Block Kit limit
        more = next(
            e
            for b in reply["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["value"].startswith("slack-more:")
        )
        click = block_actions(
            more["action_id"],
            more["value"],
            user="U0SELLER",
            channel="C0SALES",
            message_ts=reply["thread_ts"],
            response_url=rig.slack.response_url(),
        )
        await rig.form(click)
        await rig.settle()
        rest = [c for c in rig.slack.calls_to("chat.postMessage")[1:]]
        assert rest and all(c.ok for c in rest)
        assert "Goal 79" in "\n".join(text_of(c.params) for c in rest)

    slack_run(scenario, content=pack)


def test_rate_limited_posts_are_retried(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        rig.slack.fail_with_rate_limit("chat.postMessage", times=1, retry_after=0)
        await rig.event(dm_message("who is Bjorn?", user="U0SELLER", ts=next_ts()))
        calls = await rig.slack.wait_for("chat.postMessage", 2, timeout=10)
        assert [c.status for c in calls] == [429, 200]
        assert "IT Manager Bjørn" in text_of(calls[1].params)

    slack_run(scenario)


def test_a_failing_handler_apologises_in_the_thread(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        def broken(message):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

        rig.core.router.text_handler = broken
        ts = next_ts()
        await rig.event(app_mention("who is Oskar?", user="U0SELLER", channel="C0SALES", ts=ts))
        (reply,) = await rig.replies()
        assert reply["thread_ts"] == ts and "Sorry, something went wrong" in reply["text"]

    slack_run(scenario)


def test_notify_reaches_a_person_by_email_or_a_channel(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        channel = await rig.adapter.notify(
            "seller@fieldline.example", "Your persona is due for review"
        )
        assert channel == "DU0SELLER"
        (lookup,) = rig.slack.calls_to("users.lookupByEmail")
        assert lookup.params["email"] == "seller@fieldline.example"
        assert rig.slack.calls_to("conversations.open")[0].params["users"] == "U0SELLER"
        await rig.adapter.notify("#personas", "Weekly digest <!channel>")
        first, second = await rig.replies(2)
        assert first["channel"] == "DU0SELLER" and "due for review" in first["text"]
        assert second["channel"] == "#personas" and "&lt;!channel&gt;" in second["text"]
        try:
            await rig.adapter.notify("nobody@fieldline.example", "hi")
        except NotifyError as exc:
            assert str(exc) == "users_not_found"
        else:
            raise AssertionError("notify to an unknown email must fail")

    slack_run(scenario)


def test_notify_command_for_admins(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from fake_slack import FakeSlackThread

    with FakeSlackThread() as slack:
        slack.add_user("U0OWNER", "owner@fieldline.example", "Olga Owner")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONABOT_", "SLACK_"))}
        env.update(
            PERSONABOT_DATABASE_URL=f"sqlite:///{tmp_path / 'notify.db'}",
            PERSONABOT_SLACK_API_URL=slack.base_url,
            SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_SIGNING_SECRET=SECRET,
        )
        command = [sys.executable, "-m", "bot", "notify", "--to", "owner@fieldline.example"]
        sent = subprocess.run(
            [*command, "Time to review Oskar"], env=env, capture_output=True, text=True, timeout=60
        )
        assert sent.returncode == 0, sent.stderr
        assert "Sent to owner@fieldline.example" in sent.stdout
        (post,) = slack.calls_to("chat.postMessage")
        assert (
            post.params["channel"] == "DU0OWNER" and post.params["text"] == "Time to review Oskar"
        )
        missing = subprocess.run(
            [sys.executable, "-m", "bot", "notify", "--to", "ghost@fieldline.example", "hi"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert missing.returncode == 1 and "users_not_found" in missing.stderr
        assert "Traceback" not in missing.stderr


def test_socket_mode_builds_outside_a_loop_and_serves_no_unverifiable_route(tmp_path: Path) -> None:
    from bot.app import build_app
    from bot.server import build_web_app
    from bot.settings import Settings

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'socket.db'}",
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_APP_TOKEN="xapp-1-test",
    )
    core = build_app(settings)
    try:
        web_app = build_web_app(core, settings)  # no running loop here: must not need one
        paths = {route.resource.canonical for route in web_app.router.routes() if route.resource}
        assert "/slack/events" not in paths  # no signing secret: nothing could be verified
        assert "/healthz" in paths
    finally:
        core.close()
