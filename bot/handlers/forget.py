"""``/forget``: a reader deletes what they sent, after a confirmation button (issue 23.10)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import ClaimContext
from bot.handlers.common import edit_or_reply, pressed, reply
from bot.render import ButtonKind, button_pattern
from bot.render.forget import CONFIRM, KEPT, NOT_YOURS, forget_keyboard, forgotten


async def forget_command(update: Update, context: ClaimContext) -> None:
    """Ask first: the buttons carry the asker's id, so nobody else's press counts."""
    if update.effective_user is None:
        return
    await reply(update, context, CONFIRM,
                keyboard=forget_keyboard(update.effective_user.id, context.services.codec))


async def forget_button(update: Update, context: ClaimContext) -> None:
    query = update.callback_query
    assert query is not None
    button = await pressed(update, context)
    if button is None:
        return
    if button.a != query.from_user.id:
        await query.answer(NOT_YOURS)
        return
    if not button.b:
        await query.answer(KEPT)
        await edit_or_reply(update, context, KEPT, None)
        return
    services = context.services
    chat = update.effective_chat
    erased = await services.call(services.claims.forget, user_id=query.from_user.id,
                                 chat_id=chat.id if chat else None)
    await query.answer("Deleted.")
    await edit_or_reply(update, context, forgotten(erased), None)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("forget", forget_command),
            CallbackQueryHandler(forget_button, pattern=button_pattern(ButtonKind.FORGET))]
