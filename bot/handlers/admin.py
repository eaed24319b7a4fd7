"""Admin commands: /ingest, /edit, /verdict, /retract, /merge, /stats, /digest_now and /feeds.

Authorisation is one gatekeeper (``gatekeeper``), registered in a group that runs before all
others: an admin command from anyone not in ``CLAIMBOT_ADMIN_IDS`` is refused politely, logged,
and stops there. The admin handlers carry the same user filter as a second line of defence.
Every change is made by one ``claims.store.history`` function with the admin as the revision's author,
and the matcher is told about the changed claims right after.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable

from sqlmodel import Session
from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CommandHandler, MessageHandler, filters

from bot import render
from bot.context import BotServices, ClaimContext
from bot.handlers.common import actor, claim_id, reply, rest_after
from bot.jobs import fetch_policy, poll_feeds_soon
from claims.errors import InputError, InvalidArgumentError
from claims.follow.delivery import delivery_stats
from claims.follow.subscriptions import resolve_target, subscription_stats
from claims.ingest.feeds import FeedView, add_feed, list_feeds, remove_feed
from claims.ingest.pipeline import IngestReport, ingest_article
from claims.ingest.sources import ArticleInput, fetch_article, parse_document
from claims.search.questions import last_day, question_stats
from claims.settings import Settings
from claims.store.history import edit_claim, merge_claims, retract_claim, set_verdict
from claims.store.models import TargetKind
from claims.store.views import ClaimView, get_claim, get_claims, store_stats

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
    command = ((message.text or message.caption or "") if message else "").split(maxsplit=1)[0][:40]
    log.warning("Refused admin command %s from user %s in chat %s", command,
                user.id if user else None, update.effective_chat.id if update.effective_chat else None)
    await reply(update, context, f"Sorry, {render.esc(command.split('@')[0])} is only for the claimbot team.")
    raise ApplicationHandlerStop


def gatekeeper(admin_ids: Iterable[int]) -> list[BaseHandler]:
    """Handlers for the group that runs first: refuse admin commands from everyone else."""
    return [MessageHandler(ADMIN_COMMAND & ~filters.User(user_id=list(admin_ids)), refuse)]


# ---------------------------------------------------------------------------- ingest


async def ingest(update: Update, context: ClaimContext) -> None:
    """Fetch or read the article, ingest it off the event loop, then update the matcher."""
    services = context.services
    article = await _article(update, context)
    report, added = await asyncio.to_thread(_store_article, services, article)
    services.claims_changed([*report.added, *report.revised, *report.appeared])
    await reply(update, context, render.ingest_report(report, added, services.tz))


def _store_article(services: BotServices, article: ArticleInput) -> tuple[IngestReport, list[ClaimView]]:
    with services.session() as session:
        report = ingest_article(article, session=session, catalog=services.catalog,
                                max_chars=services.settings.max_article_chars)
        session.flush()
        added = get_claims(session=session, claim_ids=[*report.added, *report.revised])
    return report, added


async def _article(update: Update, context: ClaimContext) -> ArticleInput:
    """The article from the URL argument, the replied-to message or document, or this document."""
    settings = context.services.settings
    message = update.effective_message
    assert message is not None
    args = rest_after(message, 1)
    source = message.reply_to_message
    if args:
        if not _URL.match(args):
            raise InvalidArgumentError(INGEST_USAGE)
        return await _fetch(args, settings)
    document = message.document or (source.document if source else None)
    if document is not None:
        if document.file_size and document.file_size > settings.fetch_max_bytes:
            raise InputError(f"The file is larger than the {settings.fetch_max_bytes:,}-byte limit.")
        raw = bytes(await (await document.get_file()).download_as_bytearray())
        name = f"The file {document.file_name or 'you sent'}"
        return await asyncio.to_thread(parse_document, raw, name=name)
    text = (source.text or source.caption or "").strip() if source else ""
    if not text:
        raise InvalidArgumentError(INGEST_USAGE)
    if _URL.match(text):
        return await _fetch(text, settings)
    return await asyncio.to_thread(parse_document, text.encode(), name="The message")


async def _fetch(url: str, settings: Settings) -> ArticleInput:
    """Fetch off the event loop; private addresses only if the operator allowed them."""
    return await asyncio.to_thread(fetch_article, url, policy=fetch_policy(settings))


# ---------------------------------------------------------------------------- changes


async def edit(update: Update, context: ClaimContext) -> None:
    usage = "/edit ID NEW TEXT"
    args = context.args or []
    text = rest_after(update.effective_message, 2)
    if not args or not text:
        raise InvalidArgumentError(f"Usage: {usage}")
    cid = claim_id(args[0], usage=usage)
    await _change(update, context, [cid], "Edited.",
                  lambda s: edit_claim(session=s, claim_id=cid, text=text, actor=actor(update)))


async def verdict(update: Update, context: ClaimContext) -> None:
    usage = "/verdict ID accurate|misleading|false|disputed|unverified [NOTE]"
    args = context.args or []
    if len(args) < 2:
        raise InvalidArgumentError(f"Usage: {usage}")
    cid = claim_id(args[0], usage=usage)
    note = rest_after(update.effective_message, 3) or None
    await _change(update, context, [cid], "Verdict recorded.",
                  lambda s: set_verdict(session=s, claim_id=cid, verdict=args[1], note=note,
                                        actor=actor(update)))


async def retract(update: Update, context: ClaimContext) -> None:
    usage = "/retract ID [REASON]"
    args = context.args or []
    if not args:
        raise InvalidArgumentError(f"Usage: {usage}")
    cid = claim_id(args[0], usage=usage)
    reason = rest_after(update.effective_message, 2) or None
    await _change(update, context, [cid], "Retracted.",
                  lambda s: retract_claim(session=s, claim_id=cid, reason=reason, actor=actor(update)))


async def merge(update: Update, context: ClaimContext) -> None:
    usage = "/merge ID INTO_ID"
    args = [a for a in context.args or [] if a.lower() != "into"]
    if len(args) != 2:
        raise InvalidArgumentError(f"Usage: {usage}")
    cid, into = claim_id(args[0], usage=usage), claim_id(args[1], usage=usage)
    await _change(update, context, [cid, into], f"Merged #{cid} into #{into}.",
                  lambda s: merge_claims(session=s, claim_id=cid, into_id=into, actor=actor(update)))


async def _change(update: Update, context: ClaimContext, ids: list[int], done: str,
                  change: Callable[[Session], object]) -> None:
    """Run one history function in one session, refresh the matcher, show the resulting claim."""
    services = context.services
    with services.session() as session:
        change(session)
        session.flush()
        view = get_claim(session=session, claim_id=ids[-1])
    services.claims_changed(ids)
    await reply(update, context, render.change_done(done, view, services.tz))


async def stats(update: Update, context: ClaimContext) -> None:
    with context.services.session() as session:
        store = store_stats(session=session)
        questions = question_stats(session=session, since=last_day())
        subscribers = subscription_stats(session=session)
        delivery = delivery_stats(session=session)
    await reply(update, context, render.stats(store, questions, subscribers, delivery))


# ---------------------------------------------------------------------------- digests and feeds


async def digest_now(update: Update, context: ClaimContext) -> None:
    """Every active subscription's digest now, due or not (or one topic's followers'), then counts."""
    services = context.services
    wanted = rest_after(update.effective_message, 1)
    topic_id, scope = None, "all subscriptions"
    if wanted:
        with services.session() as session:
            target = resolve_target(session=session, query=wanted)
        if target.kind is not TargetKind.TOPIC:
            raise InvalidArgumentError(f"{target.label} is a {target.kind.value}, not a topic. "
                                       f"{DIGEST_NOW_USAGE}")
        topic_id, scope = target.id, f"followers of {target.label}"
    queued, sent = await services.digests.run_now(topic_id=topic_id)
    await reply(update, context, render.digest_run(scope, queued, sent))


async def feeds(update: Update, context: ClaimContext) -> None:
    """``/feeds``, ``/feeds add URL`` (fetched once to check it is a feed), ``/feeds remove ID``."""
    services = context.services
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "list" and len(args) <= 1:
        with services.session() as session:
            views = list_feeds(session=session)
        await reply(update, context, render.feeds_list(views, services.tz))
    elif action == "add" and len(args) == 2 and _URL.match(args[1]):
        user = update.effective_user
        view = await asyncio.to_thread(_add_feed, services, args[1], user.id if user else None)
        poll_feeds_soon(context)
        await reply(update, context, render.feed_added(view))
    elif action in {"remove", "rm", "delete"} and len(args) == 2:
        feed_id = claim_id(args[1], usage=FEEDS_USAGE)
        with services.session() as session:
            view = remove_feed(session=session, feed_id=feed_id)
        await reply(update, context, render.feed_removed(view))
    else:
        raise InvalidArgumentError(FEEDS_USAGE)


def _add_feed(services: BotServices, url: str, added_by: int | None) -> FeedView:
    with services.session() as session:
        return add_feed(session=session, url=url, added_by=added_by, policy=fetch_policy(services.settings))


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
