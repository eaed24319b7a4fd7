"""Ingesting an article: store or update it, extract its claims, and fold them into the store.

Re-ingesting an unchanged article is a no-op; an updated article revises what changed and records
what it no longer carries; the same statement in another article becomes another appearance of the
claim it already is (``claims.ingest.identity`` says what "the same" means).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlmodel import Session, col, select

from claims.catalog import Catalog
from claims.errors import InputError
from claims.extract.attribution import ExtractedClaim, extract_claims
from claims.ingest.entities import ArticleEntities
from claims.ingest.identity import find_same_statement, pair_rewordings, statement_key
from claims.ingest.sources import ArticleInput
from claims.normalize import clean_text, content_hash, fingerprint, strip_nul
from claims.positions.links import link_new_claims
from claims.store.history import record_revision
from claims.store.models import Article, ChangeKind, Claim, ClaimAppearance, utcnow
from claims.store.said import refresh_said_at


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
    removed: list[int] = field(default_factory=list)
    """Claims an earlier version of this article carried and this update no longer does."""

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
            "removed": self.removed,
        }


def ingest_article(
    article: ArticleInput, *, session: Session, catalog: Catalog, max_chars: int = 500_000,
    commit_every: float | None = None,
) -> IngestReport:
    """Store ``article`` and its claims; the caller's session scope commits or rolls back.

    The claims are extracted before anything is written, so the store's write lock is not held
    while the text is read. With ``commit_every`` (seconds) the work is also committed that often,
    so a 4,000-claim article never holds SQLite's single write lock for long; the article's content
    hash is set only by the last step, so an ingest cut short is finished by the next one instead of
    being taken for unchanged.
    """
    if len(article.text) > max_chars:
        raise InputError(
            f"The article is {len(article.text):,} characters long; the limit is {max_chars:,} "
            "(CLAIMBOT_MAX_ARTICLE_CHARS allows more)."
        )
    article = _without_nul(article)
    digest = content_hash(article.text)
    existing = _stored_version(article, digest=digest, session=session)
    if existing is not None and existing.content_hash == digest:
        assert existing.id is not None
        return IngestReport(article_id=existing.id, title=existing.title,
                            url=existing.canonical_url or existing.url, status=ArticleStatus.UNCHANGED,
                            unchanged=_claims_of_article(session=session, article_id=existing.id))
    published = article.published_at or (existing.published_at if existing else None)
    found = list(extract_claims(article.text, catalog=catalog, published_at=published))

    row, status = _upsert_article(article, existing=existing, session=session,
                                  content_hash=digest if commit_every is None else PENDING_HASH)
    assert row.id is not None
    report = IngestReport(article_id=row.id, title=row.title, url=row.canonical_url or row.url,
                          status=status)
    batch = _Batches(session, every=commit_every)
    previous: dict[int, Claim] = {}
    gone: set[int] = set()  # claims an earlier update already marked removed from this article
    if status is ArticleStatus.UPDATED:
        ids = _claims_of_article(session=session, article_id=row.id)
        previous = {c.id: c for c in session.exec(select(Claim).where(col(Claim.id).in_(ids)))}  # type: ignore[misc]
        gone = _removed_from(session=session, article_id=row.id)

    cache = ArticleEntities(session=session, catalog=catalog, article=row)
    statements = _statements(found, cache=cache)
    unmatched = []
    for statement in statements:
        if not _fold_known(statement, article=row, previous=previous, gone=gone, report=report):
            unmatched.append(statement)
        batch.step()
    live_previous = [c for cid, c in previous.items() if cid not in gone]
    reworded = pair_rewordings([(s.speaker_id, s.text) for s in unmatched], live_previous)
    for index, statement in enumerate(unmatched):
        if index in reworded:
            _revise(statement, claim=reworded[index], article=row, report=report)
            previous.pop(reworded[index].id, None)  # type: ignore[arg-type]
        else:
            _create(statement, article=row, report=report)
        batch.step()
    for claim in previous.values():
        if claim.id not in gone:
            _mark_removed(claim, article=row, session=session, report=report)
            batch.step()
    cache.finish()
    refresh_said_at(session=session, article_id=row.id)  # new appearances, or a new date
    link_new_claims(session=session, claim_ids=report.added, catalog=catalog)
    row.content_hash = digest  # last: the article counts as ingested only now
    session.add(row)
    session.flush()
    return report


PENDING_HASH = "pending"
"""The content hash of an article whose ingest has not finished: never equal to a real one."""


class _Batches:
    """Commits the work so far every ``every`` seconds (never, without ``every``)."""

    def __init__(self, session: Session, *, every: float | None) -> None:
        self.session = session
        self.every = every
        self.last = time.monotonic()

    def step(self) -> None:
        if self.every is not None and time.monotonic() - self.last >= self.every:
            self.session.commit()
            self.last = time.monotonic()


@dataclass
class _Statement:
    """One extracted statement, resolved to its speaker and topic and cleaned for storage."""

    found: ExtractedClaim
    speaker_id: int | None
    topic_id: int | None
    text: str
    quote: str | None
    fingerprint: str
    session: Session
    cache: ArticleEntities


def _statements(found: list[ExtractedClaim], *, cache: ArticleEntities) -> list[_Statement]:
    """The article's distinct statements, in reading order, with speakers and topics resolved."""
    seen: set[tuple[str, str]] = set()
    out: list[_Statement] = []
    for claim in found:
        key = statement_key(claim)
        if key in seen or not claim.text.strip():
            continue
        seen.add(key)
        speaker = cache.speaker_of(claim)
        topic = cache.main_topic(claim)
        text = clean_text(claim.text)
        out.append(_Statement(
            found=claim, speaker_id=speaker.id if speaker else None,
            topic_id=topic.id if topic else None, text=text,
            quote=clean_text(claim.quote) if claim.quote else None,
            fingerprint=fingerprint(speaker.name if speaker else None, text), session=cache.session,
            cache=cache,
        ))
    return out


def _without_nul(article: ArticleInput) -> ArticleInput:
    """NUL characters carry no meaning in prose and PostgreSQL refuses them in text columns."""
    return replace(
        article, text=strip_nul(article.text) or "", url=strip_nul(article.url),
        canonical_url=strip_nul(article.canonical_url), title=strip_nul(article.title),
        author=strip_nul(article.author), outlet=strip_nul(article.outlet),
    )


def _stored_version(article: ArticleInput, *, digest: str, session: Session) -> Article | None:
    """The stored article this one is a version of: same URL, or (pasted text without a URL) the
    same text. A read, so checking an unchanged article never takes the write lock."""
    key = article.key
    if key:
        return session.exec(select(Article).where(Article.canonical_url == key)).first()
    return session.exec(
        select(Article).where(Article.content_hash == digest, Article.canonical_url.is_(None))  # type: ignore[union-attr]
    ).first()


def _upsert_article(article: ArticleInput, *, existing: Article | None, session: Session,
                    content_hash: str) -> tuple[Article, ArticleStatus]:
    """The stored article updated to this version, or a new one."""
    if existing is not None:
        existing.text = article.text
        existing.content_hash = content_hash
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
        canonical_url=article.key,
        outlet=article.outlet,
        title=article.title,
        author=article.author,
        published_at=article.published_at,
        content_hash=content_hash,
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


def _removed_from(*, session: Session, article_id: int) -> set[int]:
    return set(
        session.exec(
            select(ClaimAppearance.claim_id).where(
                ClaimAppearance.article_id == article_id, col(ClaimAppearance.removed_at).is_not(None)
            )
        )
    )


def _fold_known(
    statement: _Statement, *, article: Article, previous: dict[int, Claim], gone: set[int],
    report: IngestReport,
) -> bool:
    """Rule 1: a statement that is a stored claim becomes an appearance; False if it is not one.

    A claim this article carried before, now worded slightly differently (punctuation, a title for a
    first name), is left to the rewording pass so the new wording is recorded as a revision.
    """
    claim = find_same_statement(session=statement.session, speaker_id=statement.speaker_id,
                                fingerprint=statement.fingerprint, text=statement.text)
    if claim is None:
        return False
    assert claim.id is not None
    ours = claim.id in previous and claim.id not in gone
    if ours and claim.fingerprint != statement.fingerprint:
        return False
    if ours:
        report.unchanged.append(claim.id)
        previous.pop(claim.id)
    else:
        if claim.id in previous:  # removed by an earlier update, back in this one
            previous.pop(claim.id)
        if claim.id not in report.appeared:
            report.appeared.append(claim.id)
    _record_appearance(statement.found, claim=claim, article=article, session=statement.session)
    statement.cache.claim_seen(claim, statement.found)
    return True


def _revise(statement: _Statement, *, claim: Claim, article: Article, report: IngestReport) -> None:
    """Rule 2: the updated article rewords a claim it carried; the old wording stays in history."""
    old = claim.text
    claim.text = statement.text
    claim.quote = statement.quote
    claim.fingerprint = statement.fingerprint
    claim.kind = statement.found.kind
    if old != statement.text:
        record_revision(
            session=statement.session, claim=claim, change=ChangeKind.TEXT, old_text=old,
            new_text=statement.text, article_id=article.id, reason="The article was updated.",
        )
        report.revised.append(claim.id)  # type: ignore[arg-type]
    else:
        report.unchanged.append(claim.id)  # type: ignore[arg-type]
    _record_appearance(statement.found, claim=claim, article=article, session=statement.session)
    statement.cache.claim_seen(claim, statement.found)


def _create(statement: _Statement, *, article: Article, report: IngestReport) -> None:
    """Rule 3: a statement no stored claim makes is a new claim."""
    session = statement.session
    claim = Claim(
        speaker_id=statement.speaker_id,
        topic_id=statement.topic_id,
        text=statement.text,
        quote=statement.quote,
        kind=statement.found.kind,
        fingerprint=statement.fingerprint,
    )
    session.add(claim)
    session.flush()
    record_revision(
        session=session, claim=claim, change=ChangeKind.CREATED, new_text=statement.text,
        article_id=article.id,
    )
    report.added.append(claim.id)  # type: ignore[arg-type]
    _record_appearance(statement.found, claim=claim, article=article, session=session)
    statement.cache.claim_seen(claim, statement.found)


def _mark_removed(claim: Claim, *, article: Article, session: Session, report: IngestReport) -> None:
    """Rule 4: the updated article no longer carries the claim; say so on the appearance and in
    the claim's history (digests read it from there)."""
    app = session.exec(
        select(ClaimAppearance).where(
            ClaimAppearance.claim_id == claim.id, ClaimAppearance.article_id == article.id
        )
    ).first()
    if app is None:  # pragma: no cover - previous claims come from this article's appearances
        return
    app.removed_at = utcnow()
    app.removed_in_version = article.version
    session.add(app)
    record_revision(
        session=session, claim=claim, change=ChangeKind.REMOVED, article_id=article.id,
        reason=f"No longer in version {article.version} of the article.",
    )
    session.flush()
    report.removed.append(claim.id)  # type: ignore[arg-type]


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
    app.removed_at = None
    app.removed_in_version = None
    session.add(app)
    session.flush()
