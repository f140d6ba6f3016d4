"""The privacy and terms pages ``personabot serve`` answers at ``/privacy`` and ``/terms``.

The Teams app package links to both (Teams requires the links). The admin's text
(``PERSONABOT_PRIVACY_TEXT``, ``PERSONABOT_TERMS_TEXT``) is shown as plain text, escaped;
without it, a default in the pack's language says what the bot stores and who operates
it (``PERSONABOT_OPERATOR``).
"""

from __future__ import annotations

import html
import re
from typing import Literal

from bot.i18n import Texts
from bot.settings import Settings

Page = Literal["privacy", "terms"]
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def legal_page(kind: Page, *, settings: Settings, texts: Texts) -> str:
    """The page as a complete, small HTML document.

    Args:
        kind: ``privacy`` or ``terms``.
        settings: Where the admin's text and the operator come from.
        texts: The pack's language, for the title and the default text.
    """
    own = settings.privacy_text if kind == "privacy" else settings.terms_text
    if own and own.strip():
        text = own
    else:
        operator = (settings.operator or "").strip() or texts("legal.operator_unknown")
        text = texts(f"legal.{kind}", operator=operator)
    title = texts(f"legal.{kind}_title")
    paragraphs = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line.strip()) for line in part.splitlines()) + "</p>"
        for part in _PARAGRAPH_BREAK.split(text.strip().replace("\r\n", "\n"))
    )
    language = html.escape(texts.language)
    return (
        f'<!doctype html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>personabot · {html.escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;"
        "padding:0 1em;line-height:1.5}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{paragraphs}\n</body>\n</html>\n"
    )
