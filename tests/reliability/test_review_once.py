"""Two ``personabot reviews send`` at once, one database, one Slack: each prompt once.

Cron on two hosts, or an admin running ``reviews send`` while another does: every
prompt is claimed in the database before it is sent, so each due persona's owner gets
exactly one, on SQLite and on PostgreSQL (``PERSONABOT_TEST_DATABASE_URL``; skipped
without it). Two personas of the example pack are due on 2026-12-07, here with 60
owners each: 120 prompts for the two processes to race over.

The race is made certain, not left to start-up timing: the fake Slack holds each
process's first ``users.lookupByEmail`` (each process posts with its own token) until
both processes have made theirs, so both are sending at the same time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from fake_slack import FakeSlack
from procs import ROOT, scrubbed_env

from bot.app import build_app
from bot.settings import Settings
from content.loader import EXAMPLE_PACK

MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
OWNERS_EACH = 60
DUE = ("cfo-frida", "team-lead-tuva")  # due on MONDAY; the other two are fresh
TOKENS = ("xoxb-review-a", "xoxb-review-b")
SENT = re.compile(r"review prompts: (\d+) sent, (\d+) unreachable")


class GatedSlack(FakeSlack):
    """The fake Slack, holding each token's first lookup until every token has made one."""

    def __init__(self, tokens: tuple[str, ...]) -> None:
        super().__init__()
        self._waiting = set(tokens)
        self._all_in = asyncio.Event()

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "users.lookupByEmail" and not self._all_in.is_set():
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            self._waiting.discard(token)
            if not self._waiting:
                self._all_in.set()
            await asyncio.wait_for(self._all_in.wait(), timeout=60)
        return await super()._handle_api(request)


def owner(n: int) -> str:
    return f"owner{n:03d}@fieldline.example"


def pack_with_many_owners(tmp_path: Path) -> Path:
    """The example pack, each due persona owned by :data:`OWNERS_EACH` people."""
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    for i, persona in enumerate(DUE):
        path = pack / "personas" / f"{persona}.yaml"
        owners = "".join(f"  - {owner(i * OWNERS_EACH + n)}\n" for n in range(OWNERS_EACH))
        text, found = re.subn(
            r"^owners:\n(?:  - .*\n)+", f"owners:\n{owners}", path.read_text("utf-8"), flags=re.M
        )
        assert found == 1
        path.write_text(text, "utf-8")
    return pack


def test_two_reviews_send_at_once_prompt_each_owner_once(
    database_url: str, tmp_path: Path, figures: Callable[[str], None]
) -> None:
    pack = pack_with_many_owners(tmp_path)
    # Migrated and imported first, as a deployment is: the race under test is the sends.
    settings = Settings(database_url=database_url, content=pack)
    build_app(settings, clock=lambda: MONDAY).db.dispose()
    owners = [owner(n) for n in range(len(DUE) * OWNERS_EACH)]

    async def scenario() -> tuple[list[str], GatedSlack]:
        slack = GatedSlack(TOKENS)
        await slack.start()
        for n, email in enumerate(owners):
            slack.add_user(f"U0OWN{n:03d}", email, f"Owner {n}")
        try:
            runs = [
                asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "reviews",
                    "send",
                    "--at",
                    MONDAY.date().isoformat(),
                    env=scrubbed_env(
                        PERSONABOT_DATABASE_URL=database_url,
                        PERSONABOT_CONTENT=str(pack),
                        PERSONABOT_SLACK_API_URL=slack.base_url,
                        SLACK_BOT_TOKEN=token,
                        SLACK_SIGNING_SECRET="review-once-signing-secret",
                    ),
                    cwd=ROOT,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
                for token in TOKENS
            ]
            procs = await asyncio.gather(*runs)
            outputs = await asyncio.wait_for(
                asyncio.gather(*(p.communicate() for p in procs)), timeout=180
            )
            for proc, (_, err) in zip(procs, outputs, strict=True):
                assert proc.returncode == 0, err.decode()[-3000:]
            return [out.decode() for out, _ in outputs], slack
        finally:
            await slack.stop()

    outputs, slack = asyncio.run(scenario())

    posted = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    per_dm = Counter(c.params["channel"] for c in posted)
    expected = {f"DU0OWN{n:03d}" for n in range(len(owners))}
    assert set(per_dm) == expected  # every owner got a prompt...
    assert [dm for dm, count in per_dm.items() if count > 1] == []  # ...and only one
    reported = [SENT.search(out) for out in outputs]
    assert all(reported), outputs
    sent = [int(m.group(1)) for m in reported if m]
    assert sum(sent) == len(owners)
    assert [int(m.group(2)) for m in reported if m] == [0, 0]
    by_token = Counter(str(c.token) for c in posted)
    assert by_token == Counter(dict(zip(TOKENS, sent, strict=True)))
    assert all(by_token[t] > 0 for t in TOKENS)  # both sent: the race really happened
    backend = database_url.split(":", 1)[0].split("+")[0]
    figures(f"{backend}: {len(owners)} prompts, one each; process A sent {sent[0]}, B {sent[1]}")
