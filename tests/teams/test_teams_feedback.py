"""Feedback and proposals on Teams through `personabot serve` and the fake connector.

Sam (a seller) reports through the message-extension action's task module and in chat;
Ingrid (Frida's owner) approves on the proposal card; Sara (who owns Tuva, not Frida)
clicking the same button is refused and changes nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from activities import post_activity
from cards import validate_activity_cards, validate_adaptive_card
from fake_connector import FakeConnector
from serving import served
from teams_rig import Person, TeamsRig, shown, submits

from bot.adapters.teams.cards import DATA_KEY
from bot.adapters.teams.form_cards import FIELD
from bot.adapters.teams.server import TEAMS
from bot.settings import Settings
from storage.feedback import FeedbackStore
from storage.personas import PersonaRepository

Json = dict[str, Any]
NOW = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)
FRIDA = "cfo-frida"
SAID = "<p>Frida's team says the licence cost is too high for our margins this year</p>"


SAM = Person("sam.seller@fieldline.example", "Sam Seller")
INGRID = Person("ingrid.solberg@fieldline.example", "Ingrid Solberg")  # owns Frida
SARA = Person("sara.nyman@fieldline.example", "Sara Nyman")  # owns Tuva, not Frida


@asynccontextmanager
async def rig_for(tmp_path: Path) -> AsyncIterator[TeamsRig]:
    async with FakeConnector() as fake:
        for person in (SAM, INGRID, SARA):
            fake.add_member(person.chat, person.account)
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'teams.db'}")
        async with served(settings, clock=lambda: NOW) as server, aiohttp.ClientSession() as s:
            adapter = server.web_app[TEAMS]
            yield TeamsRig(server.core, adapter, fake, server.base + "/api/messages", s)


def run(tmp_path: Path, scenario: Any) -> None:
    async def main() -> None:
        async with rig_for(tmp_path) as rig:
            await scenario(rig)

    asyncio.run(main())


async def say(rig: TeamsRig, person: Person, text: str) -> Json:
    """``person`` writes ``text`` in their chat; the bot's reply there."""
    before = len(rig.fake.activities_sent(person.chat))
    response = await rig.post(person.said(text, service_url=rig.fake.url))
    assert response.status in (200, 201)
    await rig.settle()
    sent = rig.fake.activities_sent(person.chat)[before:]
    assert sent, f"no reply to {text!r}"
    for activity in sent:
        assert validate_activity_cards(activity) == []
    return sent[-1]


def buttons(activity: Json) -> dict[str, Json]:
    return {s["title"]: s for s in submits(activity)}


async def click(rig: TeamsRig, person: Person, activity: Json, title: str) -> str:
    """``person`` clicks ``title`` on ``activity``; everything the bot showed them after."""
    data = buttons(activity)[title]["data"]
    before = len(rig.fake.activities_sent(person.chat))
    updates = len(rig.fake.activities_updated(person.chat))
    response = await rig.post(person.clicked(data, on=activity, service_url=rig.fake.url))
    assert response.status in (200, 201)
    await rig.settle()
    after = rig.fake.activities_sent(person.chat)[before:]
    edited = rig.fake.activities_updated(person.chat)[updates:]
    return "\n".join(shown(a) for a in [*after, *edited])


def test_a_message_action_task_module_stores_feedback_before_it_closes(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        fetch = SAM.invoke(
            "composeExtension/fetchTask",
            {
                "commandId": "feedback",
                "commandContext": "message",
                "messagePayload": {
                    "id": "1700000000123",
                    "messageType": "message",
                    "body": {"contentType": "html", "content": SAID},
                    "from": {"user": {"id": "x", "displayName": "Bo Buyer"}},
                },
                "context": {"theme": "default"},
            },
            service_url=rig.fake.url,
        )
        response = await post_activity(rig.session, rig.url, fetch)
        body = await response.json()
        assert body["task"]["type"] == "continue"
        card = body["task"]["value"]["card"]["content"]
        assert validate_adaptive_card(card) == []
        inputs = {
            e["id"].removeprefix(FIELD): e for e in card["body"] if e["type"].startswith("Input.")
        }
        assert list(inputs) == ["persona", "kind", "text", "evidence"]
        assert inputs["persona"]["value"] == FRIDA  # guessed from the message
        assert "licence cost is too high" in inputs["text"]["value"]

        (submit,) = card["actions"]
        entered = {"persona": FRIDA, "kind": "objection", "text": inputs["text"]["value"]}
        data = {**submit["data"], **{FIELD + k: v for k, v in entered.items()}}
        value = {"commandId": "feedback", "commandContext": "message", "data": data}
        done = await post_activity(
            rig.session,
            rig.url,
            SAM.invoke("composeExtension/submitAction", value, service_url=rig.fake.url),
        )
        answer = await done.json()
        assert answer["task"]["type"] == "message"
        assert "saved as feedback #1 about CFO Frida" in answer["task"]["value"]
        (mine,) = FeedbackStore(db=rig.core.db).of_reporter(f"teams:{SAM.account['aadObjectId']}")
        assert mine.kind == "objection" and mine.persona_id == FRIDA

    run(tmp_path, scenario)


def test_the_owner_approves_on_the_card_and_a_non_owner_is_refused(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        told = await say(rig, SAM, "feedback Frida: her new pain is auditors asking about WIP")
        assert "saved as feedback #1 about CFO Frida" in shown(told)

        card = await say(rig, INGRID, "proposals")
        assert "Proposal #1 · CFO Frida" in shown(card)
        assert {"Approve", "Edit", "Reject"} <= set(buttons(card))
        approve = buttons(card)["Approve"]["data"][DATA_KEY]
        assert approve.startswith("proposal:1:")

        refused = await click(rig, SARA, card, "Approve")
        assert "Only the owners of CFO Frida" in refused
        assert len(PersonaRepository(db=rig.core.db).history(FRIDA)) == 1

        done = await click(rig, INGRID, card, "Approve")
        assert "version 2 is live now" in done
        live = PersonaRepository(db=rig.core.db).get(FRIDA)
        assert live is not None and live.pains[-1] == "her new pain is auditors asking about WIP"
        pains = await say(rig, SAM, "what are Frida's pains?")
        assert "auditors asking about WIP" in shown(pains)
        assert {"👍 Helpful", "👎 Not helpful"} <= {
            s["title"] for s in [*submits(pains), *submits(pains, "Action.Execute")]
        }

    run(tmp_path, scenario)
