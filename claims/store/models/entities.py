"""Who said it and what it is about: speakers with the names they go by, topics with the phrases
that discover them, and the log of admins' changes to both."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from claims.store.models.columns import timestamp_column, utcnow


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class SpeakerAlias(SQLModel, table=True):
    """One name a speaker goes by, with the article that taught it (None: seed data or an admin)."""

    __table_args__ = (sa.UniqueConstraint("speaker_id", "key", name="uq_speaker_alias"),)

    id: int | None = Field(default=None, primary_key=True)
    speaker_id: int = Field(foreign_key="speaker.id", index=True)
    alias: str = Field(max_length=300)
    key: str = Field(max_length=300, index=True)
    kind: str = Field(default=AliasKind.NAME.value, max_length=20)
    article_id: int | None = Field(default=None, foreign_key="article.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class PhraseSighting(SQLModel, table=True):
    """A key phrase seen in a claim: what topic discovery counts across claims and articles."""

    __table_args__ = (sa.UniqueConstraint("key", "claim_id", name="uq_phrase_claim"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    surface: str = Field(max_length=200)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    article_id: int | None = Field(default=None, foreign_key="article.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
