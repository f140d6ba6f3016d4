"""``dashboard`` in Slack and Teams: a pack admin's link in a direct chat, none in a channel.

Our real server with the fake Slack Web API and the fake Bot Connector (Teams in local
mode); the link each platform delivers must sign its admin in on the same server.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from pathlib import Path

import aiohttp
import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent / "slack", HERE.parent / "teams"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from activities import channel_mention, personal_message  # noqa: E402
from payloads import app_mention, dm_message, next_ts  # noqa: E402
from rig import SlackRig, running, text_of  # noqa: E402
from teams_rig import EMAIL as MEGAN  # noqa: E402
from teams_rig import TeamsRig, shown  # noqa: E402
from teams_rig import run as teams_run  # noqa: E402

from content.loader import EXAMPLE_PACK  # noqa: E402

PUBLIC = "https://bot.fieldline.example"
ADMIN = "ingrid.solberg@fieldline.example"
LINK = re.compile(r"https://bot\.fieldline\.example/admin/signin\?token=([\w.-]+)")


@pytest.fixture(autouse=True)
def dashboard_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONABOT_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("PERSONABOT_PUBLIC_URL", PUBLIC)


async def signs_in(session: aiohttp.ClientSession, base: str, token: str) -> int:
    """Press the sign-in page's button with ``token``; the status."""
    async with session.post(
        base + "/admin/signin",
        data={"token": token},
        headers={"Origin": base},
        allow_redirects=False,
    ) as response:
        return response.status


def test_slack_sends_an_admin_the_link_in_a_dm_and_none_in_a_channel(tmp_path: Path) -> None:
    async def scenario(rig: SlackRig) -> None:
        rig.slack.add_user("U0ADMIN", ADMIN, "Ingrid Solberg")
        await rig.event(dm_message("dashboard", user="U0ADMIN", channel="D0ADMIN", ts=next_ts()))
        (reply,) = await rig.replies()
        found = LINK.search(text_of(reply))
        assert found and reply["channel"] == "D0ADMIN", text_of(reply)
        await rig.event(app_mention("dashboard", user="U0ADMIN", channel="C0SALES", ts=next_ts()))
        _, public = await rig.replies(2)
        assert "only in a direct message" in text_of(public) and "/admin/" not in text_of(public)
        await rig.event(dm_message("dashboard", user="U0SELLER", ts=next_ts()))
        _, _, seller = await rig.replies(3)
        assert "Only pack admins" in text_of(seller) and "/admin/" not in text_of(seller)
        base = rig.url.removesuffix("/slack/events")
        assert await signs_in(rig.session, base, found.group(1)) == 303
        assert await signs_in(rig.session, base, found.group(1)) == 401

    async def main() -> None:
        async with running(tmp_path) as rig:
            await scenario(rig)

    asyncio.run(main())


def test_teams_sends_an_admin_the_link_in_a_personal_chat_and_none_in_a_channel(
    tmp_path: Path,
) -> None:
    # Megan, the Teams rig's user, is a pack admin of this copy of the example pack.
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    info = pack / "pack.yaml"
    info.write_text(info.read_text().replace("admins:\n", f"admins:\n  - {MEGAN}\n", 1))

    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("dashboard", service_url=rig.fake.url))
        (reply,) = await rig.replies()
        found = LINK.search(shown(reply))
        assert found, shown(reply)
        await rig.post(channel_mention("dashboard", service_url=rig.fake.url))
        _, public = await rig.replies(2)
        assert "only in a direct message" in shown(public) and "/admin/" not in shown(public)
        base = rig.url.removesuffix("/api/messages")
        assert await signs_in(rig.session, base, found.group(1)) == 303

    teams_run(tmp_path, scenario, content=pack)


def test_teams_tells_anyone_else_who_may(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("dashboard", service_url=rig.fake.url))
        (reply,) = await rig.replies()
        assert "Only pack admins" in shown(reply) and "/admin/" not in shown(reply)

    teams_run(tmp_path, scenario)
