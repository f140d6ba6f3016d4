"""``dashboard``: a pack admin asks in chat for a sign-in link to the ``/admin`` dashboard.

The link is signed, works once and for 15 minutes (see :mod:`bot.dashboard.links`). It
is sent only in a private conversation (a direct message, the console): posted in a
channel, anyone there could follow it first. Anyone but a pack admin is told who can.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from bot.dashboard.links import LINK_MINUTES, Signer
from bot.i18n import Texts
from bot.model import Incoming, Reply
from bot.roles import Roles

INTENT = "dashboard"
#: The locale key of the command's words (in the ``dashboard:`` section).
WORDS = "dashboard.command"


def private(message: Incoming) -> bool:
    """Whether only the sender sees the conversation.

    The console, a Slack DM (``D…``) or a Teams personal chat (channels and group chats
    have ``19:`` ids).
    """
    conversation = message.conversation
    if conversation.platform == "slack":
        return conversation.id.startswith("D")
    if conversation.platform == "teams":
        return not conversation.id.startswith("19:")
    return True


class DashboardHandler:
    """Answers ``dashboard``.

    Args:
        roles: Who is a pack admin.
        texts: The pack language's texts.
        clock: The time (links expire 15 minutes after it).
        signer: Makes the links; ``None`` when the dashboard is not configured.
        missing: The settings it lacks then (their variables).
    """

    def __init__(
        self,
        *,
        roles: Roles,
        texts: Texts,
        clock: Callable[[], dt.datetime],
        signer: Signer | None,
        missing: Sequence[str] = (),
    ) -> None:
        self.roles = roles
        self.texts = texts
        self.clock = clock
        self.signer = signer
        self.missing = tuple(missing)

    def command(self, message: Incoming, arguments: str) -> Reply:
        """A sign-in link for a pack admin in a private conversation; else why not."""
        texts = self.texts
        meta = {"intent": INTENT, "confidence": 1.0}
        if not self.roles.is_admin(message.user) or not message.user.email:
            return Reply(text=texts("dashboard.not_admin"), meta=meta)
        if self.signer is None:
            missing = " and ".join(self.missing)
            return Reply(text=texts("dashboard.not_configured", missing=missing), meta=meta)
        if not private(message):
            return Reply(text=texts("dashboard.only_direct"), meta=meta)
        url = self.signer.new_link(message.user.email, now=self.clock())
        return Reply(
            text=texts("dashboard.link", minutes=LINK_MINUTES, url=url),
            meta={**meta, "secret": True},  # the question log keeps no usable link
        )
