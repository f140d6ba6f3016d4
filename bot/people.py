"""The conversation core's outbound to a person: a reply sent by email, on any platform.

Each platform offers a :class:`PersonPort`: Slack looks the email up and opens a DM;
Teams uses the stored conversation reference (or creates the 1:1 chat where the app is
installed for the person's team); the console keeps it for the person's next ``chat``.
:func:`send_to_person` tries the ports in order until one reaches the person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.model import Reply


class Unreachable(Exception):
    """The person cannot be reached on a platform (unknown email, never talked to the bot)."""


class PersonPort(Protocol):
    """A platform's way to reach a person by email.

    Attributes:
        platform: ``slack``, ``teams`` or ``console``.
    """

    platform: str

    async def send_to_person(self, reply: Reply, *, email: str) -> Mapping[str, Any]:
        """Send ``reply`` to the person; returns where it went (to edit it later).

        Raises:
            Unreachable: The platform cannot reach that email.
        """

    async def timezone_of(self, email: str) -> str | None:
        """The person's IANA time zone, if the platform knows it."""


async def send_to_person(
    ports: Sequence[PersonPort], reply: Reply, *, email: str
) -> Mapping[str, Any]:
    """Send ``reply`` to ``email`` through the first port that reaches them.

    Raises:
        Unreachable: No port reaches them (every port's reason, joined).
    """
    reasons = []
    for port in ports:
        try:
            where = await port.send_to_person(reply, email=email)
        except Unreachable as exc:
            reasons.append(f"{port.platform}: {exc}")
            continue
        return {"platform": port.platform, **where}
    raise Unreachable("; ".join(reasons) or "no platform is configured")


async def timezone_of(ports: Sequence[PersonPort], email: str) -> str | None:
    """The first time zone a port knows for ``email``."""
    for port in ports:
        try:
            zone = await port.timezone_of(email)
        except Unreachable:
            continue
        if zone:
            return zone
    return None
