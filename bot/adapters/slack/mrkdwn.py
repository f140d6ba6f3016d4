"""Text to and from Slack's markup.

Outbound, every piece of text is escaped (``&``, ``<``, ``>``), so nothing a user or a
pack wrote can become ``<!channel>``, ``<!here>`` or a ``<@U…>`` ping. Inbound, Slack's
markup is turned back into plain words for the core: the bot's own mention is removed,
other mentions and links become their readable labels.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """Escape text for a Slack ``mrkdwn`` or ``text`` field."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_plain(text: str, *, bot_user_id: str | None = None) -> str:
    """Slack message text → what the user meant, for the core.

    Args:
        text: The ``text`` of a Slack message or slash command.
        bot_user_id: The bot's user id; mentions of it are dropped.

    Returns:
        Plain text: ``<@UBOT> who is <@U1|ib>?`` → ``who is @ib?``.
    """

    def label(match: re.Match[str]) -> str:
        target, name = match.group(1), match.group(2)
        if bot_user_id and target == f"@{bot_user_id}":
            return ""
        if target.startswith("@"):
            return "@" + (name or target[1:])
        if target.startswith("#"):
            return "#" + (name or target[1:])
        if target.startswith("!"):
            return "@" + (name or target[1:].split("^")[0])
        return name or target

    plain = _LINK.sub(label, text)
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(plain.split())
