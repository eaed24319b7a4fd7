"""Reading the claim store: claims with their speakers, topics and sources, and their history.

Everything returns plain frozen dataclasses so the CLI, the bot and the matcher share one view of a
claim and one JSON shape (``claim_to_json``), documented in the README. Counts (``/topics``,
``/speakers``, ``/stats``) are ``claims.store.counts``; the matcher's documents are
``claims.store.claim_docs``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from claims.errors import NotFoundError
from claims.normalize import normalize_text

# Re-exported from their own modules: claims.service and claims.search import them from here.
from claims.store.claim_docs import claim_docs, live_claim_count
from claims.store.counts import NameCount, StoreStats, speakers_with_counts, store_stats, topics_with_counts
from claims.store.models import (
    Article,
    Claim,
    ClaimAppearance,
    ClaimRevision,
    ClaimStatus,
    Speaker,
    Topic,
    is_storable_id,
)
from claims.store.names import resolve_speaker, resolve_topic
from claims.store.positions import Earlier, earlier_of
from claims.store.topics import TopicLabel, claims_in_topic, further_topics

__all__ = [
    "ClaimView",
    "NameCount",
    "RevisionView",
    "SourceView",
    "StoreStats",
    "claim_docs",
    "claim_history",
    "claim_to_json",
    "find_speaker",
    "find_topic",
    "get_claim",
    "get_claims",
    "list_claims",
    "live_claim_count",
    "revision_to_json",
    "source_to_json",
    "speakers_with_counts",
    "store_stats",
    "topics_with_counts",
]


@dataclass(frozen=True, slots=True)
class SourceView:
    article_id: int
    url: str | None
    title: str | None
    outlet: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim as users see it: current state plus where it was reported."""

    id: int
    text: str
    quote: str | None
    kind: str
    verdict: str
    verdict_note: str | None
    status: str
    revision: int
    speaker: str | None
    topic: str | None
    topic_name: str | None
    external_id: str | None
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime
    sources: tuple[SourceView, ...]
    context: str | None = None
    """The sentence(s) around the claim that make it understandable (None: the claim says it all)."""
    resolved_text: str | None = None
    """The text with pronouns and bare references resolved in brackets, when the extractor knew."""
    other_topics: tuple[tuple[str, str], ...] = ()
    """Further topics as ``(slug, name)`` pairs, beside the main ``topic``."""
    earlier: Earlier | None = None
    """The speaker's earlier claim on the same subject, and whether this one changed position."""

    @property
    def first_source(self) -> SourceView | None:
        return self.sources[0] if self.sources else None

    @property
    def said_at(self) -> datetime:
        """When the claim was made, as far as we know: its earliest source's date."""
        dates = [s.published_at for s in self.sources if s.published_at]
        return min(dates) if dates else self.created_at

    @property
    def context_adds_words(self) -> bool:
        """Whether the context sentence says more than the statement (worth showing beside it)."""
        return bool(self.context) and normalize_text(self.context or "") != normalize_text(self.text)

    @property
    def quote_adds_words(self) -> bool:
        """Whether the quote says something the statement does not already show: the speaker's own
        words behind a paraphrase, or the original words of a claim an admin reworded."""
        if not self.quote:
            return False
        shown = normalize_text(self.text)
        fragments = (normalize_text(part) for part in self.quote.replace("...", "…").split("…"))
        return not all(fragment in shown for fragment in fragments if fragment)


@dataclass(frozen=True, slots=True)
class RevisionView:
    revision: int
    change: str
    text: str
    verdict: str
    old_text: str | None
    old_verdict: str | None
    reason: str | None
    at: datetime
    source: SourceView | None
    admin_id: int | None
    admin_name: str | None
    related_claim_id: int | None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def source_to_json(source: SourceView) -> dict[str, Any]:
    return {"url": source.url, "title": source.title, "published_at": _iso(source.published_at)}


def claim_to_json(view: ClaimView) -> dict[str, Any]:
    """The stable JSON shape of a claim (``claims --json``, ``ask --json``, export)."""
    return {
        "id": view.id,
        "external_id": view.external_id,
        "speaker": view.speaker,
        "topic": view.topic,
        "text": view.text,
        "quote": view.quote,
        "kind": view.kind,
        "verdict": view.verdict,
        "status": view.status,
        "revision": view.revision,
        "sources": [source_to_json(s) for s in view.sources],
        "context": view.context,
        "resolved_text": view.resolved_text,
        "topics": [t for t in (view.topic, *(slug for slug, _ in view.other_topics)) if t],
    }


def revision_to_json(view: RevisionView) -> dict[str, Any]:
    """The stable JSON shape of one revision (``history --json``)."""
    return {
        "revision": view.revision,
        "change": view.change,
        "text": view.text,
        "verdict": view.verdict,
        "old_text": view.old_text,
        "old_verdict": view.old_verdict,
        "reason": view.reason,
        "at": _iso(view.at),
        "source": source_to_json(view.source) if view.source else None,
        "admin": view.admin_name or view.admin_id,
        "related_claim": view.related_claim_id,
    }


# ---------------------------------------------------------------------------- building views


def _views(session: Session, rows: Sequence[Claim]) -> list[ClaimView]:
    """Views for many claims with a fixed number of queries, not one per claim."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    speaker_ids = {r.speaker_id for r in rows if r.speaker_id is not None}
    topic_ids = {r.topic_id for r in rows if r.topic_id is not None}
    speakers = {
        s.id: s for s in session.exec(select(Speaker).where(col(Speaker.id).in_(speaker_ids)))
    } if speaker_ids else {}
    further = further_topics(session=session, claim_ids=ids)  # type: ignore[arg-type]
    earlier = earlier_of(session=session, claim_ids=ids)  # type: ignore[arg-type]
    topics = {
        t.id: t for t in session.exec(select(Topic).where(col(Topic.id).in_(topic_ids)))
    } if topic_ids else {}
    sources: dict[int, list[SourceView]] = defaultdict(list)
    for chunk in _chunks(ids, 900):
        stmt = (
            sa.select(col(ClaimAppearance.claim_id), *SOURCE_COLUMNS)
            .join(Article, col(Article.id) == ClaimAppearance.article_id)
            .where(col(ClaimAppearance.claim_id).in_(chunk))
            .order_by(col(ClaimAppearance.id))
        )
        for claim_id, *source in session.execute(stmt):
            sources[claim_id].append(_source(*source))
    return [
        _view(r, speakers[r.speaker_id].name if r.speaker_id in speakers else None,
              _labels(topics.get(r.topic_id)), sources.get(r.id, []),  # type: ignore[arg-type]
              further.get(r.id, []), earlier.get(r.id))  # type: ignore[arg-type]
        for r in rows
    ]


def _labels(tp: Topic | None) -> tuple[str, str] | None:
    return (tp.slug, tp.name) if tp is not None else None


def _view(r: Claim | sa.Row[Any], speaker: str | None, topic: tuple[str, str] | None,
          sources: list[SourceView], further: Sequence[TopicLabel] = (), earlier: Earlier | None = None
          ) -> ClaimView:
    """A view of a claim: ``r`` is the stored row (a model, or a Core row of the claim's columns,
    which reads the same and costs a fraction to load), with its speaker's name and its topic."""
    return ClaimView(
        id=r.id,  # type: ignore[arg-type]
        text=r.text,
        quote=r.quote,
        kind=r.kind,
        verdict=r.verdict,
        verdict_note=r.verdict_note,
        status=r.status,
        revision=r.revision,
        speaker=speaker,
        topic=topic[0] if topic else None,
        topic_name=topic[1] if topic else None,
        external_id=r.external_id,
        merged_into_id=r.merged_into_id,
        created_at=r.created_at,
        updated_at=r.updated_at,
        sources=tuple(sorted(sources, key=lambda s: (s.published_at is None, s.published_at))),
        context=r.context,
        resolved_text=r.resolved_text,
        other_topics=tuple((t.slug, t.name) for t in further if t.id != r.topic_id),
        earlier=earlier,
    )


SOURCE_COLUMNS = (col(Article.id), col(Article.canonical_url), col(Article.url), col(Article.title),
                  col(Article.outlet), col(Article.published_at))
"""What a source line needs of an article: never its text, which may be half a megabyte."""


def _source(article_id: int, canonical_url: str | None, url: str | None, title: str | None,
            outlet: str | None, published_at: datetime | None) -> SourceView:
    return SourceView(article_id=article_id, url=canonical_url or url, title=title, outlet=outlet,
                      published_at=published_at)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ---------------------------------------------------------------------------- queries


def get_claim(*, session: Session, claim_id: int) -> ClaimView:
    """One claim by id, whatever its status."""
    row = session.get(Claim, claim_id) if is_storable_id(claim_id) else None
    if row is None:
        raise NotFoundError(f"There is no claim #{claim_id}.")
    return _views(session, [row])[0]


def get_claims(*, session: Session, claim_ids: Iterable[int]) -> list[ClaimView]:
    """Claims by id, in the order asked, skipping ids that do not exist."""
    wanted = [i for i in dict.fromkeys(claim_ids) if is_storable_id(i)]
    if not wanted:
        return []
    claim = Claim.__table__  # type: ignore[attr-defined]
    found: dict[int, tuple[sa.Row[Any], str | None, tuple[str, str] | None, list[SourceView]]] = {}
    for chunk in _chunks(wanted, 900):
        # one query per chunk of 900 ids: claim, speaker, topic and every source, joined; Core rows,
        # not models (a page of fifty claims loaded as models spent more in the ORM than in SQLite)
        stmt = (
            sa.select(claim, col(Speaker.name).label("speaker_name"), col(Topic.slug).label("topic_slug"),
                      col(Topic.name).label("topic_name"), *SOURCE_COLUMNS)
            .outerjoin(Speaker, col(Speaker.id) == claim.c.speaker_id)
            .outerjoin(Topic, col(Topic.id) == claim.c.topic_id)
            .outerjoin(ClaimAppearance, col(ClaimAppearance.claim_id) == claim.c.id)
            .outerjoin(Article, col(Article.id) == ClaimAppearance.article_id)
            .where(claim.c.id.in_(chunk))
            .order_by(claim.c.id, col(ClaimAppearance.id))
        )
        width = len(SOURCE_COLUMNS)
        for row in session.connection().execute(stmt):
            entry = found.get(row.id)
            if entry is None:
                topic = (row.topic_slug, row.topic_name) if row.topic_slug is not None else None
                entry = found[row.id] = (row, row.speaker_name, topic, [])
            source = row[-width:]
            if source[0] is not None:
                entry[3].append(_source(*source))
    further = further_topics(session=session, claim_ids=list(found))
    earlier = earlier_of(session=session, claim_ids=list(found))
    return [_view(*found[i], further.get(i, []), earlier.get(i)) for i in wanted if i in found]


def find_speaker(*, session: Session, name: str) -> Speaker | None:
    """The speaker a typed name stands for (see ``claims.store.names``), or None when none fits.

    Ambiguous names raise ``AmbiguousNameError`` with the choices.
    """
    if not name.strip():
        return None
    try:
        return resolve_speaker(session=session, text=name)
    except NotFoundError:
        return None


def find_topic(*, session: Session, name: str) -> Topic | None:
    """The topic a typed name stands for (slug, name, part of it, typo), or None when none fits.

    Ambiguous names raise ``AmbiguousNameError`` with the choices.
    """
    if not name.strip():
        return None
    try:
        return resolve_topic(session=session, text=name)
    except NotFoundError:
        return None


def list_claims(
    *,
    session: Session,
    topic: str | None = None,
    speaker: str | None = None,
    include_inactive: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[ClaimView]:
    """Current claims, newest first, optionally filtered by topic and speaker.

    Names are resolved forgivingly (surname, alias, role, slug, part of a name, typo); a topic
    filter takes claims with it as main or further topic. An unknown name is a ``NotFoundError``,
    an ambiguous one an ``AmbiguousNameError`` listing the choices.
    """
    topic_id = resolve_topic(session=session, text=topic).id if topic else None
    speaker_id = resolve_speaker(session=session, text=speaker).id if speaker else None
    return _listed(session, topic_id=topic_id, speaker_id=speaker_id, include_inactive=include_inactive,
                   limit=limit, offset=offset)


def _listed(session: Session, *, topic_id: int | None = None, speaker_id: int | None = None,
            include_inactive: bool = False, limit: int | None = None, offset: int = 0) -> list[ClaimView]:
    stmt = select(Claim).order_by(col(Claim.updated_at).desc(), col(Claim.id).desc())
    if not include_inactive:
        stmt = stmt.where(Claim.status == ClaimStatus.ACTIVE.value)
    if topic_id is not None:
        stmt = stmt.where(claims_in_topic(topic_id))
    if speaker_id is not None:
        stmt = stmt.where(Claim.speaker_id == speaker_id)
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return _views(session, session.exec(stmt).all())


def claim_history(*, session: Session, claim_id: int) -> list[RevisionView]:
    """A claim's revisions, oldest first, each with the text and verdict it left the claim in."""
    if not is_storable_id(claim_id) or session.get(Claim, claim_id) is None:
        raise NotFoundError(f"There is no claim #{claim_id}.")
    revs = session.exec(
        select(ClaimRevision)
        .where(ClaimRevision.claim_id == claim_id)
        .order_by(col(ClaimRevision.revision))
    ).all()
    article_ids = {r.article_id for r in revs if r.article_id}
    articles = {
        row[0]: _source(*row)
        for row in session.execute(sa.select(*SOURCE_COLUMNS).where(col(Article.id).in_(article_ids)))
    } if article_ids else {}
    text, verdict = "", "unverified"
    out = []
    for r in revs:
        text = r.new_text if r.new_text is not None else text
        verdict = r.new_verdict if r.new_verdict is not None else verdict
        source = articles.get(r.article_id) if r.article_id else None
        out.append(
            RevisionView(
                revision=r.revision, change=r.change, text=text, verdict=verdict,
                old_text=r.old_text, old_verdict=r.old_verdict, reason=r.reason, at=r.created_at,
                source=source, admin_id=r.admin_id,
                admin_name=r.admin_name, related_claim_id=r.related_claim_id,
            )
        )
    return out
