"""Delivering digests exactly once, within Telegram's rate limits: the outbox and its sender loop.

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
group (negative chat ids); the limits are per process, so with several replicas give each a share
of ``per_second``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, col, func, select

from claims.db import session_scope
from claims.digest import SETTLE, Digest, compute_digests, horizon, render_text
from claims.models import (
    ChatPreference,
    DigestOutbox,
    OutboxStatus,
    ScheduleKind,
    Subscription,
    SubscriptionStatus,
    TargetKind,
    utcnow,
)
from claims.schedule import is_missed, next_run
from claims.subscriptions import schedule_of

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=3)
"""A digest missed while the bot was down is still sent this long after its time; later, it waits
for the next run (nothing is lost: the watermark did not move)."""
MAX_ATTEMPTS = 8
"""Sends that fail with unexpected errors are retried with backoff this many times, then failed."""
ERROR_CHARS = 500

Renderer = Callable[[Digest], list[str]]
T = TypeVar("T")


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


# ---------------------------------------------------------------------------- enqueueing digests


@dataclass
class EnqueueReport:
    """What one scheduler tick did."""

    due: int = 0
    digests: int = 0
    messages: int = 0
    empty: int = 0
    missed: int = 0
    raced: int = 0
    to_revision_id: int = 0


def enqueue_digests(
    *,
    session: Session,
    now: datetime | None = None,
    render: Renderer = render_text,
    grace: timedelta = DEFAULT_GRACE,
    force: bool = False,
    topic_id: int | None = None,
    settle: timedelta = SETTLE,
    limit: int | None = None,
) -> EnqueueReport:
    """Record the digests of due subscriptions in the outbox; the caller's session commits.

    ``force`` (``/digest_now``) takes every active subscription, due or not, without moving its
    schedule; ``topic_id`` narrows it to one topic's followers. ``render`` turns a digest into
    message parts (the bot passes its HTML renderer); an empty digest records nothing. A run missed
    by more than ``grace`` (the bot was down) is skipped, its changes wait for the next run.
    """
    now = now or utcnow()
    report = EnqueueReport()
    stmt = select(Subscription).where(Subscription.status == SubscriptionStatus.ACTIVE.value)
    if not force:
        stmt = stmt.where(col(Subscription.next_run_at) <= now)
    if topic_id is not None:
        stmt = stmt.where(
            Subscription.target_kind == TargetKind.TOPIC.value, Subscription.target_id == topic_id
        )
    stmt = stmt.order_by(col(Subscription.next_run_at), col(Subscription.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    if _is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    subs = list(session.exec(stmt))
    report.due = len(subs)
    if not subs:
        return report
    hi = horizon(session=session, now=now, settle=timedelta(0) if force else settle)
    report.to_revision_id = hi
    missed = {
        s.id for s in subs
        if not force and s.schedule != ScheduleKind.INSTANT.value
        and is_missed(s.next_run_at, now=now, grace=grace)
    }
    report.missed = len(missed)
    digests = compute_digests(
        session=session, subscriptions=[s for s in subs if s.id not in missed], upto_revision_id=hi
    )
    table = Subscription.__table__  # type: ignore[attr-defined]
    # One prepared UPDATE per subscription (its rowcount says whether we won the race) and one
    # executemany INSERT for the outbox: compiled once, so 10,000 subscriptions stay fast.
    move = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"),
               table.c.watermark_revision_id == sa.bindparam("b_from"))
        .values(next_run_at=sa.bindparam("b_next"), updated_at=sa.bindparam("b_now"),
                watermark_revision_id=sa.bindparam("b_to"), watermark_at=sa.bindparam("b_at"),
                last_digest_at=sa.bindparam("b_last"))
    )
    conn = session.connection()
    sendable = min(now, utcnow())  # a forced run may pass a "now" in the future
    rows: list[dict[str, object]] = []
    for sub in subs:
        params: dict[str, object] = {
            "b_id": sub.id, "b_from": sub.watermark_revision_id, "b_now": now,
            "b_next": sub.next_run_at if force else next_run(schedule_of(sub), after=now, tz=sub.timezone),
            "b_to": sub.watermark_revision_id, "b_at": sub.watermark_at, "b_last": sub.last_digest_at,
        }
        digest = digests.get(sub.id)  # type: ignore[arg-type]
        parts = render(digest) if digest is not None else []
        if sub.id in missed:
            pass  # keep the watermark: the changes go out with the next run
        elif not parts:
            report.empty += 1
            if force or sub.schedule == ScheduleKind.INSTANT.value:
                continue  # nothing to write: an instant subscription stays due
            params["b_to"] = max(hi, sub.watermark_revision_id)
        else:
            params.update(b_to=hi, b_at=now, b_last=now)
        if _rowcount(conn.execute(move, params)) != 1:
            report.raced += 1  # another process handled this subscription meanwhile
            continue
        if parts and digest is not None:
            rows.append({
                "subscription_id": sub.id, "digest_key": digest.key, "chat_id": sub.chat_id,
                "from_revision_id": digest.from_revision_id, "to_revision_id": digest.to_revision_id,
                "items": digest.count, "payload": parts, "parts_sent": 0,
                "status": OutboxStatus.PENDING.value, "attempts": 0, "not_before": sendable,
                "created_at": now,
            })
            report.digests += 1
            report.messages += len(parts)
    if rows:
        conn.execute(_insert_ignoring_duplicates(session), rows)
    session.flush()
    session.expire_all()
    return report


def _core(session: Session, statement: Any) -> Any:
    """Run a Core statement without the ORM syncing the identity map (O(rows in session) per UPDATE);
    callers expire what they loaded instead."""
    return session.execute(statement, execution_options={"synchronize_session": False})


def _rowcount(result: object) -> int:
    """Rows an UPDATE matched (``Session.execute`` is typed as returning a plain ``Result``)."""
    return int(cast(CursorResult[Any], result).rowcount)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert_ignoring_duplicates(session: Session) -> sa.Insert:
    table = DigestOutbox.__table__  # type: ignore[attr-defined]
    keys = ["subscription_id", "digest_key"]
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)


# ---------------------------------------------------------------------------- the outbox, row by row


@dataclass
class OutboxJob:
    """A claimed outbox row, held in memory while its messages go out."""

    id: int
    chat_id: int
    subscription_id: int | None
    payload: list[str]
    parts_sent: int
    attempts: int
    token: str
    not_before: float = 0.0

    @property
    def done(self) -> bool:
        return self.parts_sent >= len(self.payload)


_OUTBOX_JOB_COLUMNS: list[Any] = [
    DigestOutbox.id, DigestOutbox.chat_id, DigestOutbox.subscription_id, DigestOutbox.payload,
    DigestOutbox.parts_sent, DigestOutbox.attempts,
]


class Outbox:
    """Database operations on ``DigestOutbox``; each is one short transaction of its own."""

    def __init__(self, engine: Engine, *, lease: timedelta = timedelta(seconds=60)) -> None:
        self.engine = engine
        self.lease = lease
        self.postgres = engine.dialect.name == "postgresql"

    def _retrying(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in its own transaction; SQLite's "database is locked" is waited out."""
        for attempt in range(20):
            try:
                with session_scope(self.engine) as session:
                    return work(session)
            except sa.exc.OperationalError as exc:
                if self.postgres or "locked" not in str(exc.orig) or attempt == 19:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def claim(self, *, owner: str, limit: int, now: datetime | None = None) -> list[OutboxJob]:
        """Take up to ``limit`` sendable rows: pending and due, or leased by a runner that died."""
        token = f"{owner}:{uuid.uuid4().hex[:8]}"

        def work(session: Session) -> list[OutboxJob]:
            at = now or utcnow()
            claimable = sa.or_(
                sa.and_(col(DigestOutbox.status) == OutboxStatus.PENDING.value,
                        col(DigestOutbox.not_before) <= at),
                sa.and_(col(DigestOutbox.status) == OutboxStatus.SENDING.value,
                        col(DigestOutbox.lease_until) < at),
            )
            pick = (
                sa.select(col(DigestOutbox.id)).where(claimable).order_by(col(DigestOutbox.id)).limit(limit)
            )
            if self.postgres:
                ids = list(_core(session, pick.with_for_update(skip_locked=True)).scalars())
                if not ids:
                    return []
                target = col(DigestOutbox.id).in_(ids)
            else:  # one statement: SQLite takes the write lock before it reads
                target = col(DigestOutbox.id).in_(pick.scalar_subquery())
            _core(session,
                sa.update(DigestOutbox).where(target, claimable).values(
                    status=OutboxStatus.SENDING.value, lease_owner=token, lease_until=at + self.lease,
                )
            )
            rows = _core(session,
                sa.select(*_OUTBOX_JOB_COLUMNS)
                .where(col(DigestOutbox.lease_owner) == token).order_by(col(DigestOutbox.id))
            ).all()
            return [OutboxJob(id=r.id, chat_id=r.chat_id, subscription_id=r.subscription_id,
                              payload=list(r.payload), parts_sent=r.parts_sent, attempts=r.attempts,
                              token=token) for r in rows]

        return self._retrying(work)

    def progress(self, job: OutboxJob, *, error: str | None = None) -> bool:
        """Record the parts sent so far (and ``sent`` when all are); False if the lease was lost."""
        def work(session: Session) -> bool:
            at = utcnow()
            values: dict[str, object] = {
                "parts_sent": job.parts_sent, "attempts": job.attempts, "lease_until": at + self.lease,
                "chat_id": job.chat_id,
            }
            if error is not None:
                values["last_error"] = error[:ERROR_CHARS]
            if job.done:
                values.update(status=OutboxStatus.SENT.value, sent_at=at, lease_owner=None,
                              lease_until=None)
            return _rowcount(_core(session,
                sa.update(DigestOutbox)
                .where(col(DigestOutbox.id) == job.id, col(DigestOutbox.lease_owner) == job.token)
                .values(**values)
            )) == 1

        return self._retrying(work)

    def release(self, job: OutboxJob, *, not_before: datetime, error: str | None = None) -> None:
        """Give a row back (shutting down, or its chat must wait long) for any runner to take later."""
        def work(session: Session) -> None:
            values: dict[str, object] = {
                "status": OutboxStatus.PENDING.value, "lease_owner": None, "lease_until": None,
                "not_before": not_before, "parts_sent": job.parts_sent, "attempts": job.attempts,
                "chat_id": job.chat_id,
            }
            if error is not None:
                values["last_error"] = error[:ERROR_CHARS]
            _core(session,
                sa.update(DigestOutbox)
                .where(col(DigestOutbox.id) == job.id, col(DigestOutbox.lease_owner) == job.token)
                .values(**values)
            )

        self._retrying(work)

    def fail(self, job: OutboxJob, *, error: str) -> None:
        """This row will not be sent (its chat is gone, or Telegram refused the message)."""
        def work(session: Session) -> None:
            _core(session,
                sa.update(DigestOutbox)
                .where(col(DigestOutbox.id) == job.id, col(DigestOutbox.lease_owner) == job.token)
                .values(status=OutboxStatus.FAILED.value, lease_owner=None, lease_until=None,
                        attempts=job.attempts, parts_sent=job.parts_sent, last_error=error[:ERROR_CHARS])
            )

        self._retrying(work)

    def renew(self, tokens: Sequence[str]) -> None:
        """Extend the leases of rows still held, so a slow queue is not taken over while alive."""
        if not tokens:
            return

        def work(session: Session) -> None:
            _core(session,
                sa.update(DigestOutbox)
                .where(col(DigestOutbox.lease_owner).in_(list(tokens)),
                       col(DigestOutbox.status) == OutboxStatus.SENDING.value)
                .values(lease_until=utcnow() + self.lease)
            )

        self._retrying(work)

    def pause_chat(self, chat_id: int, *, reason: str) -> int:
        """Pause every subscription of an unreachable chat and fail its unsent digests; returns how many."""
        def work(session: Session) -> int:
            at = utcnow()
            paused = _rowcount(_core(session,
                sa.update(Subscription)
                .where(col(Subscription.chat_id) == chat_id,
                       col(Subscription.status) == SubscriptionStatus.ACTIVE.value)
                .values(status=SubscriptionStatus.PAUSED.value, paused_reason=reason, paused_at=at,
                        updated_at=at)
            ))
            _core(session,
                sa.update(DigestOutbox)
                .where(col(DigestOutbox.chat_id) == chat_id,
                       col(DigestOutbox.status) == OutboxStatus.PENDING.value)
                .values(status=OutboxStatus.FAILED.value, last_error=f"chat {reason}")
            )
            return int(paused)

        return self._retrying(work)

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: move its subscriptions, preferences and unsent digests."""
        def work(session: Session) -> None:
            taken = {
                (s.target_kind, s.target_id)
                for s in session.exec(select(Subscription).where(Subscription.chat_id == new_chat_id))
            }
            for sub in session.exec(select(Subscription).where(Subscription.chat_id == old_chat_id)):
                if (sub.target_kind, sub.target_id) in taken:
                    session.delete(sub)  # the new chat already follows it
                else:
                    sub.chat_id = new_chat_id
                    sub.updated_at = utcnow()
                    session.add(sub)
            pref = session.get(ChatPreference, old_chat_id)
            if pref is not None:
                if session.get(ChatPreference, new_chat_id) is None:
                    session.add(ChatPreference(chat_id=new_chat_id, timezone=pref.timezone))
                session.delete(pref)
            session.flush()
            _core(session,
                sa.update(DigestOutbox)
                .where(col(DigestOutbox.chat_id) == old_chat_id,
                       col(DigestOutbox.status).in_([OutboxStatus.PENDING.value,
                                                     OutboxStatus.SENDING.value]))
                .values(chat_id=new_chat_id)
            )

        self._retrying(work)


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
    """

    def __init__(
        self,
        *,
        engine: Engine,
        sender: Sender,
        limits: Limits = Limits(),
        lease: timedelta = timedelta(seconds=60),
        batch: int = 60,
        max_in_flight: int = 40,
        poll_interval: float = 2.0,
        owner: str | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        retry_backoff: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.outbox = Outbox(engine, lease=lease)
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
        self._lease_seconds = lease.total_seconds()
        self._renew_at = 0.0
        self._claim_at = 0.0

    def wake(self) -> None:
        """New rows are in the outbox (the scheduler just enqueued): look now, not at the next poll."""
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
                    claimed = await asyncio.to_thread(
                        self.outbox.claim, owner=self.owner, limit=self.batch - len(self._queue)
                    )
                    self._queue.extend(claimed)
                    exhausted = not claimed
                    self._claim_at = now + (self.poll_interval if not claimed else 0.0)
                if now >= self._renew_at:
                    await self._renew_and_release(now)
                now = self.clock()  # the awaits above take time; pace from the real dispatch time
                job, wait = self._next_ready(now)
                if job is not None:
                    self._dispatch(job, now)
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

    def _dispatch(self, job: OutboxJob, now: float) -> None:
        self._queue.remove(job)
        self._busy.add(job.chat_id)
        self.limiter.record(job.chat_id, now)
        task = asyncio.create_task(self._send(job))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._changed.set()
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("delivery task crashed", exc_info=exc)

    async def _send(self, job: OutboxJob) -> None:
        chat_id = job.chat_id
        requeue = False
        try:
            job.attempts += 1
            await self.sender.send(job.chat_id, job.payload[job.parts_sent])
        except RetryAfter as exc:
            self.report.retry_after += 1
            self.limiter.penalize(job.chat_id, self.clock() + exc.seconds, everyone=job.chat_id > 0)
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
            if not await asyncio.to_thread(self.outbox.progress, job):
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
        """Extend held leases; hand back rows whose chat cannot receive for most of a lease."""
        self._renew_at = now + self._lease_seconds / 3
        horizon_at = now + self._lease_seconds / 2
        keep: list[OutboxJob] = []
        for job in self._queue:
            at = max(self.limiter.chat_ready_at(job.chat_id), job.not_before)
            if at > horizon_at:
                not_before = utcnow() + timedelta(seconds=at - now)
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
        for job in self._queue:
            await asyncio.to_thread(self.outbox.release, job, not_before=utcnow())
        self._queue = []


# ---------------------------------------------------------------------------- figures for /stats


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    pending: int
    sending: int
    failed: int
    sent_total: int
    sent_last_day: int
    failed_last_day: int


def delivery_stats(*, session: Session, now: datetime | None = None) -> DeliveryStats:
    """Outbox figures for ``/stats``: what is waiting, what went out and what failed recently."""
    since = (now or utcnow()) - timedelta(days=1)
    by_status = dict(
        session.exec(select(DigestOutbox.status, func.count()).group_by(col(DigestOutbox.status))).all()
    )
    sent_day = session.exec(
        select(func.count()).select_from(DigestOutbox).where(col(DigestOutbox.sent_at) >= since)
    ).one()
    failed_day = session.exec(
        select(func.count()).select_from(DigestOutbox).where(
            DigestOutbox.status == OutboxStatus.FAILED.value, col(DigestOutbox.created_at) >= since
        )
    ).one()
    return DeliveryStats(
        pending=int(by_status.get(OutboxStatus.PENDING.value, 0)),
        sending=int(by_status.get(OutboxStatus.SENDING.value, 0)),
        failed=int(by_status.get(OutboxStatus.FAILED.value, 0)),
        sent_total=int(by_status.get(OutboxStatus.SENT.value, 0)),
        sent_last_day=int(sent_day),
        failed_last_day=int(failed_day),
    )
