"""The conversation core's flows: multi-turn activities that own a user's next message.

A flow (a quiz, a role-play, a form) is kept in the database (:mod:`storage.flows`), so
a restart or another replica carries on with it. :class:`Flows` is the router's single
step before it dispatches anything else:

* a click on a flow's button names the flow, the step it was shown at and a nonce
  (:class:`FlowAction`); a click by someone else, or one whose step has passed (a second
  click, an old button, a replayed payload), changes nothing and the user is told why;
* free text in the flow's conversation goes to the flow before the ask handler;
* ``stop`` (in the pack's language) ends the active flow.

Flow kinds plug in a :class:`FlowHandler`; the handler decides what a turn means and
moves the flow with :meth:`storage.flows.FlowStore.advance`, which accepts each step
once, across replicas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.i18n import Texts
from bot.model import Choice, Incoming, Reply
from storage.flows import Flow, FlowStore

#: The prefix of every flow button's value.
PREFIX = "flow"


@dataclass(frozen=True, kw_only=True)
class FlowAction:
    """What a flow's button says when clicked: which flow, which step, which pick.

    Attributes:
        flow_id: The flow the button belongs to.
        step: The flow's step when the button was shown.
        nonce: The flow's nonce at that step (a guessed or replayed step is not enough).
        pick: What the button picks (e.g. a choice's index).
    """

    flow_id: str
    step: int
    nonce: str
    pick: str

    @property
    def value(self) -> str:
        """The button value: ``flow:<id>:<step>:<nonce>:<pick>``."""
        return f"{PREFIX}:{self.flow_id}:{self.step}:{self.nonce}:{self.pick}"

    @classmethod
    def parse(cls, value: str) -> FlowAction | None:
        """The action a button value names, or ``None`` if it is not a well-formed one."""
        parts = value.split(":", 4)
        if len(parts) != 5 or parts[0] != PREFIX or not parts[2].isdigit():
            return None
        return cls(flow_id=parts[1], step=int(parts[2]), nonce=parts[3], pick=parts[4])

    @classmethod
    def of(cls, flow: Flow, pick: str) -> FlowAction:
        """The action that picks ``pick`` at ``flow``'s current step."""
        return cls(flow_id=flow.id, step=flow.step, nonce=flow.nonce, pick=pick)


def button(flow: Flow, label: str, pick: str) -> Choice:
    """A button that picks ``pick`` at the flow's current step."""
    return Choice(label=label, value=FlowAction.of(flow, pick).value)


class FlowHandler(Protocol):
    """What a kind of flow does with the turns given to it.

    Attributes:
        shared: Anyone may click the flow's buttons (a live quiz in a channel), not
            only the user it belongs to.
        free_text: The flow's answers are free sentences (a role-play): a message that
            starts with a command word ("reviews from our customers…") is an answer
            while it runs, unless it is the command word alone or one of ``commands``.
        commands: The flow's own commands, which keep working with arguments while it
            runs (``roleplay tuva`` during a role-play).
    """

    shared: bool
    free_text: bool
    commands: frozenset[str]

    def on_pick(self, flow: Flow, message: Incoming, pick: str) -> Reply:
        """A click on one of the flow's current buttons (already checked: theirs, current)."""

    def on_text(self, flow: Flow, message: Incoming) -> Reply:
        """Free text in the flow's conversation."""

    def on_stop(self, flow: Flow, message: Incoming) -> Reply:
        """The user ended the flow (it is ended already)."""


class Flows:
    """Routes clicks, free text and ``stop`` to the user's flow.

    Args:
        store: The flows' storage.
        handlers: The handler of each flow kind.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
    """

    def __init__(
        self,
        *,
        store: FlowStore,
        handlers: Mapping[str, FlowHandler],
        texts: Texts,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.store = store
        self.handlers = dict(handlers)
        self.texts = texts
        self.clock = clock
        self._stop = {w.casefold() for w in texts.words("commands.stop")}

    def is_stop(self, text: str) -> bool:
        """Whether ``text`` asks to stop what is going on."""
        return " ".join(text.casefold().split()).strip(" .!") in self._stop

    def on_action(self, message: Incoming) -> Reply:
        """A click on a flow's button: checked, then given to the flow's handler."""
        action = FlowAction.parse(message.action or "")
        flow = self.store.get(action.flow_id) if action else None
        if action is None or flow is None or flow.kind not in self.handlers:
            return self._say("flow.unknown")
        handler = self.handlers[flow.kind]
        if flow.user_key != message.user.key and not handler.shared:
            return self._say("flow.not_yours")
        if not flow.active or flow.expires_at <= self.clock():
            return self._say("flow.ended")
        if (flow.step, flow.nonce) != (action.step, action.nonce):
            return self._say("flow.stale")
        return handler.on_pick(flow, message, action.pick)

    def on_text(self, message: Incoming) -> Reply | None:
        """Free text: the active flow's turn when it runs in this conversation, else None."""
        flow = self.store.active(message.user.key, now=self.clock())
        if flow is None or flow.kind not in self.handlers:
            return None
        if flow.conversation_key != message.conversation.key:
            return None
        return self.handlers[flow.kind].on_text(flow, message)

    def free_text_commands(self, message: Incoming) -> frozenset[str] | None:
        """The own commands of the free-text flow running here; ``None`` if none runs.

        A free-text flow is a role-play; "here" is the message's conversation.
        """
        flow = self.store.active(message.user.key, now=self.clock())
        handler = self.handlers.get(flow.kind) if flow is not None else None
        if flow is None or handler is None or not handler.free_text:
            return None
        if flow.conversation_key != message.conversation.key:
            return None
        return handler.commands

    def stop(self, message: Incoming) -> Reply:
        """End the user's active flow, wherever it runs."""
        flow = self.store.end(message.user.key, now=self.clock())
        if flow is None or flow.kind not in self.handlers:
            return self._say("flow.nothing_to_stop")
        return self.handlers[flow.kind].on_stop(flow, message)

    def _say(self, key: str) -> Reply:
        return Reply(text=self.texts(key), meta={"intent": "flow", "confidence": 1.0})
