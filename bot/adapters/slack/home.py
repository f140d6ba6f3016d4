"""The App Home tab: the persona directory, the pack's freshness and the user's recent questions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.adapters.slack.blocks import ACTION_PREFIX, MAX_BUTTON_TEXT, MAX_SECTION
from bot.adapters.slack.mrkdwn import escape
from bot.app import App
from bot.i18n import Texts
from bot.render.cut import shorten
from content.catalog import Catalog
from content.freshness import fresh_share
from handlers.cards import persona_action
from storage.questions import QuestionRecord

MAX_HOME_BLOCKS = 100
# Header, intro, divider, recent-questions header and list.
FIXED_BLOCKS = 5


def view(
    catalog: Catalog,
    recent: Sequence[QuestionRecord],
    *,
    texts: Texts,
    freshness: int | None = None,
) -> dict[str, Any]:
    """The Home tab view for ``views.publish``.

    ``freshness`` is the share of personas reviewed within their cadence, in percent.
    """
    intro = [
        {"type": "mrkdwn", "text": escape(texts("slack.home_intro", count=len(catalog.personas)))}
    ]
    if freshness is not None:
        shown = escape(texts("digest.home_freshness", percent=freshness))
        intro.append({"type": "mrkdwn", "text": shown})
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": texts("slack.home_title")}},
        {"type": "context", "elements": intro},
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


def freshness(core: App) -> int | None:
    """The share of personas reviewed within their cadence today, in percent."""
    if core.reviews is None:
        return None
    return round(100 * fresh_share(core.reviews.statuses(core.clock().date())))
