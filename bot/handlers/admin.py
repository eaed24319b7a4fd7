"""Admin commands: /ingest, /edit, /verdict, /retract, /merge, /stats, /digest_now and /feeds.

Authorisation is one gatekeeper (``gatekeeper``), registered in a group that runs before all
others: an admin command from anyone not in ``CLAIMBOT_ADMIN_IDS`` is refused politely, logged,
and stops there. The admin handlers carry the same user filter as a second line of defence.
Every change is one ``ClaimService`` call with the admin as the revision's author; the service
brings the index up to date itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CommandHandler, MessageHandler, filters

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import actor, claim_id, reply, rest_after
from bot.handlers.errors import command_word
from bot.jobs import poll_feeds_soon
from claims.errors import InputError, InvalidArgumentError

log = logging.getLogger(__name__)
NAMES = frozenset(c for c, _ in render.ADMIN_COMMANDS)
INGEST_USAGE = "Usage: /ingest URL, or reply /ingest to a message or a document with the article."
FEEDS_USAGE = "Usage: /feeds (the list), /feeds add URL, /feeds remove ID"
DIGEST_NOW_USAGE = "Usage: /digest_now [TOPIC]"
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


class _AdminCommand(filters.MessageFilter):
    """A message (text or document caption) that starts with one of the admin commands for us."""

    def filter(self, message: Message) -> bool:
        text = message.text or message.caption or ""
        m = re.match(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s|$)", text)
        if m is None or m.group(1).lower() not in NAMES:
            return False
        addressee = m.group(2)
        return addressee is None or addressee.casefold() == (message.get_bot().username or "").casefold()


ADMIN_COMMAND = _AdminCommand(name="admin_command")


async def refuse(update: Update, context: ClaimContext) -> None:
    message = update.effective_message
    user = update.effective_user
    command = command_word((message.text or message.caption or "") if message else "")
    log.warning("Refused admin command %s from user %s in chat %s", command,
                user.id if user else None, update.effective_chat.id if update.effective_chat else None)
    await reply(update, context, f"Sorry, {render.esc(command.split('@')[0])} is only for the claimbot team.")
    raise ApplicationHandlerStop


def gatekeeper(admin_ids: Iterable[int]) -> list[BaseHandler]:
    """Handlers for the group that runs first: refuse admin commands from everyone else."""
    return [MessageHandler(ADMIN_COMMAND & ~filters.User(user_id=list(admin_ids)), refuse)]


# ---------------------------------------------------------------------------- ingest


async def ingest(update: Update, context: ClaimContext) -> None:
    """Fetch or read the article and ingest it, off the event loop."""
    services = context.services
    message = update.effective_message
    assert message is not None
    args = rest_after(message, 1)
    source = message.reply_to_message
    document = message.document or (source.document if source else None)
    text = (source.text or source.caption or "").strip() if source else ""
    if args and not _URL.match(args):
        raise InvalidArgumentError(INGEST_USAGE)
    if args or _URL.match(text):
        done = await services.call(services.claims.ingest_url, args or text)
    elif document is not None:
        if document.file_size and document.file_size > services.settings.fetch_max_bytes:
            raise InputError(f"The file is larger than the {services.settings.fetch_max_bytes:,}-byte limit.")
        raw = bytes(await (await document.get_file()).download_as_bytearray())
        name = f"The file {document.file_name or 'you sent'}"
        done = await services.call(services.claims.ingest_document, raw, name=name)
    elif text:
        done = await services.call(services.claims.ingest_document, text.encode(), name="The message")
    else:
        raise InvalidArgumentError(INGEST_USAGE)
    await reply(update, context, render.ingest_report(done.report, done.claims, services.tz))


# ---------------------------------------------------------------------------- changes


async def edit(update: Update, context: ClaimContext) -> None:
    usage = "/edit ID NEW TEXT"
    args = context.args or []
    text = rest_after(update.effective_message, 2)
    if not args or not text:
        raise InvalidArgumentError(f"Usage: {usage}")
    cid = claim_id(args[0], usage=usage)
    services = context.services
    view = await services.call(services.claims.edit, cid, text, actor=actor(update))
    await reply(update, context, render.change_done("Edited.", view, services.tz))


async def verdict(update: Update, context: ClaimContext) -> None:
    usage = "/verdict ID accurate|misleading|false|disputed|unverified [NOTE]"
    args = context.args or []
    if len(args) < 2:
        raise InvalidArgumentError(f"Usage: {usage}")
    cid = claim_id(args[0], usage=usage)
    note = rest_after(update.effective_message, 3) or None
    services = context.services
    view = await services.call(services.claims.set_verdict, cid, args[1], note=note, actor=actor(update))
    await reply(update, context, render.change_done("Verdict recorded.", view, services.tz))


async def retract(update: Update, context: ClaimContext) -> None:
    usage = "/retract ID [REASON]"
    args = context.args or []
    if not args:
        raise InvalidArgumentError(f"Usage: {usage}")
    cid = claim_id(args[0], usage=usage)
    reason = rest_after(update.effective_message, 2) or None
    services = context.services
    view = await services.call(services.claims.retract, cid, reason=reason, actor=actor(update))
    await reply(update, context, render.change_done("Retracted.", view, services.tz))


async def merge(update: Update, context: ClaimContext) -> None:
    usage = "/merge ID INTO_ID"
    args = [a for a in context.args or [] if a.lower() != "into"]
    if len(args) != 2:
        raise InvalidArgumentError(f"Usage: {usage}")
    cid, into = claim_id(args[0], usage=usage), claim_id(args[1], usage=usage)
    services = context.services
    view = await services.call(services.claims.merge, cid, into, actor=actor(update))
    await reply(update, context, render.change_done(f"Merged #{cid} into #{into}.", view, services.tz))


async def stats(update: Update, context: ClaimContext) -> None:
    services = context.services
    figures = await services.call(services.claims.stats)
    text = render.stats(figures.store, figures.questions, figures.subscribers, figures.delivery,
                        figures.erasures)
    text += "\n" + render.unanswered_section(figures.unanswered, services.tz)
    await reply(update, context, text, keyboard=render.stats_keyboard(figures.unanswered, services.codec))


# ---------------------------------------------------------------------------- digests and feeds


async def digest_now(update: Update, context: ClaimContext) -> None:
    """Every active subscription's digest now, due or not (or one topic's followers'), then counts."""
    services = context.services
    wanted = rest_after(update.effective_message, 1)
    topic_id, scope = None, "all subscriptions"
    if wanted:
        try:
            topic_id, name = await services.call(services.claims.topic_id, wanted)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"{exc} {DIGEST_NOW_USAGE}") from None
        scope = f"followers of {name}"
    queued, sent = await services.delivery.run_now(topic_id=topic_id)
    await reply(update, context, render.digest_run(scope, queued, sent))


async def feeds(update: Update, context: ClaimContext) -> None:
    """``/feeds``, ``/feeds add URL`` (fetched once to check it is a feed), ``/feeds remove ID``."""
    services = context.services
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "list" and len(args) <= 1:
        views = await services.call(services.claims.feeds)
        await reply(update, context, render.feeds_list(views, services.tz))
    elif action == "add" and len(args) == 2 and _URL.match(args[1]):
        user = update.effective_user
        view = await services.call(services.claims.add_feed, args[1], added_by=user.id if user else None)
        poll_feeds_soon(context)
        await reply(update, context, render.feed_added(view))
    elif action in {"remove", "rm", "delete"} and len(args) == 2:
        feed_id = claim_id(args[1], usage=FEEDS_USAGE)
        view = await services.call(services.claims.remove_feed, feed_id)
        await reply(update, context, render.feed_removed(view))
    else:
        raise InvalidArgumentError(FEEDS_USAGE)


def handlers(admin_ids: Iterable[int]) -> list[BaseHandler]:
    """Admin handlers, each also filtered to admins (the gatekeeper has already run)."""
    admins = filters.User(user_id=list(admin_ids))
    ingest_caption = filters.Document.ALL & filters.CaptionRegex(r"^/ingest(?:@\w+)?(?:\s|$)")
    return [
        # block=False: a slow fetch must not hold up everyone else's questions
        CommandHandler("ingest", ingest, filters=admins, block=False),
        MessageHandler(ingest_caption & admins, ingest, block=False),
        CommandHandler("edit", edit, filters=admins),
        CommandHandler("verdict", verdict, filters=admins),
        CommandHandler("retract", retract, filters=admins),
        CommandHandler("merge", merge, filters=admins),
        CommandHandler("stats", stats, filters=admins),
        # block=False: sending to every subscriber, or fetching a feed, takes a while
        CommandHandler("digest_now", digest_now, filters=admins, block=False),
        CommandHandler("feeds", feeds, filters=admins, block=False),
    ]
