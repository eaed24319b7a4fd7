"""Speakers and topics as editors curate them: the admin commands /speaker merge|rename|alias and
/topic rename|merge|hide, each one service call recorded with the admin as its author (the
gatekeeper in ``admin`` has already refused everyone else). /topics is in ``browse``."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import render
from bot.context import ClaimContext
from bot.handlers.common import actor, reply, rest_after
from claims.errors import InvalidArgumentError
from claims.service.editorial import SPEAKER_USAGE, TOPIC_USAGE


async def speaker(update: Update, context: ClaimContext) -> None:
    """``/speaker merge A into B``, ``/speaker rename A to B``, ``/speaker alias A as B``."""
    args = context.args or []
    if not args:
        raise InvalidArgumentError(SPEAKER_USAGE)
    services = context.services
    result = await services.call(services.claims.speaker_command, args[0],
                                 rest_after(update.effective_message, 2), actor=actor(update))
    await reply(update, context, render.editorial_done(result))


async def topic(update: Update, context: ClaimContext) -> None:
    """``/topic rename A to B``, ``/topic merge A into B``, ``/topic hide A``."""
    args = context.args or []
    if not args:
        raise InvalidArgumentError(TOPIC_USAGE)
    services = context.services
    result = await services.call(services.claims.topic_command, args[0],
                                 rest_after(update.effective_message, 2), actor=actor(update))
    await reply(update, context, render.editorial_done(result))


def handlers(admin_ids: Iterable[int]) -> list[BaseHandler]:
    admins = filters.User(user_id=list(admin_ids))
    return [
        CommandHandler("speaker", speaker, filters=admins),
        CommandHandler("topic", topic, filters=admins),
    ]
