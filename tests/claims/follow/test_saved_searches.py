"""Saved searches: subscribing to a phrase, and digests of what the matcher answers it with."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.errors import NotFoundError
from claims.follow.delivery.enqueue import enqueue_digests
from claims.follow.schedule import DEFAULT_SCHEDULE, Schedule, ScheduleKind
from claims.follow.searches import Searcher, split_quoted
from claims.follow.subscriptions import list_subscriptions, subscribe, unsubscribe
from claims.follow.targets import parse_subscribe_args, resolve_target
from claims.store.models import SavedSearch, Subscription, TargetKind
from tests.claims.digest_world import World, compute_digest, later, standard_world

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(session: Session) -> World:
    w = standard_world(session)
    w.topic("media", "Media")
    return w


def follow_phrase(world: World, phrase: str, chat_id: int = 5) -> Subscription:
    target = resolve_target(session=world.session, query=f'"{phrase}"')
    view = subscribe(session=world.session, chat_id=chat_id, target=target).subscription
    world.session.commit()
    return world.subscription(view.id)


@pytest.mark.parametrize(("text", "target", "schedule"), [
    ('"Time Warner merger"', '"Time Warner merger"', DEFAULT_SCHEDULE),
    ('“daily news” weekly fri 9:00', '"daily news"', Schedule(ScheduleKind.WEEKLY, 9, 0, 4)),
    ("greenland hourly", "greenland", Schedule(ScheduleKind.HOURLY, 8, 0)),
])
def test_quoted_phrases_are_kept_whole_before_the_schedule(text: str, target: str, schedule: Schedule
                                                            ) -> None:
    assert parse_subscribe_args(text) == (target, schedule)


def test_split_quoted_needs_a_closing_quote() -> None:
    assert split_quoted('"Time Warner" daily') == ("Time Warner", "daily")
    assert split_quoted("Time Warner") is None


def test_a_quoted_phrase_is_a_saved_search_stored_once(world: World) -> None:
    one = resolve_target(session=world.session, query='"Time Warner  merger"')
    two = resolve_target(session=world.session, query="“time warner merger”")
    assert one == two and one.kind is TargetKind.SEARCH
    assert one.label == "“Time Warner merger”"
    assert len(world.session.exec(select(SavedSearch)).all()) == 1
    with pytest.raises(NotFoundError, match="in quotes"):
        resolve_target(session=world.session, query="time warner merger")


def test_unsubscribing_a_phrase_finds_it_without_creating_one(world: World) -> None:
    sub = follow_phrase(world, "Time Warner merger")
    target = resolve_target(session=world.session, query='"time warner merger"', create=False)
    assert unsubscribe(session=world.session, chat_id=5, target=target).id == sub.id
    with pytest.raises(NotFoundError, match="does not follow"):
        resolve_target(session=world.session, query='"never followed"', create=False)


def test_digest_holds_the_new_claims_the_matcher_answers_the_phrase_with(world: World, catalog: Catalog
                                                                          ) -> None:
    old = world.claim("The Time Warner merger was approved by regulators.", topic="media")
    sub = follow_phrase(world, "Time Warner merger")
    hit = world.claim("The Time Warner merger will raise cable prices for everyone.", topic="media")
    world.claim("Greenland is a beautiful island with many glaciers.", topic="greenland")
    world.edit(old, "The Time Warner merger was approved by regulators in June.")
    world.session.commit()
    searcher = Searcher(catalog)
    digest = compute_digest(session=world.session, subscription=world.subscription(sub.id), now=later(),
                            searcher=searcher)
    assert digest is not None
    assert {i.claim_id for i in digest.items} == {hit.id, old.id}
    assert digest.target.label == "“Time Warner merger”"
    followed = list_subscriptions(session=world.session, chat_id=5)
    assert [v.target.kind for v in followed] == [TargetKind.SEARCH]
    # Without a searcher a saved search gets no digest, and enqueueing leaves it alone.
    assert compute_digest(session=world.session, subscription=world.subscription(sub.id), now=later()) is None
    before = world.subscription(sub.id).watermark_revision_id
    report = enqueue_digests(session=world.session, now=later(60 * 30), force=True)
    assert report.due == 0
    assert world.subscription(sub.id).watermark_revision_id == before
    report = enqueue_digests(session=world.session, now=later(60 * 30), force=True, searcher=searcher)
    world.session.commit()
    assert report.digests == 1
