"""Questions: plain text in private chats, mentions and replies in groups, and /ask.

Each question passes per-user flood control, is answered and logged by one service call
(``ClaimService.ask``, off the event loop), and is rendered with History and More buttons.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import reply, rest_after
from claims.errors import InvalidArgumentError

MAX_QUESTION_CHARS = 2000
TIMELINE_PAGE = 10
"""Claims on the first page of a timeline answer (the same page size as /timeline)."""


class _AddressedToBot(filters.MessageFilter):
    """Private chats always; in groups only messages that mention the bot or reply to it; never our
    own inline answers (a user sending one into our chat is sharing, not asking)."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        if message.via_bot is not None and message.via_bot.id == bot.id:
            return False  # one of our own inline answers, posted by a user: not a question to us
        if message.chat.type == ChatType.PRIVATE:
            return True
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".casefold()
        kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
        for entity, text in message.parse_entities(kinds).items():
            if text.casefold() == mention or (entity.user is not None and entity.user.id == bot.id):
                return True
        return False


ADDRESSED_TO_BOT = _AddressedToBot(name="addressed_to_bot")


async def question(update: Update, context: ClaimContext) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    text = re.sub(rf"@{re.escape(context.bot.username)}\b", " ", message.text, flags=re.IGNORECASE)
    await answer(update, context, text)


async def ask(update: Update, context: ClaimContext) -> None:
    text = rest_after(update.effective_message, 1)
    if not text:
        raise InvalidArgumentError(
            "Usage: /ask QUESTION, for example /ask what did Trump say about the ceasefire"
        )
    await answer(update, context, text)


async def admitted(update: Update, context: ClaimContext) -> bool:
    """Per-user flood control for everything that costs a search (questions, posts, links)."""
    services = context.services
    user = update.effective_user
    chat = update.effective_chat
    who = user.id if user else (chat.id if chat else 0)
    if not services.is_admin(who) and (wait := services.flood.check(who)) is not None:
        if wait > 0:  # tell once per flood; later messages in the same flood are dropped
            await reply(update, context, f"You are asking faster than I can answer. "
                                         f"Please try again in {max(1, round(wait))} seconds.")
        return False
    return True


async def answer(update: Update, context: ClaimContext, text: str) -> None:
    """Flood control, then the best claims (or the topics we know), with buttons."""
    services = context.services
    user = update.effective_user
    chat = update.effective_chat
    if not await admitted(update, context):
        return
    text = " ".join(text.split())[:MAX_QUESTION_CHARS]
    if not text:
        await reply(update, context, "Send me a question in words, for example: "
                                     "what did Trump say about the ceasefire?")
        return
    record = await services.call(services.claims.timeline_question, text, limit=TIMELINE_PAGE)
    if record is not None:  # "has Trump changed his mind on Greenland?": the record over time
        await reply(update, context, render.timeline(record, services.tz),
                    keyboard=render.timeline_keyboard(record, render.timeline_scope(record), services.codec,
                                                      per_page=TIMELINE_PAGE))
        return
    result = await services.call(services.claims.ask, text, user_id=user.id if user else None,
                                 chat_id=chat.id if chat else None)
    await reply(update, context, render.answer(result, services.tz),
                keyboard=render.answer_keyboard(result, services.codec))


async def not_text(update: Update, context: ClaimContext) -> None:
    """Stickers, photos and files in a private chat: say what the bot can read."""
    user = update.effective_user
    message = update.effective_message
    if message is not None and message.document and user and context.services.is_admin(user.id):
        await reply(update, context, "To ingest this file, reply /ingest to it.")
        return
    await reply(update, context, "I can only read questions written as text. Try: what did Zelensky say?")


async def unknown_command(update: Update, context: ClaimContext) -> None:
    await reply(update, context, "I don't know that command. /help lists the ones I do.")


def handlers() -> list[BaseHandler]:
    """Registered after every command handler: the catch-alls come last in their group."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("ask", ask),
        MessageHandler(filters.TEXT & ~filters.COMMAND & ADDRESSED_TO_BOT, question),
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, not_text),
    ]
