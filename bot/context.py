"""What every handler shares, typed: the application service, flood control, buttons, digests.

PTB hands handlers a ``CallbackContext``; ours (``ClaimContext``) exposes ``context.services`` so
handlers never fish string keys out of ``bot_data``. Handlers never open sessions: they call one
``ClaimService`` method through ``services.call`` (in a worker thread), so a slow query or a busy
store never holds up other chats.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.digests import Delivery
from bot.flood import FloodControl
from bot.render import CallbackCodec
from claims.service import ClaimService
from claims.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class BotServices:
    """Built once by ``build_application``: the application service (``claims``, the one door into
    the domain), plus what only the bot needs: buttons, the display zone, flood control, and the
    digest machinery (``delivery``)."""

    claims: ClaimService
    codec: CallbackCodec
    tz: ZoneInfo
    delivery: Delivery
    flood: FloodControl = field(default_factory=FloodControl)
    """Questions, posts and links: each costs a search."""
    crowd: FloodControl = field(default_factory=lambda: FloodControl(burst=30, refill_seconds=0.5))
    """Every update of a user (messages, commands, buttons, inline queries): ``bot.handlers.flood``."""
    freeze_heap: bool = False
    """Freeze the start-up state once the index is loaded (``bot.heap``): ``claimbot run`` does."""

    @property
    def settings(self) -> Settings:
        return self.claims.settings

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a service method off the event loop: database work and fetching never stall the bot."""
        return await asyncio.to_thread(fn, *args, **kwargs)


class BotData:
    """The application's ``bot_data``: only the services (PTB builds it with no arguments)."""

    services: BotServices


class ClaimContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """The context every handler receives, with ``services`` typed."""

    @property
    def services(self) -> BotServices:
        return self.bot_data.services


ClaimApp = Application[ExtBot[None], ClaimContext, dict, dict, BotData, JobQueue[ClaimContext]]
