"""Claims and their history: the current state for fast reads, the append-only revisions it was
reached by, and where each claim appeared."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from claims.store.models.columns import timestamp_column, utcnow


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
    UNFLAGGED = "unflagged"
    """An admin cleared a wrong changed-position flag (``related_claim_id``: the earlier claim)."""


class Claim(SQLModel, table=True):
    """A statement by a speaker, in its current state; see ``ClaimRevision`` for how it got here."""

    __table_args__ = (
        sa.Index("ix_claim_speaker_fingerprint", "speaker_id", "fingerprint"),
        sa.Index("ix_claim_speaker_said", "speaker_id", "status", "said_at"),
        # the desk's queue: each filter, then live or not, then most recently changed, so that a
        # filter's first page and its capped count are read off one index in order
        sa.Index("ix_claim_status_updated", "status", "updated_at"),
        sa.Index("ix_claim_speaker_updated", "speaker_id", "status", "updated_at"),
        sa.Index("ix_claim_topic_updated", "topic_id", "status", "updated_at"),
        sa.Index("ix_claim_verdict_updated", "verdict", "status", "updated_at"),
        # a speaker's page on the web: most recently recorded first
        sa.Index("ix_claim_speaker_created", "speaker_id", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    speaker_id: int | None = Field(default=None, foreign_key="speaker.id")
    """Indexed by the ``ix_claim_speaker_*`` indexes, which begin with it."""
    topic_id: int | None = Field(default=None, foreign_key="topic.id")
    """Indexed by ``ix_claim_topic_updated``."""
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    quote: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    kind: str = Field(default=ClaimKind.DIRECT.value, max_length=20)
    verdict: str = Field(default=Verdict.UNVERIFIED.value, max_length=20)
    """Indexed by ``ix_claim_verdict_updated``."""
    verdict_note: str | None = Field(default=None, max_length=2000)
    status: str = Field(default=ClaimStatus.ACTIVE.value, max_length=20)
    """Indexed by ``ix_claim_status_updated`` (status, then most recently changed: the desk's queue,
    the sitemap and ``/claims`` read live claims in that order)."""
    merged_into_id: int | None = Field(default=None, foreign_key="claim.id")
    revision: int = Field(default=1)
    fingerprint: str = Field(max_length=64, index=True)
    external_id: str | None = Field(default=None, max_length=200, unique=True, index=True)
    context: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    """The sentence(s) that make the claim understandable: its sentence, and the one before if needed."""
    resolved_text: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    """``text`` with pronouns and bare references resolved in brackets, for display."""
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
    said_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    """When the statement was made: its earliest source's publication date (when it was recorded,
    if no source has a date); None while no source reports it. Kept by ``claims.store.said`` whenever
    an appearance or an article's date changes, so that timelines sort on an index instead of
    grouping every appearance of a speaker's claims at each read."""


class ClaimTopic(SQLModel, table=True):
    """A further topic of a claim, beside its main one (``Claim.topic_id``)."""

    claim_id: int = Field(foreign_key="claim.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True, index=True)


class ClaimRevision(SQLModel, table=True):
    """One immutable step in a claim's history. Never updated or deleted."""

    __table_args__ = (
        sa.UniqueConstraint("claim_id", "revision", name="uq_revision_number"),
        sa.Index("ix_claimrevision_change_created", "change", "created_at"),
        # the newest verdicts (the home page, /verdicts.atom) and the desk's verdicts per day
    )

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
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    removed_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    removed_in_version: int | None = None
