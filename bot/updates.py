"""Updates processed concurrently, each chat's in the order they came (issue 23.9).

PTB handles one update at a time by default, so one reader's 200 inline queries made everyone else
wait behind them. ``PerChatOrder`` lets up to ``max_concurrent_updates`` run at once while updates
of one chat (or, without a chat, one user: inline queries) still run one after another, in order:
a reader's ``/subscribe`` then ``/subscriptions`` never swap, and one busy chat holds at most one
of the slots at a time.

A slot is taken only once the update's turn in its chat has come: PTB's own semaphore (taken
before ``do_process_update``) would otherwise fill with one flooder's queued updates, each waiting
for its chat, and make everyone else wait behind them. PTB's bound is therefore set high (it only
caps how many updates may be queued) and the real one is ``max_concurrent_updates`` here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 64
"""Updates running at once."""
MAX_QUEUED_UPDATES = 4096
"""Updates accepted at once, running or waiting for their chat's turn."""


class PerChatOrder(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
                 max_queued_updates: int = MAX_QUEUED_UPDATES) -> None:
        super().__init__(max(max_queued_updates, max_concurrent_updates))
        self._running = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[tuple[str, int], tuple[asyncio.Lock, int]] = {}  # key -> (lock, users)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._running:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]  # nothing waits on it: memory stays bounded by chats in flight
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def order_key(update: object) -> tuple[str, int]:
    """What must keep its order: the chat, else the user (inline queries), else everything else."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return ("other", 0)
