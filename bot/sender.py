"""The digest sender: ``claims.service.types.Sender`` over PTB, with Telegram's errors mapped for delivery.

Why a bot of its own: digests are paced by ``DeliveryRunner`` (about 30 messages/s overall, 1/s per
chat, 20/min per group, and it honours 429s itself by holding the chat and moving on). Sending them
through the Application's bot would pace them a second time in ``AIORateLimiter``, whose overall and
group limiters apply to every call, and whose retry loop would swallow a 429 (sleeping, and holding
*all* of the application's requests meanwhile) instead of letting the runner serve other chats. Its
``rate_limit_args`` cannot switch that off: it is read as ``rate_limit_args or max_retries``, so 0
still means "retry", and the limiters apply regardless. So digests go out through a plain
``ExtBot`` without a rate limiter, with its own connection pool (a fan-out never starves replies
to users of connections), over the same request layer and base URL as everything else: the
production Bot API, the test emulator and the console's in-process API alike.

The Application's limiter still paces replies to users; ``bot.jobs.DIGEST_LIMITS`` leaves them
a share of Telegram's overall 30/s.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest

from bot.render import html_to_plain
from claims.service import types as delivery

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
CHAT_GONE = ("chat not found", "peer_id_invalid", "user not found")
"""400 descriptions that mean the chat no longer exists for this bot (pause, do not retry)."""


def digest_bot(*, token: str, api_url: str, request: BaseRequest | None = None,
               pool_size: int = 64) -> ExtBot[None]:
    """A bot for digests only: no rate limiter, no defaults, its own connection pool.

    ``request`` is the console's in-process Bot API; otherwise an HTTPX pool sized for the runner's
    messages in flight.
    """
    return ExtBot(
        token,
        base_url=f"{api_url}/bot",
        base_file_url=f"{api_url}/file/bot",
        request=request or HTTPXRequest(connection_pool_size=pool_size),
    )


class TelegramSender:
    """Sends one digest message as HTML; raises what ``DeliveryRunner`` acts on.

    - 429 → ``RetryAfter`` (the runner holds the chat and serves others meanwhile);
    - 403 (blocked, kicked, deactivated) → ``ChatBlocked``; 400 "chat not found" → ``ChatNotFound``
      (the runner pauses the chat's subscriptions);
    - the group became a supergroup → ``ChatMigrated`` (the runner moves it and resends);
    - any other 400 (Telegram cannot parse our entities, say): resent once as plain text, and if
      that is refused too → ``MessageRejected`` (not retried: the same text would fail again).

    Network errors and timeouts propagate unchanged: the runner retries those with backoff.
    """

    def __init__(self, bot: ExtBot[None]) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str) -> None:
        try:
            await self._send(chat_id, text, ParseMode.HTML)
            return
        except BadRequest as exc:
            log.warning("Telegram refused a digest for chat %s as HTML (%s); resending as plain text",
                        chat_id, exc.message)
            first = exc.message
        try:
            await self._send(chat_id, html_to_plain(text), None)
        except BadRequest as exc:
            raise delivery.MessageRejected(f"{first}; as plain text: {exc.message}") from exc

    async def _send(self, chat_id: int, text: str, parse_mode: str | None) -> None:
        """One ``sendMessage``; every error delivery must act on is translated, other 400s re-raised."""
        try:
            await self.bot.send_message(chat_id, text, parse_mode=parse_mode, link_preview_options=NO_PREVIEW)
        except RetryAfter as exc:
            raise delivery.RetryAfter(_seconds(exc)) from exc
        except Forbidden as exc:
            raise delivery.ChatBlocked(exc.message) from exc
        except ChatMigrated as exc:
            raise delivery.ChatMigrated(int(exc.new_chat_id)) from exc
        except BadRequest as exc:
            if any(gone in exc.message.lower() for gone in CHAT_GONE):
                raise delivery.ChatNotFound(exc.message) from exc
            raise


def _seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds whichever way PTB reports it (timedelta with PTB_TIMEDELTA, else int)."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
