"""The Slack app manifest: for HTTP (request URLs at the server's address) or Socket Mode."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.public_url import public_base_url

MANIFEST = Path(__file__).with_name("manifest.yaml")
PLACEHOLDER = "https://YOUR-HOST"


def manifest(base_url: str) -> str:
    """The manifest YAML with every request URL pointing at ``base_url`` (HTTP mode).

    Raises:
        ValueError: If ``base_url`` is not an absolute https URL (Slack requires one) or
            is a placeholder such as ``https://example.com``.
    """
    return MANIFEST.read_text(encoding="utf-8").replace(PLACEHOLDER, public_base_url(base_url))


def socket_mode_manifest() -> str:
    """The manifest YAML for Socket Mode: ``socket_mode_enabled: true`` and no URLs.

    Slack then delivers events, button clicks and ``/persona`` over the WebSocket that
    ``personabot serve`` opens with ``SLACK_APP_TOKEN``; nothing needs a public address.
    The multi-workspace OAuth install does (its redirect URL), so it is HTTP mode only.
    """
    lines = MANIFEST.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [
        line.replace("socket_mode_enabled: false", "socket_mode_enabled: true")
        for line in lines
        if PLACEHOLDER not in line and line.strip() != "redirect_urls:"
    ]
    return "".join(kept)


def scopes() -> list[str]:
    """The bot scopes the manifest asks for (the OAuth install asks for the same)."""
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return list(data["oauth_config"]["scopes"]["bot"])
