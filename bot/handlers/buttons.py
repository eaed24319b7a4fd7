"""Inline buttons: History, More results, Follow, and the subscription buttons (``subscriptions``).

Callback data is signed; anything else is refused politely.

A stale button (its question no longer on record, its claim gone) or a forged one gets a short
answer on the button itself and a log line, never an error message in the chat.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import render
from bot.context import ClaimContext
from bot.handlers import subscriptions
from bot.handlers.browse import show_history
from bot.handlers.common import reply
from claims.errors import NotFoundError
from claims.search.questions import answer_page

log = logging.getLogger(__name__)
EXPIRED = "This button has expired. Please ask again."


async def on_button(update: Update, context: ClaimContext) -> None:
    query = update.callback_query
    assert query is not None
    button = context.services.codec.decode(query.data)
    if button is None:
        log.warning("Refused forged or unknown button data %r from user %s", (query.data or "")[:64],
                    query.from_user.id)
        await query.answer(EXPIRED)
        return
    if button.kind == "h":
        try:
            await show_history(update, context, button.a)
        except NotFoundError:
            await query.answer(EXPIRED)
            return
        await query.answer()
        return
    if button.kind == "fa":
        await subscriptions.follow_topic_of_claim(update, context, button.a)
        return
    if button.kind in {"ft", "fs", "fc"}:
        await subscriptions.follow_choice(update, context, button.kind[1], button.a, button.b)
        return
    if button.kind == "u":
        await subscriptions.remove_subscription(update, context, button.a)
        return
    await more_results(update, context, button.a, button.b)


async def more_results(update: Update, context: ClaimContext, question_id: int, page: int) -> None:
    """Another page of a question's answers, edited into the message that had the button."""
    query = update.callback_query
    assert query is not None
    services = context.services
    with services.session() as session:
        result = answer_page(session=session, matcher=services.answers, question_id=question_id, page=page)
    if result is None:
        await query.answer(EXPIRED)
        return
    text = render.answer(result, services.tz, page=page)
    keyboard = render.answer_keyboard(result, services.codec, page=page)
    chunks = render.split_html(text)
    message = query.message
    edited = False
    if len(chunks) == 1 and message is not None and message.is_accessible:
        try:
            await context.bot.edit_message_text(chunks[0], chat_id=message.chat.id,
                                                message_id=message.message_id, reply_markup=keyboard)
            edited = True
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                edited = True
            elif "parse entities" not in str(exc).lower() and "not found" not in str(exc).lower():
                raise
            # Telegram refused the edit (markup, or the message is gone): send the page instead.
    if not edited:
        await reply(update, context, text, keyboard=keyboard)
    await query.answer()


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_button)]
