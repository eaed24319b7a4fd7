"""/start (with deep links such as ``/start claim_12``), /help, and the command menus.

Menus: user commands for everyone; user and admin commands in each admin's own chat. Telegram only
accepts a chat scope once the chat exists, so an admin who has never written to the bot gets the
menu on their first /start instead of at start-up.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CommandHandler

from bot import render
from bot.context import ClaimContext
from bot.handlers.browse import show_claim
from bot.handlers.common import reply

log = logging.getLogger(__name__)
_DEEP_CLAIM = re.compile(r"^claim_([0-9]{1,12})$")


async def start(update: Update, context: ClaimContext) -> None:
    """Welcome, or open the claim a shared link points to."""
    payload = context.args[0] if context.args else ""
    if m := _DEEP_CLAIM.match(payload):
        await show_claim(update, context, int(m.group(1)))
        return
    user = update.effective_user
    if user is not None and context.services.is_admin(user.id):
        await register_admin_menu(context.bot, user.id)
    await reply(update, context, render.welcome(user.first_name if user else None))


async def help_command(update: Update, context: ClaimContext) -> None:
    user = update.effective_user
    is_admin = user is not None and context.services.is_admin(user.id)
    await reply(update, context, render.help_text(is_admin=is_admin, bot_username=context.bot.username))


async def register_menus(bot: Bot, admin_ids: Iterable[int]) -> None:
    """Command menus at start-up (``set_my_commands``)."""
    await bot.set_my_commands([BotCommand(c, d) for c, d in render.USER_COMMANDS])
    for admin_id in sorted(admin_ids):
        await register_admin_menu(bot, admin_id)


async def register_admin_menu(bot: Bot, admin_id: int) -> None:
    commands = [BotCommand(c, d) for c, d in (*render.USER_COMMANDS, *render.ADMIN_COMMANDS)]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(admin_id))
    except BadRequest as exc:
        log.info("No admin menu for %s yet (%s); it is set when they send /start", admin_id, exc)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("start", start), CommandHandler("help", help_command)]
