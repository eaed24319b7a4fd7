"""Ingesting an article: store or update it, extract its claims, and fold them into the store.

Re-ingesting an unchanged article is a no-op; an updated article revises what changed; the same
statement in another article becomes another appearance of the claim it already is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlmodel import Session, col, select

from claims.catalog import Catalog
from claims.errors import InputError
from claims.extract.attribution import ExtractedClaim, extract_claims
from claims.ingest.entities import EntityCache
from claims.ingest.identity import find_reworded, find_same_statement, statement_key
from claims.ingest.sources import ArticleInput
from claims.normalize import clean_text, content_hash, fingerprint
from claims.store.history import record_revision
from claims.store.models import Article, ChangeKind, Claim, ClaimAppearance, utcnow


class ArticleStatus(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class IngestReport:
    """What one article did to the store, for the CLI, the bot's reply and digests."""

    article_id: int
    title: str | None
    url: str | None
    status: ArticleStatus
    added: list[int] = field(default_factory=list)
    revised: list[int] = field(default_factory=list)
    appeared: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "status": self.status.value,
            "added": self.added,
            "revised": self.revised,
            "appeared": self.appeared,
            "unchanged": self.unchanged,
        }


def ingest_article(
    article: ArticleInput, *, session: Session, catalog: Catalog, max_chars: int = 500_000
) -> IngestReport:
    """Store ``article`` and its claims; the caller's session scope commits or rolls back."""
    if len(article.text) > max_chars:
        raise InputError(
            f"The article is {len(article.text):,} characters long; the limit is {max_chars:,}."
        )
    row, status = _upsert_article(article, session=session)
    assert row.id is not None
    report = IngestReport(article_id=row.id, title=row.title, url=row.canonical_url or row.url,
                          status=status)
    if status is ArticleStatus.UNCHANGED:
        report.unchanged = _claims_of_article(session=session, article_id=row.id)
        return report

    previous: list[Claim] = []
    if status is ArticleStatus.UPDATED:
        ids = _claims_of_article(session=session, article_id=row.id)
        previous = list(session.exec(select(Claim).where(Claim.id.in_(ids)))) if ids else []  # type: ignore[union-attr]

    cache = EntityCache(session=session, catalog=catalog, article=row)
    seen: set[tuple[str, str]] = set()
    for found in extract_claims(row.text, catalog=catalog, published_at=row.published_at):
        key = statement_key(found)
        if key in seen or not found.text.strip():
            continue
        seen.add(key)
        _fold_in(found, article=row, previous=previous, cache=cache, report=report)
    cache.finish()
    return report


def _upsert_article(article: ArticleInput, *, session: Session) -> tuple[Article, ArticleStatus]:
    """New article, or the stored one with this URL (updated if its text changed)."""
    digest = content_hash(article.text)
    key = article.key
    if key:
        existing = session.exec(select(Article).where(Article.canonical_url == key)).first()
    else:  # pasted text without a URL: the text itself is its identity
        existing = session.exec(
            select(Article).where(Article.content_hash == digest, Article.canonical_url.is_(None))  # type: ignore[union-attr]
        ).first()
    if existing is not None and existing.content_hash == digest:
        return existing, ArticleStatus.UNCHANGED
    if existing is not None:
        existing.text = article.text
        existing.content_hash = digest
        existing.version += 1
        existing.fetched_at = utcnow()
        existing.title = article.title or existing.title
        existing.author = article.author or existing.author
        existing.published_at = article.published_at or existing.published_at
        session.add(existing)
        session.flush()
        return existing, ArticleStatus.UPDATED
    row = Article(
        url=article.url,
        canonical_url=key,
        outlet=article.outlet,
        title=article.title,
        author=article.author,
        published_at=article.published_at,
        content_hash=digest,
        text=article.text,
    )
    session.add(row)
    session.flush()
    return row, ArticleStatus.NEW


def _claims_of_article(*, session: Session, article_id: int) -> list[int]:
    return list(
        session.exec(
            select(ClaimAppearance.claim_id)
            .where(ClaimAppearance.article_id == article_id)
            .order_by(col(ClaimAppearance.claim_id))
        )
    )


def _fold_in(
    found: ExtractedClaim,
    *,
    article: Article,
    previous: list[Claim],
    cache: EntityCache,
    report: IngestReport,
) -> None:
    session = cache.session
    speaker = cache.speaker_of(found)
    topic = cache.main_topic(found)
    text = clean_text(found.text)
    quote = clean_text(found.quote) if found.quote else None
    fp = fingerprint(speaker.name if speaker else None, text)
    speaker_id = speaker.id if speaker else None

    claim = find_same_statement(session=session, speaker_id=speaker_id, fingerprint=fp, text=text)
    if claim is not None and claim.fingerprint != fp:
        claim = None if any(c.id == claim.id for c in previous) else claim
    if claim is not None:
        in_this = any(c.id == claim.id for c in previous)
        if in_this:
            report.unchanged.append(claim.id)  # type: ignore[arg-type]
            previous.remove(next(c for c in previous if c.id == claim.id))
        else:
            report.appeared.append(claim.id)  # type: ignore[arg-type]
        _record_appearance(found, claim=claim, article=article, session=session)
        cache.claim_seen(claim, found)
        return

    reworded = find_reworded(candidates=previous, speaker_id=speaker_id, text=text)
    if reworded is not None:
        old = reworded.text
        reworded.text = text
        reworded.quote = quote
        reworded.fingerprint = fp
        reworded.kind = found.kind
        record_revision(
            session=session, claim=reworded, change=ChangeKind.TEXT, old_text=old, new_text=text,
            article_id=article.id, reason="The article was updated.",
        )
        previous.remove(reworded)
        report.revised.append(reworded.id)  # type: ignore[arg-type]
        _record_appearance(found, claim=reworded, article=article, session=session)
        cache.claim_seen(reworded, found)
        return

    claim = Claim(
        speaker_id=speaker_id,
        topic_id=topic.id if topic else None,
        text=text,
        quote=quote,
        kind=found.kind,
        fingerprint=fp,
    )
    session.add(claim)
    session.flush()
    record_revision(
        session=session, claim=claim, change=ChangeKind.CREATED, new_text=text,
        article_id=article.id,
    )
    report.added.append(claim.id)  # type: ignore[arg-type]
    _record_appearance(found, claim=claim, article=article, session=session)
    cache.claim_seen(claim, found)


def _record_appearance(
    found: ExtractedClaim, *, claim: Claim, article: Article, session: Session
) -> None:
    """Where the claim stands in this article; an updated article moves the offsets."""
    app = session.exec(
        select(ClaimAppearance).where(
            ClaimAppearance.claim_id == claim.id, ClaimAppearance.article_id == article.id
        )
    ).first()
    if app is None:
        app = ClaimAppearance(claim_id=claim.id, article_id=article.id, sentence="", start=0, end=0)  # type: ignore[arg-type]
    app.sentence_index = found.sentence_index
    app.sentence = found.sentence
    app.start = found.start
    app.end = found.end
    app.speaker_mention = (found.speaker_mention or None) and found.speaker_mention[:300]
    app.confidence = found.confidence
    session.add(app)
    session.flush()
