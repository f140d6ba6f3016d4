"""A live quiz in a Teams channel through `personabot serve`: Action.Execute, one reveal."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import yaml
from activities import channel_mention, post_activity
from cards import validate_activity_cards
from teams_rig import EMAIL, NOW, TeamsRig, run, shown, submits

from bot.adapters.teams.cards import DATA_KEY, EXECUTE_VERB
from bot.flows import FlowAction
from bot.timers import fire_due
from content.loader import EXAMPLE_PACK
from storage.flows import FlowStore
from storage.timers import Timers


def executes(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return submits(activity, "Action.Execute")


def invoke(message: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The ``adaptiveCard/action`` invoke Teams sends for an Action.Execute click."""
    activity = dict(message)
    activity.update(
        type="invoke",
        name="adaptiveCard/action",
        text=None,
        value={"action": {"type": "Action.Execute", "verb": EXECUTE_VERB, "data": data}},
    )
    activity["id"] = message["id"] + "-invoke"
    return activity


def test_a_live_quiz_in_a_channel_refreshes_the_card_for_each_answerer(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    info = yaml.safe_load((pack / "pack.yaml").read_text(encoding="utf-8"))
    info["admins"] = [EMAIL]
    (pack / "pack.yaml").write_text(yaml.safe_dump(info, allow_unicode=True), encoding="utf-8")

    async def scenario(rig: TeamsRig) -> None:
        start = channel_mention("quiz live questions 1 seconds 5", service_url=rig.fake.url)
        assert (await rig.post(start)).status == 200
        intro, question = await rig.replies(2)
        assert "Live quiz!" in shown(intro) and "Question 1/1" in shown(question)
        buttons = executes(question)
        assert len(buttons) >= 3 and all(b["verb"] == EXECUTE_VERB for b in buttons)
        action = FlowAction.parse(buttons[0]["data"][DATA_KEY])
        assert action is not None
        flow = FlowStore(db=rig.core.db).get(action.flow_id)
        assert flow is not None
        right = flow.data["questions"][0]["answer"]
        picked = next(b for b in buttons if b["data"][DATA_KEY].endswith(f":{right}"))

        response = await post_activity(rig.session, rig.url, invoke(start, picked["data"]))
        assert response.status == 200
        body = await response.json()
        assert body["statusCode"] == 200
        assert body["type"] == "application/vnd.microsoft.card.adaptive"
        card = {
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": body["value"]}
            ]
        }
        assert "Got it" in shown(card) and executes(card) == []
        assert validate_activity_cards(card) == []
        assert len(rig.fake.activities_sent()) == 2  # nothing posted for the answer

        senders = {"teams": rig.adapter.send}
        later = NOW + dt.timedelta(seconds=6)
        timers = Timers(db=rig.core.db)
        handlers = rig.core.timer_handlers
        assert await fire_due(timers, handlers=handlers, senders=senders, now=later) == 1
        *_, reveal, final = await rig.replies(4)
        assert reveal["conversation"]["id"] == start["conversation"]["id"]  # in the thread
        assert "Time's up!" in shown(reveal) and "1 of 1 answered right" in shown(reveal)
        assert "Final standings" in shown(final) and "Megan Bowen · 20" in shown(final)
        assert await fire_due(timers, handlers=handlers, senders=senders, now=later) == 0

    run(tmp_path, scenario, content=pack)
