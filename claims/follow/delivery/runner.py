"""The sender loop: claims outbox rows, sends them through a ``Sender`` at Telegram's pace, and hands
unsent rows back on shutdown.

Telegram's limits hold across replicas: the overall pace is a ``SharedBudget`` row every runner
takes its slots from, and chats are claimed whole (``Outbox.claim``), so the runner holding a chat
is the only one sending to it and its own ``RateLimiter`` keeps that chat's spacing. A chat handed
back is handed back with the time it may next receive, so the next holder keeps the spacing too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from claims.follow.delivery.budget import SharedBudget
from claims.follow.delivery.limits import (
    DEFAULT_LIMITS,
    ChatBlocked,
    ChatMigrated,
    ChatNotFound,
    Limits,
    MessageRejected,
    RateLimiter,
    RetryAfter,
    Sender,
)
from claims.follow.delivery.outbox import Outbox, OutboxJob
from claims.store.db import SessionFactory
from claims.store.models import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
"""Sends that fail with unexpected errors are retried with backoff this many times, then failed."""


# ---------------------------------------------------------------------------- the sender loop


@dataclass
class DeliveryReport:
    """Counters of one runner since it started (the benchmark and logs read them)."""

    messages: int = 0
    digests: int = 0
    retry_after: int = 0
    blocked: int = 0
    not_found: int = 0
    migrated: int = 0
    rejected: int = 0
    errors: int = 0
    failed: int = 0
    lost_leases: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


class DeliveryRunner:
    """Claims outbox rows and sends them through a ``Sender`` at Telegram's pace.

    One failing chat never holds up others: each message is its own task, a chat waiting out a 429
    or its per-chat limit is skipped over, and a chat held back for long is handed back to the
    outbox. Database work runs in threads so the bot's event loop stays responsive.

    ``budget`` is the overall pace shared with every other runner on the same database (by default
    ``limits.per_second`` in the ``digests`` row); the runner's own ``RateLimiter`` keeps per-chat
    spacing and never lets this process alone exceed ``limits.per_second`` either.
    """

    def __init__(
        self,
        *,
        sessions: SessionFactory,
        sender: Sender,
        limits: Limits = DEFAULT_LIMITS,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 60,
        max_in_flight: int = 40,
        poll_interval: float = 2.0,
        owner: str | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        retry_backoff: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        budget: SharedBudget | None = None,
    ) -> None:
        self.outbox = Outbox(sessions, lease=lease)
        self.budget = budget or SharedBudget(sessions, per_second=limits.per_second)
        self.sender = sender
        self.limiter = RateLimiter(limits)
        self.batch = batch
        self.max_in_flight = max_in_flight
        self.poll_interval = poll_interval
        self.owner = owner or f"runner-{uuid.uuid4().hex[:12]}"
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff
        self.clock = clock
        self.report = DeliveryReport()
        self._queue: list[OutboxJob] = []
        self._busy: set[int] = set()  # chats with a message in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()
        self._wakes = 0
        self._lease_seconds = lease.total_seconds()
        self._renew_at = 0.0
        self._claim_at = 0.0
        self._group_hold = timedelta(seconds=limits.group_window)

    def wake(self) -> None:
        """New rows are in the outbox (the scheduler just enqueued): look now, not at the next poll."""
        self._wakes += 1
        self._claim_at = 0.0
        self._changed.set()

    async def drain(self) -> DeliveryReport:
        """Send everything sendable now, then return (``/digest_now``, tests, the benchmark)."""
        return await self.run(drain=True)

    async def run(self, *, stop: asyncio.Event | None = None, drain: bool = False) -> DeliveryReport:
        """Deliver until ``stop`` is set (or, with ``drain``, until the outbox has nothing due)."""
        stop = stop or asyncio.Event()
        exhausted = False
        try:
            while not stop.is_set():
                now = self.clock()
                idle = not self._queue and not self._tasks
                if len(self._queue) < self.batch // 2 and (now >= self._claim_at or (drain and idle)):
                    wakes = self._wakes
                    claimed = await asyncio.to_thread(
                        self.outbox.claim, owner=self.owner, limit=self.batch - len(self._queue),
                        group_takeover_hold=self._group_hold,
                    )
                    self._hold(claimed)
                    self._queue.extend(claimed)
                    exhausted = not claimed
                    # woken while claiming: the new rows may have missed this claim, so look again
                    # now rather than a whole poll interval later
                    idle_claim = not claimed and wakes == self._wakes
                    self._claim_at = now + (self.poll_interval if idle_claim else 0.0)
                if now >= self._renew_at:
                    await self._renew_and_release(now)
                now = self.clock()  # the awaits above take time; pace from the real dispatch time
                job, wait = self._next_ready(now)
                if job is not None:
                    await self._dispatch(job)
                    continue
                if drain and exhausted and not self._queue and not self._tasks:
                    break
                timeout = self.poll_interval if wait is None else max(0.0, min(wait, self.poll_interval))
                if not self._queue and not self._tasks:
                    timeout = max(0.0, min(timeout, self._claim_at - now))
                await self._wait(timeout)
        finally:
            await self._shutdown()
        return self.report

    async def _wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, or less if a send finishes or ``wake`` is called."""
        self._changed.clear()
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    def _next_ready(self, now: float) -> tuple[OutboxJob | None, float | None]:
        """The first queued job whose chat may receive now, or how long until one may."""
        if len(self._tasks) >= self.max_in_flight:
            return None, None
        earliest: float | None = None
        global_at = self.limiter.global_ready_at
        for job in self._queue:
            if job.chat_id in self._busy:
                continue
            at = max(self.limiter.chat_ready_at(job.chat_id), job.not_before)
            if at <= now:
                if global_at <= now:
                    return job, None
                at = global_at
            earliest = at if earliest is None else min(earliest, at)
            if earliest <= global_at:
                break  # nothing can beat the global slot
        return None, None if earliest is None else earliest - now

    def _hold(self, claimed: list[OutboxJob]) -> None:
        """A chat its previous holder sent to lately waits as long as the claim said (on our clock)."""
        now, wall = self.clock(), utcnow()
        for job in claimed:
            if job.held_until is not None:
                self.limiter.penalize(job.chat_id, now + (job.held_until - wall).total_seconds())

    async def _dispatch(self, job: OutboxJob) -> None:
        """Take the job's chat, then the next slot of the shared budget; its task sends at that slot."""
        self._queue.remove(job)
        self._busy.add(job.chat_id)
        try:
            wait = await asyncio.to_thread(self.budget.take)
        except BaseException:
            self._busy.discard(job.chat_id)
            self._queue.append(job)
            self._queue.sort(key=lambda j: j.id)
            raise
        at = self.clock() + wait  # measured after the round trip: late by it, never early
        self.limiter.record(job.chat_id, at)
        task = asyncio.create_task(self._send(job, at))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._changed.set()
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("delivery task crashed", exc_info=exc)

    async def _send(self, job: OutboxJob, at: float) -> None:
        chat_id = job.chat_id
        requeue = False
        try:
            if (wait := at - self.clock()) > 0:
                await asyncio.sleep(wait)  # the budget's slot
            job.attempts += 1
            await self.sender.send(job.chat_id, job.payload[job.parts_sent])
        except RetryAfter as exc:
            self.report.retry_after += 1
            everyone = job.chat_id > 0
            self.limiter.penalize(job.chat_id, self.clock() + exc.seconds, everyone=everyone)
            if everyone:  # the bot as a whole was too fast: every replica waits
                await asyncio.to_thread(self.budget.hold, exc.seconds)
            requeue = True
        except ChatMigrated as exc:
            self.report.migrated += 1
            await asyncio.to_thread(self.outbox.migrate_chat, job.chat_id, exc.new_chat_id)
            for queued in [job, *self._queue]:
                if queued.chat_id == chat_id:
                    queued.chat_id = exc.new_chat_id
            requeue = True
        except (ChatBlocked, ChatNotFound) as exc:
            blocked = isinstance(exc, ChatBlocked)
            reason = "blocked" if blocked else "chat_not_found"
            if blocked:
                self.report.blocked += 1
            else:
                self.report.not_found += 1
            await asyncio.to_thread(self.outbox.pause_chat, chat_id, reason=reason)
            for dropped in [job, *[q for q in self._queue if q.chat_id == chat_id]]:
                await asyncio.to_thread(self.outbox.fail, dropped, error=f"chat {reason}: {exc}")
                self.report.failed += 1
            self._queue = [q for q in self._queue if q.chat_id != chat_id]
        except MessageRejected as exc:
            self.report.rejected += 1
            self.report.failed += 1
            await asyncio.to_thread(self.outbox.fail, job, error=f"rejected: {exc}")
        except Exception as exc:
            self.report.errors += 1
            log.exception("sending digest %s to chat %s failed", job.id, job.chat_id)
            if job.attempts >= self.max_attempts:
                self.report.failed += 1
                await asyncio.to_thread(self.outbox.fail, job, error=f"{type(exc).__name__}: {exc}")
            else:
                job.not_before = self.clock() + min(self.retry_backoff * 2.0 ** (job.attempts - 1), 300.0)
                requeue = True
        else:
            job.parts_sent += 1
            self.report.messages += 1
            free_at = self._wall(self.limiter.handover_at(chat_id), self.clock())
            if not await asyncio.to_thread(self.outbox.progress, job, chat_free_at=free_at):
                self.report.lost_leases += 1
                log.warning("lost the lease on digest %s; another runner has it", job.id)
            elif job.done:
                self.report.digests += 1
            else:
                requeue = True
        finally:
            self._busy.discard(chat_id)
        if requeue:
            self._queue.append(job)
            self._queue.sort(key=lambda j: j.id)

    async def _renew_and_release(self, now: float) -> None:
        """Extend held leases; hand back rows whose chat is held (a 429, a retry) for most of a lease.

        A group waiting for its minute is kept: this runner knows exactly when it may send again,
        while the next holder would have to wait a whole window after the group's last message.
        """
        self._renew_at = now + self._lease_seconds / 3
        horizon_at = now + self._lease_seconds / 2
        keep: list[OutboxJob] = []
        for job in self._queue:
            if max(self.limiter.held_at(job.chat_id), job.not_before) > horizon_at:
                not_before = self._wall(self._ready_at(job), now)
                await asyncio.to_thread(self.outbox.release, job, not_before=not_before)
            else:
                keep.append(job)
        self._queue = keep
        tokens = sorted({j.token for j in self._queue})
        await asyncio.to_thread(self.outbox.renew, tokens)
        self.limiter.forget_idle(now)

    async def _shutdown(self) -> None:
        """Let in-flight messages finish, then hand back what was claimed but not sent."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        now = self.clock()
        for job in self._queue:
            # handed back with the time its chat may next receive, so the next holder keeps the pace
            await asyncio.to_thread(self.outbox.release, job, not_before=self._wall(self._ready_at(job), now))
        self._queue = []

    def _ready_at(self, job: OutboxJob) -> float:
        """When another runner may send this job, on our clock (per-chat limits and 429s included)."""
        return max(self.limiter.handover_at(job.chat_id), job.not_before)

    @staticmethod
    def _wall(at: float, now: float) -> datetime:
        """A time on our clock as the store's UTC time (never in the past)."""
        return utcnow() + timedelta(seconds=max(0.0, at - now))
