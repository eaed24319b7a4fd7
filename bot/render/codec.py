"""Signed, compact callback data for inline buttons (Telegram allows 64 bytes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    """A decoded, verified button press."""

    kind: str
    """``h``: history of claim ``a``; ``m``: page ``b`` of the answers to question ``a``;
    ``fa``: follow the topic of claim ``a`` (the Follow button on answers); ``ft``/``fs``/``fc``:
    follow topic/speaker/claim ``a`` on schedule ``b`` (``schedule_code``), the choices offered for
    an ambiguous name; ``u``: remove subscription ``a``."""
    a: int
    b: int = 0


class CallbackCodec:
    """Compact, signed callback data (Telegram allows 64 bytes), so forged presses are recognised.

    The key derives from the bot token: buttons stay valid across restarts and replicas.
    """

    _PATTERN = re.compile(r"^(h|m|fa|ft|fs|fc|u):(\d{1,12})(?::(\d{1,6}))?:([A-Za-z0-9_-]{10})$")

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"claimbot-buttons\0" + secret).digest()

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode()[:10]

    def encode(self, kind: str, a: int, b: int | None = None) -> str:
        payload = f"{kind}:{a}" if b is None else f"{kind}:{a}:{b}"
        return f"{payload}:{self._sign(payload)}"

    def decode(self, data: str | None) -> Button | None:
        """The button, or ``None`` for anything malformed or not signed by us."""
        m = self._PATTERN.match(data or "")
        if m is None:
            return None
        kind, a, b, sig = m.groups()
        payload = f"{kind}:{a}" if b is None else f"{kind}:{a}:{b}"
        if not hmac.compare_digest(sig, self._sign(payload)):
            return None
        return Button(kind, int(a), int(b or 0))
