"""``/admin``: the dashboard, its data, its static files, and sign-in through chat.

* ``GET /admin``: the page (signed-in pack admins; everyone else 401 and how to sign in);
  ``?since=YYYY-MM-DD&until=YYYY-MM-DD&persona=<id>`` filter it.
* ``GET /admin/data``: the same figures as JSON.
* ``GET /admin/signin?token=…``: a page with one button; nothing is used up by a GET (a
  chat app's link preview must not spend the link).
* ``POST /admin/signin``: uses the link once, sets the session cookie, redirects to
  ``/admin``; ``POST /admin/signout`` clears it.
* ``GET /admin/static/<file>``: Chart.js (shipped in the package), the page's script and
  styles. Nothing is loaded from elsewhere: the Content-Security-Policy says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.dashboard.figures import Figures, period_of
from bot.dashboard.links import COOKIE, SESSION_HOURS, signer_of
from bot.dashboard.page import STATIC, message_page, render, signin_page, static_file
from bot.model import User
from bot.roles import roles_of
from bot.settings import Settings
from bot.settings_report import dashboard_missing
from storage.insights_signin import SigninLinks

if TYPE_CHECKING:
    from bot.app import App

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # Same-origin: the browser names our origin on the sign-in POST (with no-referrer
    # Chromium sends "Origin: null"); nothing is sent to another site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
#: The longest period one request may ask for.
MAX_DAYS = 3 * 366


class Dashboard:
    """The ``/admin`` routes of one server.

    Args:
        core: The bot (database, pack, catalog, texts, clock).
        settings: The secret key and public URL.
    """

    def __init__(self, *, core: App, settings: Settings) -> None:
        self.core = core
        self.settings = settings
        self.signer = signer_of(settings, SigninLinks(db=core.db))
        self.figures = Figures(db=core.db, pack=core.pack, personas=lambda: core.live().personas)
        self.roles = roles_of(core.pack, core.live)
        self.secure = settings.public_url.startswith("https://")
        self.language = core.texts.language

    def mount(self, web_app: web.Application) -> None:
        """Add the routes."""
        web_app.router.add_get("/admin", self.page)
        web_app.router.add_get("/admin/data", self.data)
        web_app.router.add_get("/admin/signin", self.signin_form)
        web_app.router.add_post("/admin/signin", self.signin)
        web_app.router.add_post("/admin/signout", self.signout)
        web_app.router.add_get("/admin/static/{name}", self.static)

    # -- helpers ----------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        now: dt.datetime = self.core.clock()
        return now

    def _html(self, body: str, *, status: int = 200) -> web.Response:
        return web.Response(
            text=body, status=status, content_type="text/html", charset="utf-8", headers=HEADERS
        )

    def _refused(self, *lines_keys: str, status: int = 401) -> web.Response:
        texts = self.core.texts
        lines = [texts(key) for key in lines_keys]
        if self.signer is None:
            missing = " and ".join(dashboard_missing(self.settings))
            lines.append(texts("dashboard.not_configured", missing=missing))
        else:
            lines.append(texts("dashboard.signin_how"))
        body = message_page(texts("dashboard.signin_title"), lines, language=self.language)
        return self._html(body, status=status)

    def _admin(self, request: web.Request) -> str | None:
        """The signed-in pack admin's email, or ``None``."""
        if self.signer is None:
            return None
        email = self.signer.check_session(request.cookies.get(COOKIE), now=self._now())
        if email is None or not self._is_admin(email):
            return None
        return email

    def _is_admin(self, email: str) -> bool:
        return self.roles.is_admin(User(platform="web", id=email, email=email))

    def _same_origin(self, request: web.Request) -> bool:
        """Whether a POST comes from this site's own pages (not another site's form)."""
        fetched_from = request.headers.get("Sec-Fetch-Site")
        if fetched_from not in (None, "same-origin", "none"):
            return False
        origin = request.headers.get("Origin")
        if origin is None or origin == "null":
            return origin is None or fetched_from == "same-origin"
        ours = {request.host, urlsplit(self.settings.public_url).netloc}
        return urlsplit(origin).netloc in ours

    def _period(self, request: web.Request) -> Any:
        query = request.query
        persona = query.get("persona") or None
        if persona is not None and persona not in {p.id for p in self.core.catalog.personas}:
            raise web.HTTPBadRequest(text="unknown persona", headers=HEADERS)
        try:
            since = dt.date.fromisoformat(query["since"]) if query.get("since") else None
            until = dt.date.fromisoformat(query["until"]) if query.get("until") else None
        except ValueError:
            raise web.HTTPBadRequest(text="dates are YYYY-MM-DD", headers=HEADERS) from None
        period = period_of(today=self._now().date(), since=since, until=until, persona=persona)
        if period.until - period.since > dt.timedelta(days=MAX_DAYS):
            raise web.HTTPBadRequest(text=f"at most {MAX_DAYS} days", headers=HEADERS)
        return period

    async def _collect(self, request: web.Request) -> dict[str, Any]:
        period = self._period(request)
        figures: dict[str, Any] = await asyncio.to_thread(self.figures.collect, period)
        return figures

    # -- routes -----------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        """The dashboard, for a signed-in pack admin."""
        email = self._admin(request)
        if email is None:
            return self._refused("dashboard.signed_out")
        figures = await self._collect(request)
        body = render(
            figures,
            self.core.texts,
            pack=self.core.catalog.pack_name,
            language=self.language,
            signed_in=email,
        )
        return self._html(body)

    async def data(self, request: web.Request) -> web.Response:
        """The figures as JSON, for a signed-in pack admin."""
        if self._admin(request) is None:
            return web.json_response({"error": "sign in first"}, status=401, headers=HEADERS)
        return web.json_response(await self._collect(request), headers=HEADERS)

    async def signin_form(self, request: web.Request) -> web.Response:
        """The page a link opens: a button that signs in (a GET changes nothing)."""
        token = request.query.get("token", "")
        texts = self.core.texts
        if self.signer is None or self.signer.check_link(token, now=self._now()) is None:
            return self._refused("dashboard.signin_failed")
        body = signin_page(
            texts("dashboard.signin_title"),
            texts("dashboard.signin_intro"),
            texts("dashboard.signin_button"),
            token,
            language=self.language,
        )
        return self._html(body)

    async def signin(self, request: web.Request) -> web.StreamResponse:
        """Use the link once: a pack admin gets a session cookie and the dashboard."""
        if not self._same_origin(request):
            return self._refused("dashboard.signin_failed", status=403)
        form = await request.post()
        token = str(form.get("token", ""))
        signer = self.signer
        if signer is None:
            return self._refused("dashboard.signin_failed")
        now = self._now()
        email = await asyncio.to_thread(signer.use_link, token, now=now)
        if email is None:
            return self._refused("dashboard.signin_failed")
        if not self._is_admin(email):
            return self._refused("dashboard.forbidden", status=403)
        response = web.HTTPSeeOther("/admin", headers=HEADERS)
        response.set_cookie(
            COOKIE,
            signer.session(email, now=now),
            max_age=SESSION_HOURS * 3600,
            path="/admin",
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )
        raise response

    async def signout(self, request: web.Request) -> web.StreamResponse:
        """Clear the session cookie."""
        if not self._same_origin(request):
            return self._refused("dashboard.signed_out", status=403)
        response = web.HTTPSeeOther("/admin", headers=HEADERS)
        response.del_cookie(COOKIE, path="/admin")
        raise response

    async def static(self, request: web.Request) -> web.Response:
        """Chart.js, its licence, the page's script and styles (no sign-in needed)."""
        name = request.match_info["name"]
        kind = STATIC.get(name)
        if kind is None:
            raise web.HTTPNotFound()
        headers = {**HEADERS, "Cache-Control": "public, max-age=3600"}
        return web.Response(
            body=static_file(name), content_type=kind, charset="utf-8", headers=headers
        )


def mount_dashboard(web_app: web.Application, *, core: App, settings: Settings) -> Dashboard:
    """Serve ``/admin`` on ``web_app``."""
    dashboard = Dashboard(core=core, settings=settings)
    dashboard.mount(web_app)
    return dashboard
