"""The Slack app manifest asks for exactly what the adapter uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.adapters.slack.adapter import COMMAND
from bot.adapters.slack.manifest import manifest, socket_mode_manifest

ROOT = Path(__file__).resolve().parents[2]
URL = "https://personabot.fieldline.dev"


def slack_manifest(*args: str) -> subprocess.CompletedProcess[str]:
    """``personabot slack-manifest ARGS`` as a process running this tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONABOT_", "SLACK_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", "slack-manifest", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def urls(data: object) -> list[str]:
    """Every string in the manifest that looks like an address."""
    if isinstance(data, dict):
        return [url for value in data.values() for url in urls(value)]
    if isinstance(data, list):
        return [url for value in data for url in urls(value)]
    return [data] if isinstance(data, str) and "://" in data else []


def test_manifest_points_every_url_at_the_server() -> None:
    data = yaml.safe_load(manifest(URL + "/"))
    settings = data["settings"]
    assert settings["event_subscriptions"]["request_url"] == f"{URL}/slack/events"
    assert settings["interactivity"]["request_url"] == f"{URL}/slack/events"
    assert data["oauth_config"]["redirect_urls"] == [f"{URL}/slack/oauth_redirect"]
    (command,) = data["features"]["slash_commands"]
    assert command["command"] == COMMAND and command["url"].endswith("/slack/events")


def test_manifest_subscribes_to_the_events_the_adapter_handles() -> None:
    data = yaml.safe_load(manifest(URL))
    assert sorted(data["settings"]["event_subscriptions"]["bot_events"]) == [
        "app_home_opened",
        "app_mention",
        "app_uninstalled",
        "message.im",
        "tokens_revoked",
    ]
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    # Exactly what the adapter calls for: mentions, answers (also to channels the bot is
    # not in, for notify), /persona, DMs (read them, open them), who is asking (email).
    assert sorted(data["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read",
        "chat:write",
        "chat:write.public",
        "commands",
        "im:history",
        "im:write",
        "users:read",
        "users:read.email",
    ]


def test_slack_manifest_command() -> None:
    ok = slack_manifest("--url", URL)
    assert ok.returncode == 0 and f"{URL}/slack/events" in ok.stdout
    assert yaml.safe_load(ok.stdout)["settings"]["socket_mode_enabled"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "slack-manifest needs --url https://HOST"),
        (["--url", "http://insecure"], "must be an https URL"),
        (["--url", "https://your.host"], "is a placeholder"),
        (["--url", "https://example.com"], "is a placeholder"),
    ],
)
def test_slack_manifest_without_a_usable_mode_is_one_clear_line(
    args: list[str], message: str
) -> None:
    bad = slack_manifest(*args)
    assert bad.returncode == 2 and bad.stdout == ""
    (line,) = bad.stderr.splitlines()
    assert line.startswith("personabot: ") and message in line


def test_socket_mode_manifest_has_no_urls_and_asks_for_the_same_things() -> None:
    result = slack_manifest("--socket-mode")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout)
    assert data == yaml.safe_load(socket_mode_manifest())
    assert data["settings"]["socket_mode_enabled"] is True
    assert urls(data) == []  # Slack needs no address: events come over the WebSocket
    http = yaml.safe_load(manifest(URL))
    # The same events, interactivity, scopes and /persona as over HTTP.
    for part in (data, http):
        part["settings"].pop("socket_mode_enabled")
        part["settings"]["event_subscriptions"].pop("request_url", None)
        part["settings"]["interactivity"].pop("request_url", None)
        part["features"]["slash_commands"][0].pop("url", None)
        part["oauth_config"].pop("redirect_urls", None)
    assert data == http


def test_socket_mode_and_url_together_are_refused() -> None:
    both = slack_manifest("--socket-mode", "--url", URL)
    assert both.returncode == 2 and both.stdout == ""
