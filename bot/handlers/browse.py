"""Browsing what the bot knows: /topics, /speakers, /claims, /claim ID and /history ID."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import claim_id, reply
from claims.errors import InvalidArgumentError, NotFoundError
from claims.store.views import (
    claim_history,
    find_speaker,
    find_topic,
    get_claim,
    list_claims,
    speakers_with_counts,
    topics_with_counts,
)

LIST_LIMIT = 10


async def topics(update: Update, context: ClaimContext) -> None:
    with context.services.session() as session:
        items = topics_with_counts(session=session)
    await reply(update, context, render.names_list(items, kind="topics"))


async def speakers(update: Update, context: ClaimContext) -> None:
    with context.services.session() as session:
        items = speakers_with_counts(session=session)
    await reply(update, context, render.names_list(items, kind="speakers"))


async def claims(update: Update, context: ClaimContext) -> None:
    """The newest claims, or those of one topic or speaker (names, slugs and aliases all work)."""
    wanted = " ".join(context.args or []).strip()
    services = context.services
    with services.session() as session:
        if not wanted:
            views, title = list_claims(session=session, limit=LIST_LIMIT), "so far"
        elif topic := find_topic(session=session, name=wanted):
            views = list_claims(session=session, topic=topic.slug, limit=LIST_LIMIT)
            title = f"on {topic.name}"
        else:
            known = services.catalog.speaker_by_alias(wanted)
            speaker = find_speaker(session=session, name=known.name if known else wanted)
            if speaker is None:
                raise NotFoundError(
                    f"I know no topic or speaker called “{wanted[:80]}”. See /topics and /speakers."
                )
            views = list_claims(session=session, speaker=speaker.name, limit=LIST_LIMIT)
            title = f"by {speaker.name}"
    await reply(update, context, render.claims_list(views, title, services.tz))


async def claim(update: Update, context: ClaimContext) -> None:
    if not context.args:
        raise InvalidArgumentError("Usage: /claim ID, for example /claim 12")
    await show_claim(update, context, claim_id(context.args[0], usage="/claim ID"))


async def show_claim(update: Update, context: ClaimContext, cid: int) -> None:
    """The full claim with a History button (also what ``/start claim_ID`` deep links open)."""
    services = context.services
    with services.session() as session:
        view = get_claim(session=session, claim_id=cid)
    text = render.claim_full(view, view.revision, services.tz, bot_username=context.bot.username)
    await reply(update, context, text, keyboard=render.claim_keyboard(view, services.codec))


async def history(update: Update, context: ClaimContext) -> None:
    if not context.args:
        raise InvalidArgumentError("Usage: /history ID, for example /history 12")
    await show_history(update, context, claim_id(context.args[0], usage="/history ID"))


async def show_history(update: Update, context: ClaimContext, cid: int) -> None:
    services = context.services
    with services.session() as session:
        view = get_claim(session=session, claim_id=cid)
        revisions = claim_history(session=session, claim_id=cid)
    await reply(update, context, render.history(view, revisions, services.tz))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("topics", topics),
        CommandHandler("speakers", speakers),
        CommandHandler("claims", claims),
        CommandHandler("claim", claim),
        CommandHandler("history", history),
    ]
