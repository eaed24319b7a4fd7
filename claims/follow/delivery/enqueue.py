"""Enqueueing digests: due subscriptions -> outbox rows, with the watermark moved in the same
transaction (safe for two replicas at once).

A chat gets one digest per run: its due subscriptions that have changes are joined into one outbox
row (each change told once), anchored on the lowest subscription id among them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from claims.follow.delivery.sql import insert_ignoring_duplicates, is_postgres, rowcount
from claims.follow.digest.compute import SETTLE, compute_digest_batch, horizon
from claims.follow.digest.model import Digest
from claims.follow.digest.text import render_text
from claims.follow.schedule import is_missed, next_run
from claims.follow.searches import Searcher
from claims.follow.subscriptions import schedule_of
from claims.store.models import (
    OutboxStatus,
    ScheduleKind,
    Subscription,
    SubscriptionStatus,
    TargetKind,
    utcnow,
)

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=3)
"""A digest missed while the bot was down is still sent this long after its time; later, it waits
for the next run (nothing is lost: the watermark did not move)."""

Renderer = Callable[[Digest], list[str]]


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
    searcher: Searcher | None = None,
) -> EnqueueReport:
    """Record the digests of due subscriptions in the outbox; the caller's session commits.

    ``force`` (``/digest_now``) takes every active subscription, due or not, without moving its
    schedule; ``topic_id`` narrows it to one topic's followers. ``render`` turns a digest into
    message parts (the bot passes its HTML renderer); an empty digest records nothing. A run missed
    by more than ``grace`` (the bot was down) is skipped, its changes wait for the next run.
    Saved searches (``/subscribe "phrase"``) need ``searcher``; without one they are not touched.
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
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    subs = [s for s in session.exec(stmt)
            if searcher is not None or s.target_kind != TargetKind.SEARCH.value]
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
    batch = compute_digest_batch(
        session=session, subscriptions=[s for s in subs if s.id not in missed], upto_revision_id=hi,
        searcher=searcher,
    )
    digests = batch.digests
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
    winners: dict[int, list[int]] = {}  # chat -> its subscriptions whose changes this run sends
    for sub in subs:
        params: dict[str, object] = {
            "b_id": sub.id, "b_from": sub.watermark_revision_id, "b_now": now,
            "b_next": sub.next_run_at if force else next_run(schedule_of(sub), after=now, tz=sub.timezone),
            "b_to": sub.watermark_revision_id, "b_at": sub.watermark_at, "b_last": sub.last_digest_at,
        }
        changed = sub.id in digests
        if sub.id in missed:
            pass  # keep the watermark: the changes go out with the next run
        elif not changed:
            report.empty += 1
            if force or sub.schedule == ScheduleKind.INSTANT.value:
                continue  # nothing to write: an instant subscription stays due
            params["b_to"] = max(hi, sub.watermark_revision_id)
        else:
            params.update(b_to=hi, b_at=now, b_last=now)
        if rowcount(conn.execute(move, params)) != 1:
            report.raced += 1  # another process handled this subscription meanwhile
            continue
        if changed and sub.id not in missed:
            winners.setdefault(sub.chat_id, []).append(sub.id)  # type: ignore[arg-type]
    for chat_id, ids in winners.items():
        digest = batch.for_chat(ids)
        parts = render(digest) if digest is not None else []
        if not parts or digest is None:
            continue
        rows.append({
            "subscription_id": digest.subscription_id, "digest_key": digest.key, "chat_id": chat_id,
            "from_revision_id": digest.from_revision_id, "to_revision_id": digest.to_revision_id,
            "items": digest.count, "payload": parts, "parts_sent": 0,
            "status": OutboxStatus.PENDING.value, "attempts": 0, "not_before": sendable,
            "created_at": now,
        })
        report.digests += 1
        report.messages += len(parts)
    if rows:
        conn.execute(insert_ignoring_duplicates(session), rows)
    session.flush()
    session.expire_all()
    return report
