"""The dashboard in a real browser: ``personabot serve``, a link from chat, headless Chromium.

A database with 90 days of generated activity (questions, quizzes, role-plays, reviews,
feedback, votes); ``personabot serve`` on it as a real process; a pack admin types
``dashboard`` in ``personabot chat`` (another process on the same database, as another
replica would) and the browser follows the link. Debian's ``chromium`` and
``chromium-driver`` through selenium (nothing is downloaded; ``.ci/run`` installs them).
Every chart must have drawn on its canvas, the numbers must be the database's, the
period filter must change them, and the console must stay free of errors. A screenshot
is saved to ``$PERSONABOT_TEST_ARTIFACTS`` (default ``/tmp/personabot-artifacts``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from activity import Activity, generate

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent / "reliability", HERE.parent / "slack", HERE.parent / "teams"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from procs import ServeProcess, scrubbed_env  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.insights import QUESTION_INTENTS  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ADMIN = "ingrid.solberg@fieldline.example"
KEY = "b" * 48
ARTIFACTS = Path(os.environ.get("PERSONABOT_TEST_ARTIFACTS", "/tmp/personabot-artifacts"))
LINK = re.compile(r"(http://\S+/admin/signin\?token=[\w.-]+)")
CANVASES = """
return Array.from(document.querySelectorAll('canvas[data-chart]')).map(function (c) {
  var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
  for (var i = 3; i < d.length; i += 4) { if (d[i]) { n++; } }
  var chart = Chart.getChart(c);
  return [c.getAttribute('data-chart'), n, chart ? chart.data.labels : null,
          chart ? chart.data.datasets[0].data : null];
});
"""

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)


def expected(activity: Activity, since: dt.date, until: dt.date) -> dict[str, Any]:
    """The page's numbers, counted from what was inserted."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    asked = [
        q
        for q in activity.questions
        if start <= q["asked_at"] < end and q["intent"] in QUESTION_INTENTS
    ]
    gaps = sum(q["intent"] == "unknown" for q in asked)
    return {
        "questions": str(len(asked)),
        "askers": str(len({(q["platform"], q["user_id"]) for q in asked})),
        "unanswered_percent": f"{round(100 * gaps / len(asked))}%",
        "by_persona": Counter(q["persona_id"] for q in asked if q["persona_id"]),
    }


@pytest.fixture
def dashboard(
    tmp_path: Path,
) -> Iterator[tuple[ServeProcess, Activity, dt.datetime, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'dashboard.db'}"
    now = dt.datetime.now(dt.UTC)
    app = build_app(Settings(database_url=url), clock=lambda: now)
    ids = [p.id for p in app.catalog.personas]
    activity = generate(app.db, personas=ids, now=now, days=90, questions=4000, quiz_answers=800)
    app.close()
    server = ServeProcess(
        name="dashboard", database_url=url, workdir=tmp_path, slack_api_url="", credentials=False
    )
    env = {
        "PERSONABOT_SECRET_KEY": KEY,
        "PERSONABOT_PUBLIC_URL": f"http://127.0.0.1:{server.port}",
    }
    server.env.update(env)
    server.start()
    try:
        asyncio.run(server.wait_ready())
        yield server, activity, now, {**server.env}
    finally:
        server.stop()


def chat_link(env: dict[str, str]) -> str:
    """Type ``dashboard`` in ``personabot chat`` as a pack admin; the link it prints."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and package
        [sys.executable, "-m", "bot", "chat", "--user", ADMIN],
        input="dashboard\n",
        capture_output=True,
        text=True,
        env={**scrubbed_env(), **{k: v for k, v in env.items() if k.startswith("PERSONABOT_")}},
        timeout=120,
        check=True,
    )
    found = LINK.search(done.stdout)
    assert found, done.stdout + done.stderr
    return found.group(1)


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,3200")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)


def figures_on(driver: Any) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    return {
        e.get_attribute("data-figure"): e.text
        for e in driver.find_elements(By.CSS_SELECTOR, "[data-figure]")
    }


def wait_rendered(driver: Any) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(driver, 30).until(
            lambda d: (
                d.execute_script("return document.body.getAttribute('data-rendered')") == "yes"
            )
        )
    except TimeoutException:
        logs = driver.get_log("browser")
        raise AssertionError(f"the charts never finished: {driver.current_url} {logs}") from None


def test_the_dashboard_renders_the_databases_numbers_in_chromium(
    dashboard: tuple[ServeProcess, Activity, dt.datetime, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.ui import WebDriverWait

    server, activity, now, env = dashboard
    monkeypatch.setenv("SE_OFFLINE", "true")  # selenium must not fetch a browser
    link = chat_link(env)
    driver = browser()
    try:
        # Before signing in: refused, with how to sign in.
        driver.get(server.url("/admin"))
        assert "type dashboard to the bot" in driver.find_element(By.TAG_NAME, "body").text
        driver.get(link)
        driver.find_element(By.ID, "signin").click()
        wait_rendered(driver)
        assert driver.current_url == server.url("/admin")
        until = now.date()
        month = expected(activity, until - dt.timedelta(days=29), until)
        shown = figures_on(driver)
        for key in ("questions", "askers", "unanswered_percent"):
            assert shown[key] == month[key], key
        canvases = driver.execute_script(CANVASES)
        assert len(canvases) == 12
        for name, painted, labels, data in canvases:
            assert painted > 500, f"chart {name} drew nothing"
            assert labels and data is not None, name
        by_persona = next(c for c in canvases if c[0] == "by_persona")
        names = {
            p: n
            for p, n in driver.execute_script(
                "return Object.entries(JSON.parse(document.getElementById('figures')"
                ".textContent).personas);"
            )
        }
        drawn = dict(zip(by_persona[2], by_persona[3], strict=True))
        assert drawn == {names[p]: n for p, n in month["by_persona"].items()}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(ARTIFACTS / "dashboard.png"))

        # The period filter: the last 90 days instead of 30.
        since = until - dt.timedelta(days=89)
        driver.execute_script(
            "document.querySelector('input[name=since]').value = arguments[0];", since.isoformat()
        )
        old_page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.CSS_SELECTOR, "form.filter button").click()
        WebDriverWait(driver, 30).until(staleness_of(old_page))
        wait_rendered(driver)
        assert f"since={since.isoformat()}" in driver.current_url
        quarter = expected(activity, since, until)
        shown = figures_on(driver)
        assert shown["questions"] == quarter["questions"] != month["questions"]
        assert shown["askers"] == quarter["askers"]
        assert all(painted > 500 for _, painted, _, _ in driver.execute_script(CANVASES))
        driver.save_screenshot(str(ARTIFACTS / "dashboard-90-days.png"))

        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        # The refused /admin before signing in is the one expected error (a 401).
        unexpected = [e for e in errors if "/admin - Failed to load resource" not in e["message"]]
        assert unexpected == [], unexpected

        # The HTML report: one file, opened offline, draws the same charts.
        report = server.workdir / "report.html"
        subprocess.run(  # noqa: S603 - our own interpreter and package
            [sys.executable, "-m", "bot", "report", "--format", "html", "--out", str(report)],
            env={**scrubbed_env(), **{k: v for k, v in env.items() if k.startswith("PERSONABOT_")}},
            capture_output=True,
            timeout=120,
            check=True,
        )
        driver.get(report.as_uri())
        wait_rendered(driver)
        assert figures_on(driver)["questions"] == month["questions"]
        assert all(painted > 500 for _, painted, _, _ in driver.execute_script(CANVASES))
        offline = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert offline == [], offline
    finally:
        driver.quit()
