"""``personabot report``: the dashboard's figures as text, JSON and one self-contained HTML file."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from pathlib import Path

import aiohttp
import pytest
from activity import generate
from pydantic import SecretStr
from serving import served

from bot.app import build_app
from bot.cli import main
from bot.dashboard.links import COOKIE, Signer
from bot.settings import Settings
from storage.insights_signin import SigninLinks

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
KEY = "r" * 40
ADMIN = "ingrid.solberg@fieldline.example"
PERIOD = ["--since", "2026-10-01", "--until", "2026-11-15"]


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    app = build_app(Settings(database_url=url), clock=lambda: NOW)
    generate(app.db, personas=[p.id for p in app.catalog.personas], now=NOW, questions=800)
    app.close()
    monkeypatch.setenv("PERSONABOT_DATABASE_URL", url)
    return url


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_what_the_dashboard_serves(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, *PERIOD, "--format", "json")
    assert code == 0
    printed = json.loads(out)
    assert printed["period"] == {"since": "2026-10-01", "until": "2026-11-15", "persona": None}
    assert printed["summary"]["questions"] > 0

    async def dashboard_data() -> object:
        settings = Settings(
            database_url=db_url, secret_key=SecretStr(KEY), public_url="https://bot.example.org"
        )
        async with (
            served(settings, clock=lambda: NOW) as server,
            aiohttp.ClientSession() as session,
        ):
            signer = Signer(key=KEY.encode(), links=SigninLinks(db=server.core.db), public_url="")
            cookie = {"Cookie": f"{COOKIE}={signer.session(ADMIN, now=NOW)}"}
            query = "?since=2026-10-01&until=2026-11-15"
            async with session.get(server.base + "/admin/data" + query, headers=cookie) as r:
                assert r.status == 200
                return await r.json()

    assert asyncio.run(dashboard_data()) == printed


def test_text_has_the_key_figures_and_bar_charts(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data, _ = report(capsys, *PERIOD, "--format", "json")
    figures = json.loads(data)
    code, out, _ = report(capsys, *PERIOD)
    assert code == 0
    before = figures["previous"]["summary"]["questions"]
    assert f"Questions: {figures['summary']['questions']} (Previous 46 days: {before})\n" in out
    assert f"Unanswered: {figures['summary']['unanswered_percent']}%" in out
    assert "Questions per week\n" in out  # 46 days: charted per week
    for persona, count in figures["adoption"]["by_persona"].items():
        name = figures["personas"][persona]
        assert re.search(rf"  {re.escape(name)} +█+[▏▎▍▌▋▊▉]? {count}\n", out), name
    top = figures["adoption"]["top_unanswered"][0]
    assert f"{top['count']:>4}  {top['text']}" in out


def test_one_persona_by_name(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, *PERIOD, "--persona", "CFO Frida", "--format", "json")
    assert code == 0
    figures = json.loads(out)
    assert figures["period"]["persona"] == "cfo-frida"
    assert set(figures["adoption"]["by_persona"]) == {"cfo-frida"}
    code, _, err = report(capsys, "--persona", "Nobody")
    assert code == 2 and "There's no persona called “Nobody”" in err


def test_html_is_one_self_contained_file(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.html"
    code, out, _ = report(capsys, *PERIOD, "--format", "html", "--out", str(target))
    assert code == 0 and f"Report written to {target}." in out
    page = target.read_text(encoding="utf-8")
    assert "Chart.js v4.6.2" in page and '<script type="application/json" id="figures">' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "/admin/static/" not in page
    assert page.count("<canvas ") == 12


def test_the_shipped_chart_library_is_the_pinned_npm_build() -> None:
    import hashlib

    from bot.dashboard.page import static_file

    source = static_file("chart.js.SOURCE").decode("utf-8")
    pinned = re.search(r"sha256:\s+([0-9a-f]{64})", source)
    assert pinned and "chart.js@4.6.2" in source
    assert hashlib.sha256(static_file("chart.umd.min.js")).hexdigest() == pinned.group(1)
    assert "Released under the MIT License" in static_file("chart.umd.min.js").decode()[:200]
