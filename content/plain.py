"""Take what is not words out of a question before it is understood.

Chat text carries markup a seller did not mean as a question: HTML or Slack tags
(``<script>…</script>``, ``<!channel>``, ``<@U123>``), broadcast mentions (``@here``),
links, e-mail addresses, ``:emoji:`` codes and code fences. Left in, their letters read
as words ("script", "channel") and match objections by accident.
"""

from __future__ import annotations

import html
import re

# Elements whose content is code, not text.
_CODE_ELEMENTS = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S)
# Slack links keep their label: <https://x.example|the offer> → "the offer".
_LABELLED = re.compile(r"<(?:https?://|mailto:|tel:)[^|>\s]*\|([^>]*)>", re.I)
# Slack specials (<!channel>, <@U123>, <#C1|general>) and HTML tags.
_TAG = re.compile(r"</?[!@#A-Za-z/][^<>]*>")
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_BROADCAST = re.compile(r"(?<!\w)@(?:channel|here|everyone|all|kanal|alle)\b", re.I)
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]+(?:::skin-tone-\d)?:", re.I)
_FENCE = re.compile(r"```+")


def plain(text: str) -> str:
    """``text`` without markup, links, mentions of everyone and emoji codes.

    Args:
        text: A question as typed or as a chat platform delivered it.

    Returns:
        The words a person wrote, with spaces where markup stood.
    """
    text = html.unescape(text)
    text = _CODE_ELEMENTS.sub(" ", text)
    text = _LABELLED.sub(r" \1 ", text)
    text = _TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _BROADCAST.sub(" ", text)
    text = _EMOJI_CODE.sub(" ", text)
    text = _FENCE.sub(" ", text)
    return text
