"""``claimbot run``: long polling, or a webhook behind a reverse proxy, with the token kept out of logs.

httpx logs every request URL at INFO level, and Bot API URLs contain the token; so httpx is held at
WARNING, and every log handler formats through ``RedactingFormatter`` as a second guard.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import bot_token, build_application
from claims.errors import ClaimbotError, ConfigError
from claims.settings import Settings

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
_TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


class RedactingFormatter(logging.Formatter):
    """Formats as the wrapped formatter does, then blanks the token wherever it appears."""

    def __init__(self, inner: logging.Formatter | None, token: str) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        return _TOKEN_IN_URL.sub("bot<token>", text.replace(self.token, "<token>"))


class _QuietBootstrap(logging.Filter):
    """PTB logs a failed start-up (bad token, API unreachable) with a traceback; ``run_bot`` reports
    the same failure as one line, so those records are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "(Bootstrap" not in record.getMessage()


def configure_logging(token: str, *, verbose: bool = False) -> None:
    """Operator-friendly levels for a long-running bot, and the token redacted on every handler."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not isinstance(handler.formatter, RedactingFormatter):
            handler.setFormatter(RedactingFormatter(handler.formatter, token))
    logging.getLogger("bot").setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO if verbose else logging.WARNING)
    ext = logging.getLogger("telegram.ext")
    if not any(isinstance(f, _QuietBootstrap) for f in ext.filters):
        ext.addFilter(_QuietBootstrap())
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def webhook_secret(token: str) -> str:
    """A secret for Telegram's X-Telegram-Bot-Api-Secret-Token header, derived from the token.

    Derived rather than random so every replica behind the proxy, and every restart, agrees on it
    without more configuration; it reveals nothing about the token.
    """
    mac = hmac.new(token.encode(), b"claimbot-webhook-secret", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def run_bot(
    settings: Settings,
    *,
    webhook_url: str | None = None,
    listen: str = "127.0.0.1",
    port: int = 8443,
    url_path: str | None = None,
    secret_token: str | None = None,
    verbose: bool = False,
) -> int:
    """Run until stopped (Ctrl-C or SIGTERM); token problems become one-line ``ClaimbotError``s."""
    token = bot_token(settings)
    configure_logging(token, verbose=verbose)
    app = build_application(settings)
    try:
        if webhook_url:
            parts = urlsplit(webhook_url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ConfigError(f"--webhook needs an http(s) URL, not {webhook_url[:100]!r}.")
            path = url_path if url_path is not None else parts.path.lstrip("/")
            log.info("Starting webhook on %s:%d/%s for %s", listen, port, path, webhook_url)
            app.run_webhook(listen=listen, port=port, url_path=path, webhook_url=webhook_url,
                            secret_token=secret_token or webhook_secret(token),
                            allowed_updates=ALLOWED_UPDATES)
        else:
            log.info("Starting long polling against %s", settings.telegram_api_url)
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise ClaimbotError(f"The Bot API at {settings.telegram_api_url} rejected the bot token; "
                            "check CLAIMBOT_TELEGRAM_TOKEN.") from None
    except NetworkError as exc:
        raise ClaimbotError(f"Cannot reach the Bot API at {settings.telegram_api_url}: "
                            f"{_TOKEN_IN_URL.sub('bot<token>', str(exc))}") from None
    return 0
