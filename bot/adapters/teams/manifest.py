"""The Teams app package: ``manifest.json`` (schema 1.17) and two icons, in a zip.

Upload the zip in Teams (*Apps → Manage your apps → Upload an app*) to sideload the bot,
or hand it to an admin for the organisation's app catalog. The icons are drawn here
with a tiny PNG writer, so the package needs no image files or libraries. The app's
name, descriptions and its "Send persona feedback" message action are in English in the
manifest and translated in one localization file per other language of the bot
(``da.json``…), which Teams shows by the user's language.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from typing import Any
from urllib.parse import urlsplit

from bot.i18n import Texts
from bot.public_url import public_base_url
from bot.settings import Settings

MANIFEST_VERSION = "1.17"
SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/"
    "MicrosoftTeams.Localization.schema.json"
)
#: The bot's other languages, each a localization file in the package.
LANGUAGES = ("da", "nb", "sv", "de", "fr")
APP_VERSION = "1.0.0"
ACCENT = (0x2E, 0x5A, 0x88)
SCOPES = ["personal", "team", "groupChat"]
COMMANDS = [
    {"title": "help", "description": "What I can do, with examples from our personas"},
    {"title": "who is", "description": "A persona's card: who is the CFO?"},
    {"title": "the customer says", "description": "How to handle an objection"},
]
#: The message-extension action; it arrives as the action "feedback:shortcut" (teams/forms.py).
FEEDBACK = "feedback"


def _texts(language: str) -> dict[str, str]:
    """The package's texts in ``language``, by the localization file's keys."""
    t = Texts(language=language)

    def text(name: str) -> str:
        return t(f"forms.teams_package.{name}")

    return {
        "name.short": "personabot",
        "name.full": text("app_name"),
        "description.short": text("app_short"),
        "description.full": text("app_long"),
        "composeExtensions[0].commands[0].title": text("action_title"),
        "composeExtensions[0].commands[0].description": text("action_description"),
    }


def localization(language: str) -> dict[str, Any]:
    """The localization file for ``language`` (``da.json``…)."""
    return {"$schema": LOCALIZATION_SCHEMA, **_texts(language)}


def manifest(settings: Settings, *, url: str) -> dict[str, Any]:
    """The app manifest for the configured bot (``MicrosoftAppId``; no password needed).

    Args:
        settings: Must hold ``microsoft_app_id``.
        url: The public https base URL of ``personabot serve``: the developer website,
            the privacy and terms pages (``/privacy``, ``/terms``, which it serves) and
            the valid domain.

    Raises:
        ValueError: Without ``MicrosoftAppId``, or for a ``url`` that is not https or
            is a placeholder such as ``https://example.com``.
    """
    app_id = settings.microsoft_app_id
    if not app_id:
        raise ValueError("MicrosoftAppId is not set (the Azure Bot's Microsoft App ID)")
    base = public_base_url(url)
    host = urlsplit(base).hostname
    english = _texts("en")
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": APP_VERSION,
        "id": app_id,
        "developer": {
            "name": "personabot",
            "websiteUrl": base,
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/terms",
        },
        "name": {"short": english["name.short"], "full": english["name.full"]},
        "description": {
            "short": english["description.short"],
            "full": english["description.full"],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": SCOPES,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": SCOPES, "commands": COMMANDS}],
            }
        ],
        "composeExtensions": [
            {
                "botId": app_id,
                "commands": [
                    {
                        "id": FEEDBACK,
                        "type": "action",
                        "title": english["composeExtensions[0].commands[0].title"],
                        "description": english["composeExtensions[0].commands[0].description"],
                        "context": ["message", "compose", "commandBox"],
                        "fetchTask": True,
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
        "localizationInfo": {
            "defaultLanguageTag": "en",
            "additionalLanguages": [
                {"languageTag": lang, "file": f"{lang}.json"} for lang in LANGUAGES
            ],
        },
    }


def package(settings: Settings, *, url: str) -> bytes:
    """The app package: a zip of ``manifest.json``, ``color.png`` and ``outline.png``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(settings, url=url), indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
        for language in LANGUAGES:
            text = json.dumps(localization(language), indent=2, ensure_ascii=False)
            archive.writestr(f"{language}.json", text)
    return out.getvalue()


def color_icon(size: int = 192) -> bytes:
    """The full-colour icon: a white "P" on the accent colour, ``size``×``size``."""
    return _png(size, lambda x, y: (255, 255, 255, 255) if _glyph(x, y, size) else (*ACCENT, 255))


def outline_icon(size: int = 32) -> bytes:
    """The outline icon: a white "P" on transparent, ``size``×``size`` (as Teams asks)."""
    return _png(size, lambda x, y: (255, 255, 255, 255) if _glyph(x, y, size) else (0, 0, 0, 0))


def _glyph(x: int, y: int, size: int) -> bool:
    """A blocky "P" in the middle of the square."""
    u, v = x / size, y / size
    stem = 0.30 <= u <= 0.42 and 0.20 <= v <= 0.80
    bowl_outer = 0.30 <= u <= 0.70 and 0.20 <= v <= 0.55
    bowl_inner = 0.42 <= u <= 0.58 and 0.30 <= v <= 0.45
    return stem or (bowl_outer and not bowl_inner)


def _png(size: int, pixel: Any) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
