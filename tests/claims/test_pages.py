"""The read use cases behind the web pages (``claims/service/pages.py``), on SQLite and PostgreSQL:
a claim's sheet, speaker and topic listings, the desk's queue and charts, the sitemap and the
verdict feed. The pages themselves are tested in tests/bot/web."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from claims.catalog import Catalog
from claims.errors import NotFoundError
from claims.samples import samples
from claims.service import ClaimService
from claims.settings import Settings
from claims.store.history import Actor
from claims.store.models import QuestionKind, utcnow

DESK = Actor(7, "Desk")


@pytest.fixture
def pages(engine: Engine, catalog: Catalog, tmp_path) -> ClaimService:
    service = ClaimService(Settings(database_url=str(engine.url), index_dir=tmp_path / "index",
                                    web_base_url="https://fc.example.org"), engine, catalog)
    for item in samples():
        service.ingest(item.article())
    return service


def test_sheet_listing_and_review(pages: ClaimService) -> None:
    newest = pages.claims(limit=3)
    first = newest[0]
    sheet = pages.claim_sheet(first.id)
    assert sheet.url == f"https://fc.example.org/claims/{first.id}"
    assert sheet.review is None and sheet.revisions[0].change == "created"
    pages.set_verdict(first.id, "false", note="No.", actor=DESK)
    review = pages.claim_sheet(first.id).review
    assert review is not None and review["url"] == sheet.url
    assert review["reviewRating"]["alternateName"] == "False"
    assert sheet.speaker is not None and sheet.speaker.name == first.speaker
    listing = pages.speaker_listing(sheet.speaker.id, limit=2, offset=0)
    assert listing.title == first.speaker and len(listing.page.views) <= 2
    assert all(v.speaker == first.speaker for v in listing.page.views)
    assert first.topic is not None
    topic = pages.topic_listing(first.topic, limit=50, offset=0)
    assert first.id in {v.id for v in topic.page.views}
    with pytest.raises(NotFoundError):
        pages.claim_sheet(10**6)
    with pytest.raises(NotFoundError):
        pages.topic_listing("no-such-topic", limit=5, offset=0)


def test_queue_feeds_and_charts(pages: ClaimService) -> None:
    views = pages.claims(limit=4)
    pages.set_verdict(views[0].id, "accurate", note=None, actor=DESK)
    pages.set_verdict(views[1].id, "false", note=None, actor=DESK)
    pages.retract(views[2].id, reason=None, actor=DESK)
    queue = pages.review_queue(limit=2)
    assert queue.total == len(pages.claims()) and len(queue.claims) == 2
    assert [c.id for c in queue.claims] == [views[1].id, views[0].id]  # most recently changed first
    assert [c.id for c in pages.review_queue(status="retracted").claims] == [views[2].id]
    assert [c.id for c in pages.review_queue(verdict="false").claims] == [views[1].id]
    assert {v.id for v, _ in pages.verdict_feed()} == {views[0].id, views[1].id}
    entries = pages.sitemap()
    assert views[2].id not in {i for i, _ in entries.claims}  # retracted: not listed
    assert len(entries.claims) == len(pages.claims()) and entries.topics
    for text, found in (("greenland", 2), ("moon cheese", 0), ("weather", 0)):
        pages.log_message(text, kind=QuestionKind.QUESTION, matches=found, top_claim_id=None, user_id=1,
                          chat_id=1)
    charts = pages.desk_charts(days=7)
    assert len(charts.days) == 7 and charts.days[-1] == utcnow().date()
    assert charts.days[0] == utcnow().date() - timedelta(days=6)
    assert (charts.questions[-1], charts.unanswered[-1]) == (3, 2)
    assert charts.verdicts == {"accurate": (0,) * 6 + (1,), "false": (0,) * 6 + (1,)}
    assert charts.topics and all(t.claims > 0 for t in charts.topics)


def test_queue_finds_the_same_pages_whichever_way_it_walks(pages: ClaimService,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    everything = [c.id for c in pages.review_queue(limit=1000).claims]
    exact = pages.review_queue(limit=1000)
    assert exact.counted_all and exact.total == len(everything) and not exact.has_more
    monkeypatch.setattr("claims.store.pages.COUNT_UP_TO", 5)  # now every filter "matches many"
    walked, offset = [], 0
    while True:
        page = pages.review_queue(limit=4, offset=offset)
        assert page.total == 5 and not page.counted_all
        walked += [c.id for c in page.claims]
        if not page.has_more:
            break
        offset += 4
    assert walked == everything
    topic = pages.claims(limit=1)[0].topic
    assert topic is not None
    monkeypatch.setattr("claims.store.pages.COUNT_UP_TO", 10**6)
    by_index = [c.id for c in pages.review_queue(topic=topic, limit=1000).claims]
    monkeypatch.setattr("claims.store.pages.COUNT_UP_TO", 0)
    assert [c.id for c in pages.review_queue(topic=topic, limit=1000).claims] == by_index


def test_a_topic_page_counts_its_main_and_further_topic_claims(pages: ClaimService) -> None:
    live = pages.claims(limit=1000)
    checked = 0
    for topic in pages.topics():
        mine = [v.id for v in live if v.topic == topic.slug or topic.slug in dict(v.other_topics)]
        listing = pages.topic_listing(topic.slug, limit=1000, offset=0)
        assert listing.page.total == len(mine) == len(listing.page.views)
        assert sorted(v.id for v in listing.page.views) == sorted(mine)
        checked += any(topic.slug in dict(v.other_topics) for v in live)
    assert checked, "the samples give some claim a further topic"


def test_a_speaker_page_lists_the_most_recently_recorded_first(pages: ClaimService) -> None:
    newest = pages.claims(limit=1)[0]
    sheet = pages.claim_sheet(newest.id)
    assert sheet.speaker is not None
    views = pages.speaker_listing(sheet.speaker.id, limit=1000, offset=0).page.views
    assert [v.id for v in views] == [v.id for v in sorted(views, key=lambda v: (v.created_at, v.id),
                                                          reverse=True)]
    pages.set_verdict(views[-1].id, "false", note=None, actor=DESK)  # a verdict moves nothing
    assert [v.id for v in pages.speaker_listing(sheet.speaker.id, limit=1000, offset=0).page.views] \
        == [v.id for v in views]


def test_front_topics_and_sitemap_are_kept_until_the_store_changes(pages: ClaimService, engine: Engine,
                                                                   catalog: Catalog, tmp_path) -> None:
    sitemap, topics = pages.sitemap(), pages.front_topics(limit=30)
    assert pages.sitemap() is sitemap and pages.front_topics(limit=30) is topics  # nothing changed
    assert topics and topics[0].claims >= topics[-1].claims
    claim = next(i for i, _ in sitemap.claims)
    pages.retract(claim, reason="Misattributed.", actor=DESK)  # a revision: read afresh
    assert claim not in {i for i, _ in pages.sitemap().claims}
    assert pages.front_topics(limit=30) is not topics
    uncached = ClaimService(Settings(database_url=str(engine.url), index_dir=tmp_path / "index2",
                                     web_cache_seconds=0), engine, catalog)
    assert uncached.sitemap() is not uncached.sitemap()
