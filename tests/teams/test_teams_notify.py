"""``personabot notify --to EMAIL`` reaching Teams users through stored references."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from activities import AAD_OBJECT_ID, BOT_ID, PERSONAL_CONVERSATION_ID, TENANT_ID, USER_ID
from fake_connector import FakeConnectorThread
from teams_rig import shown

from bot.app import build_app
from bot.settings import Settings
from storage.references import ReferenceStore, StoredReference

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)


def notify(env: dict[str, str], to: str, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "notify", "--to", to, text],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_notify_reaches_teams_users_by_email(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'notify.db'}"
    with FakeConnectorThread() as fake:
        core = build_app(Settings(database_url=url), clock=lambda: NOW)
        store = ReferenceStore(db=core.db)
        store.upsert(
            StoredReference(
                platform="teams",
                key=f"user:{AAD_OBJECT_ID}",
                service_url=fake.url,
                conversation_id=PERSONAL_CONVERSATION_ID,
                tenant_id=TENANT_ID,
                user_id=USER_ID,
                aad_object_id=AAD_OBJECT_ID,
                email="megan@fieldline.example",
                data={
                    "channelId": "msteams",
                    "serviceUrl": fake.url,
                    "bot": {"id": BOT_ID},
                    "user": {"id": USER_ID, "aadObjectId": AAD_OBJECT_ID},
                    "conversation": {
                        "id": PERSONAL_CONVERSATION_ID,
                        "conversationType": "personal",
                        "tenantId": TENANT_ID,
                    },
                },
            ),
            now=NOW,
        )
        # met in a channel only: the 1:1 chat is created on the way
        store.upsert(
            StoredReference(
                platform="teams",
                key="user:aad-2",
                service_url=fake.url,
                tenant_id=TENANT_ID,
                user_id="29:second",
                aad_object_id="aad-2",
                email="olga@fieldline.example",
            ),
            now=NOW,
        )
        core.db.dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONABOT_", "SLACK_"))}
        env = {k: v for k, v in env.items() if not k.lower().startswith("microsoftapp")}
        env["PERSONABOT_DATABASE_URL"] = url

        sent = notify(env, "Megan@Fieldline.example", "Time to review Oskar")
        assert sent.returncode == 0, sent.stderr
        assert "Sent to Megan@Fieldline.example (Teams" in sent.stdout
        (note,) = fake.wait_for_activities(1, timeout=10)
        assert note["conversation"]["id"] == PERSONAL_CONVERSATION_ID
        assert "Time to review Oskar" in shown(note)

        created = notify(env, "olga@fieldline.example", "Your persona is overdue")
        assert created.returncode == 0, created.stderr
        assert fake.calls_to("create_conversation")
        _, second = fake.wait_for_activities(2, timeout=10)
        assert "Your persona is overdue" in shown(second)
        assert second["conversation"]["id"] != PERSONAL_CONVERSATION_ID

        missing = notify(env, "ghost@fieldline.example", "hi")
        assert missing.returncode == 1
        assert "has not talked to the bot in Teams" in missing.stderr
        assert "Traceback" not in missing.stderr
