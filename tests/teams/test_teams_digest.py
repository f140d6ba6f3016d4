"""The weekly digest in a Teams channel (local fake Bot Connector), as a valid Adaptive Card.

The bot posts to a channel through the conversation reference stored when it was added
to the team (or spoken to there); once a week per channel, however often it runs.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from activities import (
    AAD_OBJECT_ID,
    BOT_ID,
    TEAM_ID,
    TENANT_ID,
    USER_ID,
    conversation_update_installed,
)
from cards import adaptive_attachments, assert_valid_card, validate_activity_cards
from fake_connector import FakeConnectorThread
from teams_rig import NOW, TeamsRig, run, shown

from bot.app import build_app
from bot.digest_job import RETRY_AFTER, digest_job, parse_target
from bot.settings import Settings
from storage.references import ReferenceStore, StoredReference

TARGET = f"teams:{TEAM_ID}"


def digest_card(activities: list[dict[str, Any]]) -> dict[str, Any]:
    """The one activity that carries the digest; its cards must be valid Adaptive Cards 1.5."""
    (activity,) = [a for a in activities if "Personas in action" in shown(a)]
    assert validate_activity_cards(activity) == []
    for card in adaptive_attachments(activity):
        assert_valid_card(card)
    return activity


def test_the_digest_is_posted_to_the_teams_channel_once(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        job = digest_job(rig.core, {"teams": rig.adapter.send})
        target = parse_target(TARGET)
        # not in the team yet: no reference to post with, said plainly, tried again later
        early = await job.run(target, NOW)
        assert early.status == "failed" and "no conversation reference stored" in early.error
        response = await rig.post(
            conversation_update_installed(scope="team", service_url=rig.fake.url)
        )
        assert response.status in (200, 201)
        await rig.settle()
        await rig.fake.wait_for_activities(1, timeout=10, conversation_id=TEAM_ID)  # welcome
        later = NOW + RETRY_AFTER + dt.timedelta(minutes=1)
        posted = await job.run(target, later)
        assert posted.status == "sent" and posted.week == "2026-W47"
        sent = await rig.fake.wait_for_activities(2, timeout=10, conversation_id=TEAM_ID)
        activity = digest_card(sent)
        assert activity["conversation"]["id"] == TEAM_ID  # a new post, not a thread reply
        text = shown(activity)
        assert "Personas in action, week of 2026-11-09" in text
        assert "Freshness 75%" in text
        assert "75% of personas reviewed within their cadence (3 of 4)" in text
        assert "CFO Frida: overdue since 2026-09-09" in text
        # the next runs, a restart, another replica: nothing more
        for minutes in (1, 60):
            again = await job.run(target, later + dt.timedelta(minutes=minutes))
            assert again.status == "taken"
        assert len(rig.fake.activities_sent(TEAM_ID)) == 2

    run(tmp_path, scenario)


def test_digest_send_posts_to_a_teams_channel_once_a_week(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    with FakeConnectorThread() as fake:
        core = build_app(Settings(database_url=url), clock=lambda: NOW)
        ReferenceStore(db=core.db).upsert(
            StoredReference(
                platform="teams",
                key=f"conversation:{TEAM_ID}",
                service_url=fake.url,
                conversation_id=TEAM_ID,
                tenant_id=TENANT_ID,
                data={
                    "channelId": "msteams",
                    "serviceUrl": fake.url,
                    "bot": {"id": BOT_ID},
                    "user": {"id": USER_ID, "aadObjectId": AAD_OBJECT_ID},
                    "conversation": {
                        "id": TEAM_ID,
                        "isGroup": True,
                        "conversationType": "channel",
                        "tenantId": TENANT_ID,
                    },
                },
            ),
            now=NOW,
        )
        core.db.dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONABOT_", "SLACK_"))}
        env = {k: v for k, v in env.items() if not k.lower().startswith("microsoftapp")}
        env.update(PERSONABOT_DATABASE_URL=url, PERSONABOT_DIGEST_CHANNEL=TARGET)

        def send(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "bot", "digest", "send", "--at", "2026-11-22", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        first = send()
        assert first.returncode == 0, first.stderr
        assert f"weekly digest 2026-W47 posted to {TARGET}" in first.stdout
        (activity,) = fake.wait_for_activities(1, timeout=10)
        digest_card([activity])
        assert activity["conversation"]["id"] == TEAM_ID
        assert "Freshness 75%" in shown(activity)

        second = send()
        assert second.returncode == 0, second.stderr
        assert "already posted" in second.stdout
        assert len(fake.activities_sent()) == 1


def test_a_teams_channel_refusing_the_post_leaves_the_digest_to_try_again(
    tmp_path: Path,
) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(conversation_update_installed(scope="team", service_url=rig.fake.url))
        await rig.settle()
        await rig.fake.wait_for_activities(1, timeout=10, conversation_id=TEAM_ID)
        rig.fake.fail_with(403, operations=("send",))  # the bot was removed from the team
        job = digest_job(rig.core, {"teams": rig.adapter.send})
        refused = await job.run(parse_target(TARGET), NOW)
        assert refused.status == "failed"

    run(tmp_path, scenario)
