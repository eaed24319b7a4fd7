"""Helpers every handler uses: sending HTML safely, reading arguments, buttons, who is asking.

``reply`` is the one way the bot answers: it splits long HTML under Telegram's limit, puts the
buttons on the last piece, and resends as plain text if Telegram still refuses the markup, so a
formatting bug costs formatting, never the answer. ``edit_or_reply`` is the one way a button
updates the message it sits on. ``pressed`` is the one way a button's data is read: forged or
stale data gets a short answer on the button itself.
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot import render
from bot.context import ClaimContext
from bot.render import Button
from claims.errors import InvalidArgumentError
from claims.store.history import Actor

log = logging.getLogger(__name__)
_ID = re.compile(r"^#?([0-9]{1,12})$")  # ASCII digits only (int() reads "١٢" as 12)


async def reply(
    update: Update, context: ClaimContext, html: str, *, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer in the update's chat (in groups as a reply, so it is clear whom we answer)."""
    chat = update.effective_chat
    if chat is None:
        return None
    source = update.effective_message
    quote = None
    if source is not None and chat.type != ChatType.PRIVATE:
        quote = ReplyParameters(message_id=source.message_id, allow_sending_without_reply=True)
    chunks = render.split_html(html) or ["…"]
    sent = None
    for n, chunk in enumerate(chunks):
        last = n == len(chunks) - 1
        sent = await send_html(context, chat.id, chunk, keyboard=keyboard if last else None,
                               quote=quote if n == 0 else None)
    return sent


async def send_html(
    context: ClaimContext, chat_id: int, html: str, *, keyboard: InlineKeyboardMarkup | None = None,
    quote: ReplyParameters | None = None,
) -> Message:
    """One message in HTML, or the same content as plain text if Telegram cannot parse it."""
    try:
        return await context.bot.send_message(chat_id, html, reply_markup=keyboard, reply_parameters=quote)
    except BadRequest as exc:
        if "parse entities" not in str(exc).lower():
            raise
        log.warning("Telegram refused our HTML in chat %s (%s); resending as plain text", chat_id, exc)
    sent = None
    plain = render.plain_chunks(render.html_to_plain(html))
    for n, chunk in enumerate(plain):
        sent = await context.bot.send_message(
            chat_id, chunk, parse_mode=None, reply_parameters=quote if n == 0 else None,
            reply_markup=keyboard if n == len(plain) - 1 else None,
        )
    assert sent is not None
    return sent


async def edit_or_reply(update: Update, context: ClaimContext, html: str,
                        keyboard: InlineKeyboardMarkup | None) -> None:
    """Replace the message that had the button; if Telegram will not edit it (too long, gone,
    refused markup), send the text as a new message instead."""
    query = update.callback_query
    message = query.message if query else None
    chunks = render.split_html(html)
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
    await reply(update, context, html, keyboard=keyboard)


EXPIRED = "This button has expired. Please ask again."


async def pressed(update: Update, context: ClaimContext) -> Button | None:
    """The verified button behind a callback query; forged or malformed data is answered and logged."""
    query = update.callback_query
    assert query is not None
    button = context.services.codec.decode(query.data)
    if button is None:
        log.warning("Refused forged or unknown button data (%d characters) from user %s",
                    len(query.data or ""), query.from_user.id)
        await query.answer(EXPIRED)
    return button


def claim_id(value: str, *, usage: str) -> int:
    """A claim id from user input ("12" or "#12"), or a usage message."""
    m = _ID.match(value.strip())
    if m is None:
        raise InvalidArgumentError(f"{value[:40]!r} is not a claim number. Usage: {usage}")
    return int(m.group(1))


def rest_after(message: Message | None, words: int) -> str:
    """The message text after its first ``words`` words, spacing and line breaks kept."""
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=words)
    return parts[words].strip() if len(parts) > words else ""


def actor(update: Update) -> Actor:
    """The admin behind a change, recorded as the author of the revision."""
    user = update.effective_user
    if user is None:
        return Actor(id=None, name=None)
    name = user.full_name + (f" (@{user.username})" if user.username else "")
    return Actor(id=user.id, name=name)
