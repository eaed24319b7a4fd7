"""Two digest runners, as two replicas run them, through the emulator with Telegram's flood control
on: together they keep to the bot's one budget, so Telegram never answers 429.

Each runner is what ``claimbot run`` starts (``bot.digests``' ``DIGEST_LIMITS``, 25 messages a
second, sending through ``bot.sender``'s PTB bot); alone, each would send 25 a second, 50 together.
"""

from __future__ import annotations

import asyncio
from functools import partial

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.digests import DIGEST_LIMITS
from bot.fakeapi.throttle import Throttle
from bot.sender import TelegramSender, digest_bot
from claims.follow.delivery import DeliveryRunner
from claims.store import db
from tests.bot.emulator import TOKEN, Emulator
from tests.claims.follow.test_delivery import add_rows

pytestmark = pytest.mark.postgres


async def test_two_replicas_never_draw_a_429(session: Session, engine: Engine, emulator: Emulator) -> None:
    chats = list(range(7000, 7060))
    add_rows(session, chats)
    api = emulator.api
    for chat in chats:
        api.add_user(chat)
    api.throttle = throttle = Throttle()
    bots = [digest_bot(token=TOKEN, api_url=emulator.url) for _ in range(2)]
    runners = [DeliveryRunner(sessions=partial(db.session_scope, engine), sender=TelegramSender(bot),
                              limits=DIGEST_LIMITS, poll_interval=0.05, batch=20) for bot in bots]
    for bot in bots:
        await bot.initialize()
    try:
        reports = await asyncio.gather(*(r.drain() for r in runners))
    finally:
        for bot in bots:
            await bot.shutdown()
    assert sorted(chat for _, chat in throttle.accepted) == chats  # each once
    assert throttle.refused == 0 and sum(r.retry_after for r in reports) == 0
    assert throttle.max_in_window(1.0) <= 28  # 25 a second for both (+ timer jitter); Telegram allows 30
    assert all(r.messages for r in reports), [r.messages for r in reports]  # both took part
