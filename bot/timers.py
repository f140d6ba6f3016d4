"""The conversation core's timers: due work fired by the scheduler, sent through the platforms.

A capability sets a timer (:class:`storage.timers.Timers`) and registers a
:data:`TimerHandler` for its kind. The scheduler replica claims due timers once a second
(:func:`fire_due`); the handler does the work (a live quiz's reveal) and returns what to
send where; the platforms' outbound ports send it. A handler fences its work with its
own state (a flow's step), so a timer fired again after a crash sends nothing twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.model import ConversationRef, Reply
from storage.timers import Timer, Timers

log = logging.getLogger(__name__)

#: How long a claimed timer is held before another replica may take it.
CLAIM_FOR = dt.timedelta(seconds=60)


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """A reply to send to a conversation."""

    to: ConversationRef
    reply: Reply


#: Does a timer's work at the given time; returns what to send.
TimerHandler = Callable[[Timer, dt.datetime], Sequence[Delivery]]
#: A platform's outbound port (``SlackAdapter.send``, ``TeamsAdapter.send``).
Sender = Callable[..., Awaitable[object]]


def conversation_data(ref: ConversationRef) -> dict[str, Any]:
    """A conversation reference as JSON, to keep in a timer or a flow."""
    return {
        "platform": ref.platform,
        "id": ref.id,
        "thread": ref.thread,
        "opaque": dict(ref.opaque),
    }


def conversation_from(data: Mapping[str, Any]) -> ConversationRef:
    """The conversation reference kept by :func:`conversation_data`."""
    return ConversationRef(
        platform=str(data["platform"]),
        id=str(data["id"]),
        thread=data.get("thread"),
        opaque=dict(data.get("opaque") or {}),
    )


async def fire_due(
    timers: Timers,
    *,
    handlers: Mapping[str, TimerHandler],
    senders: Mapping[str, Sender],
    now: dt.datetime,
) -> int:
    """Claim the due timers and do their work; returns how many were done.

    A timer whose sending fails stays claimed until its claim lapses, then fires again
    (its handler's fencing makes the second run send only what is still owed).
    """
    claimed = await asyncio.to_thread(
        timers.claim_due, now=now, claim_for=CLAIM_FOR, kinds=tuple(handlers)
    )
    done = 0
    for timer in claimed:
        try:
            deliveries = await asyncio.to_thread(handlers[timer.kind], timer, now)
            for delivery in deliveries:
                send = senders.get(delivery.to.platform)
                if send is None:
                    log.warning(
                        "timer %s/%s: no %s adapter here to send with",
                        timer.kind,
                        timer.key,
                        delivery.to.platform,
                    )
                    continue
                await send(delivery.reply, to=delivery.to)
        except Exception:  # noqa: BLE001 - one failing timer must not stop the others
            log.exception("timer %s/%s failed; it fires again later", timer.kind, timer.key)
            continue
        await asyncio.to_thread(timers.done, timer, now=now)
        done += 1
    return done
