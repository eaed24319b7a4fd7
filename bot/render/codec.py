"""Signed, compact callback data for inline buttons (Telegram allows 64 bytes).

Each button family has a readable prefix (``ButtonKind``); the feature that owns a family registers
its handler with ``pattern=button_pattern(kind)``, so the routing is visible where handlers are
registered rather than hidden in one dispatcher.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum


class ButtonKind(StrEnum):
    """What a button does, and the prefix of its callback data."""

    HISTORY = "history"  # the history of claim ``a``
    MORE = "more"  # page ``b`` of the answers to logged question ``a``
    FOLLOW = "follow"  # follow the topic of claim ``a`` (the Follow button on answers)
    PICK_TOPIC = "pick_t"  # follow topic ``a`` on schedule ``b``: a choice for an ambiguous name
    PICK_SPEAKER = "pick_s"  # the same for speaker ``a``
    PICK_CLAIM = "pick_c"  # the same for claim ``a``
    UNSUBSCRIBE = "unsub"  # remove subscription ``a``
    CLAIMS_PAGE = "claims"  # page ``b`` of the /claims list whose scope has code ``a`` (``ClaimScope``)
    HANDLED = "handled"  # the team handled the unanswered group holding question ``a``; list of ``b`` days
    INGEST_LINK = "ingest"  # an admin ingests reported link ``a``
    TIMELINE = "tline"  # page ``b`` of the timeline of speaker and topic ``a`` (``timeline_scope``)
    CHANGES = "changes"  # page ``b`` of /changes
    FORGET = "forget"  # reader ``a`` confirms (``b`` 1) or cancels (0) /forget


def button_pattern(*kinds: ButtonKind) -> str:
    """The ``CallbackQueryHandler`` pattern for these button families."""
    return "^(?:" + "|".join(k.value for k in kinds) + "):"


@dataclass(frozen=True, slots=True)
class Button:
    """A decoded, verified button press."""

    kind: ButtonKind
    a: int
    b: int = 0


class CallbackCodec:
    """Compact, signed callback data (Telegram allows 64 bytes), so forged presses are recognised.

    The key derives from the bot token: buttons stay valid across restarts and replicas.
    """

    _PATTERN = re.compile(r"^([a-z_]{1,12}):([0-9]{1,12})(?::([0-9]{1,6}))?:([A-Za-z0-9_-]{10})$")

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"claimbot-buttons\0" + secret).digest()

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode()[:10]

    def encode(self, kind: ButtonKind, a: int, b: int | None = None) -> str:
        payload = f"{kind.value}:{a}" if b is None else f"{kind.value}:{a}:{b}"
        return f"{payload}:{self._sign(payload)}"

    def decode(self, data: str | None) -> Button | None:
        """The button, or ``None`` for anything malformed or not signed by us."""
        m = self._PATTERN.match(data or "")
        if m is None:
            return None
        kind, a, b, sig = m.groups()
        payload = f"{kind}:{a}" if b is None else f"{kind}:{a}:{b}"
        if not hmac.compare_digest(sig, self._sign(payload)) or kind not in _KINDS:
            return None
        return Button(ButtonKind(kind), int(a), int(b or 0))


_KINDS = frozenset(k.value for k in ButtonKind)
