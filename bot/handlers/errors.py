"""The one error handler: log with context first, then tell the user something short.

Errors users cause (``ClaimbotError``: bad arguments, unknown ids, unreadable articles) are
answered with their message and logged at info level by their kind alone: the message quotes what
the user typed, and no user text goes into the logs (a log outlives a question and has more
readers). Telegram refusing to deliver (blocked bot, kicked from a group, rate limits) is logged,
not answered: there is no one to answer. Anything else is a bug: logged with its traceback, and
the user hears that something went wrong.
"""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import render
from bot.context import ClaimContext
from claims.errors import ClaimbotError

log = logging.getLogger(__name__)
SORRY = "Sorry, something went wrong on my side. It has been logged; please try again later."


_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}")


def command_word(text: str) -> str:
    """The command a message starts with, for the log: ``/claim`` from ``/claim@bot 12``; only
    Telegram's command characters, so nothing else the user typed gets through."""
    m = _COMMAND.match(text)
    return m.group(0) if m else "a command"


def describe(update: object) -> str:
    """Who and what, for the log: update id, user, chat and the command (never a whole question)."""
    if not isinstance(update, Update):
        return type(update).__name__
    user = update.effective_user
    chat = update.effective_chat
    message = update.effective_message
    what = "button" if update.callback_query else "inline query" if update.inline_query else "message"
    text = (message.text or message.caption or "") if message and not update.callback_query else ""
    if text.startswith("/"):
        what = command_word(text)
    return (f"update {update.update_id} ({what}) from user {user.id if user else None} "
            f"in chat {chat.id if chat else None}")


async def on_error(update: object, context: ClaimContext) -> None:
    error = context.error
    where = describe(update)
    if isinstance(error, ClaimbotError):
        log.info("%s: refused (%s)", where, type(error).__name__)
        await _tell(update, context, str(error))
        return
    if isinstance(error, Forbidden):
        log.warning("%s: Telegram refused delivery (bot blocked or removed): %s", where, error)
        return
    if isinstance(error, RetryAfter):
        log.warning("%s: rate limited by Telegram, retry after %s", where, error.retry_after)
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("%s: network error talking to Telegram: %s", where, error)
        return
    log.error("%s: unexpected error", where, exc_info=error)
    await _tell(update, context, SORRY)


async def _tell(update: object, context: ClaimContext, text: str) -> None:
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200])
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, render.esc(text))
    except TelegramError as exc:
        log.warning("could not tell chat about the error either: %s", exc)
