"""Who follows what: subscribing, unsubscribing, listing and resuming, each chat's time zone, stats.

A new subscription's watermark is the newest revision in the store, so its first digest holds only
what changes after subscribing. What a subscription follows, and how a typed name becomes one, is
``claims.follow.targets``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from claims.errors import InvalidArgumentError, NotFoundError
from claims.follow.schedule import DEFAULT_SCHEDULE, Schedule, next_run, validate_timezone
from claims.follow.targets import Target, target_by_id, target_labels
from claims.store.models import (
    ChatPreference,
    ClaimRevision,
    DigestOutbox,
    OutboxStatus,
    ScheduleKind,
    Subscription,
    SubscriptionStatus,
    TargetKind,
    utcnow,
)

MAX_SUBSCRIPTIONS_PER_CHAT = 50
"""The default of ``CLAIMBOT_MAX_SUBSCRIPTIONS_PER_CHAT``: a chat following more reads nothing."""


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A subscription as the bot lists it."""

    id: int
    chat_id: int
    target: Target
    schedule: Schedule
    timezone: str
    status: SubscriptionStatus
    paused_reason: str | None
    next_run_at: datetime
    created_at: datetime

    def describe(self) -> str:
        """``Greenland (topic), daily 08:00 Europe/Berlin``: plain text, the bot escapes it."""
        when = self.schedule.describe()
        if self.schedule.kind in (ScheduleKind.DAILY, ScheduleKind.WEEKLY):
            when += f" {self.timezone}"
        paused = f", paused ({self.paused_reason})" if self.status is SubscriptionStatus.PAUSED else ""
        return f"{self.target.label} ({self.target.kind.value}), {when}{paused}"


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    subscription: SubscriptionView
    created: bool
    """False when the chat already followed this target and only the schedule changed."""


@dataclass(frozen=True, slots=True)
class SubscriptionStats:
    """Subscriber figures for ``/stats``."""

    subscribers: int
    active: int
    paused: int
    paused_by_reason: dict[str, int]


# ---------------------------------------------------------------------------- subscribing


def newest_revision_id(*, session: Session) -> int:
    """The id of the newest claim revision (0 for an empty store): a new subscriber's watermark."""
    newest = session.execute(sa.select(func.coalesce(func.max(ClaimRevision.id), 0))).scalar_one()
    return int(newest)


def chat_timezone(*, session: Session, chat_id: int, default: str = "UTC") -> str:
    """The time zone a chat chose with ``/timezone``, else ``default`` (the bot's setting)."""
    pref = session.get(ChatPreference, chat_id)
    return pref.timezone if pref else default


def set_timezone(*, session: Session, chat_id: int, timezone: str, now: datetime | None = None) -> str:
    """Set a chat's time zone and move its subscriptions' next runs; returns the canonical name."""
    name = validate_timezone(timezone)
    now = now or utcnow()
    pref = session.get(ChatPreference, chat_id)
    if pref is None:
        pref = ChatPreference(chat_id=chat_id, timezone=name, updated_at=now)
    pref.timezone = name
    pref.updated_at = now
    session.add(pref)
    for sub in session.exec(select(Subscription).where(Subscription.chat_id == chat_id)):
        sub.timezone = name
        sub.next_run_at = next_run(schedule_of(sub), after=now, tz=name)
        sub.updated_at = now
        session.add(sub)
    session.flush()
    return name


def subscribe(
    *,
    session: Session,
    chat_id: int,
    target: Target,
    schedule: Schedule = DEFAULT_SCHEDULE,
    subscriber: str | None = None,
    timezone: str | None = None,
    default_timezone: str = "UTC",
    now: datetime | None = None,
    limit: int = MAX_SUBSCRIPTIONS_PER_CHAT,
) -> SubscribeResult:
    """Follow ``target`` in ``chat_id``; subscribing again changes the schedule (and resumes).

    The watermark is set to the newest revision so the first digest holds only later changes; a
    resumed subscription gets the same fresh start rather than everything it missed while paused.
    A chat may follow at most ``limit`` targets (``CLAIMBOT_MAX_SUBSCRIPTIONS_PER_CHAT``); past it
    a new subscription is refused and nothing changes.
    """
    now = now or utcnow()
    tz = validate_timezone(timezone) if timezone else chat_timezone(
        session=session, chat_id=chat_id, default=default_timezone
    )
    sub = session.exec(
        select(Subscription).where(
            Subscription.chat_id == chat_id,
            Subscription.target_kind == target.kind.value,
            Subscription.target_id == target.id,
        )
    ).first()
    created = sub is None
    if created:
        _check_room(session=session, chat_id=chat_id, limit=limit)
    watermark = newest_revision_id(session=session)
    if sub is None:
        sub = Subscription(
            chat_id=chat_id, subscriber=subscriber, target_kind=target.kind.value, target_id=target.id,
            watermark_revision_id=watermark, watermark_at=now, created_at=now,
        )
    elif sub.status != SubscriptionStatus.ACTIVE.value:
        sub.watermark_revision_id = watermark
        sub.watermark_at = now
    sub.schedule = schedule.kind.value
    sub.hour, sub.minute, sub.weekday = schedule.hour, schedule.minute, schedule.weekday
    sub.timezone = tz
    sub.status = SubscriptionStatus.ACTIVE.value
    sub.paused_reason = None
    sub.paused_at = None
    sub.next_run_at = next_run(schedule, after=now, tz=tz)
    sub.updated_at = now
    session.add(sub)
    session.flush()
    return SubscribeResult(subscription=_view(sub, target), created=created)


def _check_room(*, session: Session, chat_id: int, limit: int) -> None:
    """Refuse a new subscription when the chat already follows ``limit`` targets."""
    count = session.exec(
        select(func.count()).select_from(Subscription).where(Subscription.chat_id == chat_id)
    ).one()
    if count >= limit:
        raise InvalidArgumentError(
            f"This chat already follows {count:,} topics, speakers and claims, the most one chat may "
            "follow; /unsubscribe from one first (the operator can raise "
            "CLAIMBOT_MAX_SUBSCRIPTIONS_PER_CHAT)."
        )


def unsubscribe(
    *,
    session: Session,
    chat_id: int,
    target: Target | None = None,
    subscription_id: int | None = None,
) -> SubscriptionView:
    """Stop following, by target (``/unsubscribe NAME``) or id (the list's remove button).

    Digests already recorded but not yet sent are dropped with it; a chat can only remove its own
    subscriptions.
    """
    stmt = select(Subscription).where(Subscription.chat_id == chat_id)
    if subscription_id is not None:
        stmt = stmt.where(Subscription.id == subscription_id)
    elif target is not None:
        stmt = stmt.where(
            Subscription.target_kind == target.kind.value, Subscription.target_id == target.id
        )
    else:
        raise InvalidArgumentError("Usage: /unsubscribe TOPIC|SPEAKER|claim ID")
    sub = session.exec(stmt).first()
    if sub is None:
        what = target.label if target else f"subscription #{subscription_id}"
        raise NotFoundError(f"This chat does not follow {what}.")
    view = _view(sub, target or target_by_id(
        session=session, kind=TargetKind(sub.target_kind), target_id=sub.target_id))
    session.execute(
        sa.delete(DigestOutbox).where(
            col(DigestOutbox.subscription_id) == sub.id,
            col(DigestOutbox.status) == OutboxStatus.PENDING.value,
        )
    )
    session.delete(sub)
    session.flush()
    return view


def list_subscriptions(*, session: Session, chat_id: int) -> list[SubscriptionView]:
    """A chat's subscriptions, oldest first."""
    subs = session.exec(
        select(Subscription).where(Subscription.chat_id == chat_id).order_by(col(Subscription.id))
    ).all()
    labels = target_labels(session=session, refs=[(s.target_kind, s.target_id) for s in subs])
    return [_view(s, labels.get((s.target_kind, s.target_id))) for s in subs]


def has_paused(*, session: Session, chat_id: int) -> bool:
    """Whether a chat has paused subscriptions: a read, so the check on every update never waits
    for (or takes) the write lock."""
    paused = session.exec(
        select(Subscription.id).where(
            Subscription.chat_id == chat_id, Subscription.status == SubscriptionStatus.PAUSED.value
        ).limit(1)
    ).first()
    return paused is not None


def resume_chat(*, session: Session, chat_id: int, now: datetime | None = None) -> int:
    """Resume a chat's paused subscriptions (it wrote to us again, so it can be reached); returns how many.

    Like a new subscription, a resumed one starts from the newest revision.
    """
    now = now or utcnow()
    watermark = newest_revision_id(session=session)
    count = 0
    for sub in session.exec(
        select(Subscription).where(
            Subscription.chat_id == chat_id, Subscription.status == SubscriptionStatus.PAUSED.value
        )
    ):
        sub.status = SubscriptionStatus.ACTIVE.value
        sub.paused_reason = None
        sub.paused_at = None
        sub.watermark_revision_id = watermark
        sub.watermark_at = now
        sub.next_run_at = next_run(schedule_of(sub), after=now, tz=sub.timezone)
        sub.updated_at = now
        session.add(sub)
        count += 1
    session.flush()
    return count


def subscription_stats(*, session: Session) -> SubscriptionStats:
    """Subscriber counts for ``/stats``: distinct chats, active and paused, and why paused."""
    subscribers = session.exec(
        select(func.count(func.distinct(Subscription.chat_id))).where(
            Subscription.status == SubscriptionStatus.ACTIVE.value
        )
    ).one()
    by_status = dict(
        session.exec(select(Subscription.status, func.count()).group_by(col(Subscription.status))).all()
    )
    reasons = dict(
        session.exec(
            select(Subscription.paused_reason, func.count())
            .where(Subscription.status == SubscriptionStatus.PAUSED.value)
            .group_by(col(Subscription.paused_reason))
        ).all()
    )
    return SubscriptionStats(
        subscribers=int(subscribers),
        active=int(by_status.get(SubscriptionStatus.ACTIVE.value, 0)),
        paused=int(by_status.get(SubscriptionStatus.PAUSED.value, 0)),
        paused_by_reason={str(k or "unknown"): int(v) for k, v in reasons.items()},
    )


# ---------------------------------------------------------------------------- helpers


def schedule_of(sub: Subscription) -> Schedule:
    """The stored schedule of a subscription as a ``Schedule``."""
    return Schedule(kind=ScheduleKind(sub.schedule), hour=sub.hour, minute=sub.minute, weekday=sub.weekday)


def _view(sub: Subscription, target: Target | None) -> SubscriptionView:
    assert sub.id is not None
    kind = TargetKind(sub.target_kind)
    return SubscriptionView(
        id=sub.id,
        chat_id=sub.chat_id,
        target=target or Target(kind, sub.target_id, f"{kind.value} #{sub.target_id} (deleted)"),
        schedule=schedule_of(sub),
        timezone=sub.timezone,
        status=SubscriptionStatus(sub.status),
        paused_reason=sub.paused_reason,
        next_run_at=sub.next_run_at,
        created_at=sub.created_at,
    )
