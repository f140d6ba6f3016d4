"""The weekly digest on Slack (local fake Slack API): posted to a channel once a week.

``personabot serve``'s scheduler posts it when this week's moment has passed; a second
run, another replica or ``personabot digest send`` for the same week posts nothing.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
from fake_slack import FakeSlack, FakeSlackThread
from payloads import JSON, app_home_opened, event_callback, new_event_id, post_signed
from rig import NOW, SECRET, TOKEN, text_of
from serving import served

from bot.digest_job import digest_job, parse_target
from bot.server import SENDERS
from bot.settings import Settings

CHANNEL = "C0DIGEST"


def test_serve_posts_the_digest_to_the_channel_once(tmp_path: Path) -> None:
    async def main() -> None:
        slack = FakeSlack()
        await slack.start()
        slack.add_user("U0SELLER", "seller@fieldline.example", "Sam Seller")
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'slack.db'}",
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            slack_api_url=slack.base_url,
            digest_channel=f"slack:{CHANNEL}",
        )
        try:
            # NOW is Sunday 2026-11-22 09:30 UTC: Monday 09:00 of its week has passed, so
            # the scheduler posts the week's digest as soon as this replica holds the lease.
            async with served(settings, clock=lambda: NOW) as server:
                (posted,) = await slack.wait_for("chat.postMessage", 1, timeout=10)
                params: dict[str, Any] = posted.params
                assert params["channel"] == CHANNEL
                shown = text_of(params)
                assert "Personas in action, week of 2026-11-09" in shown
                assert "Freshness 75%" in shown
                assert "75% of personas reviewed within their cadence (3 of 4)" in shown
                assert "CFO Frida: overdue since 2026-09-09" in shown
                assert "header" in [block["type"] for block in params["blocks"]]

                # the scheduler's next run (or another replica's) posts nothing
                job = digest_job(server.core, server.web_app[SENDERS])
                again = await job.run(parse_target(f"slack:{CHANNEL}"), NOW)
                assert again.status == "taken"

                # the App Home shows the same freshness score
                async with aiohttp.ClientSession() as session:
                    body = event_callback(app_home_opened("U0SELLER"), event_id=new_event_id())
                    url = server.base + "/slack/events"
                    response = await post_signed(session, url, body, JSON, SECRET)
                    assert response.status == 200
                (call,) = await slack.wait_for("views.publish", 1, timeout=10)
                home = text_of({"blocks": call.params["view"]["blocks"]})
                assert "Freshness: 75% of personas reviewed within their cadence." in home
            assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == [CHANNEL]
        finally:
            await slack.stop()

    asyncio.run(main())


def digest_send(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "digest", "send", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_digest_send_posts_once_a_week_per_target(tmp_path: Path) -> None:
    with FakeSlackThread() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONABOT_", "SLACK_"))}
        env.update(
            PERSONABOT_DATABASE_URL=f"sqlite:///{tmp_path / 'digest.db'}",
            PERSONABOT_SLACK_API_URL=slack.base_url,
            PERSONABOT_DIGEST_CHANNEL=f"slack:{CHANNEL}",
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
        )
        first = digest_send(env, "--at", "2026-11-22")
        assert first.returncode == 0, first.stderr
        assert f"weekly digest 2026-W47 posted to slack:{CHANNEL}" in first.stdout
        (posted,) = slack.wait_for("chat.postMessage", 1, timeout=10)
        assert posted.params["channel"] == CHANNEL
        assert "Personas in action, week of 2026-11-15" in text_of(posted.params)

        second = digest_send(env, "--at", "2026-11-20")  # the same ISO week
        assert second.returncode == 0, second.stderr
        assert "was already posted to slack:C0DIGEST; nothing sent" in second.stdout
        assert len(slack.calls_to("chat.postMessage")) == 1

        # another channel is its own post; Slack refusing it is one clear line, and a
        # run after the channel is fixed posts it
        slack.fail_with_error("chat.postMessage", "channel_not_found")
        refused = digest_send(env, "--to", "#sales", "--at", "2026-11-22")
        assert refused.returncode == 1
        assert "weekly digest 2026-W47 to slack:#sales failed" in refused.stderr
        assert "channel_not_found" in refused.stderr and "Traceback" not in refused.stderr
        retried = digest_send(env, "--to", "#sales", "--at", "2026-11-22")
        assert retried.returncode == 0, retried.stderr
        channels = [c.params["channel"] for c in slack.calls_to("chat.postMessage") if c.ok]
        assert channels == [CHANNEL, "#sales"]

        nothing = digest_send({**env, "PERSONABOT_DIGEST_CHANNEL": ""})
        assert nothing.returncode == 2
        assert "digest send needs --to or PERSONABOT_DIGEST_CHANNEL" in nothing.stderr
