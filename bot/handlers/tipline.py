"""The tipline: forwarded posts, long texts and links; /check; inline answers; and, for the team,
/unanswered with its "handled" and "Ingest" buttons and the weekly digest.

Which messages are tips: in a private chat, anything forwarded, any text of at least
``post_min_chars`` characters, and any link; in groups the same, but only when addressed to the
bot as questions are (a mention or a reply to the bot), or with ``/check``. A mention that only
nudges ("@bot is this true?") in reply to someone's message checks that message. Everything else
stays a question for ``bot.handlers.ask``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import time

from telegram import Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import render
from bot.context import ClaimApp, ClaimContext
from bot.handlers.ask import ADDRESSED_TO_BOT, admitted, answer
from bot.handlers.common import edit_or_reply, pressed, reply, rest_after, send_html
from bot.render import ButtonKind, button_pattern
from claims.errors import ClaimbotError, InvalidArgumentError
from claims.normalize import ascii_number
from claims.service.tipline import digest_slot
from claims.settings import Settings
from claims.tipline.links import find_urls
from claims.tipline.posts import MessageKind, kind_of

log = logging.getLogger(__name__)
MAX_TIP_CHARS = 20_000
NUDGE_WORDS = 6
"""A mention of at most this many words in reply to a message asks about that message."""
_LEGACY_FORWARD = ("forward_from", "forward_from_chat", "forward_sender_name", "forward_date")
WEEKLY_DIGEST_JOB = "team-weekly-digest"
UNANSWERED_USAGE = "Usage: /unanswered [DAYS], for example /unanswered 30 (the default is 7)."


@dataclass(frozen=True, slots=True)
class Subject:
    """What a message asks the bot to look at: its own text, or the message it replies to."""

    text: str
    forwarded: bool
    urls: tuple[str, ...] = field(default=())  # links hidden behind words (text_link entities)
    nudge: bool = False  # taken from the replied-to message

    def kind(self, min_chars: int) -> MessageKind:
        return kind_of(f"{self.text} {' '.join(self.urls)}", forwarded=self.forwarded, min_chars=min_chars)


def forwarded(message: Message) -> bool:
    """Forwarded, by Bot API 7's ``forward_origin`` or the older ``forward_from*`` fields (which PTB
    keeps in ``api_kwargs`` when a server still sends them)."""
    return message.forward_origin is not None or any(k in message.api_kwargs for k in _LEGACY_FORWARD)


def _content(message: Message) -> tuple[str, tuple[str, ...]]:
    """A message's words (text or caption) and the links hidden behind its words."""
    if message.text is not None:
        text, entities = message.text, message.parse_entities([MessageEntity.TEXT_LINK])
    else:
        text, entities = message.caption or "", message.parse_caption_entities([MessageEntity.TEXT_LINK])
    return text[:MAX_TIP_CHARS], tuple(e.url for e in entities if e.url)


def subject_of(message: Message) -> Subject | None:
    """The tip in ``message``: its own content, or, for a short nudge in reply to someone else's
    message, that message's content."""
    bot = message.get_bot()
    text, urls = _content(message)
    if text.startswith("/"):
        return None
    own = re.sub(rf"@{re.escape(bot.username or '')}\b", " ", text, flags=re.IGNORECASE).strip()
    replied = message.reply_to_message
    if (replied is not None and len(own.split()) <= NUDGE_WORDS and not urls and not find_urls(own)
            and (replied.from_user is None or replied.from_user.id != bot.id)):
        their, their_urls = _content(replied)
        if their.strip() and not their.startswith("/"):
            return Subject(their, forwarded(replied), their_urls, nudge=True)
    if not own and not urls:
        return None
    return Subject(own, forwarded(message), urls)


class _Tip(filters.MessageFilter):
    """A message the tipline takes: a post, a link, a nudge about another message, or a caption."""

    def __init__(self, min_chars: int) -> None:
        super().__init__(name="tip")
        self.min_chars = min_chars

    def filter(self, message: Message) -> bool:
        subject = subject_of(message)
        if subject is None:
            return False
        if subject.nudge or message.text is None:  # captions: questions too, ask only reads text
            return True
        return subject.kind(self.min_chars) is not MessageKind.QUESTION


# ---------------------------------------------------------------------------- posts and links


async def tip(update: Update, context: ClaimContext) -> None:
    message = update.effective_message
    assert message is not None
    subject = subject_of(message)
    if subject is None:
        return
    kind = subject.kind(context.services.settings.post_min_chars)
    if kind is MessageKind.QUESTION:
        await answer(update, context, subject.text)
    else:
        await check(update, context, subject, kind)


async def check_command(update: Update, context: ClaimContext) -> None:
    """``/check TEXT``, or ``/check`` in reply to a message: always read as a post (or a link)."""
    message = update.effective_message
    assert message is not None
    text = rest_after(message, 1)
    if text:
        subject: Subject | None = Subject(text, False)
    elif message.reply_to_message is not None:
        their, urls = _content(message.reply_to_message)
        subject = Subject(their, forwarded(message.reply_to_message), urls) if their.strip() else None
    else:
        subject = None
    if subject is None:
        raise InvalidArgumentError(render.tip_usage())
    kind = subject.kind(context.services.settings.post_min_chars)
    await check(update, context, subject, MessageKind.POST if kind is MessageKind.QUESTION else kind)


async def check(update: Update, context: ClaimContext, subject: Subject, kind: MessageKind) -> None:
    """Flood control, one service call, the answer: tracked claims, untracked statements, links."""
    if not await admitted(update, context):
        return
    services = context.services
    user, chat = update.effective_user, update.effective_chat
    result = await services.call(services.claims.check_message, subject.text, kind=kind, urls=subject.urls,
                                 user_id=user.id if user else None, chat_id=chat.id if chat else None)
    is_admin = services.is_admin(user.id if user else None)
    await reply(update, context, render.tip_check(result, services.tz, is_admin=is_admin),
                keyboard=render.tip_keyboard(result, services.codec, is_admin=is_admin))


async def ingest_button(update: Update, context: ClaimContext) -> None:
    """An admin's Ingest on a link a reader sent: fetch and ingest it (the only fetch the tipline
    ever makes), then report as /ingest does."""
    query = update.callback_query
    assert query is not None
    button = await pressed(update, context)
    if button is None:
        return
    services = context.services
    if not services.is_admin(query.from_user.id):
        await query.answer("Only the claimbot team can ingest articles.")
        return
    await query.answer("Fetching the article…")
    try:
        done = await services.call(services.claims.ingest_link, button.a)
    except ClaimbotError as exc:
        await reply(update, context, render.esc(str(exc)))
        return
    await reply(update, context, render.ingest_report(done.report, done.claims, services.tz))


# ---------------------------------------------------------------------------- inline mode


async def inline_query(update: Update, context: ClaimContext) -> None:
    """``@bot question`` in any chat: a page of claims, cached briefly, with the next page's offset."""
    query = update.inline_query
    assert query is not None
    services = context.services
    page = await services.call(services.claims.inline, query.query, offset=query.offset)
    results = render.inline_results(page, services.tz, bot_username=context.bot.username)
    # no more pages: leave next_offset out (PTB 22 sends an empty one as "[]", which clients echo back)
    await query.answer(results, cache_time=services.settings.inline_cache_seconds, is_personal=False,
                       next_offset=page.next_offset or None,
                       button=None if results or query.offset else render.inline_nothing())


# ---------------------------------------------------------------------------- the team


async def unanswered(update: Update, context: ClaimContext) -> None:
    """``/unanswered [DAYS]``: what found no claim, grouped, most asked first, with buttons."""
    args = context.args or []
    days = ascii_number(args[0], digits=5) if args else 7
    if len(args) > 1 or days is None:
        raise InvalidArgumentError(UNANSWERED_USAGE)
    services = context.services
    team = await services.call(services.claims.unanswered, days)
    await reply(update, context, render.team_list(team, services.tz),
                keyboard=render.team_keyboard(team, services.codec))


async def handled_button(update: Update, context: ClaimContext) -> None:
    """"✓ N handled": take the group off the list, then redraw the list (or /stats) in place."""
    query = update.callback_query
    assert query is not None
    button = await pressed(update, context)
    if button is None:
        return
    services = context.services
    if not services.is_admin(query.from_user.id):
        await query.answer("Only the claimbot team can do that.")
        return
    days = button.b or 7
    closed = await services.call(services.claims.mark_handled, button.a, days=days)
    await query.answer(render.handled_done(closed))
    if button.b == render.STATS_DAYS:
        figures = await services.call(services.claims.stats)
        text = render.stats(figures.store, figures.questions, figures.subscribers, figures.delivery,
                            figures.erasures)
        text += "\n" + render.unanswered_section(figures.unanswered, services.tz)
        await edit_or_reply(update, context, text, render.stats_keyboard(figures.unanswered, services.codec))
        return
    team = await services.call(services.claims.unanswered, days)
    await edit_or_reply(update, context, render.team_list(team, services.tz),
                        render.team_keyboard(team, services.codec))


async def weekly_digest(context: ClaimContext) -> None:
    """The admins' weekly list (a JobQueue job; see ``bot.jobs``): sent once per week across bot
    processes, and not at all when there is nothing on it."""
    services = context.services
    team = await services.call(services.claims.weekly_digest)
    if team is None or team.empty:
        return
    text = render.team_list(team, services.tz, title="Weekly digest: unanswered in the last 7 days")
    chunks = render.split_html(text)
    keyboard = render.team_keyboard(team, services.codec)
    for admin_id in sorted(services.settings.admin_ids):
        try:
            for n, chunk in enumerate(chunks):
                await send_html(context, admin_id, chunk, keyboard=keyboard if n == len(chunks) - 1 else None)
        except TelegramError as exc:  # an admin who never opened the bot, or blocked it
            log.warning("weekly digest not delivered to admin %s: %s", admin_id, exc)


def schedule_weekly_digest(app: ClaimApp) -> None:
    """Add the weekly digest to PTB's JobQueue (the one scheduler), if ``unanswered_digest`` is set."""
    services = app.bot_data.services
    slot = digest_slot(services.settings)
    if slot is None:
        return
    weekday, hour, minute = slot
    assert app.job_queue is not None, "python-telegram-bot[job-queue] is required"
    app.job_queue.run_daily(weekly_digest, time(hour, minute, tzinfo=services.tz),  # type: ignore[arg-type]
                            days=((weekday + 1) % 7,),  # PTB counts days from Sunday = 0
                            name=WEEKLY_DIGEST_JOB, job_kwargs={"misfire_grace_time": 3600})


def handlers(settings: Settings) -> list[BaseHandler]:
    """Register before ``ask``'s catch-alls: a tip must not be answered as one long question."""
    admins = filters.User(user_id=list(settings.admin_ids))
    words = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    return [
        CommandHandler("check", check_command),
        CommandHandler("unanswered", unanswered, filters=admins),
        CallbackQueryHandler(handled_button, pattern=button_pattern(ButtonKind.HANDLED)),
        # block=False: fetching an article takes a while
        CallbackQueryHandler(ingest_button, pattern=button_pattern(ButtonKind.INGEST_LINK), block=False),
        InlineQueryHandler(inline_query),
        MessageHandler(words & ADDRESSED_TO_BOT & _Tip(settings.post_min_chars), tip),
    ]

