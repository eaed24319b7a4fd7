"""Queries behind the public fact-check pages and the desk (``claimbot web``): a claim's speaker as
a page names it, the desk's filtered review queue, what the sitemap and the verdict feed list, and
the day-by-day series the desk's charts draw.

Each query is bounded (a page, a window of days, a sitemap's 50,000 entries), so a page costs the
same at 100 claims and at 100,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from claims.errors import InvalidArgumentError
from claims.store.models import (
    ChangeKind,
    Claim,
    ClaimRevision,
    ClaimStatus,
    ClaimTopic,
    EntityChange,
    QuestionLog,
    Speaker,
    SpeakerKind,
    Topic,
    Verdict,
    is_storable_id,
)
from claims.store.topics import claims_in_topic, unindexed
from claims.store.views import ClaimView, get_claims

SITEMAP_MOST = 50_000
"""The most URLs one sitemap file may list (sitemaps.org)."""


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    """A speaker as pages name and link it."""

    id: int
    name: str
    kind: str
    role: str | None
    affiliation: str | None


def _ref(row: Speaker) -> SpeakerRef:
    return SpeakerRef(id=int(row.id or 0), name=row.name, kind=row.kind, role=row.role,
                      affiliation=row.affiliation)


def speaker_ref(*, session: Session, speaker_id: int) -> SpeakerRef | None:
    """A speaker by id; descriptions ("a senior official") have no page of their own."""
    row = session.get(Speaker, speaker_id) if is_storable_id(speaker_id) else None
    if row is None or row.kind == SpeakerKind.DESCRIPTION.value:
        return None
    return _ref(row)


def claim_speaker(*, session: Session, claim_id: int) -> SpeakerRef | None:
    """The speaker of a claim (with the id its page needs), or None: one query."""
    if not is_storable_id(claim_id):
        return None
    row = session.execute(
        sa.select(col(Speaker.id), col(Speaker.name), col(Speaker.kind), col(Speaker.role),
                  col(Speaker.affiliation))
        .join(Claim, col(Claim.speaker_id) == Speaker.id).where(col(Claim.id) == claim_id)
    ).first()
    return SpeakerRef(id=int(row[0]), name=row[1], kind=row[2], role=row[3], affiliation=row[4]) \
        if row is not None else None


def topic_choices(*, session: Session) -> list[tuple[str, str]]:
    """Every visible topic as (slug, name), by name: the desk's filter, without counting claims."""
    rows = session.execute(
        sa.select(col(Topic.slug), col(Topic.name))
        .where(col(Topic.hidden).is_(False), col(Topic.merged_into_id).is_(None))
        .order_by(col(Topic.name))
    ).all()
    return [(str(slug), str(name)) for slug, name in rows]


def visible_topic(*, session: Session, slug: str) -> Topic | None:
    """A topic by its slug, unless hidden; a merged topic's slug leads to the topic that absorbed it."""
    topic = session.exec(select(Topic).where(Topic.slug == slug[:100])).first()
    seen = 0
    while topic is not None and topic.merged_into_id is not None and seen < 10:
        topic, seen = session.get(Topic, topic.merged_into_id), seen + 1
    return None if topic is None or topic.hidden else topic


# ---------------------------------------------------------------------------- the desk's queue


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the desk's review queue shows: ids already resolved from the names typed."""

    topic_id: int | None = None
    speaker_id: int | None = None
    status: str | None = ClaimStatus.ACTIVE.value
    verdict: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in {s.value for s in ClaimStatus}:
            raise InvalidArgumentError(f"Unknown status {self.status[:20]!r}.")
        if self.verdict is not None and self.verdict not in {v.value for v in Verdict}:
            raise InvalidArgumentError(f"Unknown verdict {self.verdict[:20]!r}.")


COUNT_UP_TO = 1000
"""The desk's queue counts its matches up to this many ("1,000+"): an exact count of a common filter
at 100,000 claims costs more than the whole page."""


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the desk's queue: the claims, how many match (at most ``COUNT_UP_TO``, then
    ``counted_all`` is false), and whether an older page exists."""

    views: list[ClaimView]
    total: int
    counted_all: bool
    has_more: bool


def review_queue(*, session: Session, wanted: QueueFilter, limit: int, offset: int) -> QueuePage:
    """Claims the desk should look at, most recently new or changed first.

    Each filter has an index that ends in (status, updated_at) (``Claim``'s ``ix_claim_*_updated``),
    so its matches are counted (up to ``COUNT_UP_TO``) and paged straight off that index, newest
    first, at any size. A topic is the exception: "main or further topic" is two lookups, so a
    topic alone is counted through both, and when it is common its page walks the claims newest first
    and keeps the matching ones, which fills a page after a few dozen rows; a rare one sorts its few
    matches.
    """
    capped = select(Claim.id).where(*_queue_filter(wanted)).limit(COUNT_UP_TO + 1).subquery()
    total = int(session.exec(select(func.count()).select_from(capped)).one())
    walk = total > COUNT_UP_TO and _topic_alone(wanted)
    ids = session.execute(
        sa.select(col(Claim.id)).where(*_queue_filter(wanted, walk=walk))
        .order_by(col(Claim.updated_at).desc(), col(Claim.id).desc()).offset(offset).limit(limit + 1)
    ).scalars().all()
    views = get_claims(session=session, claim_ids=[int(i) for i in ids[:limit]])  # one joined query
    return QueuePage(views=views, total=min(total, COUNT_UP_TO), counted_all=total <= COUNT_UP_TO,
                     has_more=len(ids) > limit)


def _topic_alone(wanted: QueueFilter) -> bool:
    """A topic without a speaker or verdict, whose indexes would give the order."""
    return wanted.topic_id is not None and wanted.speaker_id is None and wanted.verdict is None


def _queue_filter(wanted: QueueFilter, *, walk: bool = False) -> list[sa.ColumnElement[bool]]:
    """The queue's conditions. ``unindexed`` means ``x = v`` but no index can serve it: ``walk``
    wraps every column so that the newest-first index is walked; a topic alone wraps the
    status, so that its two lookups (main topic, further topics) are taken instead of every live
    claim checked one by one."""
    def same(column: Any, value: str | int, *, hide: bool = walk) -> sa.ColumnElement[bool]:
        return unindexed(column, value) if hide else column == value  # type: ignore[no-any-return]

    conditions = []
    if wanted.status is not None:
        conditions.append(same(col(Claim.status), wanted.status, hide=walk or _topic_alone(wanted)))
    if wanted.verdict is not None:
        conditions.append(same(col(Claim.verdict), wanted.verdict))
    if wanted.speaker_id is not None:
        conditions.append(same(col(Claim.speaker_id), wanted.speaker_id))
    if wanted.topic_id is not None:
        further = select(ClaimTopic.claim_id).where(ClaimTopic.topic_id == wanted.topic_id)
        conditions.append(sa.or_(same(col(Claim.topic_id), wanted.topic_id), col(Claim.id).in_(further))
                          if walk else claims_in_topic(wanted.topic_id))
    return conditions


# ---------------------------------------------------------------------------- feeds


def store_version(*, session: Session) -> tuple[int, int]:
    """The newest claim revision and the newest admin change to a speaker or topic: whatever
    changes what a page lists leaves one of them (two primary-key lookups)."""
    revision = session.execute(sa.select(func.max(col(ClaimRevision.id)))).scalar_one()
    change = session.execute(sa.select(func.max(col(EntityChange.id)))).scalar_one()
    return int(revision or 0), int(change or 0)


@dataclass(frozen=True, slots=True)
class SitemapEntries:
    """What ``/sitemap.xml`` lists: live claims (newest changed first), speakers and topics."""

    claims: tuple[tuple[int, datetime], ...]
    speakers: tuple[tuple[int, str], ...]
    topics: tuple[str, ...]


def sitemap_entries(*, session: Session, most: int = SITEMAP_MOST) -> SitemapEntries:
    speakers = session.execute(
        sa.select(col(Speaker.id), col(Speaker.name)).where(
            col(Speaker.kind) != SpeakerKind.DESCRIPTION.value,
            sa.exists().where(col(Claim.speaker_id) == Speaker.id,
                              col(Claim.status) == ClaimStatus.ACTIVE.value),
        ).order_by(col(Speaker.id)).limit(most // 4)
    ).all()
    topics = session.execute(
        sa.select(col(Topic.slug)).where(col(Topic.hidden).is_(False), col(Topic.merged_into_id).is_(None))
        .order_by(col(Topic.slug)).limit(most // 4)
    ).scalars().all()
    room = max(0, most - len(speakers) - len(topics))
    claims = session.execute(
        sa.select(col(Claim.id), col(Claim.updated_at)).where(col(Claim.status) == ClaimStatus.ACTIVE.value)
        .order_by(col(Claim.updated_at).desc(), col(Claim.id).desc()).limit(room)
    ).all()
    return SitemapEntries(claims=tuple((int(i), at) for i, at in claims),
                          speakers=tuple((int(i), str(n)) for i, n in speakers), topics=tuple(topics))


def latest_verdicts(*, session: Session, most: int) -> list[tuple[int, datetime]]:
    """The newest verdicts given to live claims (claim id, when), one entry per claim.

    Walks verdict revisions newest first (``ix_claimrevision_change_created``) and keeps each
    claim's first, which is its latest: a page of verdicts reads a page of revisions, where grouping
    every verdict revision by claim read the whole history."""
    stmt = (
        sa.select(col(ClaimRevision.claim_id), col(ClaimRevision.created_at))
        .join(Claim, col(Claim.id) == ClaimRevision.claim_id)
        .where(col(ClaimRevision.change) == ChangeKind.VERDICT.value,
               col(Claim.status) == ClaimStatus.ACTIVE.value,
               col(Claim.verdict) != Verdict.UNVERIFIED.value)
        .order_by(col(ClaimRevision.created_at).desc(), col(ClaimRevision.claim_id).desc())
    )
    latest: dict[int, datetime] = {}
    result = session.connection().execution_options(yield_per=4 * most + 1).execute(stmt)
    try:
        for cid, at in result:
            latest.setdefault(int(cid), at)
            if len(latest) >= most:
                break
    finally:
        result.close()
    return list(latest.items())


# ---------------------------------------------------------------------------- the desk's charts


def _day(value: object) -> date:
    """A ``date()`` result as a date: SQLite returns text, PostgreSQL a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def questions_per_day(*, session: Session, since: datetime) -> list[tuple[date, int, int]]:
    """(day, questions asked, of which unanswered) for each day with questions since ``since``."""
    day = func.date(col(QuestionLog.asked_at))
    stmt = (
        sa.select(day, func.count(), func.coalesce(func.sum(sa.case((col(QuestionLog.matches) == 0, 1),
                                                                      else_=0)), 0))
        .where(col(QuestionLog.asked_at) >= since)
        .group_by(day).order_by(day)
    )
    return [(_day(d), int(n), int(u)) for d, n, u in session.execute(stmt)]


def verdicts_per_day(*, session: Session, since: datetime) -> list[tuple[date, str, int]]:
    """(day, verdict, how many were given) for verdict revisions since ``since``."""
    day = func.date(col(ClaimRevision.created_at))
    stmt = (
        sa.select(day, col(ClaimRevision.new_verdict), func.count())
        .where(col(ClaimRevision.change) == ChangeKind.VERDICT.value,
               col(ClaimRevision.created_at) >= since)
        .group_by(day, col(ClaimRevision.new_verdict)).order_by(day)
    )
    return [(_day(d), str(v), int(n)) for d, v, n in session.execute(stmt)]


def speakers_named(*, session: Session, names: Sequence[str]) -> dict[str, SpeakerRef]:
    """Named speakers (people, organisations) by name, for linking claim lists to speaker pages:
    claim views carry the name, and names are unique among them."""
    wanted = sorted({n for n in names if n})
    if not wanted:
        return {}
    rows = session.exec(select(Speaker).where(col(Speaker.name).in_(wanted),
                                              col(Speaker.article_id).is_(None))).all()
    return {r.name: _ref(r) for r in rows if r.kind != SpeakerKind.DESCRIPTION.value}
