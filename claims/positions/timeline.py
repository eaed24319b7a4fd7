"""A speaker's claims in the order they were made, grouped by subject, with the earlier claim each
one follows and whether it changed position; and the store's recent changes of position.

A timeline page is one query: the speaker's live claims in ``Claim.said_at`` order straight off the
``ix_claim_speaker_said`` index (the page's ids first, so a late page skips index entries, not joined
rows), joined to their topic, first source and position link; and one more for the counts. The
date is stored at ingest (``claims.store.said``), so nothing is grouped at read time and a page
costs the same for a speaker with ten claims or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
from claims.store.positions import Earlier, earlier_columns, earlier_from, earlier_of
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
    mine = _mine(speaker.id, topic.id if topic else None)  # type: ignore[arg-type]
    counted, changed = session.connection().execute(sa.select(
        sa.select(func.count()).select_from(Claim).where(*mine).scalar_subquery(),
        sa.select(func.count()).select_from(PositionLink)
        .where(col(PositionLink.speaker_id) == speaker.id, col(PositionLink.changed).is_(True),
               col(PositionLink.cleared_at).is_(None)).scalar_subquery(),
    )).one()
    if about:  # a phrase: every claim's words are read, the page cut here
        wanted = terms(about).words
        rows = [(e, tid) for e, tid in _entries(session, mine)
                if wanted & (terms(e.text).words | _topic_words(e.topic_name))]
        total = len(rows)
        page = rows[offset: offset + limit if limit is not None else None]
    else:
        total = int(counted)
        page = _entries(session, mine, limit=limit, offset=offset)
    groups: dict[int | None, list[TimelineEntry]] = {}
    for entry, topic_id in page:
        groups.setdefault(topic_id, []).append(entry)
    return Timeline(
        speaker=speaker.name, speaker_id=speaker.id, topic=topic.slug if topic else None,  # type: ignore[arg-type]
        topic_id=topic.id if topic else None, about=about, total=total, changed=int(changed),
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


def _mine(speaker_id: int, topic_id: int | None) -> list[sa.ColumnElement[bool]]:
    """The speaker's live, dated claims (undated: no source reports them), on the topic if given
    (as its main topic or a further one)."""
    where = [col(Claim.speaker_id) == speaker_id, col(Claim.status) == ClaimStatus.ACTIVE.value,
             col(Claim.said_at).is_not(None)]
    if topic_id is not None:
        further = sa.select(col(ClaimTopic.claim_id)).where(col(ClaimTopic.topic_id) == topic_id)
        where.append(sa.or_(col(Claim.topic_id) == topic_id, col(Claim.id).in_(further)))
    return where


def _entries(session: Session, mine: list[sa.ColumnElement[bool]], *, limit: int | None = None,
             offset: int = 0) -> list[tuple[TimelineEntry, int | None]]:
    """One query: the page's claims (ids by the index, oldest first) with their topic, first source
    (the earliest stored appearance) and position link."""
    order = (col(Claim.said_at), col(Claim.id))
    ids = sa.select(col(Claim.id)).where(*mine).order_by(*order).offset(offset)
    if limit is not None:
        ids = ids.limit(limit)
    first = (sa.select(func.min(col(ClaimAppearance.article_id)))
             .where(col(ClaimAppearance.claim_id) == Claim.id).correlate(Claim).scalar_subquery())
    stmt: Any = (
        sa.select(col(Claim.id), col(Claim.text), col(Claim.kind), col(Claim.said_at), col(Claim.topic_id),
                  col(Topic.slug), col(Topic.name), col(Article.id), col(Article.canonical_url),
                  col(Article.url), col(Article.title), col(Article.outlet), col(Article.published_at))
        .select_from(Claim)
        .outerjoin(Topic, col(Topic.id) == Claim.topic_id)
        .outerjoin(Article, col(Article.id) == first)
    )
    stmt, link = earlier_columns(col(Claim.id), stmt)
    whole = limit is None and not offset  # every claim: no page of ids to pick first
    stmt = stmt.add_columns(*link).where(*mine) if whole else \
        stmt.add_columns(*link).where(col(Claim.id).in_(ids.scalar_subquery()))
    stmt = stmt.order_by(*order)
    rows = []
    for (cid, text, kind, said, topic_id, slug, name, aid, canonical, url, title, outlet, published,
         *earlier) in session.connection().execute(stmt).all():  # fetchall: a row at a time costs more
        source = SourceView(article_id=aid, url=canonical or url, title=title, outlet=outlet,
                            published_at=published) if aid is not None else None
        rows.append((TimelineEntry(claim_id=cid, text=text, kind=kind, said_at=said, topic=slug,
                                   topic_name=name, source=source, earlier=earlier_from(earlier)),
                     topic_id))
    return rows


def _topic_words(name: str | None) -> frozenset[str]:
    return terms(name).words if name else frozenset()
