"""Ingesting: articles from files, pasted text, URLs and readers' links, and the feeds polled for
more, each stored with its claims and then indexed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from claims.errors import InputError, NotFoundError
from claims.ingest import feeds as feed_store
from claims.ingest.pipeline import IngestReport, ingest_article
from claims.ingest.sources import (
    ArticleInput,
    FetchPolicy,
    fetch_article,
    fetch_articles,
    fetch_feed_articles,
    load_file,
    looks_like_feed,
    parse_document,
)
from claims.samples import Sample, samples
from claims.service.base import WRITE_BATCH_SECONDS
from claims.service.index import IndexUpkeep
from claims.store.counts import store_stats
from claims.store.views import ClaimView, get_claims


@dataclass(frozen=True, slots=True)
class Ingested:
    """What one article did, with the new and revised claims to show."""

    report: IngestReport
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True, slots=True)
class Seeded:
    """What ``seed_samples`` did: nothing (the store has articles already), or this many sample
    articles ingested, which added this many new claims."""

    already: bool
    articles: int = 0
    added: int = 0


class Ingest(IndexUpkeep):
    """Articles and feeds for ``ClaimService``."""

    def seed_samples(self, shipped: Sequence[Sample] | None = None) -> Seeded:
        """Ingest the sample articles shipped in the package when the store has no articles yet
        (``claimbot chat`` on a brand-new database); a sample that cannot be read is an
        ``InputError`` naming it."""
        with self.session() as session:
            if store_stats(session=session).articles:
                return Seeded(already=True)
        shipped = samples() if shipped is None else shipped
        added = 0
        for item in shipped:
            try:
                added += len(self.ingest(item.article()).report.added)
            except InputError as exc:
                raise InputError(f"Could not read the sample article {item.file}: {exc}") from exc
        return Seeded(already=False, articles=len(shipped), added=added)

    def fetch_policy(self) -> FetchPolicy:
        """Fetching limits from the settings; ``FetchPolicy.trusting(url)`` lets a URL the operator
        typed reach a private address while what it links to still follows the setting."""
        return FetchPolicy.from_settings(self.settings)

    def ingest(self, article: ArticleInput, *, published_at: datetime | None = None) -> Ingested:
        """Store one article and its claims, then index them; ``published_at`` dates an article
        that carries no date of its own (``claimbot ingest --published``)."""
        if published_at is not None and article.published_at is None:
            article = replace(article, published_at=published_at)
        with self.session() as session:
            report = ingest_article(article, session=session, catalog=self.catalog,
                                    max_chars=self.settings.max_article_chars,
                                    commit_every=WRITE_BATCH_SECONDS)
            session.flush()
            shown = get_claims(session=session, claim_ids=[*report.added, *report.revised])
        self.catch_up()
        return Ingested(report, tuple(shown))

    def ingest_url(self, url: str, *, operator: bool = False) -> Ingested:
        """Fetch an article (refusing private addresses unless allowed) and ingest it."""
        policy = self.fetch_policy()
        return self.ingest(fetch_article(url, policy=policy.trusting(url) if operator else policy))

    def articles_from(self, item: str, *, feed: bool = False, canonical_url: str | None = None
                      ) -> Iterator[ArticleInput | InputError]:
        """The articles one ``claimbot ingest`` input holds: a URL (an article, or a feed's
        articles), a feed file, or an article file. A failure is yielded as an error, so the
        operator's other inputs still run.

        The operator's own URLs may be private (intranet pages, local feeds); what those pages link
        to (feed entries, redirects to other hosts) follows ``CLAIMBOT_ALLOW_PRIVATE_URLS``."""
        policy = self.fetch_policy()
        try:
            if item.startswith(("http://", "https://")):
                own = policy.trusting(item)
                if feed:
                    yield from fetch_feed_articles(item, policy=own)
                else:  # a feed URL given without --feed is still read as a feed
                    yield from fetch_articles(item, policy=own)
            elif feed or _is_feed_file(Path(item)):
                yield from fetch_feed_articles(item, policy=policy, raw=_read_file(Path(item)))
            else:
                yield load_file(Path(item), canonical_url=canonical_url)
        except InputError as exc:
            yield exc

    def ingest_document(self, raw: bytes, *, name: str) -> Ingested:
        """Ingest a sent file or pasted text (plain text or HTML); ``name`` is used in errors."""
        return self.ingest(parse_document(raw, name=name))

    def feeds(self) -> list[feed_store.FeedView]:
        with self.session() as session:
            return feed_store.list_feeds(session=session)

    def add_feed(self, url: str, *, added_by: int | None) -> feed_store.FeedView:
        with self.session() as session:
            return feed_store.add_feed(session=session, url=url, added_by=added_by,
                                       policy=self.fetch_policy())

    def remove_feed(self, feed_id: int) -> feed_store.FeedView:
        with self.session() as session:
            return feed_store.remove_feed(session=session, feed_id=feed_id)

    def poll_feeds(self, *, every: timedelta) -> list[feed_store.PollReport]:
        """Poll every feed that is due, each in its own unit of work, then index what came in."""
        with self.session() as session:
            ids = feed_store.due_feeds(session=session, every=every)
        reports = []
        policy = self.fetch_policy()
        for feed_id in ids:
            try:
                with self.session() as session:
                    reports.append(feed_store.poll_feed(
                        session=session, feed_id=feed_id, catalog=self.catalog, policy=policy,
                        max_chars=self.settings.max_article_chars, commit_every=WRITE_BATCH_SECONDS))
            except NotFoundError:
                continue  # removed while we were polling the others
        self.catch_up()
        return reports


def _read_file(path: Path) -> bytes:
    if not path.is_file():
        raise InputError(f"File {path} does not exist.")
    return path.read_bytes()


def _is_feed_file(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return looks_like_feed(fh.read(2048))
