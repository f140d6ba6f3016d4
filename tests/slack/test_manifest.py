"""The Slack app manifest asks for exactly what the adapter uses."""

from __future__ import annotations

import subprocess
import sys

import yaml

from bot.adapters.slack.adapter import COMMAND
from bot.adapters.slack.manifest import manifest


def test_manifest_points_every_url_at_the_server() -> None:
    data = yaml.safe_load(manifest("https://bot.example.com/"))
    settings = data["settings"]
    assert settings["event_subscriptions"]["request_url"] == "https://bot.example.com/slack/events"
    assert settings["interactivity"]["request_url"] == "https://bot.example.com/slack/events"
    assert data["oauth_config"]["redirect_urls"] == ["https://bot.example.com/slack/oauth_redirect"]
    (command,) = data["features"]["slash_commands"]
    assert command["command"] == COMMAND and command["url"].endswith("/slack/events")


def test_manifest_subscribes_to_the_events_the_adapter_handles() -> None:
    data = yaml.safe_load(manifest("https://bot.example.com"))
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
    ok = subprocess.run(
        [sys.executable, "-m", "bot", "slack-manifest", "--url", "https://bot.example.com"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and "https://bot.example.com/slack/events" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "slack-manifest", "--url", "http://insecure"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "must be an https URL" in bad.stderr
