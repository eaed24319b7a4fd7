"""Topics in the store: a claim's main and further topics, topics by activity, and admins' changes.

A claim's main topic is ``Claim.topic_id``; further topics are ``ClaimTopic`` rows. Configured topics
come from ``config/topics.toml``; discovered ones from phrases that recur in the news
(``claims.ingest.discover``). Admins rename, merge or hide discovered topics; each change is logged
with its author, and a merged topic's followers follow the topic that absorbed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from claims.errors import InvalidArgumentError, NotFoundError
from claims.normalize import clean_text
from claims.store.changes import record_change
from claims.store.followers import move_followers
from claims.store.history import Actor
from claims.store.models import (
    Article,
    Claim,
    ClaimAppearance,
    ClaimStatus,
    ClaimTopic,
    TargetKind,
    Topic,
    TopicKind,
    utcnow,
)
from claims.store.nameforms import visible_name

ACTIVITY_WINDOW = timedelta(days=30)
MAX_TOPIC_NAME = 200


@dataclass(frozen=True, slots=True)
class TopicActivity:
    """A topic as ``/topics`` lists it: how busy it is lately and overall."""

    id: int
    slug: str
    name: str
    kind: str
    recent_claims: int
    claims: int
    last_activity: datetime | None


@dataclass(frozen=True, slots=True)
class TopicChange:
    """What an admin's topic change did: the topic now, and the claims the matcher must re-read."""

    topic_id: int
    name: str
    claim_ids: tuple[int, ...]


def slugify(name: str) -> str:
    """A URL- and command-friendly slug ("Time Warner" -> "time-warner")."""
    slug = re.sub(r"[^\w]+", "-", clean_text(name).casefold()).strip("-_")
    return slug[:90] or "topic"


def unique_slug(session: Session, name: str) -> str:
    """``slugify(name)``, numbered when another topic has it already."""
    base = slugify(name)
    slug, n = base, 1
    while session.exec(select(Topic.id).where(Topic.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def link_topic(*, session: Session, claim: Claim, topic: Topic, fallback_id: int | None) -> bool:
    """File a claim under a topic: as its main topic if it had only the fallback, else as a further one.

    Returns True when something changed.
    """
    if topic.id is None or claim.id is None or claim.topic_id == topic.id:
        return False
    if claim.topic_id is None or claim.topic_id == fallback_id:
        claim.topic_id = topic.id
        session.add(claim)
        return True
    exists = session.get(ClaimTopic, (claim.id, topic.id))
    if exists is None:
        session.add(ClaimTopic(claim_id=claim.id, topic_id=topic.id))
        return True
    return False


class TopicLabel(NamedTuple):
    """A topic as a claim's view names it."""

    id: int
    slug: str
    name: str


def further_topics(*, session: Session, claim_ids: list[int]) -> dict[int, list[TopicLabel]]:
    """Each claim's further topics (hidden ones left out), by claim id: plain rows, since a page of
    claims needs only their labels."""
    out: dict[int, list[TopicLabel]] = {}
    for i in range(0, len(claim_ids), 900):
        chunk = claim_ids[i : i + 900]
        for claim_id, topic_id, slug, name in session.connection().execute(
            sa.select(col(ClaimTopic.claim_id), col(Topic.id), col(Topic.slug), col(Topic.name))
            .join(Topic, col(Topic.id) == ClaimTopic.topic_id)
            .where(col(ClaimTopic.claim_id).in_(chunk), col(Topic.hidden).is_(False))
            .order_by(col(Topic.id))
        ):
            out.setdefault(claim_id, []).append(TopicLabel(int(topic_id), slug, name))  # type: ignore[arg-type]
    return out


def claims_in_topic(topic_id: int) -> sa.ColumnElement[bool]:
    """A filter for claims whose main or further topic this is."""
    further = select(ClaimTopic.claim_id).where(ClaimTopic.topic_id == topic_id)
    return sa.or_(col(Claim.topic_id) == topic_id, col(Claim.id).in_(further))


def live_in_topic_count(topic_id: int) -> sa.ScalarSelect[int]:
    """How many live claims have this main or further topic, as two index counts added up (those
    with it as main topic, off ``ix_claim_topic_updated`` alone; those with it only as a further
    one, from the topic's few further-topic rows): the "or" of ``claims_in_topic`` looks every claim
    of the topic up in the table."""
    live = ClaimStatus.ACTIVE.value
    main = (sa.select(func.count()).select_from(Claim)
            .where(col(Claim.topic_id) == topic_id, col(Claim.status) == live).scalar_subquery())
    further = (sa.select(func.count()).select_from(ClaimTopic)
               .join(Claim, col(Claim.id) == ClaimTopic.claim_id)
               .where(col(ClaimTopic.topic_id) == topic_id, unindexed(col(Claim.status), live),
                      sa.or_(col(Claim.topic_id).is_(None), col(Claim.topic_id) != topic_id))
               .scalar_subquery())
    return sa.select(main + further).scalar_subquery()


def unindexed(column: Any, value: str | int) -> sa.ColumnElement[bool]:
    """``column = value`` written so that no index can serve it (``coalesce(column, '') = value``),
    which steers the planner to another condition's index: counting a common topic's first thousand
    live claims, with the status indexed SQLite checked live claims for the topic one by one;
    without, it takes the topic's two lookups (main topic, further topics)."""
    return func.coalesce(column, "" if isinstance(value, str) else 0) == value


def claim_dates() -> sa.Subquery:
    """Each claim's publication date: the latest of the articles it appears in (``cid``, ``at``)."""
    published = func.coalesce(col(Article.published_at), col(Article.fetched_at))
    return (
        sa.select(col(ClaimAppearance.claim_id).label("cid"), func.max(published).label("at"))
        .join(Article, col(Article.id) == ClaimAppearance.article_id)
        .group_by(col(ClaimAppearance.claim_id))
        .subquery()
    )


def topics_by_activity(
    *, session: Session, now: datetime | None = None, window: timedelta = ACTIVITY_WINDOW,
    limit: int | None = None,
) -> list[TopicActivity]:
    """Visible topics with live claims, the most active lately first (``/topics``).

    Activity counts the claims, main or further topic alike, published within ``window``: a claim's
    date is the latest publication date of the articles it appears in (their fetch time when an
    article gives none; its storage time when it came from no article). Storage time alone would
    make an archive ingested today look like today's news. Ties go to the topic with more claims
    overall, then the most recent publication.
    """
    until = now or utcnow()
    since = until - window
    dated = claim_dates()
    at = func.coalesce(dated.c.at, col(Claim.created_at))
    main_columns: list[Any] = [col(Claim.id).label("cid"), col(Claim.topic_id).label("tid"),
                               at.label("at")]
    further_columns: list[Any] = [col(Claim.id).label("cid"), col(ClaimTopic.topic_id).label("tid"),
                                  at.label("at")]
    main = (
        sa.select(*main_columns)
        .outerjoin(dated, dated.c.cid == Claim.id)
        .where(col(Claim.status) == ClaimStatus.ACTIVE.value, col(Claim.topic_id).is_not(None))
    )
    further = (
        sa.select(*further_columns)
        .join(ClaimTopic, col(ClaimTopic.claim_id) == Claim.id)
        .outerjoin(dated, dated.c.cid == Claim.id)
        .where(col(Claim.status) == ClaimStatus.ACTIVE.value)
    )
    links = sa.union(main, further).subquery()
    recent = func.sum(sa.case((sa.and_(links.c.at >= since, links.c.at <= until), 1), else_=0))
    stmt = (
        sa.select(col(Topic.id), col(Topic.slug), col(Topic.name), col(Topic.kind),
                  recent.label("recent"), func.count(links.c.cid), func.max(links.c.at))
        .join(links, links.c.tid == Topic.id)
        .where(col(Topic.hidden).is_(False))
        .group_by(col(Topic.id), col(Topic.slug), col(Topic.name), col(Topic.kind))
        .order_by(sa.desc("recent"), func.count(links.c.cid).desc(), func.max(links.c.at).desc(),
                  col(Topic.slug))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        TopicActivity(int(tid), slug, name, kind, int(rec or 0), int(n), at)
        for tid, slug, name, kind, rec, n, at in session.execute(stmt)
    ]


# ---------------------------------------------------------------------------- admin changes


def topic_by_slug(*, session: Session, slug: str) -> Topic | None:
    """A topic by its exact slug (the catalog's fallback topic, for one)."""
    return session.exec(select(Topic).where(Topic.slug == slug)).first()


def get_topic(*, session: Session, topic_id: int) -> Topic:
    """One topic by id, or a ``NotFoundError`` fit to show."""
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFoundError(f"There is no topic #{topic_id}.")
    return topic


def rename_topic(*, session: Session, topic_id: int, name: str, actor: Actor) -> TopicChange:
    """Give a discovered topic a readable name of an editor's choosing (its slug follows)."""
    topic = _discovered(session, topic_id, "renamed")
    new = visible_name(name, limit=MAX_TOPIC_NAME, what="topic's name")
    clash = session.exec(select(Topic).where(func.lower(Topic.name) == new.casefold(),
                                             Topic.id != topic.id, col(Topic.hidden).is_(False))).first()
    if clash is not None:
        raise InvalidArgumentError(f"There is already a topic called {clash.name!r}; merge the two instead.")
    old = topic.name
    topic.name = new
    if slugify(new) != topic.slug:
        topic.slug = unique_slug(session, new)
    session.add(topic)
    session.flush()
    record_change(session=session, entity="topic", entity_id=topic_id, action="rename", actor=actor,
                  old_value=old, new_value=new)
    return TopicChange(topic_id, new, _claim_ids(session, topic_id))


def merge_topics(*, session: Session, topic_id: int, into_id: int, actor: Actor) -> TopicChange:
    """Fold a discovered topic into another: its claims and followers move, its phrase leads there."""
    if topic_id == into_id:
        raise InvalidArgumentError("A topic cannot be merged into itself.")
    source = _discovered(session, topic_id, "merged into another")
    target = get_topic(session=session, topic_id=into_id)
    if target.hidden:
        raise InvalidArgumentError(f"Topic {target.name!r} is hidden; merge into a visible topic.")
    ids = _claim_ids(session, topic_id)
    for claim in session.exec(select(Claim).where(Claim.topic_id == topic_id)):
        claim.topic_id = into_id
        session.add(claim)
    have = set(session.exec(select(ClaimTopic.claim_id).where(ClaimTopic.topic_id == into_id)))
    for link in session.exec(select(ClaimTopic).where(ClaimTopic.topic_id == topic_id)):
        session.delete(link)
        if link.claim_id not in have:
            session.add(ClaimTopic(claim_id=link.claim_id, topic_id=into_id))
    session.flush()
    _drop_self_links(session, into_id)
    source.hidden = True
    source.merged_into_id = into_id
    session.add(source)
    move_followers(session, TargetKind.TOPIC, topic_id, into_id)
    record_change(session=session, entity="topic", entity_id=into_id, action="merge", actor=actor,
                  old_value=source.name, new_value=target.name, related_id=topic_id)
    return TopicChange(into_id, target.name, ids)


def hide_topic(*, session: Session, topic_id: int, actor: Actor, fallback_id: int | None = None
               ) -> TopicChange:
    """Hide a discovered topic that is noise: no longer listed, assigned or rediscovered.

    Its claims lose it; those it was the main topic of fall back to one of their further topics, or
    to ``fallback_id`` (the catalog's fallback topic).
    """
    topic = _discovered(session, topic_id, "hidden")
    ids = _claim_ids(session, topic_id)
    for link in session.exec(select(ClaimTopic).where(ClaimTopic.topic_id == topic_id)):
        session.delete(link)
    session.flush()
    for claim in session.exec(select(Claim).where(Claim.topic_id == topic_id)):
        other = session.exec(select(ClaimTopic).where(ClaimTopic.claim_id == claim.id)
                             .order_by(col(ClaimTopic.topic_id))).first()
        if other is not None:
            claim.topic_id = other.topic_id
            session.delete(other)
        else:
            claim.topic_id = fallback_id
        session.add(claim)
    topic.hidden = True
    session.add(topic)
    session.flush()
    record_change(session=session, entity="topic", entity_id=topic_id, action="hide", actor=actor,
                  old_value=topic.name)
    return TopicChange(topic_id, topic.name, ids)


def _discovered(session: Session, topic_id: int, verb: str) -> Topic:
    topic = get_topic(session=session, topic_id=topic_id)
    if topic.kind == TopicKind.CONFIGURED.value:
        raise InvalidArgumentError(
            f"{topic.name!r} is a configured topic; edit config/topics.toml instead. "
            f"Only discovered topics are {verb} here."
        )
    if topic.merged_into_id is not None:
        raise InvalidArgumentError(f"{topic.name!r} was already merged into topic #{topic.merged_into_id}.")
    return topic


def _claim_ids(session: Session, topic_id: int) -> tuple[int, ...]:
    ids = session.exec(select(Claim.id).where(claims_in_topic(topic_id))).all()
    return tuple(i for i in ids if i is not None)


def _drop_self_links(session: Session, topic_id: int) -> None:
    """A claim whose main topic is now ``topic_id`` does not also need it as a further topic."""
    for link in session.exec(
        select(ClaimTopic).join(Claim, col(Claim.id) == ClaimTopic.claim_id)
        .where(ClaimTopic.topic_id == topic_id, Claim.topic_id == topic_id)
    ):
        session.delete(link)
    session.flush()
