"""The persona directory and "Show more" of a persona card in Teams (fake connector)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from activities import card_submit, personal_message
from teams_rig import TeamsRig, run, shown, submits

from bot.adapters.teams.cards import DATA_KEY


def test_the_directory_lists_every_persona_with_role_owner_and_a_button(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("list personas", service_url=rig.fake.url))
        (listing,) = await rig.replies()
        personas = rig.core.catalog.personas
        text = shown(listing)
        for persona in personas:
            assert persona.name in text and persona.owners[0] in text
            assert persona.role.split(";")[0] in text
        buttons = submits(listing)
        assert [b["data"][DATA_KEY] for b in buttons] == [f"persona:{p.id}" for p in personas]
        assert [b["title"] for b in buttons] == [f"Who is {p.name}?" for p in personas]
        click = card_submit(buttons[2]["data"], service_url=rig.fake.url, reply_to_id=listing["id"])
        await rig.post(click)
        _, card = await rig.replies(2)
        assert personas[2].name in shown(card) and personas[2].summary[:40] in shown(card)

    run(tmp_path, scenario)


def test_an_unknown_name_says_so_and_offers_the_personas(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("who is Ib?", service_url=rig.fake.url))
        (reply,) = await rig.replies()
        assert "There is no persona called “Ib”" in shown(reply)
        assert len(submits(reply)) == len(rig.core.catalog.personas)

    run(tmp_path, scenario)


def test_show_more_on_a_persona_card_opens_the_full_card(tmp_path: Path) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.post(personal_message("who is Oskar?", service_url=rig.fake.url))
        (card,) = await rig.replies()
        oskar = rig.core.catalog.persona("operations-director-oskar")
        assert oskar is not None and oskar.goals[-1] not in shown(card)
        more = own(submits(card))[-1]
        assert more["title"] == "Show more"
        await rig.post(card_submit(more["data"], service_url=rig.fake.url, reply_to_id=card["id"]))
        _, full = await rig.replies(2)
        text = shown(full)
        assert all(goal in text for goal in oskar.goals)
        assert all(item in text for item in oskar.decision_criteria)
        assert len(own(submits(full))) == len(oskar.objections)

    run(tmp_path, scenario)


def own(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A card's own buttons (the vote buttons every answer ends with left out)."""
    return [a for a in actions if not str(a["data"].get(DATA_KEY, "")).startswith("vote:")]
