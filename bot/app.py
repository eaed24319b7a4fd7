"""The application factory: one ``build_application(settings)`` for ``claimbot run``, the tests and
the offline console, which differ only in the request layer they pass (PTB's seam to Telegram).

The store is opened here, synchronously, so a bad database or configuration fails before any call
to Telegram; the index (seconds at 100,000 claims) is loaded in ``post_init``, before polling.
``post_init`` also starts digest delivery and adds the digest and feed jobs to PTB's JobQueue
(``bot.jobs``) and, when configured, the admins' weekly digest of unanswered questions
(``bot.handlers.tipline``); ``post_shutdown`` stops delivery, handing unsent digests back to the outbox.
"""

from __future__ import annotations

import logging
import os
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    ContextTypes,
    Defaults,
)
from telegram.request import BaseRequest

from bot.context import BotData, BotServices, ClaimApp, ClaimContext, FloodControl
from bot.digests import Delivery, DigestConfig
from bot.handlers import register
from bot.handlers.start import register_menus
from bot.handlers.tipline import schedule_weekly_digest
from bot.heap import freeze_loaded_state
from bot.jobs import schedule_jobs
from bot.render import CallbackCodec
from bot.updates import PerChatOrder
from claims.errors import ConfigError
from claims.service import ClaimService
from claims.service.tipline import digest_slot
from claims.settings import Settings

log = logging.getLogger(__name__)
TOKEN_FORMAT = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")


def bot_token(settings: Settings) -> str:
    """The token, or a one-line ``ConfigError`` that says what is wrong (never the token itself)."""
    if settings.telegram_token is None:
        raise ConfigError(
            "No Telegram bot token: set CLAIMBOT_TELEGRAM_TOKEN to the token @BotFather gave you."
        )
    token = settings.telegram_token.get_secret_value().strip()
    if not TOKEN_FORMAT.match(token):
        raise ConfigError("CLAIMBOT_TELEGRAM_TOKEN does not look like a bot token "
                          "(expected digits, a colon and 35 letters, e.g. 123456:ABC-DEF...).")
    return token


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter | bool = True,
    flood: FloodControl | None = None,
    crowd: FloodControl | None = None,
    digests: DigestConfig | None = None,
    freeze_heap: bool = False,
) -> ClaimApp:
    """The bot, ready to ``run_polling``/``run_webhook`` or to start by hand (tests, console).

    ``request`` replaces PTB's HTTP client (the console's in-process Bot API); ``rate_limiter=False``
    turns off the outgoing limiter (benchmarks measuring the bot rather than Telegram's limits);
    ``digests`` sets how often digests and feeds are looked at (``bot.jobs.DigestConfig``);
    ``freeze_heap`` freezes the start-up state once the index is loaded (``bot.heap``; the long-running
    ``claimbot run``, not tests, which start many bots in one process).
    """
    # PTB 22 warns on every RetryAfter unless the process opts in to the timedelta durations that
    # PTB 23 makes the default; we opt in (nothing here reads durations as integers).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    token = bot_token(settings)
    try:
        tz = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"Unknown time zone {settings.timezone!r} (use a name such as Europe/Berlin)."
        ) from None
    digest_slot(settings)  # a malformed weekly digest time fails here, not at its first run
    claims = ClaimService.open(settings)
    # Digests go out through a bot of their own, paced by the delivery runner (see bot/sender.py).
    delivery = Delivery(claims, token=token, config=digests or DigestConfig.from_settings(settings),
                        request=request)
    services = BotServices(claims=claims, codec=CallbackCodec(token.encode()), tz=tz, delivery=delivery,
                           flood=flood or FloodControl(), freeze_heap=freeze_heap)
    if crowd is not None:
        services.crowd = crowd
    api = settings.telegram_api_url
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=tz,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .context_types(ContextTypes(context=ClaimContext, bot_data=BotData))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .concurrent_updates(PerChatOrder())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limiter is True:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))  # type: ignore[arg-type]
    elif isinstance(rate_limiter, BaseRateLimiter):
        builder = builder.rate_limiter(rate_limiter)
    app: ClaimApp = builder.build()  # type: ignore[assignment]
    app.bot_data.services = services
    register(app, services)
    return app


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    services: BotServices = app.bot_data.services
    indexed = await services.call(services.claims.load_index)
    if services.freeze_heap:
        freeze_loaded_state()
    await register_menus(app.bot, services.settings.admin_ids)
    await services.delivery.start()
    schedule_jobs(app)  # type: ignore[arg-type]
    schedule_weekly_digest(app)  # type: ignore[arg-type]
    log.info("claimbot is up as @%s with %d claims indexed", app.bot.username, indexed)


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    services: BotServices = app.bot_data.services
    await services.delivery.stop()
    await services.call(services.claims.save_index)  # the next start loads it instead of rebuilding
    services.claims.close()
