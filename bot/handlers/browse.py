"""Browsing what the bot knows: /topics, /speakers, /claims, /claim ID and /history ID,
and the History button on answers."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import EXPIRED, button_handler, claim_id, edit_or_reply, reply
from bot.render import Button, ButtonKind, button_pattern
from claims.errors import InvalidArgumentError, NotFoundError
from claims.service.types import ClaimScope

LIST_LIMIT = 10


async def topics(update: Update, context: ClaimContext) -> None:
    """Topics, the most active lately first: configured and discovered alike."""
    services = context.services
    items = await services.call(services.claims.topics)
    await reply(update, context, render.topics_list(items))


async def speakers(update: Update, context: ClaimContext) -> None:
    services = context.services
    items = await services.call(services.claims.speakers)
    await reply(update, context, render.names_list(items, kind="speakers"))


async def claims(update: Update, context: ClaimContext) -> None:
    """The newest claims, or those of one topic or speaker (names, slugs and aliases all work),
    with buttons to page through the rest."""
    services = context.services
    wanted = " ".join(context.args or []).strip()
    listed = await services.call(services.claims.browse, wanted, limit=LIST_LIMIT)
    await reply(update, context, render.claims_list(listed, services.tz),
                keyboard=render.claims_page_keyboard(listed, services.codec, per_page=LIST_LIMIT))


@button_handler
async def claims_page_button(update: Update, context: ClaimContext, query: CallbackQuery, button: Button
                             ) -> None:
    """Newer / Older under a /claims list: that page, edited into the same message."""
    services = context.services
    try:
        listed = await services.call(services.claims.browse_page, ClaimScope.from_code(button.about),
                                     limit=LIST_LIMIT, offset=button.option * LIST_LIMIT)
    except NotFoundError:
        await query.answer(EXPIRED)
        return
    await edit_or_reply(update, context, render.claims_list(listed, services.tz),
                        render.claims_page_keyboard(listed, services.codec, per_page=LIST_LIMIT))
    await query.answer()


async def claim(update: Update, context: ClaimContext) -> None:
    if not context.args:
        raise InvalidArgumentError("Usage: /claim ID, for example /claim 12")
    await show_claim(update, context, claim_id(context.args[0], usage="/claim ID"))


async def show_claim(update: Update, context: ClaimContext, cid: int) -> None:
    """The full claim with a History button (also what ``/start claim_ID`` deep links open)."""
    services = context.services
    view = await services.call(services.claims.claim, cid)
    template = services.settings.claim_page_template()
    text = render.claim_full(view, view.revision, services.tz, bot_username=context.bot.username,
                             page_url=template.replace("{id}", str(view.id)) if template else None)
    await reply(update, context, text, keyboard=render.claim_keyboard(view, services.codec))


async def history(update: Update, context: ClaimContext) -> None:
    if not context.args:
        raise InvalidArgumentError("Usage: /history ID, for example /history 12")
    await show_history(update, context, claim_id(context.args[0], usage="/history ID"))


async def show_history(update: Update, context: ClaimContext, cid: int) -> None:
    services = context.services
    view, revisions = await services.call(services.claims.history, cid)
    await reply(update, context, render.history(view, revisions, services.tz))


@button_handler
async def history_button(update: Update, context: ClaimContext, query: CallbackQuery, button: Button
                         ) -> None:
    """History #N under an answer or a claim: the history as a new message."""
    try:
        await show_history(update, context, button.about)
    except NotFoundError:
        await query.answer(EXPIRED)
        return
    await query.answer()


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("topics", topics),
        CommandHandler("speakers", speakers),
        CommandHandler("claims", claims),
        CommandHandler("claim", claim),
        CommandHandler("history", history),
        CallbackQueryHandler(history_button, pattern=button_pattern(ButtonKind.HISTORY)),
        CallbackQueryHandler(claims_page_button, pattern=button_pattern(ButtonKind.CLAIMS_PAGE)),
    ]
