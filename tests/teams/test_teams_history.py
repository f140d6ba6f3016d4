"""``history`` and ``rollback`` in Teams: personal chats posted to our server, the fake connector.

Ingrid owns CFO Frida (and is a pack admin); Megan owns nothing. Each talks to the bot
in their own 1:1 chat; the adapter learns their email from the connector's member
lookup. Megan's rollback is refused and changes nothing; Ingrid's applies.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import aiohttp
from activities import member, personal_message
from fake_connector import FakeConnector
from serving import served
from teams_rig import TeamsRig, shown

from bot.adapters.teams.server import TEAMS
from bot.settings import Settings
from storage.personas import PersonaRepository

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
INGRID = "ingrid.solberg@fieldline.example"
MEGAN = "megan.bowen@fieldline.example"
FRIDA = "cfo-frida"
NEW_GOAL = "Know the margin per contract, month by month"

Json = dict[str, Any]


def chat_of(email: str) -> str:
    return "a:1" + str(member(email=email)["id"]).removeprefix("29:1")[:40]


async def say(rig: TeamsRig, email: str, text: str) -> Json:
    """``email`` writes ``text`` in their 1:1 chat; the one activity the bot sent back."""
    account = member(email=email)
    chat = chat_of(email)
    before = len(rig.fake.activities_sent(chat))
    activity = personal_message(
        text,
        service_url=rig.fake.url,
        user_id=account["id"],
        aad_object_id=account["aadObjectId"],
        conversation_id=chat,
        user_name=account["name"],
    )
    assert (await rig.post(activity)).status == 200
    await rig.settle()
    (sent,) = rig.fake.activities_sent(chat)[before:]
    return sent


def test_rollback_is_refused_for_a_non_owner_and_applies_for_the_owner(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        repo = PersonaRepository(db=rig.core.db)
        original = repo.get(FRIDA)
        assert original is not None
        edited = original.model_copy(
            update={"goals": [original.goals[0], NEW_GOAL, *original.goals[2:]]}
        )
        repo.save_edit(edited, author=INGRID, note="approved proposal", now=NOW)
        rig.core.live.refresh()

        history = shown(await say(rig, MEGAN, "history Frida"))
        assert "History of CFO Frida" in history and "v2 is live" in history
        assert f"~ goals: “{original.goals[1]}” → “{NEW_GOAL}”" in history
        assert "Why: approved proposal" in history

        refused = shown(await say(rig, MEGAN, "rollback Frida 1"))
        assert f"Only the owners of CFO Frida ({INGRID}) and the pack admins" in refused
        assert len(repo.history(FRIDA)) == 2 and repo.get(FRIDA) == edited

        done = shown(await say(rig, INGRID, "rollback Frida 1"))
        assert f"CFO Frida rolled back to v1 by {INGRID}: it is now v3." in done
        assert repo.get(FRIDA) == original
        card = shown(await say(rig, MEGAN, "what are Frida's goals?"))
        assert NEW_GOAL not in card and original.goals[1] in card  # answered from v3

        again = shown(await say(rig, INGRID, "rollback Frida 1"))
        assert "has the same content as the live version v3; nothing changed" in again

    async def main() -> None:
        async with FakeConnector() as fake:
            for email in (INGRID, MEGAN):
                fake.add_member(chat_of(email), member(email=email))
            settings = Settings(database_url=f"sqlite:///{tmp_path / 'teams.db'}")
            async with served(settings, clock=lambda: NOW) as server, aiohttp.ClientSession() as s:
                url = server.base + "/api/messages"
                await scenario(TeamsRig(server.core, server.web_app[TEAMS], fake, url, s))

    asyncio.run(main())
