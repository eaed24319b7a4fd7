"""Subscriptions: /subscribe, /unsubscribe, /subscriptions, /timezone, and their buttons.

Each handler parses, calls one ``ClaimService`` method, and renders. A subscription
belongs to the chat it was made in (a group's digests go to the group). Names are resolved
fuzzily by the domain; when a name fits several topics or speakers, the candidates come back as
buttons that carry the schedule the user typed. The buttons (Follow on answers, the choices, and
Remove on the list) are signed like every other button; a stale one gets a short, polite answer.

A chat whose digests were paused because the bot could not reach it (blocked, or gone) is
resumed as soon as it writes to the bot again: that proves it can be reached.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, TypeHandler

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import edit_or_reply, pressed, reply, rest_after
from bot.render import ButtonKind, button_pattern
from claims.errors import ClaimbotError, InvalidArgumentError, NotFoundError
from claims.follow.targets import AmbiguousTargetError, parse_subscribe_args

log = logging.getLogger(__name__)
UNSUBSCRIBE_USAGE = "Usage: /unsubscribe TOPIC|SPEAKER|claim ID (see /subscriptions)"
GROUP_ADMINS_ONLY = "In a group, only its admins can change what it follows."


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None, "command and button updates always have a chat"
    return chat.id


async def may_change(update: Update, context: ClaimContext) -> bool:
    """Anyone manages their own chat's subscriptions; in a group only its admins do, since the
    digests go to every member."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    message = update.message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous admin, writing as the group itself
    user = update.effective_user
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not check whether user %s administers chat %s: %s", user.id, chat.id, exc)
        return False
    return member.status in {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


async def _refused(update: Update, context: ClaimContext) -> bool:
    """Answer a non-admin's attempt in a group politely; True when the update must go no further."""
    if await may_change(update, context):
        return False
    if update.callback_query is not None:
        await update.callback_query.answer(GROUP_ADMINS_ONLY)
    else:
        await reply(update, context, render.esc(GROUP_ADMINS_ONLY))
    return True


# ---------------------------------------------------------------------------- commands


async def subscribe_command(update: Update, context: ClaimContext) -> None:
    """``/subscribe NAME [SCHEDULE]``: follow it, or choose among the names it could mean."""
    services = context.services
    query, schedule = parse_subscribe_args(rest_after(update.effective_message, 1))
    if await _refused(update, context):
        return
    try:
        result = await services.call(services.claims.subscribe, chat_id=_chat_id(update), query=query,
                                     schedule=schedule, user_id=_user_id(update))
    except AmbiguousTargetError as exc:
        await reply(update, context, render.choose_target(exc.query),
                    keyboard=render.target_choices(exc.choices, schedule, services.codec))
        return
    await reply(update, context, render.subscribed(result))


async def unsubscribe_command(update: Update, context: ClaimContext) -> None:
    """``/unsubscribe NAME``; a name that fits several is narrowed to what this chat follows."""
    services = context.services
    query = rest_after(update.effective_message, 1)
    if not query:
        raise InvalidArgumentError(UNSUBSCRIBE_USAGE)
    if await _refused(update, context):
        return
    done = await services.call(services.claims.unsubscribe, chat_id=_chat_id(update), query=query)
    if isinstance(done, list):  # it follows several of them: offer their remove buttons
        await reply(update, context, render.choose_target(query, unsubscribe=True),
                    keyboard=render.subscriptions_keyboard(done, services.codec))
        return
    await reply(update, context, render.unsubscribed(done))


async def subscriptions_command(update: Update, context: ClaimContext) -> None:
    """``/subscriptions``: this chat's subscriptions, each with a remove button."""
    text, keyboard = await _listing(context, _chat_id(update))
    await reply(update, context, text, keyboard=keyboard)


async def timezone_command(update: Update, context: ClaimContext) -> None:
    """``/timezone Area/City`` sets the chat's zone (moving its digests); without one, shows it."""
    services = context.services
    wanted = rest_after(update.effective_message, 1)
    if not wanted:
        text = render.timezone_current(await services.call(services.claims.chat_timezone, _chat_id(update)))
    elif await _refused(update, context):
        return
    else:
        zone = await services.call(services.claims.set_timezone, _chat_id(update), wanted)
        text = render.timezone_set(zone)
    await reply(update, context, text)


async def _listing(context: ClaimContext, chat_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    views, tz = await services.call(services.claims.subscriptions, chat_id)
    return render.subscriptions_list(views, timezone=tz), render.subscriptions_keyboard(views, services.codec)


async def resume_if_paused(update: Update, context: ClaimContext) -> None:
    """A chat we could not reach wrote to us: resume its paused subscriptions and say so."""
    chat = update.effective_chat
    if chat is None:
        return
    services = context.services
    resumed = await services.call(services.claims.resume_chat, chat.id)
    if resumed:
        log.info("chat %s is reachable again: %d subscriptions resumed", chat.id, resumed)
        await reply(update, context, render.resumed(resumed))


# ---------------------------------------------------------------------------- buttons


async def follow_button(update: Update, context: ClaimContext) -> None:
    """The Follow button on answers: subscribe this chat to the claim's topic, default schedule."""
    query = update.callback_query
    assert query is not None
    button = await pressed(update, context)
    if button is None or await _refused(update, context):
        return
    services = context.services
    try:
        result = await services.call(services.claims.follow_topic_of, chat_id=_chat_id(update),
                                     claim_id=button.a, user_id=_user_id(update))
    except ClaimbotError as exc:
        await query.answer(_short(str(exc)))
        return
    await query.answer(_short(f"Following {result.subscription.target.label}"))
    await reply(update, context, render.subscribed(result))


async def pick_button(update: Update, context: ClaimContext) -> None:
    """A choice offered for an ambiguous name: subscribe, and turn the question into the answer."""
    query = update.callback_query
    assert query is not None
    button = await pressed(update, context)
    if button is None or await _refused(update, context):
        return
    services = context.services
    try:
        schedule = render.schedule_from_code(button.b)
        result = await services.call(services.claims.subscribe_target, chat_id=_chat_id(update),
                                     kind=render.PICKED[button.kind], target_id=button.a,
                                     schedule=schedule, user_id=_user_id(update))
    except ClaimbotError as exc:
        await query.answer(_short(str(exc)))
        return
    await query.answer(_short(f"Following {result.subscription.target.label}"))
    await edit_or_reply(update, context, render.subscribed(result), None)


async def unsubscribe_button(update: Update, context: ClaimContext) -> None:
    """Remove on the list: unsubscribe, then show the list as it is now in the same message."""
    query = update.callback_query
    assert query is not None
    button = await pressed(update, context)
    if button is None or await _refused(update, context):
        return
    services = context.services
    chat_id = _chat_id(update)
    try:
        view = await services.call(services.claims.unsubscribe_id, chat_id=chat_id,
                                   subscription_id=button.a)
    except NotFoundError:
        await query.answer("That subscription was already removed.")
    else:
        await query.answer(_short(f"Unsubscribed from {view.target.label}"))
    text, keyboard = await _listing(context, chat_id)
    await edit_or_reply(update, context, text, keyboard)


def _user_id(update: Update) -> int | None:
    """Whoever sent the command or pressed the button (recorded on the subscription)."""
    return update.effective_user.id if update.effective_user else None


def _short(text: str) -> str:
    """Button answers are at most 200 characters."""
    return render.shorten(text, 200)


def handlers() -> list[BaseHandler]:
    picks = (ButtonKind.PICK_TOPIC, ButtonKind.PICK_SPEAKER, ButtonKind.PICK_CLAIM)
    return [
        CommandHandler("subscribe", subscribe_command),
        CommandHandler("unsubscribe", unsubscribe_command),
        CommandHandler("subscriptions", subscriptions_command),
        CommandHandler("timezone", timezone_command),
        CallbackQueryHandler(follow_button, pattern=button_pattern(ButtonKind.FOLLOW)),
        CallbackQueryHandler(pick_button, pattern=button_pattern(*picks)),
        CallbackQueryHandler(unsubscribe_button, pattern=button_pattern(ButtonKind.UNSUBSCRIBE)),
    ]


def resume_handlers() -> list[BaseHandler]:
    """For a group of its own that runs before all others (and never stops them)."""
    return [TypeHandler(Update, resume_if_paused)]
