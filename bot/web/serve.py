"""Serving the pages: ``claimbot web`` (the pages and the desk alone, under uvicorn) and
``claimbot run --web`` (the bot's webhook and the pages in one process, for one-command deployments).

In ``run --web`` the bot is started by hand as ``run_webhook`` would start it, but the webhook is
one more route of the web app, served by uvicorn instead of PTB's tornado server: one port, one
event loop, one ``ClaimService`` (the bot's), whose index the bot's jobs keep current. Alone,
``claimbot web`` keeps its own index current from the revision log on the same timer the bot uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import bot_token, build_application
from bot.run import ALLOWED_UPDATES, configure_logging, redact, webhook_secret
from bot.web.app import build_web_app
from claims.errors import ClaimbotError, ConfigError
from claims.service import ClaimService
from claims.settings import Settings

log = logging.getLogger(__name__)
RESERVED = ("", "claims", "speakers", "topics", "search", "desk", "auth", "static", "sitemap.xml",
            "verdicts.atom", "robots.txt")
"""First path segments the pages use, which a webhook path may not take."""


def bot_username(settings: Settings) -> str | None:
    """The bot's username for the Login Widget (``getMe``), or None when it cannot be had."""
    if settings.telegram_token is None:
        return None
    token = settings.telegram_token.get_secret_value()
    try:
        reply = httpx.get(f"{settings.telegram_api_url}/bot{token}/getMe", timeout=10, trust_env=False)
        username = reply.json().get("result", {}).get("username")
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        log.warning("Could not ask the Bot API for the bot's username (desk sign-in is off): %s",
                    redact(str(exc), token))
        return None
    return str(username) if username else None


class _Server(uvicorn.Server):
    """uvicorn, ending with status 0 on SIGTERM or Ctrl-C like ``claimbot run``: uvicorn itself
    raises the signal again after its graceful shutdown, so the process would die of it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def _uvicorn_config(app: object, *, host: str, port: int, forwarded_allow_ips: str) -> uvicorn.Config:
    # proxy_headers: behind a reverse proxy on a trusted address, X-Forwarded-For gives the client
    # (the search limit is per client) and X-Forwarded-Proto makes the session cookie Secure.
    return uvicorn.Config(app, host=host, port=port, proxy_headers=True,  # type: ignore[arg-type]
                          forwarded_allow_ips=forwarded_allow_ips, log_config=None, access_log=False,
                          server_header=False)


def serve_web(settings: Settings, *, host: str, port: int, forwarded_allow_ips: str = "127.0.0.1",
              verbose: bool = False) -> int:
    """``claimbot web``: run the pages and the desk until stopped (Ctrl-C or SIGTERM)."""
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    configure_logging(token, verbose=verbose)
    logging.getLogger("claims").setLevel(logging.INFO)
    claims = ClaimService.open(settings)
    try:
        app = build_web_app(claims, bot_username=bot_username(settings), keep_index=True, freeze_heap=True)
        log.info("Serving the pages on http://%s:%d", host, port)
        _Server(_uvicorn_config(app, host=host, port=port,
                                       forwarded_allow_ips=forwarded_allow_ips)).run()
    finally:
        claims.close()
    return 0


def webhook_path(webhook_url: str, url_path: str | None) -> str:
    """The local path the webhook is served at, refused when it would hide a page."""
    parts = urlsplit(webhook_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"--webhook needs an http(s) URL, not {webhook_url[:100]!r}.")
    path = (url_path if url_path is not None else parts.path).strip("/")
    if path.split("/")[0] in RESERVED:
        raise ConfigError("With --web the webhook needs a path of its own (such as /telegram/hook), "
                          "not one the pages use; set it in --webhook or --url-path.")
    return path


def run_bot_and_web(settings: Settings, *, webhook_url: str, listen: str, port: int, url_path: str | None,
                    secret_token: str | None, forwarded_allow_ips: str = "127.0.0.1",
                    verbose: bool = False) -> int:
    """``claimbot run --web``: the webhook and the pages on one port, until stopped."""
    token = bot_token(settings)
    configure_logging(token, verbose=verbose)
    path = webhook_path(webhook_url, url_path)
    asyncio.run(_run_together(settings, token=token, webhook_url=webhook_url, path=path, listen=listen,
                              port=port, secret=secret_token or webhook_secret(token),
                              forwarded_allow_ips=forwarded_allow_ips))
    return 0


async def _run_together(settings: Settings, *, token: str, webhook_url: str, path: str, listen: str,
                        port: int, secret: str, forwarded_allow_ips: str) -> None:
    bot = build_application(settings, freeze_heap=True)

    async def webhook(request: Request) -> Response:
        """Telegram's POST: the secret header checked, the update queued for the bot's handlers."""
        if not hmac.compare_digest(request.headers.get("x-telegram-bot-api-secret-token", ""), secret):
            return PlainTextResponse("Forbidden", status_code=403)
        try:
            update = Update.de_json(json.loads(await request.body()), bot.bot)
        except (ValueError, TypeError, KeyError):
            return PlainTextResponse("Bad update", status_code=400)
        await bot.update_queue.put(update)
        return Response(status_code=200)

    try:
        await bot.initialize()
    except InvalidToken:
        raise ClaimbotError("The Bot API rejected the bot token; check CLAIMBOT_TELEGRAM_TOKEN.") from None
    except NetworkError as exc:
        raise ClaimbotError(f"Cannot reach the Bot API: {redact(str(exc), token)}") from None
    assert bot.post_init is not None
    assert bot.post_shutdown is not None
    await bot.post_init(bot)
    await bot.start()
    try:
        await bot.bot.set_webhook(webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        app = build_web_app(bot.bot_data.services.claims, load_index=False, bot_username=bot.bot.username,
                            extra_routes=[Route(f"/{path}", webhook, methods=["POST"])])
        log.info("Serving the webhook /%s and the pages on %s:%d for %s", path, listen, port,
                 redact(webhook_url, token))
        await _Server(_uvicorn_config(app, host=listen, port=port,
                                             forwarded_allow_ips=forwarded_allow_ips)).serve()
    finally:
        await bot.stop()
        await bot.shutdown()
        await bot.post_shutdown(bot)
