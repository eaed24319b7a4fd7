"""Feeds: registering, conditional polling over real loopback HTTP, ingesting new entries into digests."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer
from sqlalchemy.engine import Engine
from sqlmodel import Session
from werkzeug import Request, Response

from claims.catalog import Catalog
from claims.errors import InputError, InvalidArgumentError, NotFoundError
from claims.follow.delivery import enqueue_digests
from claims.follow.subscriptions import subscribe
from claims.follow.targets import resolve_target
from claims.ingest.feeds import add_feed, due_feeds, list_feeds, poll_feed, remove_feed
from claims.ingest.sources import FetchPolicy
from claims.store.db import SQLITE_BUSY_TIMEOUT_MS
from claims.store.models import Feed, FeedStatus, utcnow
from tests.claims.digest_world import later

pytestmark = pytest.mark.postgres

LOCAL = FetchPolicy(timeout=5, max_bytes=200_000, allow_private=True)

TALKS = (
    "Talks on a truce continue\n"
    "Officials met in Moscow on Thursday as negotiations on a cease-fire continued.\n"
    "“We have very serious discussions going on right now about the cease-fire,” "
    "Mr. Trump said on Thursday.\n"
)
GREENLAND = (
    "Copenhagen answers Washington\n"
    "The Danish prime minister spoke to reporters in Copenhagen on Friday morning.\n"
    "“Greenland is not for sale and never will be,” Mette Frederiksen said in Copenhagen.\n"
)
RUTTE = (
    "Alliance meets in Brussels\n"
    "Ministers gathered at the alliance headquarters for a two-day meeting.\n"
    "“The alliance has never been stronger,” Mark Rutte said at the meeting.\n"
)


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{base}/articles/{slug}</link>"
        "<pubDate>Thu, 13 Mar 2025 18:00:00 GMT</pubDate></item>"
        for slug, title in items
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Example Wire</title>"
        f"<link>{base}/</link><description>d</description>{body}</channel></rss>"
    ).encode()


class Site:
    """Serves a feed with ETag and Last-Modified validators, answering 304 when they match."""

    feed: ClassVar[bytes] = b""
    etag: ClassVar[str | None] = '"v1"'
    last_modified: ClassVar[str | None] = "Thu, 13 Mar 2025 18:00:00 GMT"
    feed_status: ClassVar[int] = 200
    articles: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[Counter[str]] = Counter()
    conditional: ClassVar[list[tuple[str | None, str | None]]] = []
    on_article: ClassVar[Callable[[], None] | None] = None

    @classmethod
    def serve(cls, request: Request) -> Response:
        path = request.path
        cls.hits[path] += 1
        if path == "/feed.xml":
            inm, ims = request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")
            cls.conditional.append((inm, ims))
            if cls.feed_status != 200:
                return Response(b"broken", cls.feed_status, content_type="text/plain")
            if (inm and inm == cls.etag) or (not cls.etag and ims and ims == cls.last_modified):
                return Response(status=304)
            headers = {}
            if cls.etag:
                headers["ETag"] = cls.etag
            if cls.last_modified:
                headers["Last-Modified"] = cls.last_modified
            return Response(cls.feed, 200, headers=headers, content_type="application/rss+xml")
        if path.startswith("/articles/") and path[10:] in cls.articles:
            if cls.on_article is not None:
                cls.on_article()
            return Response(cls.articles[path[10:]], 200, content_type="text/plain; charset=utf-8")
        if path == "/page.html":
            return Response(b"<html><body><p>not a feed</p></body></html>", 200, content_type="text/html")
        return Response(b"not found", 404, content_type="text/plain")


@pytest.fixture
def site(httpserver: HTTPServer) -> str:
    """The loopback site, reset to its first state: two articles in the feed, validators v1."""
    server = httpserver.url_for("").rstrip("/")
    httpserver.expect_request(re.compile(".*")).respond_with_handler(Site.serve)
    Site.articles = {"talks": TALKS.encode(), "greenland": GREENLAND.encode(), "rutte": RUTTE.encode()}
    Site.feed = rss(server, [("talks", "Talks"), ("greenland", "Greenland")])
    Site.etag, Site.last_modified, Site.feed_status = '"v1"', "Thu, 13 Mar 2025 18:00:00 GMT", 200
    Site.hits, Site.conditional, Site.on_article = Counter(), [], None
    return server


def register(session: Session, site: str) -> int:
    feed = add_feed(session=session, url=f"{site}/feed.xml", added_by=42, policy=LOCAL)
    session.commit()
    return feed.id


def test_register_list_and_remove(session: Session, site: str) -> None:
    feed_id = register(session, site)
    (view,) = list_feeds(session=session)
    assert (view.id, view.title, view.status, view.added_by) == (
        feed_id, "Example Wire", FeedStatus.ACTIVE, 42)
    with pytest.raises(InvalidArgumentError, match="already registered"):
        add_feed(session=session, url=f"{site}/feed.xml", policy=LOCAL)
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        add_feed(session=session, url=f"{site}/page.html", policy=LOCAL)
    with pytest.raises(InputError, match="HTTP 404"):
        add_feed(session=session, url=f"{site}/nothing.xml", policy=LOCAL)
    with pytest.raises(InputError, match="private or local"):
        add_feed(session=session, url=f"{site}/feed.xml", policy=FetchPolicy())
    assert remove_feed(session=session, feed_id=feed_id).id == feed_id
    session.commit()
    assert list_feeds(session=session) == []
    with pytest.raises(NotFoundError):
        remove_feed(session=session, feed_id=feed_id)


def test_polls_are_conditional_and_only_new_entries_are_fetched(session: Session, catalog: Catalog,
                                                                 site: str) -> None:
    feed_id = register(session, site)
    first = poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    assert (first.entries, first.ingested, first.errors, first.not_modified) == (2, 2, [], False)
    assert len(first.added_claims) == 2
    feed = session.get(Feed, feed_id)
    assert feed is not None and (feed.etag, feed.last_modified) == ('"v1"', Site.last_modified)

    again = poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    assert again.not_modified and again.ingested == 0
    assert Site.conditional[-1] == ('"v1"', Site.last_modified)
    assert Site.hits["/articles/talks"] == 1  # a 304 costs nothing else

    Site.feed = rss(site, [("rutte", "Rutte"), ("talks", "Talks"), ("greenland", "Greenland")])
    Site.etag = '"v2"'
    third = poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    assert (third.entries, third.skipped, third.ingested, len(third.added_claims)) == (3, 2, 1, 1)
    assert Site.hits["/articles/rutte"] == 1 and Site.hits["/articles/talks"] == 1


def test_last_modified_alone_is_used_when_there_is_no_etag(session: Session, catalog: Catalog,
                                                           site: str) -> None:
    Site.etag = None
    feed_id = register(session, site)
    poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    report = poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    assert report.not_modified
    assert Site.conditional[-1] == (None, Site.last_modified)


def test_broken_feed_is_marked_failing_then_recovers(session: Session, catalog: Catalog, site: str) -> None:
    feed_id = register(session, site)
    Site.feed_status = 500
    for _ in range(3):
        report = poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
        assert report.failed and "HTTP 500" in report.failed
    (view,) = list_feeds(session=session)
    assert (view.status, view.failures) == (FeedStatus.FAILING, 3)
    assert "HTTP 500" in (view.last_error or "")
    Site.feed_status = 200
    assert poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL).ingested == 2
    (view,) = list_feeds(session=session)
    assert (view.status, view.failures, view.last_error) == (FeedStatus.ACTIVE, 0, None)


def test_dead_links_fall_back_to_the_entry_text(session: Session, catalog: Catalog, site: str) -> None:
    content = GREENLAND.replace("\n", "<br/>").replace("“", "&#8220;").replace("”", "&#8221;")
    Site.feed = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>W</title><link>x</link><description>d"
        f"</description><item><title>Gone</title><link>{site}/articles/missing</link>"
        f"<description><![CDATA[{content}]]></description></item>"
        f"<item><title>Empty</title><link>{site}/articles/also-missing</link></item></channel></rss>"
    ).encode()
    feed_id = register(session, site)
    report = poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    assert report.ingested == 1 and len(report.added_claims) == 1
    assert len(report.errors) == 1 and "HTTP 404" in report.errors[0]


def test_polled_articles_flow_into_digests(session: Session, catalog: Catalog, site: str) -> None:
    feed_id = register(session, site)
    poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    # Follow Greenland (created by the first poll), then a new Greenland article arrives.
    greenland = resolve_target(session=session, query="greenland")
    subscribe(session=session, chat_id=9, target=greenland, now=utcnow() - timedelta(minutes=1))
    session.commit()
    Site.articles["greenland2"] = GREENLAND.replace("not for sale and never will be",
                                                    "not for sale, now or ever").encode()
    Site.feed = rss(site, [("greenland2", "Greenland again"), ("talks", "Talks"), ("greenland", "Greenland")])
    Site.etag = '"v2"'
    report = poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    assert report.ingested == 1
    digests = enqueue_digests(session=session, now=later(60 * 24), force=True)
    session.commit()
    assert digests.digests == 1


def test_due_feeds_least_recently_polled_first(session: Session, catalog: Catalog, site: str) -> None:
    a = register(session, site)
    b = add_feed(session=session, url=f"{site}/feed.xml?b", policy=LOCAL).id
    session.commit()
    assert due_feeds(session=session, every=timedelta(minutes=15)) == [a, b]
    poll_feed(session=session, feed_id=a, catalog=catalog, policy=LOCAL)
    assert due_feeds(session=session, every=timedelta(minutes=15)) == [b]
    an_hour_later = utcnow() + timedelta(hours=1)
    assert due_feeds(session=session, every=timedelta(minutes=15), now=an_hour_later) == [b, a]


def test_entries_are_fetched_with_no_write_lock_held(sqlite_engine: Engine, catalog: Catalog,
                                                     site: str) -> None:
    """While the poller waits for an entry's page, another process can write at once: a slow site
    must never freeze the bot's store."""
    with Session(sqlite_engine, expire_on_commit=False) as session:
        feed_id = register(session, site)
    outcomes: list[str] = []

    def write_elsewhere() -> None:
        with sqlite_engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                conn.exec_driver_sql("ROLLBACK")
                outcomes.append("written")
            except sa.exc.OperationalError as exc:
                outcomes.append(str(exc.orig))
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

    Site.on_article = write_elsewhere
    with Session(sqlite_engine, expire_on_commit=False) as session:
        report = poll_feed(session=session, feed_id=feed_id, catalog=catalog, policy=LOCAL)
    assert report.ingested == 2
    assert outcomes == ["written", "written"]
