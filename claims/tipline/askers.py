"""Askers, pseudonymised: a salted hash of the Telegram user id stands in for the person.

The team needs to know how many different people asked the same thing (one person asking ten
times is not ten readers), never who they are. An HMAC with a secret salt makes the pseudonym
useless to anyone who reads the database without the salt: Telegram user ids are small integers,
so an unsalted hash could be reversed by trying them all.

The salt is ``CLAIMBOT_ASKER_SALT`` when set; otherwise it derives from the bot token, so every
replica agrees without configuration (changing the token then starts new pseudonyms, which only
means old and new questions of one person are counted as two askers). Without either (the command
line with no token) a random salt is used for the process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from claims.settings import Settings

ASKER_CHARS = 32
"""Hex characters kept of the HMAC: 128 bits, far beyond any collision among readers."""


def asker_salt(settings: Settings) -> bytes | None:
    """The configured salt, or one derived from the token; ``None`` when there is neither."""
    if settings.asker_salt is not None:
        return b"salt\0" + settings.asker_salt.get_secret_value().encode()
    if settings.telegram_token is not None:
        token = settings.telegram_token.get_secret_value().strip().encode()
        return hmac.new(token, b"claimbot-askers", hashlib.sha256).digest()
    return None


def random_salt() -> bytes:
    """A salt for a process (or a migration) that has no configured one."""
    return secrets.token_bytes(32)


def asker_key(user_id: int, salt: bytes) -> str:
    """The pseudonym of one Telegram user under ``salt``: the same user, the same key."""
    return hmac.new(salt, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:ASKER_CHARS]


def group_chat_id(chat_id: int | None) -> int | None:
    """The chat id worth keeping: groups and channels (negative ids) only. A private chat's id is
    the user's own id, so keeping it would undo the pseudonym."""
    return chat_id if chat_id is not None and chat_id < 0 else None
