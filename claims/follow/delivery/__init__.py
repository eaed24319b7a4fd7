"""Delivering digests exactly once, within Telegram's rate limits.

The parts: ``limits`` (the seam to Telegram and its rate limits), ``budget`` (the overall pace all
replicas share through the database), ``enqueue`` (due subscriptions to outbox rows), ``outbox``
(rows claimed under leases, a chat at a time), ``runner`` (the sender loop).

Two steps, each safe to crash in:

1. ``enqueue_digests`` (a scheduler job) finds due subscriptions, computes their digests, records
   each as a ``DigestOutbox`` row and moves the subscription's watermark, in one transaction. The
   watermark moves with a conditional UPDATE (``WHERE watermark = what we read``) and the row's
   ``(subscription_id, digest_key)`` is unique, so two replicas enqueueing at once record a digest
   once; on PostgreSQL due subscriptions are also read ``FOR UPDATE SKIP LOCKED``.
2. ``DeliveryRunner`` claims rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, one conditional
   ``UPDATE ... WHERE id IN (SELECT ...)`` on SQLite) under a lease, sends them through a
   ``Sender`` and marks each message sent right after Telegram accepted it. A process that dies
   leaves its rows leased; when the lease expires another runner takes them over, so nothing is
   lost, and only a message in flight at the crash can be sent twice.

The Telegram layer implements ``Sender`` (PTB's ``bot.send_message``) and maps PTB's errors onto
the exceptions below. ``RateLimiter`` keeps to ~30 messages/s overall, 1/s per chat and 20/min per
group (negative chat ids) within one process. Across replicas the overall pace is one
``SharedBudget`` row every runner takes its slots from, and a chat is claimed by one runner at a
time, so the deployment as a whole keeps to ``per_second`` and to the per-chat limits however many
replicas run (they must share one database).
"""

from claims.follow.delivery.budget import DIGESTS, SharedBudget
from claims.follow.delivery.enqueue import DEFAULT_GRACE, EnqueueReport, enqueue_digests
from claims.follow.delivery.limits import (
    DEFAULT_LIMITS,
    ChatBlocked,
    ChatMigrated,
    ChatNotFound,
    DeliveryError,
    Limits,
    MessageRejected,
    RateLimiter,
    RetryAfter,
    Sender,
)
from claims.follow.delivery.outbox import DeliveryStats, Outbox, OutboxJob, delivery_stats
from claims.follow.delivery.runner import MAX_ATTEMPTS, DeliveryReport, DeliveryRunner

__all__ = [
    "DEFAULT_GRACE",
    "DEFAULT_LIMITS",
    "DIGESTS",
    "MAX_ATTEMPTS",
    "ChatBlocked",
    "ChatMigrated",
    "ChatNotFound",
    "DeliveryError",
    "DeliveryReport",
    "DeliveryRunner",
    "DeliveryStats",
    "EnqueueReport",
    "Limits",
    "MessageRejected",
    "Outbox",
    "OutboxJob",
    "RateLimiter",
    "RetryAfter",
    "Sender",
    "SharedBudget",
    "delivery_stats",
    "enqueue_digests",
]
