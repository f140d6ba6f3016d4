"""The ``personabot`` command as a user runs it: a real process, real stdin/stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from content.loader import EXAMPLE_PACK


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run ``personabot ARGS`` in a clean environment with its own SQLite database."""

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
        environ["PERSONABOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
        environ.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environ,
            cwd=tmp_path,
            timeout=60,
        )

    return run


def test_ask_reads_one_question_per_line_and_answers_in_order(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "ask",
        "--json",
        stdin="who is Oskar?\nwhat's for lunch?\n\nthe CFO says it's too expensive\n",
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(a["intent"], a["persona"], a["objection"]) for a in answers] == [
        ("persona", "operations-director-oskar", None),
        ("unknown", None, None),
        ("objection", "cfo-frida", "price"),
    ]
    assert all(0 <= a["confidence"] <= 1 and a["text"] for a in answers)


def test_ask_one_question_as_text(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "who", "is", "Tuva?")
    assert result.returncode == 0
    assert "== Team Lead Tuva ==" in result.stdout
    assert "Owner:" in result.stdout


def test_chat_picks_a_choice_by_number(run) -> None:  # type: ignore[no-untyped-def]
    result = run("chat", "--json", "--user", "seller@fieldline.example", stdin="who is Bjorn?\n1\n")
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first["choices"][0]) == {"label", "value"}
    assert second["intent"] == "objection" and second["persona"] == "it-manager-bjorn"
    assert first["choices"][0]["value"] == f"objection:it-manager-bjorn/{second['objection']}"


def test_chat_in_text_mode_shows_numbered_choices(run) -> None:  # type: ignore[no-untyped-def]
    result = run("chat", stdin="who is Frida?\nquit\nwho is Oskar?\n")
    assert "[1] " in result.stdout
    assert "Oskar" not in result.stdout  # nothing after quit


def test_content_option_and_environment_choose_the_pack(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    path = pack / "personas/team-lead-tuva.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["name"] = "Crew Chief Tuva"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    by_option = run("ask", "--content", str(pack), "who is Tuva")
    assert "Crew Chief Tuva" in by_option.stdout
    by_env = run("ask", "who is Tuva", env={"PERSONABOT_CONTENT": str(pack)})
    assert "Crew Chief Tuva" in by_env.stdout


def test_a_dotenv_file_in_the_working_directory_is_read(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "dotenv-pack"))
    path = pack / "personas/cfo-frida.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: CFO Frida", "name: CFO Fríða"))
    (tmp_path / ".env").write_text(f"PERSONABOT_CONTENT={pack}\n", encoding="utf-8")
    assert "CFO Fríða" in run("ask", "who is Frida").stdout


def test_validate_reports_ok_and_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok = run("content", "validate", str(EXAMPLE_PACK))
    assert ok.returncode == 0
    assert "OK" in ok.stdout and "4 personas" in ok.stdout

    broken = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "broken"))
    (broken / "personas/cfo-frida.yaml").write_text(
        "id: cfo-frida\nname: Frida\n", encoding="utf-8"
    )
    bad = run("content", "validate", str(broken))
    assert bad.returncode == 1
    assert "personas/cfo-frida.yaml: goals: required" in bad.stderr
    assert "personas/cfo-frida.yaml: owners: required" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_broken_pack_stops_ask_with_the_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "broken"))
    (broken / "pack.yaml").write_text("name: x\nlanguage: en\nadmins: [nope]\n", encoding="utf-8")
    result = run("ask", "--content", str(broken), "who is Oskar")
    assert result.returncode == 1
    assert "pack.yaml: admins[0]: 'nope' is not an email address" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "variable, value, message",
    [
        (
            "PERSONABOT_DATABASE_URL",
            "not a url",
            "PERSONABOT_DATABASE_URL: 'not a url' is not a database URL",
        ),
        ("PERSONABOT_DATABASE_URL", "mysql://x/y", "unsupported database 'mysql'"),
        (
            "PERSONABOT_CONTENT",
            "/no/such/pack",
            "PERSONABOT_CONTENT: /no/such/pack is not a directory",
        ),
        ("PERSONABOT_LOG_LEVEL", "LOUD", "PERSONABOT_LOG_LEVEL: 'LOUD' is not one of"),
    ],
)
def test_bad_settings_get_a_clear_message(run, variable: str, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "who is Oskar", env={variable: value})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_then_import_reports_nothing_changed(run) -> None:  # type: ignore[no-untyped-def]
    upgrade = run("db", "upgrade")
    assert upgrade.returncode == 0 and "upgraded" in upgrade.stdout
    assert "already up to date" in run("db", "upgrade").stdout
    first = run("content", "import")
    assert first.returncode == 0 and "4 created" in first.stdout
    second = run("content", "import")
    assert "0 created, 0 updated, 4 unchanged" in second.stdout


def test_no_command_prints_usage(run) -> None:  # type: ignore[no-untyped-def]
    result = run()
    assert result.returncode == 2
    assert "ask" in result.stdout and "chat" in result.stdout
