"""botbuilder's view of the bot: dispatches activity types to the Teams adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue

from bot.adapters.teams.forms import INVOKES

if TYPE_CHECKING:
    from bot.adapters.teams.adapter import TeamsAdapter


class Bot(ActivityHandler):  # type: ignore[misc]
    """botbuilder's view of the bot: dispatches activity types to the adapter."""

    def __init__(self, adapter: TeamsAdapter) -> None:
        self._adapter = adapter

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A message or an ``Action.Submit`` click."""
        await self._adapter.onmessage_of(turn_context)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """The bot added to a conversation: a welcome."""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if any(m.id == bot_id for m in activity.members_added or []):
            await self._adapter.on_installed(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """The app installed: a welcome."""
        await self._adapter.on_installed(turn_context)

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        """An ``Action.Execute`` click."""
        return await self._adapter.on_card_action(turn_context, invoke_value)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """Dialogs and message-extension actions go to the forms; the rest as botbuilder does."""
        if turn_context.activity.name in INVOKES:
            return await self._adapter.forms.on_invoke(turn_context)
        response: InvokeResponse | None = await super().on_invoke_activity(turn_context)
        return response
