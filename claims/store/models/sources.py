"""Where claims come from: the articles they were found in and the feeds that bring articles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from claims.store.models.columns import timestamp_column, utcnow


class Article(SQLModel, table=True):
    """One source article; an updated version of the same URL updates this row in place."""

    id: int | None = Field(default=None, primary_key=True)
    url: str | None = Field(default=None, max_length=2048, index=True)
    canonical_url: str | None = Field(default=None, max_length=2048, unique=True, index=True)
    outlet: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=1000)
    author: str | None = Field(default=None, max_length=500)
    published_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, index=True))
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    content_hash: str = Field(max_length=64, index=True)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    version: int = Field(default=1)


class FeedStatus(StrEnum):
    ACTIVE = "active"
    FAILING = "failing"


class Feed(SQLModel, table=True):
    """An RSS/Atom feed polled with conditional requests; ``etag``/``last_modified`` are the server's."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True, index=True)
    title: str | None = Field(default=None, max_length=500)
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_polled_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    last_ok_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    failures: int = 0
    added_by: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    status: str = Field(default=FeedStatus.ACTIVE.value, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
