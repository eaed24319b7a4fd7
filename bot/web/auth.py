"""Who may use the desk: the Telegram Login Widget's payload checked as Telegram documents it, a
signed session cookie, and CSRF tokens bound to that session.

Telegram signs the widget's fields with the bot token: the ``hash`` is HMAC-SHA256 over the other
fields as sorted ``key=value`` lines, keyed with SHA-256 of the token. A payload is refused when
the hash does not match, when ``auth_date`` is older than ``LOGIN_MAX_AGE`` (a replayed link) or in
the future, and when the user is not in ``CLAIMBOT_ADMIN_IDS``.

The session is stateless (a signed, expiring cookie), so every replica behind a proxy accepts it
without a session store; the signing key is derived from the bot token, like the webhook secret.
Admin rights are checked again on every request, so removing an id takes effect at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass

LOGIN_MAX_AGE = 3600
"""Seconds a widget payload stays valid after Telegram signed it."""
CLOCK_SKEW = 300
"""Seconds an ``auth_date`` may lie in the future (clocks drift)."""
SESSION_SECONDS = 12 * 3600
"""How long a desk session lasts before signing in again."""
COOKIE = "claimbot_desk"


class LoginRefused(Exception):
    """A widget payload that does not let anyone in; the message is fit to show."""


@dataclass(frozen=True, slots=True)
class Admin:
    """A signed-in desk user: the Telegram id and the name revisions record as author."""

    id: int
    name: str


def widget_hash(fields: Mapping[str, str], token: str) -> str:
    """The ``hash`` Telegram computes for these widget fields (everything but ``hash`` itself)."""
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")
    secret = hashlib.sha256(token.encode()).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def check_login(fields: Mapping[str, str], *, token: str, admin_ids: frozenset[int],
                now: float | None = None) -> Admin:
    """The admin a widget payload signs in, or ``LoginRefused`` saying why not."""
    given = fields.get("hash", "")
    # every field received is signed (Telegram's rule), so one added on the way breaks the hash
    if not given or not hmac.compare_digest(widget_hash(fields, token), given.lower()):
        raise LoginRefused("This sign-in was not signed by Telegram for this bot.")
    now = time.time() if now is None else now
    try:
        signed_at, user_id = int(fields.get("auth_date", "")), int(fields.get("id", ""))
    except ValueError:
        raise LoginRefused("This sign-in is malformed.") from None
    if now - signed_at > LOGIN_MAX_AGE or signed_at - now > CLOCK_SKEW:
        raise LoginRefused("This sign-in has expired; sign in again.")
    if user_id not in admin_ids:
        raise LoginRefused("This Telegram account is not on the claimbot team.")
    name = " ".join(p for p in (fields.get("first_name", ""), fields.get("last_name", "")) if p)
    if fields.get("username"):
        name += f" (@{fields['username']})"
    return Admin(id=user_id, name=(name.strip() or str(user_id))[:200])


class SessionSigner:
    """Signs and reads the session cookie and the CSRF tokens bound to it."""

    def __init__(self, token: str) -> None:
        self._key = hmac.new(token.encode(), b"claimbot-web-session", hashlib.sha256).digest()

    def _mac(self, purpose: bytes, payload: str) -> str:
        digest = hmac.new(self._key, purpose + payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def cookie(self, admin: Admin, *, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + SESSION_SECONDS)
        body = json.dumps({"id": admin.id, "name": admin.name, "exp": expires}, separators=(",", ":"))
        payload = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
        return f"{payload}.{self._mac(b'session:', payload)}"

    def admin(self, cookie: str | None, *, admin_ids: frozenset[int], now: float | None = None
              ) -> Admin | None:
        """The admin a cookie signs in, or None (missing, forged, expired, no longer an admin)."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, mac = cookie.split(".")
        if not hmac.compare_digest(self._mac(b"session:", payload), mac):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            admin, expires = Admin(id=int(data["id"]), name=str(data["name"])), int(data["exp"])
        except (ValueError, KeyError, TypeError):
            return None
        if expires < (time.time() if now is None else now) or admin.id not in admin_ids:
            return None
        return admin

    def csrf(self, cookie: str) -> str:
        """The token every desk form carries: bound to this session, useless with any other."""
        return self._mac(b"csrf:", cookie)

    def csrf_ok(self, cookie: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(cookie), token)
