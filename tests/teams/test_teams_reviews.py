"""Review prompts in Teams (issue 14): an owner's 1:1 chat, an Adaptive Card, a click.

Owners who talked to the bot in their 1:1 chat have a stored conversation reference;
the review job (run in-process with a clock the test moves; another replica holds the
scheduler lease, so the server's own scheduler stays out of the way) sends each of them
the prompt there as an Adaptive Card 1.5. "Still accurate" is an ``Action.Submit``
click posted to our server (Teams in local mode, the fake Bot Connector).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from cards import adaptive_attachments, validate_activity_cards
from fake_connector import FakeConnector
from serving import served
from teams_rig import Person, TeamsRig, shown, submits

from bot.adapters.teams.cards import DATA_KEY
from bot.adapters.teams.server import TEAMS
from bot.app import build_app
from bot.review_job import ReviewJob, review_job
from bot.settings import Settings
from storage.lease import Leases
from storage.reviews import ReviewStore

MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
INGRID = "ingrid.solberg@fieldline.example"  # owns CFO Frida; a pack admin
MIKKEL = "mikkel.dahl@fieldline.example"  # owns Team Lead Tuva with Sara; a pack admin
SARA = "sara.nyman@fieldline.example"  # never talked to the bot in Teams
FRIDA = "cfo-frida"

Json = dict[str, Any]


class Clock:
    """A clock that only moves when told to."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


Owner = Person  # an owner is a Teams user like any other


OWNERS = {INGRID: Owner(INGRID, "Ingrid Solberg"), MIKKEL: Owner(MIKKEL, "Mikkel Dahl")}


@asynccontextmanager
async def review_rig(tmp_path: Path, clock: Clock) -> AsyncIterator[tuple[TeamsRig, ReviewJob]]:
    """The fake connector, our server (Teams in local mode) on ``clock``, the review job."""
    async with FakeConnector() as fake:
        for owner in OWNERS.values():
            fake.add_member(owner.chat, owner.account)
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'teams.db'}")
        core = build_app(settings, clock=clock)
        Leases(db=core.db).acquire(
            "scheduler", holder="elsewhere", ttl=dt.timedelta(days=3650), now=clock()
        )
        core.db.dispose()
        async with served(settings, clock=clock) as server, aiohttp.ClientSession() as session:
            adapter = server.web_app[TEAMS]
            rig = TeamsRig(server.core, adapter, fake, server.base + "/api/messages", session)
            yield rig, review_job(server.core, [adapter])


def in_chat(rig: TeamsRig, owner: Owner) -> list[Json]:
    """The activities the bot sent to ``owner``'s 1:1 chat; every card valid (1.5)."""
    sent = rig.fake.activities_sent(owner.chat)
    for activity in sent:
        assert validate_activity_cards(activity) == [], activity
    return sent


def review_submits(activity: Json) -> dict[str, Json]:
    """An activity's review buttons (``Action.Submit``) by pick."""
    found = [s for s in submits(activity) if str(s["data"][DATA_KEY]).startswith("review:")]
    return {s["data"][DATA_KEY].rsplit(":", 1)[1]: s for s in found}


def test_an_owner_who_talked_to_the_bot_gets_a_card_and_still_accurate_updates_it(
    tmp_path: Path,
) -> None:
    clock = Clock(MONDAY - dt.timedelta(days=3))  # they talked to the bot last week

    async def scenario(rig: TeamsRig, job: ReviewJob) -> None:
        ingrid, mikkel = OWNERS[INGRID], OWNERS[MIKKEL]
        for owner in (ingrid, mikkel):
            assert (await rig.post(owner.said("hi", service_url=rig.fake.url))).status == 200
        await rig.settle()
        greeted = {o.email: len(in_chat(rig, o)) for o in (ingrid, mikkel)}
        assert all(greeted.values())

        clock.now = MONDAY
        report = await job.run(MONDAY)
        # Ingrid (Frida) and Mikkel (Tuva) get their prompts; Sara never talked to the
        # bot in Teams: unreachable, and the pack admins (Ingrid, Mikkel) are told at once.
        assert (report.sent, report.unreachable, report.escalated) == (2, 1, 1)

        prompt, told = in_chat(rig, ingrid)[greeted[INGRID] :]
        assert prompt["conversation"]["id"] == ingrid.chat
        (card,) = adaptive_attachments(prompt)
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
        assert "CFO Frida" in shown(prompt) and "Team Lead Tuva" not in shown(prompt)
        assert set(review_submits(prompt)) == {"reviewed", "snoozed", "not_mine"}
        assert SARA in shown(told) and "Team Lead Tuva" in shown(told)
        tuva, told = in_chat(rig, mikkel)[greeted[MIKKEL] :]
        assert "Team Lead Tuva" in shown(tuva) and SARA in shown(told)
        assert (await job.run(MONDAY + dt.timedelta(minutes=1))).sent == 0  # once

        clock.now = MONDAY + dt.timedelta(hours=1)
        still = review_submits(prompt)["reviewed"]
        click = ingrid.clicked(still["data"], on=prompt, service_url=rig.fake.url)
        assert (await rig.post(click)).status == 200
        await rig.settle()
        (update,) = rig.fake.activities_updated(ingrid.chat)
        assert update["id"] == prompt["id"]
        assert validate_activity_cards(update) == []
        assert "CFO Frida" in shown(update) and INGRID in shown(update)
        assert "2026-12-07 11:00 UTC" in shown(update) and review_submits(update) == {}
        edited = rig.fake.message(ingrid.chat, prompt["id"])
        assert edited is not None and INGRID in shown(edited)

        assert ReviewStore(db=rig.core.db).last_reviewed() == {FRIDA: MONDAY.date()}
        assert rig.core.reviews is not None
        statuses = {s.persona_id: s.status for s in rig.core.reviews.statuses(MONDAY.date())}
        assert statuses[FRIDA] == "fresh"

        before = len(in_chat(rig, ingrid))
        again = ingrid.clicked(still["data"], on=prompt, service_url=rig.fake.url)
        assert (await rig.post(again)).status == 200
        await rig.settle()
        (said,) = in_chat(rig, ingrid)[before:]
        already = rig.core.texts(
            "review.already", name="CFO Frida", by=INGRID, when="2026-12-07 11:00 UTC"
        )
        assert already in shown(said)
        assert len(rig.fake.activities_updated()) == 1  # changed nothing

    async def main() -> None:
        async with review_rig(tmp_path, clock) as (rig, job):
            await scenario(rig, job)

    asyncio.run(main())
