"""Telegram's flood control, as the fake enforces it: 429 with ``retry_after`` beyond the limits.

Why it exists: a claim that the bot keeps to Telegram's limits (one replica or several) is only
tested if the other side refuses what Telegram refuses. Telegram documents, per bot: about 30
messages a second overall, 1 a second in one chat, 20 a minute in one group. The fake holds them
strictly, over sliding windows: a message is refused if it would be the 31st in any second, the
2nd in a second to one chat, or the 21st in a minute to one group (negative chat ids). Refused
messages do not count, as with Telegram. Off unless a ``FakeBotApi`` is given one, because tests
of conversations reply to one chat faster than once a second, as Telegram lets them in practice.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Throttle:
    """Sliding windows over the messages accepted so far; ``clock`` is seconds (tests set it)."""

    per_second: int = 30
    chat_interval: float = 1.0
    group_max: int = 20
    group_window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    accepted: list[tuple[float, int]] = field(default_factory=list)
    """(time, chat id) of every message let through, for benchmarks and tests to measure."""
    refused: int = 0

    def __post_init__(self) -> None:
        self._second: deque[float] = deque()
        self._chat_last: dict[int, float] = {}
        self._group: dict[int, deque[float]] = {}

    def retry_after(self, chat_id: int) -> int | None:
        """Whole seconds to wait if a message to ``chat_id`` now is over a limit (counted as
        refused), else None. Telegram rounds up, and so does the fake."""
        now = self.clock()
        while self._second and self._second[0] <= now - 1.0:
            self._second.popleft()
        wait = 0.0
        if len(self._second) >= self.per_second:
            wait = self._second[0] + 1.0 - now
        last = self._chat_last.get(chat_id)
        if last is not None and now - last < self.chat_interval:
            wait = max(wait, last + self.chat_interval - now)
        group = self._group.get(chat_id)
        if group is not None:
            while group and group[0] <= now - self.group_window:
                group.popleft()
            if len(group) >= self.group_max:
                wait = max(wait, group[0] + self.group_window - now)
        if wait <= 0:
            return None
        self.refused += 1
        return max(1, math.ceil(round(wait, 6)))  # not 41 for 40.000000001 of float noise

    def record(self, chat_id: int) -> None:
        """A message to ``chat_id`` was accepted now."""
        now = self.clock()
        self._second.append(now)
        self._chat_last[chat_id] = now
        if chat_id < 0:
            self._group.setdefault(chat_id, deque()).append(now)
        self.accepted.append((now, chat_id))

    def max_in_window(self, seconds: float = 1.0) -> int:
        """The most messages accepted in any window of ``seconds`` (what Telegram would have seen)."""
        return busiest(sorted(t for t, _ in self.accepted), seconds)


def busiest(times: list[float], seconds: float) -> int:
    """The most of these sorted times in any window of ``seconds`` (the emulator and the
    delivery benchmarks count Telegram's limits the same way)."""
    best, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - seconds:
            first += 1
        best = max(best, last - first + 1)
    return best
