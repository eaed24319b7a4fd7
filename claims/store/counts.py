"""Counting the claim store: live claims per topic and per speaker, and the store's totals.

Why it exists: ``/topics`` and ``/speakers`` list names with how many live claims each has, and
``/stats`` shows the store's size and the last day's changes. These are aggregate queries with
their own small result shapes, apart from reading claims themselves (``claims.store.views``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from claims.store.models import (
    Article,
    Claim,
    ClaimRevision,
    ClaimStatus,
    Speaker,
    SpeakerKind,
    Topic,
    utcnow,
)
from claims.store.topics import topics_by_activity


@dataclass(frozen=True, slots=True)
class NameCount:
    """A topic (slug, name) or speaker (name, role) with its number of live claims."""

    name: str
    label: str
    claims: int


def topics_with_counts(*, session: Session) -> list[NameCount]:
    """Visible topics that have live claims (as main or further topic), busiest first."""
    rows = topics_by_activity(session=session)
    rows.sort(key=lambda t: (-t.claims, t.slug))
    return [NameCount(t.slug, t.name, t.claims) for t in rows]


def speakers_with_counts(*, session: Session) -> list[NameCount]:
    """Speakers that have live claims, busiest first."""
    stmt = (
        select(Speaker.name, Speaker.role, func.count(col(Claim.id)))
        .join(Claim, col(Claim.speaker_id) == Speaker.id)
        .where(Claim.status == ClaimStatus.ACTIVE.value, Speaker.kind != SpeakerKind.DESCRIPTION.value)
        .group_by(col(Speaker.id))
        .order_by(func.count(col(Claim.id)).desc(), col(Speaker.name))
    )
    return [NameCount(name, role or "", n) for name, role, n in session.exec(stmt)]


@dataclass(frozen=True, slots=True)
class StoreStats:
    """The store's size, and how many revisions the last day brought (``/stats``)."""

    claims: int
    active_claims: int
    speakers: int
    topics: int
    articles: int
    revisions_last_day: int


def store_stats(*, session: Session, now: datetime | None = None) -> StoreStats:
    """Counts for ``/stats``."""
    since = (now or utcnow()) - timedelta(days=1)

    def count(stmt: Any) -> int:
        return int(session.exec(stmt).one())

    return StoreStats(
        claims=count(select(func.count()).select_from(Claim)),
        active_claims=count(
            select(func.count()).select_from(Claim).where(Claim.status == ClaimStatus.ACTIVE.value)
        ),
        speakers=count(select(func.count()).select_from(Speaker)),
        topics=count(select(func.count()).select_from(Topic)),
        articles=count(select(func.count()).select_from(Article)),
        revisions_last_day=count(
            select(func.count()).select_from(ClaimRevision).where(
                col(ClaimRevision.created_at) >= since
            )
        ),
    )

