"""Slow work off the event loop, on threads of its own (a model wording a role-play line).

``asyncio.to_thread`` shares the loop's default executor (a handful of threads) with the
quick database work every request does before it is acknowledged (claims). Ten-second
model calls there would queue those claims behind them and hold acknowledgements, so
slow work gets its own pool: however many model calls wait, a claim finds a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

#: Slow calls running at once; more wait their turn here, not in the default executor.
MAX_SLOW = 32

_POOL = ThreadPoolExecutor(max_workers=MAX_SLOW, thread_name_prefix="personabot-slow")


async def run_slow(work: Callable[[], T]) -> T:
    """Run ``work`` on the slow-work threads and wait for it without blocking the loop."""
    return await asyncio.get_running_loop().run_in_executor(_POOL, work)
