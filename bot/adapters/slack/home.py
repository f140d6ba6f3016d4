"""The App Home tab: the persona directory and the user's recent questions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.adapters.slack.blocks import ACTION_PREFIX, MAX_BUTTON_TEXT, MAX_SECTION
from bot.adapters.slack.mrkdwn import escape
from bot.i18n import Texts
from bot.render.cut import shorten
from content.catalog import Catalog
from handlers.cards import persona_action
from storage.questions import QuestionRecord

MAX_HOME_BLOCKS = 100
# Header, intro, divider, recent-questions header and list.
FIXED_BLOCKS = 5


def view(catalog: Catalog, recent: Sequence[QuestionRecord], *, texts: Texts) -> dict[str, Any]:
    """The Home tab view for ``views.publish``."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": texts("slack.home_title")}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": escape(texts("slack.home_intro", count=len(catalog.personas))),
                }
            ],
        },
    ]
    for index, persona in enumerate(catalog.personas[: MAX_HOME_BLOCKS - FIXED_BLOCKS]):
        owners = texts("card.owners") + ": " + ", ".join(persona.owners)
        text = (
            f"*{escape(persona.name)}*\n{escape(shorten(persona.role, 300))}\n"
            f"{escape(shorten(owners, 300))}"
        )
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": text[:MAX_SECTION]},
                "accessory": {
                    "type": "button",
                    "action_id": f"{ACTION_PREFIX}home-{index}",
                    "text": {
                        "type": "plain_text",
                        "text": shorten(texts("slack.home_open"), MAX_BUTTON_TEXT),
                    },
                    "value": persona_action(persona.id),
                },
            }
        )
    blocks.append({"type": "divider"})
    blocks.append(
        {"type": "header", "text": {"type": "plain_text", "text": texts("slack.home_recent")}}
    )
    if recent:
        lines = "\n".join(f"• {escape(shorten(q.text, 200))}" for q in recent)
    else:
        lines = escape(texts("slack.home_no_questions"))
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": lines[:MAX_SECTION]}})
    return {"type": "home", "blocks": blocks}
