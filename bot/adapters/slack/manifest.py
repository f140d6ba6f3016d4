"""The Slack app manifest, filled in with the server's public address."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

MANIFEST = Path(__file__).with_name("manifest.yaml")
PLACEHOLDER = "https://YOUR-HOST"


def manifest(base_url: str) -> str:
    """The manifest YAML with every request URL pointing at ``base_url``.

    Raises:
        ValueError: If ``base_url`` is not an absolute https URL (Slack requires one).
    """
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"{base_url!r} must be an https URL, e.g. https://bot.example.com")
    return MANIFEST.read_text(encoding="utf-8").replace(PLACEHOLDER, base_url.rstrip("/"))


def scopes() -> list[str]:
    """The bot scopes the manifest asks for (the OAuth install asks for the same)."""
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return list(data["oauth_config"]["scopes"]["bot"])
