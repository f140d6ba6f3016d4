"""Fixtures for the Slack tests (the rig itself is in rig.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rig import SlackRig, running

Scenario = Callable[[SlackRig], Awaitable[None]]


@pytest.fixture
def slack_run(tmp_path: Path) -> Callable[..., None]:
    """Run an async scenario against a fresh rig: ``slack_run(scenario, content=...)``."""

    def run(scenario: Scenario, *, content: Path | None = None) -> None:
        async def main() -> None:
            async with running(tmp_path, content=content) as rig:
                await scenario(rig)

        asyncio.run(main())

    return run
