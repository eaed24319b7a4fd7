"""One reader cannot slow the others down (issue 23.9): a token bucket per user for every message,
command, button and inline query, before any feature sees it.

A reader over the limit hears one polite "slow down" per flood (a message, a button answer, or an
empty inline answer with a button that says so) and nothing more until their bucket refills; what
they sent meanwhile is dropped. Admins are not limited. Questions also have their own, stricter
bucket (``bot.handlers.ask.admitted``), because each costs a search.
"""

from __future__ import annotations

import contextlib

from telegram import InlineQueryResultsButton, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.context import ClaimContext

SLOW_DOWN = "Slow down, please: you are sending more than I can take. Try again in a few seconds."
SLOW_DOWN_SHORT = "Slow down: too many searches at once"


async def gate(update: Update, context: ClaimContext) -> None:
    """Let the update through, or stop it (telling the user once per flood)."""
    services = context.services
    user = update.effective_user
    if user is None or services.is_admin(user.id):
        return
    wait = services.crowd.check(user.id)
    if wait is None:
        return
    if wait > 0:
        with contextlib.suppress(TelegramError):  # untold, the flood is stopped all the same
            await _slow_down(update, context)
    raise ApplicationHandlerStop


async def _slow_down(update: Update, context: ClaimContext) -> None:
    if update.inline_query is not None:
        await update.inline_query.answer([], cache_time=0, button=InlineQueryResultsButton(
            text=SLOW_DOWN_SHORT, start_parameter="slow_down"))
    elif update.callback_query is not None:
        await update.callback_query.answer(SLOW_DOWN)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, SLOW_DOWN)


def handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, gate)]
