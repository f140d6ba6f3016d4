"""The review rig: the Slack rig on a clock the test moves, the review job, the CLI.

The fake Slack Web API knows the example pack's owners (Ingrid, Mikkel, Sara) and a
seller who owns nothing (Sam); our server runs on a :class:`Clock` that starts on
Monday 2026-12-07 10:00 UTC. Another replica holds the scheduler lease, so the server's
own scheduler never runs the review job behind the test's back: :meth:`ReviewRig.run_job`
runs it, as the scheduler would, at the time the test says. :meth:`ReviewRig.cli` runs
``personabot`` as a real process on the same database and fake Slack.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from fake_slack import Call, FakeSlack
from payloads import block_actions
from rig import SECRET, TOKEN, SlackRig, text_of
from serving import served

from bot.adapters.slack.server import SLACK
from bot.app import build_app
from bot.review_job import ReviewJob, ReviewReport, review_job
from bot.server import PEOPLE
from bot.settings import Settings
from content.freshness import Freshness
from content.loader import EXAMPLE_PACK
from storage.lease import Leases

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)  # 11:00 in Copenhagen (Slack's tz)
DAY = dt.timedelta(days=1)
INGRID = "ingrid.solberg@fieldline.example"
MIKKEL = "mikkel.dahl@fieldline.example"
SARA = "sara.nyman@fieldline.example"
SAM = "sam.seller@fieldline.example"
#: Slack users by id: the owners, and a seller who owns nothing.
USERS = {
    "U0INGRID": (INGRID, "Ingrid Solberg"),
    "U0MIKKEL": (MIKKEL, "Mikkel Dahl"),
    "U0SARA": (SARA, "Sara Nyman"),
    "U0SAM": (SAM, "Sam Seller"),
}
#: Each user's DM with the bot, as the fake's conversations.open names it.
DM = {email: f"D{user}" for user, (email, _) in USERS.items()}
FRIDA, TUVA = "cfo-frida", "team-lead-tuva"
SCRUBBED = ("PERSONABOT_", "SLACK_", "Microsoft", "MICROSOFT_")


class Clock:
    """A clock that only moves when told to."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class ReviewRig:
    """The Slack rig, the clock it runs on and the review job the scheduler would run."""

    slack_rig: SlackRig
    clock: Clock
    job: ReviewJob
    env: dict[str, str]

    @property
    def slack(self) -> FakeSlack:
        return self.slack_rig.slack

    async def run_job(self, at: dt.datetime, *, working_hours: bool = True) -> ReviewReport:
        """One run of the scheduler's review job at ``at`` (the app's clock moves there)."""
        self.clock.now = at
        return await self.job.run(at, working_hours=working_hours)

    async def cli(self, *args: str) -> tuple[int, str, str]:
        """``personabot ARGS`` as a real process on the same database and fake Slack."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            env=self.env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode is not None
        return proc.returncode, out.decode(), err.decode()

    async def due(self, at: dt.date) -> dict[str, dict[str, Any]]:
        """``personabot reviews due --at AT --json --all``, by persona id."""
        code, out, err = await self.cli("reviews", "due", "--at", at.isoformat(), "--json", "--all")
        assert code == 0, err
        return {s["persona"]: s for s in json.loads(out)}

    def status(self, persona_id: str, at: dt.date) -> Freshness:
        """The persona's review status on ``at``, as the app sees it."""
        reviews = self.slack_rig.core.reviews
        assert reviews is not None
        return next(s for s in reviews.statuses(at) if s.persona_id == persona_id)

    def posts(self) -> list[Call]:
        return self.slack.calls_to("chat.postMessage")

    def prompts(self, to: str | None = None) -> list[dict[str, Any]]:
        """The review prompts posted (the params of each), to one owner's DM if given."""
        return [
            call.params
            for call in self.posts()
            if call.ok
            and review_buttons(call.params)
            and (to is None or call.params["channel"] == DM[to])
        ]

    def notes(self, to: str) -> list[str]:
        """What each message without review buttons posted to ``to``'s DM shows."""
        return [
            text_of(c.params)
            for c in self.posts()
            if c.ok and c.params["channel"] == DM[to] and not review_buttons(c.params)
        ]

    def updates(self) -> list[dict[str, Any]]:
        return [call.params for call in self.slack.calls_to("chat.update")]

    async def click(
        self, prompt: dict[str, Any], pick: str, *, by: str, action_ts: str
    ) -> list[dict[str, Any]]:
        """``by`` clicks ``pick`` on the posted ``prompt``; the private answers it got."""
        ts = self.ts_of(prompt)
        button = review_buttons(prompt)[pick]
        user = next(u for u, (email, _) in USERS.items() if email == by)
        hook = self.slack.response_url(f"{user}-{action_ts}")
        before = len(self.slack.calls_to("response_url"))
        response = await self.slack_rig.form(
            block_actions(
                button["action_id"],
                button["value"],
                user=user,
                channel=prompt["channel"],
                message_ts=ts,
                response_url=hook,
                text=button["text"]["text"],
                action_ts=action_ts,
            )
        )
        assert response.status == 200
        await self.slack_rig.settle()
        return [c.params for c in self.slack.calls_to("response_url")[before:]]

    def ts_of(self, prompt: dict[str, Any]) -> str:
        """The ``ts`` the fake gave the posted message ``prompt``."""
        call = next(c for c in self.posts() if c.ok and c.params == prompt)
        return str(call.response["ts"])


def review_buttons(params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A message's review buttons by pick (``reviewed``, ``snoozed``, ``not_mine``)."""
    found = [
        element
        for block in params.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
        if str(element.get("value", "")).startswith("review:")
    ]
    return {button["value"].rsplit(":", 1)[1]: button for button in found}


@asynccontextmanager
async def review_rig(
    tmp_path: Path,
    *,
    users: dict[str, tuple[str, str]] = USERS,
    content: Path | None = None,
) -> AsyncIterator[ReviewRig]:
    """The fake Slack with ``users``, our server on a clock at :data:`MONDAY`, the job."""
    slack = FakeSlack()
    await slack.start()
    for user, (email, name) in users.items():
        slack.add_user(user, email, name)
    database = tmp_path / "reviews.db"
    credentials: dict[str, Any] = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    settings = Settings(
        content=content,
        database_url=f"sqlite:///{database}",
        slack_api_url=slack.base_url,
        **credentials,
    )
    clock = Clock(MONDAY)
    # Another replica holds the scheduler lease: the review job runs when the test says.
    core = build_app(settings, clock=clock)
    Leases(db=core.db).acquire("scheduler", holder="elsewhere", ttl=3650 * DAY, now=MONDAY)
    core.db.dispose()
    # The CLI's environment: the developer's without any bot setting, plus the test's.
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        PERSONABOT_DATABASE_URL=f"sqlite:///{database}",
        PERSONABOT_SLACK_API_URL=slack.base_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        **({"PERSONABOT_CONTENT": str(content)} if content else {}),
    )
    try:
        async with served(settings, clock=clock) as server, aiohttp.ClientSession() as session:
            adapter = server.web_app[SLACK]
            assert server.web_app[PEOPLE] == [adapter]  # Slack is how owners are reached
            rig = SlackRig(server.core, adapter, slack, server.base + "/slack/events", session)
            yield ReviewRig(rig, clock, review_job(server.core, [adapter]), env)
    finally:
        await slack.stop()


def run(tmp_path: Path, scenario: Callable[[ReviewRig], Awaitable[None]], **kwargs: Any) -> None:
    """Run ``scenario`` against a fresh :func:`review_rig` (``kwargs`` go to it)."""

    async def main() -> None:
        async with review_rig(tmp_path, **kwargs) as rig:
            await scenario(rig)

    asyncio.run(main())


def never_reviewed_pack(tmp_path: Path) -> Path:
    """The example pack with Operations Director Oskar never reviewed."""
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    oskar = pack / "personas" / "operations-director-oskar.yaml"
    lines = oskar.read_text(encoding="utf-8").splitlines(keepends=True)
    oskar.write_text("".join(x for x in lines if not x.startswith("last_reviewed:")), "utf-8")
    return pack
