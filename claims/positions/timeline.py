"""A speaker's claims in the order they were made, grouped by subject, with the earlier claim each
one follows and whether it changed position; and the store's recent changes of position.

A timeline is read with four queries whatever its length (claims with their dates, their topics, the
page's sources, their position links), so a speaker with thousands of claims costs milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from claims.positions.terms import terms
from claims.store.models import (
    Article,
    Claim,
    ClaimAppearance,
    ClaimStatus,
    ClaimTopic,
    PositionLink,
    Speaker,
    Topic,
)
from claims.store.positions import Earlier, earlier_of
from claims.store.views import SourceView


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    claim_id: int
    text: str
    kind: str
    said_at: datetime
    topic: str | None
    topic_name: str | None
    source: SourceView | None
    earlier: Earlier | None


@dataclass(frozen=True, slots=True)
class TimelineGroup:
    """One subject of a timeline page, its claims oldest first."""

    topic: str | None
    topic_name: str | None
    entries: tuple[TimelineEntry, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    speaker: str
    speaker_id: int
    topic: str | None
    topic_id: int | None
    about: str | None
    total: int
    changed: int
    offset: int
    groups: tuple[TimelineGroup, ...]

    @property
    def entries(self) -> list[TimelineEntry]:
        """The page's entries in the order of the groups (subjects by their first claim)."""
        return [e for g in self.groups for e in g.entries]

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.entries) < self.total


@dataclass(frozen=True, slots=True)
class PositionChange:
    """A claim flagged as a changed position, with the earlier claim it contradicts."""

    claim_id: int
    speaker: str | None
    text: str
    said_at: datetime
    earlier: Earlier


def speaker_timeline(*, session: Session, speaker: Speaker, topic: Topic | None = None,
                     about: str | None = None, limit: int | None = None, offset: int = 0) -> Timeline:
    """``speaker``'s live claims by date said (earliest source), on ``topic`` or ``about`` a phrase."""
    rows = _dated_claims(session, speaker.id, topic.id if topic else None)  # type: ignore[arg-type]
    if about:
        wanted = terms(about).words
        said = _words_of(session, [r.id for r in rows])
        rows = [r for r in rows if wanted & (terms(said[r.id][0]).words | _topic_words(r.topic_name))]
    rows.sort(key=lambda r: (r.said_at, r.id))
    page = rows[offset: offset + limit if limit is not None else None]
    words = _words_of(session, [r.id for r in page])
    links = earlier_of(session=session, claim_ids=[r.id for r in page])
    sources = _first_sources(session, [r.first_article for r in page])
    groups: dict[int | None, list[TimelineEntry]] = {}
    for r in page:
        groups.setdefault(r.topic_id, []).append(TimelineEntry(
            claim_id=r.id, text=words[r.id][0], kind=words[r.id][1], said_at=r.said_at, topic=r.topic_slug,
            topic_name=r.topic_name, source=sources.get(r.first_article), earlier=links.get(r.id)))
    changed = session.exec(
        select(func.count()).select_from(PositionLink)
        .where(PositionLink.speaker_id == speaker.id, col(PositionLink.changed).is_(True),
               col(PositionLink.cleared_at).is_(None))
    ).one()
    return Timeline(
        speaker=speaker.name, speaker_id=speaker.id, topic=topic.slug if topic else None,  # type: ignore[arg-type]
        topic_id=topic.id if topic else None, about=about, total=len(rows), changed=int(changed),
        offset=offset,
        groups=tuple(TimelineGroup(entries[0].topic, entries[0].topic_name, tuple(entries))
                     for entries in groups.values()),
    )


def recent_changes(*, session: Session, limit: int, offset: int = 0) -> tuple[list[PositionChange], int]:
    """Changes of position not cleared by an admin, the most recently said first, and their total."""
    live = (col(PositionLink.changed).is_(True), col(PositionLink.cleared_at).is_(None))
    total = session.exec(select(func.count()).select_from(PositionLink).where(*live)).one()
    rows = session.execute(
        sa.select(col(PositionLink.claim_id), col(Claim.text), col(Speaker.name), col(PositionLink.said_at))
        .join(Claim, col(Claim.id) == PositionLink.claim_id)
        .join(Speaker, col(Speaker.id) == PositionLink.speaker_id)
        .where(*live, col(Claim.status) == ClaimStatus.ACTIVE.value)
        .order_by(col(PositionLink.said_at).desc(), col(PositionLink.claim_id).desc())
        .limit(limit).offset(offset)
    ).all()
    links = earlier_of(session=session, claim_ids=[r[0] for r in rows])
    return [PositionChange(claim_id=cid, speaker=name, text=text, said_at=said, earlier=links[cid])
            for cid, text, name, said in rows if cid in links], int(total)


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    topic_id: int | None
    topic_slug: str | None
    topic_name: str | None
    said_at: datetime
    first_article: int


def _dated_claims(session: Session, speaker_id: int, topic_id: int | None) -> list[_Row]:
    """The speaker's live claims with their earliest publication date and first article, without
    their words (only the page shown needs those: ``_words_of``).

    Plain queries (claims by the speaker's index, their appearances' dates grouped by claim, their
    topics) instead of one grouped join, which SQLite cannot answer from the indexes."""
    conn = session.connection()  # Core rows: no ORM bookkeeping for thousands of claims
    mine = sa.select(col(Claim.id)).where(col(Claim.speaker_id) == speaker_id,
                                         col(Claim.status) == ClaimStatus.ACTIVE.value)
    if topic_id is not None:
        further = sa.select(col(ClaimTopic.claim_id)).where(col(ClaimTopic.topic_id) == topic_id)
        mine = mine.where(sa.or_(col(Claim.topic_id) == topic_id, col(Claim.id).in_(further)))
    claims = conn.execute(sa.select(col(Claim.id), col(Claim.topic_id)).where(col(Claim.id).in_(mine))).all()
    dated = {cid: (published, first) for cid, published, first in conn.execute(
        sa.select(col(ClaimAppearance.claim_id), func.min(col(Article.published_at)),
                  func.min(col(ClaimAppearance.article_id)))
        .join(Article, col(Article.id) == ClaimAppearance.article_id)
        .where(col(ClaimAppearance.claim_id).in_(mine))
        .group_by(col(ClaimAppearance.claim_id))
    )}
    undated = [cid for cid, (published, _) in dated.items() if published is None]
    stored = dict(conn.execute(  # type: ignore[arg-type]
        sa.select(col(Claim.id), col(Claim.created_at)).where(col(Claim.id).in_(undated))
    ).all()) if undated else {}
    topic_ids = sorted({tid for _, tid in claims if tid is not None})
    topics = {tid: (slug, name) for tid, slug, name in conn.execute(
        sa.select(col(Topic.id), col(Topic.slug), col(Topic.name)).where(col(Topic.id).in_(topic_ids))
    )} if topic_ids else {}
    rows = []
    for cid, tid in claims:
        if cid not in dated:
            continue  # no appearance: not a claim anyone reported
        published, first = dated[cid]
        slug, name = topics.get(tid, (None, None))
        rows.append(_Row(cid, tid, slug, name, published or stored[cid], first))
    return rows


def _words_of(session: Session, claim_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Text and kind of these claims."""
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(claim_ids), 900):
        chunk = claim_ids[start:start + 900]
        out.update((cid, (text, kind)) for cid, text, kind in session.connection().execute(  # type: ignore[misc]
            sa.select(col(Claim.id), col(Claim.text), col(Claim.kind)).where(col(Claim.id).in_(chunk))))
    return out


def _topic_words(name: str | None) -> frozenset[str]:
    return terms(name).words if name else frozenset()


def _first_sources(session: Session, article_ids: list[int]) -> dict[int, SourceView]:
    if not article_ids:
        return {}
    rows = session.connection().execute(
        sa.select(col(Article.id), col(Article.canonical_url), col(Article.url), col(Article.title),
                  col(Article.outlet), col(Article.published_at))
        .where(col(Article.id).in_(sorted(set(article_ids))))
    ).all()
    return {aid: SourceView(article_id=aid, url=canon or url, title=title,  # type: ignore[misc,arg-type]
                            outlet=outlet, published_at=published)
            for aid, canon, url, title, outlet, published in rows}

