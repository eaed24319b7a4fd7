"""RSS/Atom feeds the bot polls: registering them and polling one with conditional requests.

A poll sends the ETag and Last-Modified the server gave last time, so an unchanged feed costs one
304 and nothing else. Entries whose article is already stored (and not newer than our copy) are not
fetched again; new ones are fetched and ingested, each committed on its own so a bad entry never
undoes the others and new claims reach digests promptly. Polling is blocking I/O: the bot runs it
in a thread (``asyncio.to_thread``) from its JobQueue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import feedparser
import httpx
import sqlalchemy as sa
from sqlmodel import Session, col, select

from claims.catalog import Catalog
from claims.errors import InputError, InvalidArgumentError, NotFoundError
from claims.ingest.pipeline import ArticleStatus, ingest_article
from claims.ingest.sources import (
    FeedEntry,
    FetchPolicy,
    check_url_allowed,
    entry_article,
    fetch,
    looks_like_feed,
    parse_feed,
)
from claims.store.models import Article, Feed, FeedStatus, is_storable_id, utcnow

FAILING_AFTER = 3
"""Consecutive failed polls after which a feed is shown as failing (it is still polled)."""
MAX_ERROR_CHARS = 500
MAX_FEEDS = 200


@dataclass(frozen=True, slots=True)
class FeedView:
    id: int
    url: str
    title: str | None
    status: FeedStatus
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None
    failures: int
    added_by: int | None


@dataclass
class PollReport:
    """What one poll of one feed did."""

    feed_id: int
    url: str
    not_modified: bool = False
    entries: int = 0
    skipped: int = 0
    ingested: int = 0
    added_claims: list[int] = field(default_factory=list)
    revised_claims: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: str | None = None
    """Why the feed itself could not be read (the entries' own errors are in ``errors``)."""


# ---------------------------------------------------------------------------- registering


def add_feed(
    *,
    session: Session,
    url: str,
    added_by: int | None = None,
    policy: FetchPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    verify: bool = True,
) -> FeedView:
    """Register a feed (``/feeds add URL``); with ``verify`` it is fetched once to prove it is a feed.

    The first poll still fetches it in full: no ETag is kept from the check, so existing entries
    are ingested then.
    """
    url = url.strip()
    policy = policy or FetchPolicy()
    check_url_allowed(url, allow_private=policy.allow_private)
    if len(url) > 2048:
        raise InvalidArgumentError("That URL is longer than 2,048 characters.")
    existing = session.exec(select(Feed).where(Feed.url == url)).first()
    if existing is not None:
        raise InvalidArgumentError(f"That feed is already registered as #{existing.id}.")
    count = session.exec(select(sa.func.count()).select_from(Feed)).one()
    if count >= MAX_FEEDS:
        raise InvalidArgumentError(f"There are already {MAX_FEEDS} feeds; remove one first.")
    title = None
    if verify:
        fetched = fetch(url, policy=policy, transport=transport)
        if not looks_like_feed(fetched.content):
            raise InputError("That URL is not an RSS or Atom feed.")
        parse_feed(fetched.content, name="That feed")
        title = (feedparser.parse(fetched.content).feed.get("title") or "")[:500] or None
    feed = Feed(url=url, title=title, added_by=added_by)
    session.add(feed)
    session.flush()
    return _view(feed)


def list_feeds(*, session: Session) -> list[FeedView]:
    """All registered feeds, oldest first (``/feeds``)."""
    return [_view(f) for f in session.exec(select(Feed).order_by(col(Feed.id)))]


def remove_feed(*, session: Session, feed_id: int) -> FeedView:
    """Stop polling a feed (``/feeds remove ID``); what it brought in stays in the store."""
    feed = session.get(Feed, feed_id) if is_storable_id(feed_id) else None
    if feed is None:
        raise NotFoundError(f"There is no feed #{feed_id}.")
    view = _view(feed)
    session.delete(feed)
    session.flush()
    return view


def due_feeds(*, session: Session, every: timedelta, now: datetime | None = None) -> list[int]:
    """Ids of feeds not polled within ``every``, least recently polled first."""
    cutoff = (now or utcnow()) - every
    stmt = (
        select(Feed.id)
        .where(sa.or_(col(Feed.last_polled_at).is_(None), col(Feed.last_polled_at) <= cutoff))
        .order_by(col(Feed.last_polled_at).is_(None).desc(), col(Feed.last_polled_at), col(Feed.id))
    )
    return [int(i) for i in session.exec(stmt)]  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- polling


def poll_feed(
    *,
    session: Session,
    feed_id: int,
    catalog: Catalog,
    policy: FetchPolicy,
    transport: httpx.BaseTransport | None = None,
    now: datetime | None = None,
    max_chars: int = 500_000,
    commit_every: float | None = None,
) -> PollReport:
    """Fetch a feed if it changed and ingest its new entries; commits as it goes, and never holds a
    transaction open while it waits for the network (``commit_every``: see ``ingest_article``).

    A feed that cannot be fetched or parsed is recorded as failing (with the reason) rather than
    raising, so one broken feed does not stop a polling job that walks all of them.
    """
    feed = session.get(Feed, feed_id) if is_storable_id(feed_id) else None
    if feed is None:
        raise NotFoundError(f"There is no feed #{feed_id}.")
    report = PollReport(feed_id=feed_id, url=feed.url)
    polled_at = now or utcnow()
    url, etag, last_modified = feed.url, feed.etag, feed.last_modified
    session.rollback()  # nothing is written (nor any lock held) while the network is waited for
    try:
        fetched = fetch(url, policy=policy, transport=transport, etag=etag, last_modified=last_modified)
        entries = [] if fetched.not_modified else parse_feed(fetched.content, name=f"Feed #{feed_id}")
    except InputError as exc:
        report.failed = str(exc)
        feed.last_polled_at = polled_at
        feed.failures += 1
        feed.last_error = str(exc)[:MAX_ERROR_CHARS]
        if feed.failures >= FAILING_AFTER:
            feed.status = FeedStatus.FAILING.value
        session.add(feed)
        session.commit()
        return report
    if fetched.not_modified:
        report.not_modified = True
        feed.last_polled_at = polled_at
        _mark_ok(feed)
        session.add(feed)
        session.commit()
        return report

    report.entries = len(entries)
    for entry in entries:
        if _already_stored(session, entry):
            report.skipped += 1
            continue
        try:
            session.rollback()  # end the read transaction: fetching the entry holds nothing open
            article = entry_article(entry, policy=policy, transport=transport)
            result = ingest_article(article, session=session, catalog=catalog, max_chars=max_chars,
                                    commit_every=commit_every)
        except InputError as exc:
            session.rollback()  # only this entry's work: earlier entries are committed
            report.errors.append(str(exc))
            continue
        session.commit()
        if result.status is not ArticleStatus.UNCHANGED:
            report.ingested += 1
        report.added_claims.extend(result.added)
        report.revised_claims.extend(result.revised)

    # Remember the validators only now: a crash above means the next poll sees everything again.
    feed = session.get(Feed, feed_id) or feed
    feed.etag = fetched.etag
    feed.last_modified = fetched.last_modified
    feed.last_polled_at = polled_at
    _mark_ok(feed)
    session.add(feed)
    session.commit()
    return report


def _already_stored(session: Session, entry: FeedEntry) -> bool:
    """Whether the entry's article is stored and the entry does not claim to be newer."""
    if not entry.link:
        return False
    row = session.exec(
        select(Article.fetched_at).where(
            sa.or_(col(Article.canonical_url) == entry.link, col(Article.url) == entry.link)
        )
    ).first()
    if row is None:
        return False
    return entry.published_at is None or entry.published_at <= row


def _mark_ok(feed: Feed) -> None:
    feed.failures = 0
    feed.last_error = None
    feed.status = FeedStatus.ACTIVE.value
    feed.last_ok_at = feed.last_polled_at


def _view(feed: Feed) -> FeedView:
    assert feed.id is not None
    return FeedView(
        id=feed.id, url=feed.url, title=feed.title, status=FeedStatus(feed.status),
        last_polled_at=feed.last_polled_at, last_ok_at=feed.last_ok_at, last_error=feed.last_error,
        failures=feed.failures, added_by=feed.added_by,
    )
