"""The seam to Telegram and its limits: the errors a ``Sender`` maps Telegram's answers onto, and a
rate limiter for ~30 messages/s overall, 1/s per chat and 20/min per group (per process; the
overall pace across replicas is ``budget.SharedBudget``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

# ---------------------------------------------------------------------------- the seam to Telegram


class DeliveryError(Exception):
    """Base of what a ``Sender`` raises for Telegram's answers that delivery must act on."""


class RetryAfter(DeliveryError):
    """429: Telegram asks us to wait ``seconds`` before sending again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry after {seconds:g} s")
        self.seconds = float(seconds)


class ChatBlocked(DeliveryError):
    """403: the user blocked the bot, or it was kicked from the group, or the account is gone."""


class ChatNotFound(DeliveryError):
    """400 "chat not found": the chat no longer exists for this bot."""


class ChatMigrated(DeliveryError):
    """The group became a supergroup with a new id; the message must go there instead."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class MessageRejected(DeliveryError):
    """Telegram refused this message for good (for example unparsable HTML): do not retry it."""


class Sender(Protocol):
    """Sends one message; raises the exceptions above for the answers delivery must act on."""

    async def send(self, chat_id: int, text: str) -> None: ...



# ---------------------------------------------------------------------------- rate limits


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's broadcast limits, with a small margin so network jitter does not trip them."""

    per_second: float = 29.0
    chat_interval: float = 1.05
    group_max: int = 20
    group_window: float = 60.5


DEFAULT_LIMITS = Limits()
"""Telegram's documented limits, shared as the default (``Limits`` is frozen)."""


class RateLimiter:
    """When each chat may next receive a message, and when the bot may send at all.

    Pure bookkeeping over a monotonic clock the caller passes in, so it is tested with a fake one.
    Overall sending is paced evenly (no bursts): after a stall the next slot is "now", not a
    catch-up burst that would trip Telegram's per-second window.
    """

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self._interval = 1.0 / limits.per_second
        self._global_next = 0.0
        self._chat_next: dict[int, float] = {}
        self._group_sent: dict[int, deque[float]] = {}

    def ready_at(self, chat_id: int) -> float:
        """The earliest time this chat may receive its next message, overall pacing included."""
        at = max(self._global_next, self._chat_next.get(chat_id, 0.0))
        sent = self._group_sent.get(chat_id)
        if chat_id < 0 and sent is not None and len(sent) >= self.limits.group_max:
            at = max(at, sent[0] + self.limits.group_window)
        return at

    def chat_ready_at(self, chat_id: int) -> float:
        """Like ``ready_at`` but ignoring overall pacing (used to pick which chat goes next)."""
        at = self._chat_next.get(chat_id, 0.0)
        sent = self._group_sent.get(chat_id)
        if chat_id < 0 and sent is not None and len(sent) >= self.limits.group_max:
            at = max(at, sent[0] + self.limits.group_window)
        return at

    def held_at(self, chat_id: int) -> float:
        """When this chat may next receive, counting its own spacing and 429s, not a group's minute."""
        return self._chat_next.get(chat_id, 0.0)

    def handover_at(self, chat_id: int) -> float:
        """When another runner, knowing nothing of this chat's sends, may start sending to it.

        A private chat: when it may next receive. A group: also not before its last message is a
        whole window old, because the next holder starts counting the group's minute afresh.
        """
        at = self.chat_ready_at(chat_id)
        sent = self._group_sent.get(chat_id)
        if chat_id < 0 and sent:
            at = max(at, sent[-1] + self.limits.group_window)
        return at

    @property
    def global_ready_at(self) -> float:
        return self._global_next

    def record(self, chat_id: int, now: float) -> None:
        """A message to ``chat_id`` is going out at ``now``."""
        slot = self._global_next
        # Slightly late (timer granularity): keep the grid so the rate holds. Late by a whole
        # interval or more (a stall): restart the grid at now rather than catching up in a burst.
        self._global_next = (slot if 0 <= now - slot < self._interval else now) + self._interval
        self._chat_next[chat_id] = now + self.limits.chat_interval
        if chat_id < 0:
            sent = self._group_sent.setdefault(chat_id, deque())
            sent.append(now)
            while len(sent) > self.limits.group_max:
                sent.popleft()

    def penalize(self, chat_id: int, until: float, *, everyone: bool = False) -> None:
        """Telegram said 429: hold this chat (and with ``everyone``, all chats) until ``until``."""
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)
        if everyone:
            self._global_next = max(self._global_next, until)

    def forget_idle(self, now: float) -> None:
        """Drop bookkeeping for chats that could receive again anyway (keeps memory flat)."""
        for chat_id in [c for c, t in self._chat_next.items() if t < now]:
            sent = self._group_sent.get(chat_id)
            if sent and sent[-1] + self.limits.group_window > now:
                continue
            self._chat_next.pop(chat_id, None)
            self._group_sent.pop(chat_id, None)
