"""``history`` and ``rollback`` on Slack: the real server, signed events, the fake Web API.

Frida (owner Ingrid, a pack admin) has a second version, an approved edit. Sam (a
seller) and Sara (who owns Tuva, not Frida) are refused a rollback and nothing changes;
Ingrid's rollback makes v3, equal to v1, and the server answers from it at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from payloads import dm_message, next_ts, slash_command
from review_rig import FRIDA, INGRID, MONDAY, ReviewRig, run
from rig import text_of

from content.schema import Persona
from storage.personas import PersonaRepository

NEW_PAIN = "Auditors asking about unbilled work"


def frida(rig: ReviewRig) -> Persona:
    persona = PersonaRepository(db=rig.slack_rig.core.db).get(FRIDA)
    assert persona is not None
    return persona


async def say(rig: ReviewRig, user: str, text: str) -> str:
    """``user`` DMs the bot ``text``; what the bot posted back in that DM."""
    before = len(rig.posts())
    channel = f"D{user}"
    response = await rig.slack_rig.event(dm_message(text, user=user, channel=channel, ts=next_ts()))
    assert response.status == 200
    calls = await rig.slack.wait_for("chat.postMessage", before + 1, timeout=10)
    (posted,) = [c.params for c in calls[before:]]
    assert posted["channel"] == channel
    return text_of(posted)


def test_history_for_anyone_rollback_for_owners_and_admins_only(tmp_path: Path) -> None:
    async def scenario(rig: ReviewRig) -> None:
        original = frida(rig)
        repo = PersonaRepository(db=rig.slack_rig.core.db)
        repo.save_edit(
            original.model_copy(update={"pains": [*original.pains, NEW_PAIN]}),
            author=INGRID,
            note="<!channel> two sellers said so",
            now=MONDAY - dt.timedelta(days=1),
        )
        rig.slack_rig.core.live.refresh()

        shown = await say(rig, "U0SAM", "history Frida")
        assert "History of CFO Frida" in shown and "2 version(s); v2 is live." in shown
        assert f"v2 · 2026-12-06 10:00 UTC · by {INGRID} (edited in chat)" in shown
        assert f"+ pains: “{NEW_PAIN}”" in shown
        assert "<!channel>" not in shown  # a note never pings
        assert "v1 · " in shown and "The first version." in shown

        for user in ("U0SAM", "U0SARA"):
            refused = await say(rig, user, "rollback Frida 1")
            assert refused.startswith("Only the owners of CFO Frida (" + INGRID)
            assert "nothing changed" in refused
        assert len(repo.history(FRIDA)) == 2 and NEW_PAIN in frida(rig).pains

        done = await say(rig, "U0INGRID", "rollback Frida 1")
        assert done.startswith(f"✓ CFO Frida rolled back to v1 by {INGRID}: it is now v3.")
        assert f"− pains: “{NEW_PAIN}”" in done
        assert frida(rig) == original
        assert repo.history(FRIDA)[-1].note == f"rollback to v1 by {INGRID}"
        answer = await say(rig, "U0SAM", "what are Frida's biggest pains?")
        assert NEW_PAIN not in answer  # the server answers from v3 at once

        # /persona in a channel: answered privately, the same checks.
        url = rig.slack.response_url("sam-rollback")
        form = slash_command(
            "rollback Frida 2", user_id="U0SAM", channel_id="C0SALES", response_url=url
        )
        response = await rig.slack_rig.form(form)
        assert response.status == 200
        (posted,) = await rig.slack.wait_for("response_url", 1, timeout=10)
        assert posted.params["response_type"] == "ephemeral"
        assert text_of(posted.params).startswith("Only the owners of CFO Frida")
        assert len(repo.history(FRIDA)) == 3
        assert not [c for c in rig.posts() if c.params["channel"] == "C0SALES"]

    run(tmp_path, scenario)
