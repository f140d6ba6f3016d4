"""The persona directory and "Show more" of a persona card in Slack (fake Web API)."""

from __future__ import annotations

from typing import Any

from payloads import app_home_opened, block_actions, dm_message, next_ts
from rig import SlackRig, text_of


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The message's own buttons (the vote buttons every answer ends with left out)."""
    found = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return [e for e in found if not str(e.get("value", "")).startswith("vote:")]


async def click(rig: SlackRig, button: dict[str, Any]) -> None:
    ts = rig.slack.calls_to("chat.postMessage")[-1].response["ts"]
    rig.slack.add_message("D0USER", ts, text="card")
    response = await rig.form(
        block_actions(
            button["action_id"], button["value"], user="U0SELLER", channel="D0USER", message_ts=ts
        )
    )
    assert response.status == 200


def test_the_directory_lists_every_persona_with_role_owner_and_a_button(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(dm_message("who are your personas?", user="U0SELLER", ts=next_ts()))
        (listing,) = await rig.replies()
        shown = text_of(listing)
        personas = rig.core.catalog.personas
        for persona in personas:
            assert persona.name in shown and persona.owners[0] in shown
            assert persona.role.split(";")[0] in shown
        assert [b["value"] for b in buttons(listing)] == [f"persona:{p.id}" for p in personas]
        assert [b["text"]["text"] for b in buttons(listing)] == [
            f"Who is {p.name}?" for p in personas
        ]
        await click(rig, buttons(listing)[1])
        _, card = await rig.replies(2)
        assert card["blocks"][0]["text"]["text"] == personas[1].name

    slack_run(scenario)


def test_an_unknown_name_says_so_and_offers_the_personas(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(dm_message("who is Ib?", user="U0SELLER", ts=next_ts()))
        (reply,) = await rig.replies()
        assert "There is no persona called “Ib”" in text_of(reply)
        assert len(buttons(reply)) == len(rig.core.catalog.personas)

    slack_run(scenario)


def test_show_more_on_a_persona_card_opens_the_full_card(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(dm_message("who is Oskar?", user="U0SELLER", ts=next_ts()))
        (card,) = await rig.replies()
        oskar = rig.core.catalog.persona("operations-director-oskar")
        assert oskar is not None
        assert oskar.goals[-1] not in text_of(card) and "…and 2 more" in text_of(card)
        more = buttons(card)[-1]
        assert more["text"]["text"] == "Show more"
        await click(rig, more)
        _, full = await rig.replies(2)
        shown = text_of(full)
        assert all(goal in shown for goal in oskar.goals)
        assert all(trigger in shown for trigger in oskar.triggers)
        assert len(buttons(full)) == len(oskar.objections)

    slack_run(scenario)


def test_also_heard_from_buttons_say_whose_answer_they_open(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(dm_message("Frida says it's too expensive", user="U0SELLER", ts=next_ts()))
        (card,) = await rig.replies()
        other = buttons(card)[-1]
        assert other["text"]["text"] == "How to answer Operations Director Oskar on this"
        await click(rig, other)
        _, answer = await rig.replies(2)
        assert "(Operations Director Oskar)" in text_of(answer)

    slack_run(scenario)


def test_the_home_tab_directory_names_each_personas_owner(slack_run) -> None:  # type: ignore[no-untyped-def]
    async def scenario(rig: SlackRig) -> None:
        await rig.event(app_home_opened("U0SELLER"))
        (call,) = await rig.slack.wait_for("views.publish", 1, timeout=10)
        sections = [b for b in call.params["view"]["blocks"] if "accessory" in b]
        for persona, section in zip(rig.core.catalog.personas, sections, strict=True):
            assert persona.name in section["text"]["text"]
            assert f"Owner: {', '.join(persona.owners)}" in section["text"]["text"]

    slack_run(scenario)
