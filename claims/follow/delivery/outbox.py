"""The outbox, row by row: claiming under a lease, marking parts sent, failures and pauses; and its
figures for ``/stats``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from claims.follow.delivery.sql import core, retrying, rowcount
from claims.store.db import SessionFactory
from claims.store.models import (
    ChatPreference,
    DigestOutbox,
    OutboxStatus,
    Subscription,
    SubscriptionStatus,
    utcnow,
)

log = logging.getLogger(__name__)

ERROR_CHARS = 500

T = TypeVar("T")


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
    """When the runner may send its next part, on the runner's own clock."""
    held_until: datetime | None = None
    """Set by ``claim`` when the job's chat may not receive yet (see ``claim``)."""

    @property
    def done(self) -> bool:
        return self.parts_sent >= len(self.payload)


_OUTBOX_JOB_COLUMNS: list[Any] = [
    DigestOutbox.id, DigestOutbox.chat_id, DigestOutbox.subscription_id, DigestOutbox.payload,
    DigestOutbox.parts_sent, DigestOutbox.attempts, DigestOutbox.not_before,
]

_OTHER = DigestOutbox.__table__.alias("other")  # type: ignore[attr-defined]
_CLAIM_LOCK = 0x636C61696D  # "claim": serialises claims across replicas (PostgreSQL advisory lock)


class Outbox:
    """Database operations on ``DigestOutbox``; each is one short transaction of its own."""

    def __init__(self, sessions: SessionFactory, *, lease: timedelta = timedelta(seconds=60)) -> None:
        self.sessions = sessions
        self.lease = lease

    def _retrying(self, work: Callable[[Session], T]) -> T:
        return retrying(self.sessions, work)

    def claim(self, *, owner: str, limit: int, now: datetime | None = None,
              group_takeover_hold: timedelta = timedelta(0)) -> list[OutboxJob]:
        """Take up to ``limit`` sendable rows: pending and due, or leased by a runner that died.

        Chats are claimed whole: a row is not taken while another runner holds a live lease on a
        row of the same chat, so two replicas never send to one chat at once and each chat's
        spacing is kept by the one runner that holds it. (Claims are serialised so that holds: a
        transaction-scoped advisory lock on PostgreSQL, the write lock on SQLite.)

        Between holders, a chat's rows carry when it may next receive: each send records it in
        ``not_before`` (``progress``), and each claimed job's ``held_until`` is the latest such time
        among all its chat's rows. A group row taken over from a dead runner also waits
        ``group_takeover_hold`` (the group window), since a message it had in flight when it died
        was never recorded.
        """
        token = f"{owner}:{uuid.uuid4().hex[:8]}"

        def work(session: Session) -> list[OutboxJob]:
            at = now or utcnow()
            held_elsewhere = sa.exists().where(
                _OTHER.c.chat_id == DigestOutbox.chat_id,
                _OTHER.c.status == OutboxStatus.SENDING.value,
                _OTHER.c.lease_until >= at,
                ~_OTHER.c.lease_owner.startswith(f"{owner}:", autoescape=True),
            )
            taken_over = sa.and_(col(DigestOutbox.status) == OutboxStatus.SENDING.value,
                                 col(DigestOutbox.lease_until) < at)
            claimable = sa.and_(
                sa.or_(sa.and_(col(DigestOutbox.status) == OutboxStatus.PENDING.value,
                               col(DigestOutbox.not_before) <= at),
                       taken_over),
                ~held_elsewhere,
            )
            pick = (
                sa.select(col(DigestOutbox.id)).where(claimable).order_by(col(DigestOutbox.id)).limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                core(session, sa.select(sa.func.pg_advisory_xact_lock(_CLAIM_LOCK)))
                ids = list(core(session, pick.with_for_update(skip_locked=True)).scalars())
                if not ids:
                    return []
                target = col(DigestOutbox.id).in_(ids)
            else:  # one statement: SQLite takes the write lock before it reads
                target = col(DigestOutbox.id).in_(pick.scalar_subquery())
            hold = sa.case(
                (sa.and_(taken_over, col(DigestOutbox.chat_id) < 0), at + group_takeover_hold),
                else_=col(DigestOutbox.not_before),
            ) if group_takeover_hold else col(DigestOutbox.not_before)
            core(session,
                sa.update(DigestOutbox).where(target, claimable).values(
                    status=OutboxStatus.SENDING.value, lease_owner=token, lease_until=at + self.lease,
                    not_before=hold,
                )
            )
            rows = core(session,
                sa.select(*_OUTBOX_JOB_COLUMNS)
                .where(col(DigestOutbox.lease_owner) == token).order_by(col(DigestOutbox.id))
            ).all()
            chats = sorted({r.chat_id for r in rows})
            held = dict(core(session,
                sa.select(col(DigestOutbox.chat_id), sa.func.max(col(DigestOutbox.not_before)))
                .where(col(DigestOutbox.chat_id).in_(chats)).group_by(col(DigestOutbox.chat_id))
            ).all()) if chats else {}
            return [OutboxJob(id=r.id, chat_id=r.chat_id, subscription_id=r.subscription_id,
                              payload=list(r.payload), parts_sent=r.parts_sent, attempts=r.attempts,
                              token=token, held_until=_later_than(held.get(r.chat_id), at))
                    for r in rows]

        return self._retrying(work)

    def progress(self, job: OutboxJob, *, error: str | None = None,
                 chat_free_at: datetime | None = None) -> bool:
        """Record the parts sent so far (and ``sent`` when all are); False if the lease was lost.

        ``chat_free_at`` is when another runner could start sending to this chat; it is kept in the
        row's ``not_before`` for whoever claims the chat next (see ``claim``).
        """
        def work(session: Session) -> bool:
            at = utcnow()
            values: dict[str, object] = {
                "parts_sent": job.parts_sent, "attempts": job.attempts, "lease_until": at + self.lease,
                "chat_id": job.chat_id,
            }
            if chat_free_at is not None:
                values["not_before"] = chat_free_at
            if error is not None:
                values["last_error"] = error[:ERROR_CHARS]
            if job.done:
                values.update(status=OutboxStatus.SENT.value, sent_at=at, lease_owner=None,
                              lease_until=None)
            return rowcount(core(session,
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
            core(session,
                sa.update(DigestOutbox)
                .where(col(DigestOutbox.id) == job.id, col(DigestOutbox.lease_owner) == job.token)
                .values(**values)
            )

        self._retrying(work)

    def fail(self, job: OutboxJob, *, error: str) -> None:
        """This row will not be sent (its chat is gone, or Telegram refused the message)."""
        def work(session: Session) -> None:
            core(session,
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
            core(session,
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
            paused = rowcount(core(session,
                sa.update(Subscription)
                .where(col(Subscription.chat_id) == chat_id,
                       col(Subscription.status) == SubscriptionStatus.ACTIVE.value)
                .values(status=SubscriptionStatus.PAUSED.value, paused_reason=reason, paused_at=at,
                        updated_at=at)
            ))
            core(session,
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
            core(session,
                sa.update(DigestOutbox)
                .where(col(DigestOutbox.chat_id) == old_chat_id,
                       col(DigestOutbox.status).in_([OutboxStatus.PENDING.value,
                                                     OutboxStatus.SENDING.value]))
                .values(chat_id=new_chat_id)
            )

        self._retrying(work)



def _later_than(moment: datetime | None, at: datetime) -> datetime | None:
    """``moment`` if it is after ``at``; else None (a chat free already holds nothing back)."""
    if moment is None:
        return None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite's max()
    return moment if moment > at else None


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
