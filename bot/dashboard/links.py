"""Sign-in through chat: single-use links and session cookies, signed with the secret key.

A link is ``<PERSONABOT_PUBLIC_URL>/admin/signin?token=<nonce>.<signature>``: the nonce is
random and stored with the admin's email (so every replica sees a link used once), the
signature an HMAC over the nonce, the email and the expiry with ``PERSONABOT_SECRET_KEY``.
A session is a cookie carrying the email and its expiry, signed the same way; nothing of
it is stored.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from bot.settings import Settings
from storage.insights_signin import SigninLinks

#: How long a link sent in chat works.
LINK_MINUTES = 15
#: How long a session lasts once signed in.
SESSION_HOURS = 8
COOKIE = "personabot_admin"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, kw_only=True)
class Signer:
    """Signs and checks links and sessions.

    Args:
        key: ``PERSONABOT_SECRET_KEY``.
        links: Where links are stored, to be used once.
        public_url: ``PERSONABOT_PUBLIC_URL`` (without a trailing slash).
    """

    key: bytes
    links: SigninLinks
    public_url: str

    def _mac(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode("utf-8")
        return _b64(hmac.new(self.key, message, hashlib.sha256).digest())

    def new_link(self, email: str, *, now: dt.datetime) -> str:
        """A fresh sign-in link for ``email``, valid for :data:`LINK_MINUTES`."""
        nonce = secrets.token_urlsafe(24)
        expires = now + dt.timedelta(minutes=LINK_MINUTES)
        self.links.add(nonce, email=email, now=now, expires_at=expires)
        signature = self._mac("link", nonce, email.casefold(), str(int(expires.timestamp())))
        return f"{self.public_url}/admin/signin?token={nonce}.{signature}"

    def check_link(self, token: str, *, now: dt.datetime) -> str | None:
        """The email a link was sent to, if it is genuine, unused and unexpired."""
        nonce, _, signature = token.partition(".")
        link = self.links.get(nonce) if nonce and signature else None
        if link is None or link.used_at is not None or link.expires_at <= now:
            return None
        expected = self._mac(
            "link", nonce, link.email.casefold(), str(int(link.expires_at.timestamp()))
        )
        return link.email if hmac.compare_digest(expected, signature) else None

    def use_link(self, token: str, *, now: dt.datetime) -> str | None:
        """Check the link and mark it used: the email for the one caller that did."""
        email = self.check_link(token, now=now)
        if email is None or not self.links.use(token.partition(".")[0], now=now):
            return None
        return email

    def session(self, email: str, *, now: dt.datetime) -> str:
        """A session cookie's value for ``email``, valid for :data:`SESSION_HOURS`."""
        expires = str(int((now + dt.timedelta(hours=SESSION_HOURS)).timestamp()))
        who = _b64(email.encode("utf-8"))
        return f"{who}.{expires}.{self._mac('session', who, expires)}"

    def check_session(self, value: str | None, *, now: dt.datetime) -> str | None:
        """The signed-in email, if the cookie is genuine and unexpired."""
        parts = (value or "").split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        who, expires, signature = parts
        if not hmac.compare_digest(self._mac("session", who, expires), signature):
            return None
        if int(expires) <= now.timestamp():
            return None
        try:
            return _unb64(who).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None


def signer_of(settings: Settings, links: SigninLinks) -> Signer | None:
    """The signer, or ``None`` when the secret key or the public URL is not set."""
    if settings.secret_key is None or not settings.public_url:
        return None
    return Signer(
        key=settings.secret_key.get_secret_value().encode("utf-8"),
        links=links,
        public_url=settings.public_url,
    )
