"""Flood control: a token bucket per asker, for the bot's questions (per Telegram user) and the
web's ``/search`` (per client address). No Telegram here, so the web adapter can use it too."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class FloodControl:
    """A token bucket per user: a burst of questions, then one every ``refill_seconds``.

    A user over the limit is told once per flood how long to wait; further messages are dropped
    silently, so a flood does not turn into a flood of replies. A flood ends when the bucket has
    refilled completely: the odd message let through on a trickle of refills does not earn the
    flooder a second warning.
    """

    def __init__(self, *, burst: int = 6, refill_seconds: float = 4.0, max_users: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.refill_seconds = refill_seconds
        self.max_users = max_users
        self.clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float, bool]] = OrderedDict()  # tokens, at, warned

    def check(self, key: Hashable) -> float | None:
        """``None`` if the user (or web client) ``key`` may ask now; otherwise seconds to wait
        (negative: already warned)."""
        now = self.clock()
        tokens, at, warned = self._buckets.pop(key, (float(self.burst), now, False))
        tokens = min(float(self.burst), tokens + (now - at) / self.refill_seconds)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now, warned and tokens < self.burst)
            wait = None
        else:
            self._buckets[key] = (tokens, now, True)
            wait = (1.0 - tokens) * self.refill_seconds
            wait = -wait if warned else wait
        while len(self._buckets) > self.max_users:
            self._buckets.popitem(last=False)
        return wait
