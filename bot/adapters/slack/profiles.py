"""Who a Slack user is, for the core: their email and name from ``users.info``.

Owners, admins and managers are recognised by email. Profiles are cached for a while:
a speed-up only, correctness never depends on it.
"""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.model import User

log = logging.getLogger(__name__)

PLATFORM = "slack"
PROFILE_TTL_SECONDS = 3600


class Profiles:
    """Slack users as the core's :class:`~bot.model.User`, cached.

    Args:
        client: The Web API client.
    """

    def __init__(self, *, client: AsyncWebClient) -> None:
        self.client = client
        self._cache: dict[str, tuple[float, User]] = {}

    async def user(self, user_id: str) -> User:
        """The user with their email and name; without them if ``users.info`` fails."""
        cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached[0] < PROFILE_TTL_SECONDS:
            return cached[1]
        try:
            info = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return User(platform=PLATFORM, id=user_id)
        profile = info["user"].get("profile", {})
        user = User(
            platform=PLATFORM,
            id=user_id,
            email=profile.get("email"),
            name=profile.get("display_name") or profile.get("real_name"),
        )
        self._cache[user_id] = (time.monotonic(), user)
        return user
