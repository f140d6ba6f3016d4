"""Part 2 of ``bench_feedback.py``: how soon another process answers with an approved change.

An App is built in this process on the benchmark's database (the example pack). Each
round a seller leaves ``feedback <persona>: her new pain is …`` (a text of its own) and a
pack admin approves the proposal it opened with ``approve N``, as in ``personabot chat``.
Two kinds of other process then ask "what are <persona>'s pains?":

* ``personabot ask --json`` started before the rounds, reading one question per line
  from its standard input: a running App whose catalog is a ``LiveCatalog`` (it checks the
  persona revision once a second). It is asked again every ``every`` seconds until its
  answer holds the new pain;
* a fresh ``personabot ask --json "<question>"`` started right after the approval.

The delay is from sending ``approve N`` to the answer holding the new pain (its line read
from the process's output). Only 127.0.0.1 databases are used; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import ROOT, HarnessError

sys.path.insert(0, str(ROOT))
from bot.app import App, build_app  # noqa: E402
from bot.console import ConsoleBot  # noqa: E402
from bot.settings import Settings  # noqa: E402

ADMIN = "ingrid.solberg@fieldline.example"  # a pack admin of the example pack
SELLER = "seller@fieldline.example"
PERSONAS = ("Frida", "Bjørn", "Oskar", "Tuva")
# Words no persona of the example pack says, so only the approved change can answer them.
PAIN = "her new pain is chasing signed quotes from housing association {n} before quarter end"
# Variables of the developer's environment that would change what ``ask`` does.
SCRUBBED = ("PERSONABOT_", "SLACK_", "Microsoft", "MICROSOFT_")


@dataclass
class Visibility:
    """Seconds from ``approve N`` to another process answering with the change."""

    live: list[float] = field(default_factory=list)
    live_missed: int = 0
    fresh: list[float] = field(default_factory=list)
    fresh_missed: int = 0
    approve: list[float] = field(default_factory=list)  # the approval in this process


def child_env(url: str) -> dict[str, str]:
    """The environment of a ``personabot ask`` process: this tree, this database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    paths = [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(paths),
            "PERSONABOT_DATABASE_URL": url,
            "PERSONABOT_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def shows(pain: str, output: str) -> bool:
    """Whether an answer of ``ask --json`` (one JSON object a line) holds ``pain``.

    The console wraps long lines, so words are compared with whitespace collapsed.
    """
    for line in output.splitlines():
        if line.startswith("{"):
            answer = " ".join(str(json.loads(line).get("text", "")).split())
            if pain in answer:
                return True
    return False


class Round:
    """One approval: a seller's feedback, then ``approve N`` by the admin."""

    def __init__(self, app: App, n: int) -> None:
        self.persona = PERSONAS[n % len(PERSONAS)]
        self.pain = PAIN.format(n=1000 + n)
        self.question = f"what are {self.persona}'s pains?"
        out = io.StringIO()
        self._seller = ConsoleBot(router=app.router, out=out, user_email=SELLER)
        self._admin = ConsoleBot(router=app.router, out=out, user_email=ADMIN)

    def approve(self) -> tuple[float, float]:
        """Leave the feedback, then approve it; (monotonic time approve was sent, seconds)."""
        saved = self._seller.say(f"feedback {self.persona}: {self.pain}")
        proposal = saved.meta.get("proposal")
        if not proposal:
            raise HarnessError(f"the feedback opened no proposal: {saved.text}")
        sent = time.monotonic()
        approved = self._admin.say(f"approve {proposal}")
        took = time.monotonic() - sent
        if "live now" not in approved.text:
            raise HarnessError(f"approve {proposal} was not applied: {approved.text}")
        return sent, took


async def _live(
    app: App, url: str, workdir: Path, seen: Visibility, rounds: int, every: float, timeout: float
) -> None:
    log = (workdir / "ask-live.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "ask", "--json",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log,
        env=child_env(url), cwd=workdir,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    async def ask(question: str) -> str:
        stdin.write((question + "\n").encode())
        await stdin.drain()
        try:
            line = await asyncio.wait_for(stdout.readline(), timeout)
        except TimeoutError:
            raise HarnessError(f"personabot ask gave no answer within {timeout} s") from None
        if not line:
            raise HarnessError(f"personabot ask exited ({proc.returncode}); see {log.name}")
        return line.decode("utf-8", errors="replace")

    try:
        await ask("who is Frida?")  # started: migrated, imported, answering
        for n in range(rounds):
            one = Round(app, n)
            if shows(one.pain, await ask(one.question)):
                raise HarnessError("the new pain was answered before it was approved")
            sent, took = one.approve()
            seen.approve.append(took)
            while not shows(one.pain, await ask(one.question)):
                if time.monotonic() - sent > timeout:
                    seen.live_missed += 1
                    break
                await asyncio.sleep(every)  # how often the other process is asked
            else:
                seen.live.append(time.monotonic() - sent)
    finally:
        stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        log.close()


async def _fresh(
    app: App, url: str, workdir: Path, seen: Visibility, rounds: int, timeout: float
) -> None:
    for n in range(rounds, 2 * rounds):
        one = Round(app, n)
        sent, took = one.approve()
        seen.approve.append(took)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "ask", "--json", one.question,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            env=child_env(url), cwd=workdir,
        )  # fmt: skip
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            seen.fresh_missed += 1
            continue
        if shows(one.pain, out.decode("utf-8", errors="replace")):
            seen.fresh.append(time.monotonic() - sent)
        else:
            seen.fresh_missed += 1


def approvals_seen(
    url: str, workdir: Path, *, rounds: int, every: float, timeout: float = 20.0
) -> Visibility:
    """Approve ``2 × rounds`` changes here; how soon other processes answered with each."""
    workdir.mkdir(parents=True, exist_ok=True)
    app = build_app(Settings(database_url=url))
    seen = Visibility()
    try:
        asyncio.run(_live(app, url, workdir, seen, rounds, every, timeout))
        asyncio.run(_fresh(app, url, workdir, seen, rounds, timeout))
    finally:
        app.close()
    return seen
