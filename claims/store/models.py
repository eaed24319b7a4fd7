"""The claim store's tables.

Claims carry their current state for fast reads; ``ClaimRevision`` rows are the append-only history
from which that state was reached. Timestamps are timezone-aware UTC everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

MAX_ID = 2**31 - 1
"""Ids are 32-bit integer columns (PostgreSQL ``integer``)."""


def is_storable_id(value: int) -> bool:
    """Whether ``value`` can name a row. A larger number (or zero, or a negative one) names nothing,
    and must not reach PostgreSQL, which refuses it as out of range instead of finding no row."""
    return 0 < value <= MAX_ID


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the only clock the store uses)."""
    return datetime.now(UTC)


class AwareDateTime(sa.types.TypeDecorator[datetime]):
    """Stores UTC and always returns aware datetimes, also on SQLite which drops the offset."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the claim store; use UTC-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(*, nullable: bool = False, index: bool = False) -> sa.Column:
    return sa.Column(AwareDateTime(), nullable=nullable, index=index)


@sa.event.listens_for(SQLModel, "before_insert", propagate=True)
@sa.event.listens_for(SQLModel, "before_update", propagate=True)
def _strip_nul(_mapper: sa.orm.Mapper, _connection: sa.Connection, target: SQLModel) -> None:
    """No stored string holds U+0000: PostgreSQL refuses it in text columns, and it means nothing in
    a question, a note or an article. Entry points strip it already; this catches the rest."""
    for attr in sa.inspect(target).mapper.column_attrs:
        value = getattr(target, attr.key, None)
        if isinstance(value, str) and "\x00" in value:
            setattr(target, attr.key, value.replace("\x00", ""))


class ClaimKind(StrEnum):
    DIRECT = "direct"
    REPORTED = "reported"


class Verdict(StrEnum):
    UNVERIFIED = "unverified"
    ACCURATE = "accurate"
    MISLEADING = "misleading"
    FALSE = "false"
    DISPUTED = "disputed"


class ClaimStatus(StrEnum):
    ACTIVE = "active"
    RETRACTED = "retracted"
    MERGED = "merged"


class ChangeKind(StrEnum):
    """What a revision did; the digest and ``history`` read these."""

    CREATED = "created"
    TEXT = "text"
    VERDICT = "verdict"
    RETRACTED = "retracted"
    MERGED = "merged"
    EDITED = "edited"
    IMPORTED = "imported"
    REMOVED = "removed"
    """An updated version of an article no longer contains the claim (``article_id`` says which)."""
    RELABELLED = "relabelled"
    """An admin renamed or merged the claim's speaker or topic: the words stand, the labels moved
    (the reason says how). Other processes learn of it from this revision like any other change."""


class Article(SQLModel, table=True):
    """One source article; an updated version of the same URL updates this row in place."""

    id: int | None = Field(default=None, primary_key=True)
    url: str | None = Field(default=None, max_length=2048, index=True)
    canonical_url: str | None = Field(default=None, max_length=2048, unique=True, index=True)
    outlet: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=1000)
    author: str | None = Field(default=None, max_length=500)
    published_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True, index=True))
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    content_hash: str = Field(max_length=64, index=True)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    version: int = Field(default=1)


class SpeakerKind(StrEnum):
    """What a speaker is: a named person, a named organisation, or an unnamed description.

    Descriptions ("a campaign spokesman") belong to the article that used them and are never merged
    with the same words in another article: two "senior officials" are rarely the same person.
    """

    PERSON = "person"
    ORGANISATION = "organisation"
    DESCRIPTION = "description"


class AliasKind(StrEnum):
    """How a speaker's alias was written, which decides what it may resolve."""

    NAME = "name"  # a full name ("Kathy Hochul", "John D. Podesta")
    SURNAME = "surname"  # "Hochul": resolves only while no other person has it
    HONORIFIC = "honorific"  # "Mrs. Clinton", "Mayor Okafor": honorific or title + surname
    ROLE = "role"  # "NATO Secretary General", "the Russian leader"
    ADMIN = "admin"  # added by hand with ``speaker alias``


class Speaker(SQLModel, table=True):
    """A person, organisation or (per article) description that claims are attributed to.

    Names are unique among people and organisations (a partial unique index); description speakers
    carry the ``article_id`` they belong to and may repeat across articles. Every name a speaker
    goes by is a ``SpeakerAlias`` row.
    """

    __table_args__ = (
        sa.Index(
            "uq_speaker_entity_name", "name", unique=True,
            sqlite_where=sa.text("article_id IS NULL"), postgresql_where=sa.text("article_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, index=True)
    kind: str = Field(default=SpeakerKind.PERSON.value, max_length=20)
    role: str | None = Field(default=None, max_length=300)
    affiliation: str | None = Field(default=None, max_length=200)
    article_id: int | None = Field(default=None, foreign_key="article.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class SpeakerAlias(SQLModel, table=True):
    """One name a speaker goes by, with the article that taught it (None: seed data or an admin)."""

    __table_args__ = (sa.UniqueConstraint("speaker_id", "key", name="uq_speaker_alias"),)

    id: int | None = Field(default=None, primary_key=True)
    speaker_id: int = Field(foreign_key="speaker.id", index=True)
    alias: str = Field(max_length=300)
    key: str = Field(max_length=300, index=True)
    kind: str = Field(default=AliasKind.NAME.value, max_length=20)
    article_id: int | None = Field(default=None, foreign_key="article.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class TopicKind(StrEnum):
    CONFIGURED = "configured"  # listed in config/topics.toml
    DISCOVERED = "discovered"  # a phrase that recurred across claims and articles
    IMPORTED = "imported"  # named by an imported claim


class Topic(SQLModel, table=True):
    """A subject claims are filed under; ``key`` is the normalised phrase a discovered topic stands for.

    A hidden topic is neither listed nor assigned; a merged one points to the topic that absorbed it.
    """

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(default=TopicKind.CONFIGURED.value, max_length=20)
    key: str | None = Field(default=None, max_length=200, index=True)
    hidden: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="topic.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Claim(SQLModel, table=True):
    """A statement by a speaker, in its current state; see ``ClaimRevision`` for how it got here."""

    __table_args__ = (sa.Index("ix_claim_speaker_fingerprint", "speaker_id", "fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    speaker_id: int | None = Field(default=None, foreign_key="speaker.id", index=True)
    topic_id: int | None = Field(default=None, foreign_key="topic.id", index=True)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    quote: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    kind: str = Field(default=ClaimKind.DIRECT.value, max_length=20)
    verdict: str = Field(default=Verdict.UNVERIFIED.value, max_length=20, index=True)
    verdict_note: str | None = Field(default=None, max_length=2000)
    status: str = Field(default=ClaimStatus.ACTIVE.value, max_length=20, index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="claim.id")
    revision: int = Field(default=1)
    fingerprint: str = Field(max_length=64, index=True)
    external_id: str | None = Field(default=None, max_length=200, unique=True, index=True)
    context: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    """The sentence(s) that make the claim understandable: its sentence, and the one before if needed."""
    resolved_text: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    """``text`` with pronouns and bare references resolved in brackets, for display."""
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class ClaimTopic(SQLModel, table=True):
    """A further topic of a claim, beside its main one (``Claim.topic_id``)."""

    claim_id: int = Field(foreign_key="claim.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True, index=True)


class PhraseSighting(SQLModel, table=True):
    """A key phrase seen in a claim: what topic discovery counts across claims and articles."""

    __table_args__ = (sa.UniqueConstraint("key", "claim_id", name="uq_phrase_claim"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    surface: str = Field(max_length=200)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    article_id: int | None = Field(default=None, foreign_key="article.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class EntityChange(SQLModel, table=True):
    """An admin's change to a speaker or topic (merge, rename, alias, hide), with its author."""

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=10, index=True)  # "speaker" or "topic"
    entity_id: int = Field(index=True)
    action: str = Field(max_length=20)
    old_value: str | None = Field(default=None, max_length=300)
    new_value: str | None = Field(default=None, max_length=300)
    related_id: int | None = None
    admin_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    admin_name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class SavedSearch(SQLModel, table=True):
    """A phrase chats follow through the matcher (``/subscribe "Time Warner merger"``)."""

    id: int | None = Field(default=None, primary_key=True)
    phrase: str = Field(max_length=300)
    key: str = Field(max_length=300, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ClaimRevision(SQLModel, table=True):
    """One immutable step in a claim's history. Never updated or deleted."""

    __table_args__ = (sa.UniqueConstraint("claim_id", "revision", name="uq_revision_number"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    revision: int
    change: str = Field(max_length=20)
    old_text: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    new_text: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    old_verdict: str | None = Field(default=None, max_length=20)
    new_verdict: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=2000)
    article_id: int | None = Field(default=None, foreign_key="article.id")
    admin_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    admin_name: str | None = Field(default=None, max_length=200)
    related_claim_id: int | None = Field(default=None, foreign_key="claim.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class ClaimAppearance(SQLModel, table=True):
    """Where a claim was found: which article, which sentence, which characters.

    ``removed_at``/``removed_in_version`` are set when an updated version of the article no longer
    contains the claim (and cleared if a later version carries it again); the row stays, since the
    claim was reported there.
    """

    __table_args__ = (
        sa.UniqueConstraint("claim_id", "article_id", name="uq_appearance_claim_article"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    sentence_index: int = 0
    sentence: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    start: int
    end: int
    speaker_mention: str | None = Field(default=None, max_length=300)
    confidence: float = 1.0
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    removed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    removed_in_version: int | None = None


class QuestionKind(StrEnum):
    """What a logged entry was: a question, or a forwarded or pasted post checked sentence by sentence."""

    QUESTION = "question"
    POST = "post"


class QuestionLog(SQLModel, table=True):
    """A question asked in chat and whether it found a claim: what ``/stats`` and ``/unanswered`` report.

    Askers are pseudonymous: ``asker`` is a salted hash of the Telegram user id (``claims.tipline.
    askers``), enough to count how many people asked, never who. ``chat_id`` is kept for groups
    only: a private chat's id is the user's own id. ``handled_at`` is set when the team has dealt
    with an unanswered question (the "handled" button on ``/unanswered``).
    """

    id: int | None = Field(default=None, primary_key=True)
    asked_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    asker: str | None = Field(default=None, max_length=32, index=True)
    chat_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    kind: str = Field(default=QuestionKind.QUESTION.value, max_length=10)
    question: str = Field(max_length=1000)
    matches: int = 0
    top_claim_id: int | None = Field(default=None, foreign_key="claim.id")
    handled_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ReportedLink(SQLModel, table=True):
    """A link readers sent that is not a tracked article: recorded for the team, never fetched for them.

    ``key`` is the normalised URL (``claims.tipline.links.link_key``), so the same article sent with
    tracking parameters, ``www.`` or a trailing slash counts as one; ``url`` is the first spelling
    seen (what an admin's Ingest button fetches). ``handled_at``/``article_id`` are set once ingested.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=2048, unique=True, index=True)
    url: str = Field(max_length=2048)
    reports: int = 1
    first_reported_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_reported_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    handled_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    article_id: int | None = Field(default=None, foreign_key="article.id")


class TeamDigestRun(SQLModel, table=True):
    """One weekly digest of unanswered questions for the admins: the row claims the week, so several
    bot processes on one database send it once."""

    week: str = Field(primary_key=True, max_length=16)  # ISO week, e.g. "2026-W49"
    sent_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


# ---------------------------------------------------------------------------- subscriptions and digests


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


class FeedStatus(StrEnum):
    ACTIVE = "active"
    FAILING = "failing"


class ChatPreference(SQLModel, table=True):
    """Per-chat settings that outlive any one subscription (``/timezone`` before ``/subscribe``)."""

    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    timezone: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


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
    user_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    target_kind: str = Field(max_length=10)
    target_id: int
    schedule: str = Field(default=ScheduleKind.DAILY.value, max_length=10)
    hour: int = 8
    minute: int = 0
    weekday: int | None = None
    timezone: str = Field(default="UTC", max_length=64)
    watermark_revision_id: int = 0
    watermark_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_digest_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    next_run_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    status: str = Field(default=SubscriptionStatus.ACTIVE.value, max_length=10)
    paused_reason: str | None = Field(default=None, max_length=200)
    paused_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


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
    not_before: datetime = Field(default_factory=utcnow, sa_column=_ts())
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True, index=True))


class Feed(SQLModel, table=True):
    """An RSS/Atom feed polled with conditional requests; ``etag``/``last_modified`` are the server's."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True, index=True)
    title: str | None = Field(default=None, max_length=500)
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_polled_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_ok_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    failures: int = 0
    added_by: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    status: str = Field(default=FeedStatus.ACTIVE.value, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
