"""Subscriptions: /subscribe, /unsubscribe, /subscriptions, /timezone, and their buttons.

Each handler parses, calls one ``claims.follow.subscriptions`` function, and renders. A subscription
belongs to the chat it was made in (a group's digests go to the group). Names are resolved
fuzzily by the domain; when a name fits several topics or speakers, the candidates come back as
buttons that carry the schedule the user typed. The buttons (Follow on answers, the choices, and
Remove on the list) are signed like every other button; a stale one gets a short, polite answer.

A chat whose digests were paused because the bot could not reach it (blocked, or gone) is
resumed as soon as it writes to the bot again: that proves it can be reached.
"""

from __future__ import annotations

import logging

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CommandHandler, TypeHandler

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import reply, rest_after
from claims.errors import ClaimbotError, InvalidArgumentError, NotFoundError
from claims.follow.schedule import DEFAULT_SCHEDULE, Schedule
from claims.follow.subscriptions import (
    AmbiguousTargetError,
    SubscribeResult,
    Target,
    chat_timezone,
    list_subscriptions,
    parse_subscribe_args,
    parse_target_token,
    resolve_target,
    resume_chat,
    set_timezone,
    subscribe,
    target_by_id,
    unsubscribe,
)
from claims.store.models import TargetKind
from claims.store.views import find_topic, get_claim

log = logging.getLogger(__name__)
UNSUBSCRIBE_USAGE = "Usage: /unsubscribe TOPIC|SPEAKER|claim ID (see /subscriptions)"
EXPIRED = "This button has expired. Please use /subscribe again."
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
        with services.session() as session:
            target = resolve_target(session=session, query=query)
            result = _subscribe(update, context, session, target, schedule)
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
    chat_id = _chat_id(update)
    with services.session() as session:
        try:
            target: Target | None = resolve_target(session=session, query=query)
        except AmbiguousTargetError as exc:
            followed = {(v.target.kind, v.target.id): v
                        for v in list_subscriptions(session=session, chat_id=chat_id)}
            mine = [followed[(t.kind, t.id)] for t in exc.choices if (t.kind, t.id) in followed]
            if not mine:
                names = ", ".join(t.label for t in exc.choices)
                raise NotFoundError(f"This chat follows none of: {names}.") from None
            target = mine[0].target if len(mine) == 1 else None
        view = unsubscribe(session=session, chat_id=chat_id, target=target) if target else None
    if view is None:  # it follows several of them: offer their remove buttons
        await reply(update, context, render.choose_target(query, unsubscribe=True),
                    keyboard=render.subscriptions_keyboard(mine, services.codec))
        return
    await reply(update, context, render.unsubscribed(view))


async def subscriptions_command(update: Update, context: ClaimContext) -> None:
    """``/subscriptions``: this chat's subscriptions, each with a remove button."""
    text, keyboard = _listing(context, _chat_id(update))
    await reply(update, context, text, keyboard=keyboard)


async def timezone_command(update: Update, context: ClaimContext) -> None:
    """``/timezone Area/City`` sets the chat's zone (moving its digests); without one, shows it."""
    services = context.services
    wanted = rest_after(update.effective_message, 1)
    with services.session() as session:
        if not wanted:
            current = chat_timezone(session=session, chat_id=_chat_id(update),
                                    default=services.settings.timezone)
            text = render.timezone_current(current)
        elif await _refused(update, context):
            return
        else:
            text = render.timezone_set(set_timezone(session=session, chat_id=_chat_id(update),
                                                    timezone=wanted))
    await reply(update, context, text)


def _listing(context: ClaimContext, chat_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    with services.session() as session:
        views = list_subscriptions(session=session, chat_id=chat_id)
        tz = chat_timezone(session=session, chat_id=chat_id, default=services.settings.timezone)
    return render.subscriptions_list(views, timezone=tz), render.subscriptions_keyboard(views, services.codec)


async def resume_if_paused(update: Update, context: ClaimContext) -> None:
    """A chat we could not reach wrote to us: resume its paused subscriptions and say so."""
    chat = update.effective_chat
    if chat is None:
        return
    with context.services.session() as session:
        resumed = resume_chat(session=session, chat_id=chat.id)
    if resumed:
        log.info("chat %s is reachable again: %d subscriptions resumed", chat.id, resumed)
        await reply(update, context, render.resumed(resumed))


# ---------------------------------------------------------------------------- buttons


async def follow_topic_of_claim(update: Update, context: ClaimContext, claim_id: int) -> None:
    """The Follow button on answers: subscribe this chat to the claim's topic, default schedule."""
    query = update.callback_query
    assert query is not None
    if await _refused(update, context):
        return
    services = context.services
    try:
        with services.session() as session:
            slug = get_claim(session=session, claim_id=claim_id).topic
            topic = find_topic(session=session, name=slug) if slug else None
            if topic is None or topic.id is None:
                raise NotFoundError("That claim has no topic any more.")
            target = target_by_id(session=session, kind=TargetKind.TOPIC, target_id=topic.id)
            result = _subscribe(update, context, session, target)
    except ClaimbotError as exc:
        await query.answer(_short(str(exc)))
        return
    await query.answer(_short(f"Following {target.label}"))
    await reply(update, context, render.subscribed(result))


async def follow_choice(update: Update, context: ClaimContext, kind: str, target_id: int, code: int) -> None:
    """A choice offered for an ambiguous name: subscribe, and turn the question into the answer."""
    query = update.callback_query
    assert query is not None
    if await _refused(update, context):
        return
    try:
        schedule = render.schedule_from_code(code)
        with context.services.session() as session:
            target = parse_target_token(f"{kind}{target_id}", session=session)
            result = _subscribe(update, context, session, target, schedule)
    except ClaimbotError as exc:
        await query.answer(_short(str(exc)))
        return
    await query.answer(_short(f"Following {target.label}"))
    await _edit_or_reply(update, context, render.subscribed(result), None)


async def remove_subscription(update: Update, context: ClaimContext, subscription_id: int) -> None:
    """Remove on the list: unsubscribe, then show the list as it is now in the same message."""
    query = update.callback_query
    assert query is not None
    if await _refused(update, context):
        return
    chat_id = _chat_id(update)
    try:
        with context.services.session() as session:
            view = unsubscribe(session=session, chat_id=chat_id, subscription_id=subscription_id)
    except NotFoundError:
        await query.answer("That subscription was already removed.")
    else:
        await query.answer(_short(f"Unsubscribed from {view.target.label}"))
    text, keyboard = _listing(context, chat_id)
    await _edit_or_reply(update, context, text, keyboard)


def _subscribe(update: Update, context: ClaimContext, session: Session, target: Target,
               schedule: Schedule = DEFAULT_SCHEDULE) -> SubscribeResult:
    """Subscribe the update's chat, on behalf of whoever sent it or pressed the button."""
    user = update.effective_user
    return subscribe(session=session, chat_id=_chat_id(update), target=target, schedule=schedule,
                     user_id=user.id if user else None, default_timezone=context.services.settings.timezone)


def _short(text: str) -> str:
    """Button answers are at most 200 characters."""
    return render.shorten(text, 200)


async def _edit_or_reply(update: Update, context: ClaimContext, text: str,
                         keyboard: InlineKeyboardMarkup | None) -> None:
    """Replace the message that had the button; if Telegram will not edit it, send a new one."""
    message = update.callback_query.message if update.callback_query else None
    chunks = render.split_html(text)
    if len(chunks) == 1 and message is not None and message.is_accessible:
        try:
            await context.bot.edit_message_text(chunks[0], chat_id=message.chat.id,
                                                message_id=message.message_id, reply_markup=keyboard)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit message %s in chat %s (%s); sending anew", message.message_id,
                     message.chat.id, exc)
    await reply(update, context, text, keyboard=keyboard)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("subscribe", subscribe_command),
        CommandHandler("unsubscribe", unsubscribe_command),
        CommandHandler("subscriptions", subscriptions_command),
        CommandHandler("timezone", timezone_command),
    ]


def resume_handlers() -> list[BaseHandler]:
    """For a group of its own that runs before all others (and never stops them)."""
    return [TypeHandler(Update, resume_if_paused)]
