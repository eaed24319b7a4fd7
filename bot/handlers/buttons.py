"""Paging through answers (More results / Previous), and the last word on any other button.

Each button family is routed by its prefix where its feature registers it (History in ``browse``,
Follow and the subscription buttons in ``subscriptions``). Whatever no pattern claimed (forged,
malformed, or from an older version of the bot) reaches ``unknown_button`` and gets a short,
polite answer on the button itself, never an error message in the chat.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import EXPIRED, button_handler, edit_or_reply
from bot.render import Button, ButtonKind, button_pattern

log = logging.getLogger(__name__)


@button_handler
async def more_results(update: Update, context: ClaimContext, query: CallbackQuery, button: Button
                       ) -> None:
    """Another page of a question's answers, edited into the message that had the button."""
    services = context.services
    question_id, page = button.about, button.option
    result = await services.call(services.claims.answer_page, question_id, page)
    if result is None:
        await query.answer(EXPIRED)
        return
    text = render.answer(result, services.tz, page=page)
    await edit_or_reply(update, context, text, render.answer_keyboard(result, services.codec, page=page))
    await query.answer()


@button_handler
async def unknown_button(update: Update, context: ClaimContext, query: CallbackQuery, button: Button
                         ) -> None:
    """Data no feature claims: forged or stale. Verified data of a known kind never gets here, so
    a verified press here was signed by us, yet no feature takes it."""
    await query.answer(EXPIRED)


def handlers() -> list[BaseHandler]:
    """``more_results`` first; ``unknown_button`` must be registered after every other button."""
    return [CallbackQueryHandler(more_results, pattern=button_pattern(ButtonKind.MORE))]


def fallback_handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(unknown_button)]
