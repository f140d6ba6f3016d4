"""The public address of ``personabot serve``, as the Slack manifest and Teams package need it."""

from __future__ import annotations

from urllib.parse import urlsplit

# Hosts that only ever stand for "your address here": documentation examples (RFC 2606,
# RFC 6761) and the placeholders of this project's own README and manifest.
PLACEHOLDER_HOSTS = frozenset(
    {"example.com", "example.net", "example.org", "localhost", "your.host", "your-host"}
)
PLACEHOLDER_SUFFIXES = (".example", ".invalid", ".localhost", ".test")


def public_base_url(url: str) -> str:
    """``url`` without a trailing slash, if it can be the server's public https address.

    Raises:
        ValueError: In one line, if ``url`` is not an absolute https URL or is a
            placeholder (``https://example.com``, ``https://your.host``, …) that Slack
            or Teams would call in vain.
    """
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{url!r} must be an https URL: the public address of `personabot serve`")
    host = parts.hostname.rstrip(".")
    if (
        host in PLACEHOLDER_HOSTS
        or host.endswith(PLACEHOLDER_SUFFIXES)
        or any(host.endswith("." + name) for name in PLACEHOLDER_HOSTS)
    ):
        raise ValueError(f"{url!r} is a placeholder; give the public address of `personabot serve`")
    return url.strip().rstrip("/")


def http_base_url(url: str) -> str:
    """``url`` without a trailing slash, if it is an http(s) address with a host.

    Raises:
        ValueError: In one line, if it is not (a query or fragment included).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"{url!r} is not an http(s) address (e.g. https://bot.example.org)")
    return url.strip().rstrip("/")
