"""The operator's view of ``personabot serve``: liveness and readiness."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp
import pytest
from serving import served

from bot.scheduler import LEASE
from bot.server import WARMING
from bot.settings import Settings
from handlers.quiz import QuizHandler
from storage import Database, Leases

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


ANY_READY = {"status": "ok", "checks": {"database": "ok", "content": "ok"}}


async def get(base: str, path: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(base + path) as response:
        return response.status, await response.json()


def test_health_and_readiness(tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'ready.db'}")
        async with served(settings, clock=lambda: NOW) as server:
            assert await get(server.base, "/healthz") == (200, {"status": "ok"})
            status, body = await get(server.base, "/readyz")
            assert status == 200 and body["checks"] == {"database": "ok", "content": "ok"}

    asyncio.run(scenario())


def test_not_ready_when_the_database_is_gone(tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'gone.db'}")
        async with served(settings, clock=lambda: NOW) as server:
            server.core.db.dispose()
            (tmp_path / "gone.db").unlink()  # the schema vanished under the running server
            status, body = await get(server.base, "/readyz")
            assert status == 503 and body["status"] == "not ready"
            assert body["checks"]["database"] != "ok"  # type: ignore[index]

    asyncio.run(scenario())


def test_one_of_two_replicas_is_the_scheduler_and_hands_over_when_it_stops(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'shared.db'}")
        leases = None
        async with served(settings, clock=lambda: NOW) as first:
            leases = Leases(db=first.core.db)
            held = leases.current(LEASE)
            assert held is not None and held.valid_at(NOW)
            async with served(settings, clock=lambda: NOW) as second:
                # The second replica serves too, but does not take the lease.
                assert await get(second.base, "/readyz") == (200, ANY_READY)
                assert leases.current(LEASE) == held
        # Both stopped: the holder released the lease, so the next replica takes it at once.
        after = Leases(db=Database(url=settings.database_url)).current(LEASE)
        assert after is not None and after.holder == held.holder and not after.valid_at(NOW)

    asyncio.run(scenario())


async def page(base: str, path: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(base + path) as response:
        return response.status, response.content_type, await response.text()


def test_privacy_and_terms_pages_say_what_is_stored_and_who_runs_the_bot(tmp_path: Path) -> None:
    # The Teams app package links to both; Teams shows them to whoever installs the app.
    async def scenario() -> None:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'pages.db'}",
            operator="Sales Ops <sales-ops@fieldline.example>",
        )
        async with served(settings, clock=lambda: NOW) as server:
            status, kind, privacy = await page(server.base, "/privacy")
            assert (status, kind) == (200, "text/html")
            assert "<h1>Privacy</h1>" in privacy
            assert "each question you ask" in privacy and "adoption analytics" in privacy
            assert "Sales Ops &lt;sales-ops@fieldline.example&gt;" in privacy
            status, kind, terms = await page(server.base, "/terms")
            assert (status, kind) == (200, "text/html")
            assert "<h1>Terms of use</h1>" in terms and "Sales Ops" in terms

    asyncio.run(scenario())


def test_the_admins_page_text_is_shown_as_text_never_as_html(tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'own.db'}",
            privacy_text="We keep questions 30 days.\n\n<script>alert('x')</script> & more",
            terms_text="Internal use only.",
        )
        async with served(settings, clock=lambda: NOW) as server:
            _, _, privacy = await page(server.base, "/privacy")
            assert "<p>We keep questions 30 days.</p>" in privacy
            assert "<script>" not in privacy
            assert "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more</p>" in privacy
            assert "adoption analytics" not in privacy  # the admin's text replaces the default
            _, _, terms = await page(server.base, "/terms")
            assert "<p>Internal use only.</p>" in terms

    asyncio.run(scenario())


def test_serve_builds_the_quiz_bank_in_the_background_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    bank = QuizHandler.bank

    def counting(self: QuizHandler) -> object:
        built.append(self)
        return bank(self)

    monkeypatch.setattr(QuizHandler, "bank", counting)

    async def scenario() -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'warm.db'}")
        async with served(settings, clock=lambda: NOW) as server:
            await server.web_app[WARMING]
            assert len(built) == 1  # before anyone asked for a quiz

    asyncio.run(scenario())
