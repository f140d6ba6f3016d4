"""``personabot config check`` and clear configuration errors, as an operator sees them."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from bot.settings import Settings, env_name
from content.loader import EXAMPLE_PACK

README = Path(__file__).parents[2] / "README.md"
TOKEN = "xoxb-1111-2222-SECRETVALUE"
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
PASSWORD = "pg-Pa55word"


def test_check_prints_every_setting_with_secrets_masked_and_sources(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text(f"SLACK_SIGNING_SECRET={SIGNING}\n")
    result = run(
        "config",
        "check",
        env={"SLACK_BOT_TOKEN": TOKEN, "MicrosoftAppType": "MultiTenant"},
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for field in Settings.model_fields:
        assert env_name(field) in out
    assert TOKEN not in out and SIGNING not in out
    assert re.search(r"SLACK_BOT_TOKEN\s+\*\*\* \(set\)\s+\[environment\]", out)
    assert re.search(r"SLACK_SIGNING_SECRET\s+\*\*\* \(set\)\s+\[\.env\]", out)
    assert re.search(r"PERSONABOT_PORT\s+3978\s+\[default\]", out)
    assert re.search(r"PERSONABOT_PRIVACY_TEXT\s+\(default text\)\s+\[default\]", out)
    assert "platforms: Slack (HTTP, /slack/events)" in out
    assert "content: ok: Fieldline" in out
    assert "database: ok:" in out
    # Checking does not create the SQLite file; serve does.
    assert not (tmp_path / "cli.db").exists()


def test_a_database_password_is_masked(run) -> None:  # type: ignore[no-untyped-def]
    url = f"postgresql://bot:{PASSWORD}@127.0.0.1:1/personabot"
    result = run("config", "check", env={"PERSONABOT_DATABASE_URL": url})
    assert PASSWORD not in result.stdout + result.stderr
    assert "postgresql://bot:***@127.0.0.1:1/personabot" in result.stdout
    # Nothing listens on port 1: the check fails, in one line, without a traceback.
    assert result.returncode == 1
    assert re.search(
        r"database: FAILED: postgresql://bot:\*\*\*@127\.0\.0\.1:1/\S+: .+", result.stdout
    )
    assert "configuration check failed: database" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_pack_fails_the_check_naming_file_and_field(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    persona = next((pack / "personas").glob("*.yaml"))
    persona.write_text(persona.read_text().replace("summary:", "sumary:", 1))
    result = run("config", "check", "--content", str(pack))
    assert result.returncode == 1
    assert f"content: FAILED: {pack}: personas/{persona.name}: summary: required" in result.stdout
    assert re.search(r"PERSONABOT_CONTENT\s+\S+pack\s+\[command line\]", result.stdout)


@pytest.mark.parametrize(
    "env, line",
    [
        (
            {"SLACK_BOT_TOKEN": TOKEN},
            "personabot: SLACK_SIGNING_SECRET: required to verify Slack's requests in HTTP mode",
        ),
        (
            {"SLACK_CLIENT_ID": "123.456"},
            "personabot: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: set both",
        ),
        ({"MicrosoftAppId": "0000-app"}, "personabot: MicrosoftAppPassword: required"),
        (
            {
                "MicrosoftAppId": "0000-app",
                "MicrosoftAppPassword": "pw",
                "PERSONABOT_TEAMS_LOCAL": "1",
            },
            "personabot: PERSONABOT_TEAMS_LOCAL and MicrosoftAppId: local mode runs without",
        ),
        ({"PERSONABOT_PORT": "99999"}, "personabot: PERSONABOT_PORT: "),
        ({"PERSONABOT_LOG_FORMAT": "xml"}, "personabot: PERSONABOT_LOG_FORMAT: 'xml' is not one"),
        (
            {"PERSONABOT_LLM_URL": "http://127.0.0.1:11434/v1"},
            "personabot: PERSONABOT_LLM_MODEL: required with PERSONABOT_LLM_URL",
        ),
        ({"PERSONABOT_LLM_URL": "localhost:11434"}, "personabot: PERSONABOT_LLM_URL: not an http"),
    ],
)
@pytest.mark.parametrize("command", [("config", "check"), ("serve",)])
def test_a_contradictory_or_invalid_setting_is_one_clear_line(run, env, line, command) -> None:  # type: ignore[no-untyped-def]
    result = run(*command, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(line), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert TOKEN not in result.stderr


def test_a_misspelt_variable_is_pointed_out(run) -> None:  # type: ignore[no-untyped-def]
    result = run("config", "check", env={"PERSONABOT_DATABSE_URL": "sqlite:///x.db"})
    assert result.returncode == 0
    assert (
        "warning: PERSONABOT_DATABSE_URL: not a personabot setting, ignored "
        "(did you mean PERSONABOT_DATABASE_URL?)" in result.stdout
    )


def test_the_readme_has_one_table_of_every_setting() -> None:
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `")]
    documented = {re.match(r"\| `([^`]+)`", row).group(1) for row in rows}  # type: ignore[union-attr]
    assert {env_name(field) for field in Settings.model_fields} <= documented


def test_a_port_in_use_is_one_clear_line(run) -> None:  # type: ignore[no-untyped-def]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", env={"PERSONABOT_HOST": "127.0.0.1", "PERSONABOT_PORT": str(port)})
    assert result.returncode == 1
    assert f"personabot: cannot listen on 127.0.0.1:{port}: " in result.stderr
    assert "address already in use" in result.stderr
    assert "Traceback" not in result.stderr
    # Serving is announced only once the server listens, so never here.
    assert "serving" not in result.stderr


@pytest.mark.parametrize("log_format", ["json", "text", "auto"])
def test_the_log_format_setting_chooses_json_or_text(run, log_format: str) -> None:  # type: ignore[no-untyped-def]
    env = {"PERSONABOT_LOG_FORMAT": log_format, "PERSONABOT_LOG_LEVEL": "INFO"}
    result = run("ask", "who is Oskar?", env=env)
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    if log_format == "text":
        assert first.endswith("upgrading database schema") and not first.startswith("{")
    else:  # auto: standard error is a pipe here, so JSON
        assert json.loads(first)["message"] == "upgrading database schema"


def test_the_pages_texts_are_shown_on_one_line(run) -> None:  # type: ignore[no-untyped-def]
    text = "We keep your questions for a year.\n\nAsk Sales Ops to see or delete them."
    result = run("config", "check", env={"PERSONABOT_TERMS_TEXT": text})
    (line,) = [line for line in result.stdout.splitlines() if "PERSONABOT_TERMS_TEXT" in line]
    assert "We keep your questions for a year. Ask Sales Ops" in line
    assert line.rstrip().endswith("[environment]")


LLM_KEY = "sk-proj-0123456789abcdefghijklmnopqrstuv"


def test_the_llm_voice_is_shown_with_the_key_masked(run) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PERSONABOT_LLM_URL": "http://proxy:Pr0xyPass@127.0.0.1:9/v1",
        "PERSONABOT_LLM_API_KEY": LLM_KEY,
        "PERSONABOT_LLM_MODEL": "llama3.1:8b",
        "PERSONABOT_LLM_TIMEOUT": "2.5",
    }
    result = run("config", "check", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert LLM_KEY not in out and "Pr0xyPass" not in out
    assert re.search(r"PERSONABOT_LLM_API_KEY\s+\*\*\* \(set\)\s+\[environment\]", out)
    assert re.search(r"PERSONABOT_LLM_MODEL\s+llama3\.1:8b\s+\[environment\]", out)
    assert re.search(r"PERSONABOT_LLM_TIMEOUT\s+2\.5\s+\[environment\]", out)
    assert (
        "llm voice: llama3.1:8b at http://proxy:***@127.0.0.1:9/v1, timeout 2.5 s, "
        f"key *** (set, {len(LLM_KEY)} chars)"
    ) in out


def test_the_llm_voice_is_off_by_default(run) -> None:  # type: ignore[no-untyped-def]
    result = run("config", "check")
    assert result.returncode == 0, result.stderr
    assert "llm voice: off (scripted lines" in result.stdout
    assert re.search(r"PERSONABOT_LLM_URL\s+\(off: scripted lines\)\s+\[default\]", result.stdout)
    assert re.search(r"PERSONABOT_LLM_API_KEY\s+\(empty\)\s+\[default\]", result.stdout)
