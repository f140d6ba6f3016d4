"""Sign-in through chat: a pack admin's single-use link, the session cookie, every refusal.

Our real server on 127.0.0.1; the ``dashboard`` command typed in the console (Slack and
Teams are in their own tests). The links start with ``PERSONABOT_PUBLIC_URL``; the test
follows their path and query on the local server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from serving import Served, served
from sqlalchemy import select

from bot.dashboard.links import COOKIE, Signer
from bot.model import ConversationRef, Incoming, User
from bot.settings import Settings
from storage.insights_signin import SigninLinks
from storage.models import QuestionRow

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
KEY = "k" * 40
PUBLIC = "https://bot.fieldline.example"
ADMIN = "ingrid.solberg@fieldline.example"
SELLER = "sam.seller@fieldline.example"
LINK = re.compile(r"(https?://\S+/admin/signin\?token=[\w.-]+)")


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


def say(server: Served, text: str, email: str | None) -> str:
    """Type ``text`` in the console as ``email``; the bot's answer."""
    user = User(platform="console", id=email or "anonymous", email=email)
    message = Incoming(
        user=user, conversation=ConversationRef(platform="console", id="console"), text=text
    )
    return "\n".join(m.text for m in server.core.router.handle(message).messages())


def link_in(answer: str) -> str:
    found = LINK.search(answer)
    assert found, answer
    return found.group(1)


class Browser:
    """Requests with one cookie, kept by hand (a Secure cookie over plain http)."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.cookie: str | None = None
        self.set_cookie = ""

    def local(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{self.base}{parts.path}?{parts.query}" if parts.query else self.base + parts.path

    async def get(self, url: str) -> tuple[int, str, dict[str, str]]:
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        async with self.session.get(self.local(url), headers=headers, allow_redirects=False) as r:
            return r.status, await r.text(), dict(r.headers)

    async def sign_in(self, link: str, *, origin: str | None = None) -> int:
        """Open the link's page, then press its button (a POST of the token)."""
        token = link.split("token=", 1)[1]
        headers = {"Origin": origin or self.base, "Sec-Fetch-Site": "same-origin"}
        async with self.session.post(
            self.base + "/admin/signin",
            data={"token": token},
            headers=headers,
            allow_redirects=False,
        ) as response:
            self.set_cookie = response.headers.get("Set-Cookie", "")
            cookie = SimpleCookie(self.set_cookie)
            if COOKIE in cookie and response.status == 303:
                self.cookie = cookie[COOKIE].value
            return response.status


def run(
    tmp_path: Path,
    scenario: Callable[[Served, Browser, Clock], Awaitable[None]],
    **settings: object,
) -> None:
    clock = Clock()
    values: dict[str, object] = {"secret_key": KEY, "public_url": PUBLIC, **settings}
    config = Settings(database_url=f"sqlite:///{tmp_path / 'admin.db'}", **values)  # type: ignore[arg-type]

    async def main() -> None:
        async with served(config, clock=clock) as server, aiohttp.ClientSession() as session:
            await scenario(server, Browser(session, server.base), clock)

    asyncio.run(main())


def test_an_admin_signs_in_once_and_sees_the_dashboard(tmp_path: Path) -> None:
    async def scenario(server: Served, browser: Browser, clock: Clock) -> None:
        answer = say(server, "dashboard", ADMIN)
        link = link_in(answer)
        assert link.startswith(PUBLIC + "/admin/signin?token=")
        assert "15 minutes" in answer
        server.core.turns.close()  # the question log keeps the turn, not the link
        with server.core.db.session() as session:
            logged = session.scalars(select(QuestionRow.answer)).all()
        assert logged and not any("token=" in a for a in logged)
        # Opening the link (or a chat app's preview of it) uses nothing up.
        for _ in range(2):
            status, page, headers = await browser.get(link)
            assert status == 200 and 'action="/admin/signin"' in page
            assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert await browser.sign_in(link) == 303
        cookie = browser.set_cookie
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
        assert "Max-Age=28800" in cookie and "Path=/admin" in cookie
        status, page, headers = await browser.get("/admin")
        assert status == 200
        assert headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "Access-Control-Allow-Origin" not in headers
        assert 'data-figure="questions"' in page and f"Signed in as {ADMIN}" in page
        status, _, headers = await browser.get("/admin/data")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        # The link worked once.
        other = Browser(browser.session, browser.base)
        assert await other.sign_in(link) == 401
        status, page, _ = await other.get(link)
        assert status == 401 and "That sign-in link doesn&#x27;t work" in page
        # Eight hours later the session has ended.
        clock.now = NOW + dt.timedelta(hours=8, seconds=1)
        status, page, _ = await browser.get("/admin")
        assert status == 401 and "type dashboard to the bot" in page

    run(tmp_path, scenario)


def test_expired_forged_and_foreign_links_are_refused(tmp_path: Path) -> None:
    async def scenario(server: Served, browser: Browser, clock: Clock) -> None:
        late = link_in(say(server, "dashboard", ADMIN))
        clock.now = NOW + dt.timedelta(minutes=15, seconds=1)
        assert await browser.sign_in(late) == 401
        clock.now = NOW
        good = link_in(say(server, "dashboard", ADMIN))
        nonce, signature = good.split("token=", 1)[1].split(".", 1)
        forged = good.replace(
            signature, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
        )
        assert await browser.sign_in(forged) == 401
        assert await browser.sign_in(f"{PUBLIC}/admin/signin?token=made-up.sig") == 401
        # Signed with another key: the signature does not match this server's.
        stranger = Signer(key=b"x" * 40, links=SigninLinks(db=server.core.db), public_url=PUBLIC)
        assert await browser.sign_in(stranger.new_link(ADMIN, now=NOW)) == 401
        # Another site's form posting the token is refused, and spends nothing.
        assert await browser.sign_in(good, origin="https://evil.example") == 403
        assert browser.cookie is None
        assert await browser.sign_in(good) == 303

    run(tmp_path, scenario)


def test_nobody_else_gets_in(tmp_path: Path) -> None:
    async def scenario(server: Served, browser: Browser, clock: Clock) -> None:
        assert (await browser.get("/admin"))[0] == 401
        assert (await browser.get("/admin/data"))[0] == 401
        # A seller is told who can; an unknown user too.
        for who in (SELLER, None):
            answer = say(server, "dashboard", who)
            assert "Only pack admins" in answer and "/admin/signin" not in answer
        # A signed link for a non-admin (the pack changed its admins since) gets no session.
        signer = Signer(key=KEY.encode(), links=SigninLinks(db=server.core.db), public_url=PUBLIC)
        assert await browser.sign_in(signer.new_link(SELLER, now=NOW)) == 403
        # A genuine session cookie of a non-admin is no way in either.
        browser.cookie = signer.session(SELLER, now=NOW)
        assert (await browser.get("/admin"))[0] == 401
        browser.cookie = signer.session(ADMIN, now=NOW)[:-3] + "abc"
        assert (await browser.get("/admin"))[0] == 401
        # A GET never signs anyone in; state changes are POSTs only.
        link = link_in(say(server, "dashboard", ADMIN))
        async with browser.session.get(
            browser.base + "/admin/signin?" + link.split("?", 1)[1]
        ) as response:
            assert "Set-Cookie" not in response.headers

    run(tmp_path, scenario)


def test_without_key_or_url_the_command_and_page_name_what_is_missing(tmp_path: Path) -> None:
    async def scenario(server: Served, browser: Browser, clock: Clock) -> None:
        answer = say(server, "dashboard", ADMIN)
        assert "PERSONABOT_SECRET_KEY" in answer and "/admin/signin" not in answer
        status, page, _ = await browser.get("/admin")
        assert status == 401 and "PERSONABOT_SECRET_KEY" in page

    run(tmp_path, scenario, secret_key=None)


def test_over_plain_http_the_cookie_is_not_secure_only(tmp_path: Path) -> None:
    async def scenario(server: Served, browser: Browser, clock: Clock) -> None:
        assert await browser.sign_in(link_in(say(server, "dashboard", ADMIN))) == 303
        assert "Secure" not in browser.set_cookie and "HttpOnly" in browser.set_cookie

    run(tmp_path, scenario, public_url="http://127.0.0.1:3978")


def test_the_filter_and_the_static_files(tmp_path: Path) -> None:
    async def scenario(server: Served, browser: Browser, clock: Clock) -> None:
        assert await browser.sign_in(link_in(say(server, "dashboard", ADMIN))) == 303
        status, body, _ = await browser.get("/admin/data?since=2026-11-01&persona=cfo-frida")
        assert status == 200
        assert '"persona": "cfo-frida"' in body and '"since": "2026-11-01"' in body
        assert '"until": "2026-12-01"' in body  # today, by the server's clock
        for bad in ("?persona=nobody", "?since=yesterday", "?since=2020-01-01&until=2026-01-01"):
            assert (await browser.get("/admin/data" + bad))[0] == 400, bad
        status, page, _ = await browser.get("/admin?persona=cfo-frida")
        assert status == 200 and '<option value="cfo-frida" selected>' in page
        status, script, headers = await browser.get("/admin/static/chart.umd.min.js")
        assert status == 200 and script.startswith("/*!\n * Chart.js v4.6.2")
        assert headers["Content-Type"].startswith("application/javascript")
        status, licence, _ = await browser.get("/admin/static/chart.js.LICENSE.md")
        assert status == 200 and "MIT License" in licence
        assert (await browser.get("/admin/static/..%2Fsettings.py"))[0] == 404
        assert (await browser.get("/admin/static/nothing.js"))[0] == 404

    run(tmp_path, scenario)


def test_a_link_works_once_across_replicas_even_when_pressed_twice_at_once(
    database_url: str,
) -> None:
    config = Settings(
        database_url=database_url,
        secret_key=KEY,  # type: ignore[arg-type]
        public_url=PUBLIC,
    )
    clock = Clock()

    async def main() -> None:
        async with (
            served(config, clock=clock) as first,
            served(config, clock=clock) as second,
            aiohttp.ClientSession() as session,
        ):
            link = link_in(say(first, "dashboard", ADMIN))
            here, there = Browser(session, first.base), Browser(session, second.base)
            statuses = await asyncio.gather(here.sign_in(link), there.sign_in(link))
            assert sorted(statuses) == [303, 401]
            # The session cookie is good on either replica (same key).
            winner = here if here.cookie else there
            for replica in (first, second):
                other = Browser(session, replica.base)
                other.cookie = winner.cookie
                assert (await other.get("/admin"))[0] == 200

    asyncio.run(main())
