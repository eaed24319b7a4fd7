"""What chats follow and what they are sent: subscriptions, saved searches, per-chat preferences
and the digest outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from claims.store.models.columns import timestamp_column, utcnow


class TargetKind(StrEnum):
    """What a subscription follows."""

    TOPIC = "topic"
    SPEAKER = "speaker"
    CLAIM = "claim"
    SEARCH = "search"


class ScheduleKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    HOURLY = "hourly"
    INSTANT = "instant"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ChatPreference(SQLModel, table=True):
    """Per-chat settings that outlive any one subscription (``/timezone`` before ``/subscribe``)."""

    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    timezone: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class Subscription(SQLModel, table=True):
    """A chat following a topic, speaker or claim on a schedule.

    ``watermark_revision_id`` is the newest ``ClaimRevision.id`` already handed to the outbox: the
    next digest covers revisions after it. ``next_run_at`` is when the schedule next fires (UTC), so
    the scheduler finds due subscriptions with one indexed query and rebuilds nothing at start-up.
    """

    __table_args__ = (
        sa.UniqueConstraint("chat_id", "target_kind", "target_id", name="uq_subscription_target"),
        sa.Index("ix_subscription_due", "status", "next_run_at"),
        sa.Index("ix_subscription_target", "target_kind", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, index=True))
    subscriber: str | None = Field(default=None, max_length=32, index=True)
    """Who subscribed, as the salted pseudonym the question log keeps (``claims.tipline.askers``):
    enough for /forget to find a reader's subscriptions, never their Telegram id."""
    target_kind: str = Field(max_length=10)
    target_id: int
    schedule: str = Field(default=ScheduleKind.DAILY.value, max_length=10)
    hour: int = 8
    minute: int = 0
    weekday: int | None = None
    timezone: str = Field(default="UTC", max_length=64)
    watermark_revision_id: int = 0
    watermark_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    last_digest_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    next_run_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    status: str = Field(default=SubscriptionStatus.ACTIVE.value, max_length=10)
    paused_reason: str | None = Field(default=None, max_length=200)
    paused_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class SavedSearch(SQLModel, table=True):
    """A phrase chats follow through the matcher (``/subscribe "Time Warner merger"``)."""

    id: int | None = Field(default=None, primary_key=True)
    phrase: str = Field(max_length=300)
    key: str = Field(max_length=300, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class DigestOutbox(SQLModel, table=True):
    """One digest for one subscription, recorded before it is sent and marked sent after.

    ``(subscription_id, digest_key)`` is unique, so a digest computed twice (two replicas, a retry
    after a crash) is stored once. ``payload`` holds the rendered message parts, fixed at enqueue
    time so a resend after a crash sends the same text; ``parts_sent`` says how far sending got.
    Senders claim rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL) or a conditional
    UPDATE (SQLite) and hold them under a lease that expires if the process dies.
    """

    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "digest_key", name="uq_outbox_digest"),
        sa.Index("ix_outbox_claimable", "status", "not_before"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("subscription.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    digest_key: str = Field(max_length=64)
    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, index=True))
    from_revision_id: int
    to_revision_id: int
    items: int = 0
    payload: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    parts_sent: int = 0
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=10)
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    sent_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, index=True))


class SendBudget(SQLModel, table=True):
    """A send budget every replica's delivery runner shares: when the next message may go out.

    Why a row: Telegram's limits are per bot, not per process, so two replicas pacing themselves
    each at 25 messages a second together exceed 30. Each runner takes a slot with one atomic
    upsert (``next_at = max(next_at, now) + interval``), so the slots of all replicas are spaced by
    ``interval`` whatever process takes them. ``next_at`` is seconds on the database's clock (the
    one clock every replica sees), so hosts whose clocks drift apart still share one pace.
    """

    name: str = Field(primary_key=True, max_length=64)
    next_at: float = 0.0
