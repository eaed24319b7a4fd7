"""``claimbot run``: long polling, or a webhook behind a reverse proxy, with the token kept out of logs.

httpx logs every request URL at INFO level, and Bot API URLs contain the token; so httpx is held at
WARNING, and every log handler formats through ``RedactingFormatter`` as a second guard.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext

from bot.app import bot_token, build_application
from claims.errors import ClaimbotError, ConfigError
from claims.settings import Settings

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
_TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/\s@]+@")
CONFLICT = ("Telegram refused getUpdates with 409 Conflict: another process (a second claimbot, or "
            "something else using this bot token, or a webhook) is already receiving this bot's "
            "updates, and only one can. Stopping; stop the other one or use --webhook.")


def redact(text: str, token: str) -> str:
    """``text`` without the bot token and without credentials in any URL (``user:pass@``)."""
    if token:
        text = text.replace(token, "<token>")
    return _URL_CREDENTIALS.sub("", _TOKEN_IN_URL.sub("bot<token>", text))


class RedactingFormatter(logging.Formatter):
    """Formats as the wrapped formatter does, then blanks the token and URL credentials."""

    def __init__(self, inner: logging.Formatter | None, token: str) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record), self.token)


class _QuietBootstrap(logging.Filter):
    """PTB logs a failed start-up (bad token, API unreachable) with a traceback; ``run_bot`` reports
    the same failure as one line, so those records are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "(Bootstrap" not in record.getMessage()


class _QuietConflict(logging.Filter):
    """On the way out PTB calls getUpdates once more, meets the same 409 and logs its traceback;
    ``stop_on_conflict`` has explained the conflict already, so that record is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], Conflict))


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
    api = settings.telegram_api_url_for_logs()
    app = build_application(settings, freeze_heap=True)
    conflict = stop_on_conflict(app)
    try:
        if webhook_url:
            parts = urlsplit(webhook_url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ConfigError(f"--webhook needs an http(s) URL, not {webhook_url[:100]!r}.")
            path = url_path if url_path is not None else parts.path.lstrip("/")
            log.info("Starting webhook on %s:%d/%s for %s", listen, port, path, redact(webhook_url, token))
            app.run_webhook(listen=listen, port=port, url_path=path, webhook_url=webhook_url,
                            secret_token=secret_token or webhook_secret(token),
                            allowed_updates=ALLOWED_UPDATES)
        else:
            log.info("Starting long polling against %s", api)
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise ClaimbotError(f"The Bot API at {api} rejected the bot token; "
                            "check CLAIMBOT_TELEGRAM_TOKEN.") from None
    except Conflict:
        raise ClaimbotError(CONFLICT) from None
    except NetworkError as exc:
        raise ClaimbotError(f"Cannot reach the Bot API at {api}: {redact(str(exc), token)}") from None
    if conflict.is_set():
        raise ClaimbotError(CONFLICT)
    return 0


def stop_on_conflict(app: Application) -> asyncio.Event:  # type: ignore[type-arg]
    """Put an error handler first that stops the bot on 409 Conflict, with one explanation.

    PTB retries a failed getUpdates for ever, and the generic handler would log each Conflict as an
    unexpected error; two pollers on one token cannot both work, so waiting does not help.
    The returned event is set when that happened.
    """
    seen = asyncio.Event()

    async def on_conflict(update: object, context: CallbackContext) -> None:  # type: ignore[type-arg]
        if not isinstance(context.error, Conflict):
            return
        if not seen.is_set():
            seen.set()
            log.error(CONFLICT)
            context.application.stop_running()
        raise ApplicationHandlerStop

    updater_log = logging.getLogger("telegram.ext.Updater")
    if not any(isinstance(f, _QuietConflict) for f in updater_log.filters):
        updater_log.addFilter(_QuietConflict())
    others = dict(app.error_handlers)
    app.error_handlers.clear()
    app.add_error_handler(on_conflict)
    for callback, block in others.items():
        app.add_error_handler(callback, block=block)
    return seen
