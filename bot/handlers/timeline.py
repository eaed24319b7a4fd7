"""Who said what over time: /timeline SPEAKER [TOPIC or phrase] with Earlier / Later pages,
/changes (recent changes of position) and the admins' /unflag ID [REASON]."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import EXPIRED, actor, claim_id, edit_or_reply, pressed, reply, rest_after
from bot.render import ButtonKind, button_pattern
from claims.errors import InvalidArgumentError, NotFoundError
from claims.service.positions import Timeline

PAGE = 10
USAGE = "Usage: /timeline SPEAKER [TOPIC or phrase], for example /timeline Putin cease-fire"


async def timeline(update: Update, context: ClaimContext) -> None:
    wanted = rest_after(update.effective_message, 1)
    if not wanted:
        raise InvalidArgumentError(USAGE)
    services = context.services
    tl = await services.call(services.claims.timeline_for, wanted, limit=PAGE)
    await _show(update, context, tl, reply_new=True)


async def timeline_page(update: Update, context: ClaimContext) -> None:
    """Earlier / Later under a timeline: that page, edited into the same message."""
    query = update.callback_query
    assert query is not None
    button = await pressed(update, context)
    if button is None:
        return
    services = context.services
    speaker_id, topic_id = render.timeline_unscope(button.a)
    try:
        tl = await services.call(services.claims.timeline_page, speaker_id, topic_id,
                                 limit=PAGE, offset=button.b * PAGE)
    except NotFoundError:
        await query.answer(EXPIRED)
        return
    await _show(update, context, tl, reply_new=False)
    await query.answer()


async def _show(update: Update, context: ClaimContext, tl: Timeline, *, reply_new: bool) -> None:
    services = context.services
    keyboard = render.timeline_keyboard(tl, render.timeline_scope(tl), services.codec, per_page=PAGE)
    text = render.timeline(tl, services.tz)
    if reply_new:
        await reply(update, context, text, keyboard=keyboard)
    else:
        await edit_or_reply(update, context, text, keyboard)


async def changes(update: Update, context: ClaimContext) -> None:
    services = context.services
    items, total = await services.call(services.claims.position_changes, limit=PAGE)
    await reply(update, context, render.changes(items, total, services.tz),
                keyboard=render.changes_keyboard(total, 0, len(items), services.codec, per_page=PAGE))


async def changes_page(update: Update, context: ClaimContext) -> None:
    query = update.callback_query
    assert query is not None
    button = await pressed(update, context)
    if button is None:
        return
    services = context.services
    offset = button.b * PAGE
    items, total = await services.call(services.claims.position_changes, limit=PAGE, offset=offset)
    await edit_or_reply(update, context, render.changes(items, total, services.tz, offset=offset),
                        render.changes_keyboard(total, offset, len(items), services.codec, per_page=PAGE))
    await query.answer()


async def unflag(update: Update, context: ClaimContext) -> None:
    """``/unflag ID [REASON]``: an admin says a claim is no change of position after all."""
    if not context.args:
        raise InvalidArgumentError("Usage: /unflag ID [REASON], for example /unflag 12 different subject")
    cid = claim_id(context.args[0], usage="/unflag ID [REASON]")
    reason = rest_after(update.effective_message, 2) or None
    services = context.services
    earlier = await services.call(services.claims.clear_position_flag, cid, reason=reason,
                                  actor=actor(update))
    await reply(update, context, render.unflagged(cid, earlier))


def handlers(admin_ids: Iterable[int]) -> list[BaseHandler]:
    admins = filters.User(user_id=list(admin_ids))
    return [
        CommandHandler("timeline", timeline),
        CommandHandler("changes", changes),
        CommandHandler("unflag", unflag, filters=admins),
        CallbackQueryHandler(timeline_page, pattern=button_pattern(ButtonKind.TIMELINE)),
        CallbackQueryHandler(changes_page, pattern=button_pattern(ButtonKind.CHANGES)),
    ]
