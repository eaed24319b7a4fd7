"""Ingesting: articles from files, pasted text, URLs and readers' links, and the feeds polled for
more, each stored with its claims and then indexed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from claims.errors import NotFoundError
from claims.ingest import feeds as feed_store
from claims.ingest.pipeline import IngestReport, ingest_article
from claims.ingest.sources import ArticleInput, FetchPolicy, fetch_article, parse_document
from claims.service.base import WRITE_BATCH_SECONDS
from claims.service.index import IndexUpkeep
from claims.store.views import ClaimView, get_claims


@dataclass(frozen=True, slots=True)
class Ingested:
    """What one article did, with the new and revised claims to show."""

    report: IngestReport
    claims: tuple[ClaimView, ...]


class Ingest(IndexUpkeep):
    """Articles and feeds for ``ClaimService``."""

    def fetch_policy(self) -> FetchPolicy:
        """Fetching limits from the settings; ``FetchPolicy.trusting(url)`` lets a URL the operator
        typed reach a private address while what it links to still follows the setting."""
        return FetchPolicy.from_settings(self.settings)

    def ingest(self, article: ArticleInput) -> Ingested:
        """Store one article and its claims, then index them."""
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
