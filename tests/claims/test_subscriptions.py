"""Subscribing, resolving what to follow, time zones and watermarks. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from claims.errors import InvalidArgumentError, NotFoundError
from claims.follow.schedule import Schedule
from claims.follow.subscriptions import (
    chat_timezone,
    list_subscriptions,
    resume_chat,
    set_timezone,
    subscribe,
    subscription_stats,
    unsubscribe,
)
from claims.follow.targets import (
    AmbiguousTargetError,
    Target,
    parse_subscribe_args,
    parse_target_token,
    resolve_target,
)
from claims.store.models import (
    DigestOutbox,
    ScheduleKind,
    Subscription,
    SubscriptionStatus,
    TargetKind,
)
from tests.claims.digest_world import World, standard_world

pytestmark = pytest.mark.postgres

CHAT = 1001
NOW = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)  # a Saturday; Berlin switches to CEST next night


@pytest.fixture
def world(session: Session) -> World:
    return standard_world(session)


@pytest.mark.parametrize(
    ("query", "kind", "label"),
    [
        ("greenland", TargetKind.TOPIC, "Greenland"),
        ("GREENLAND", TargetKind.TOPIC, "Greenland"),
        ("ukraine cease-fire", TargetKind.TOPIC, "Ukraine cease-fire"),
        ("ceasefire", TargetKind.TOPIC, "Ukraine cease-fire"),
        ("Trump", TargetKind.SPEAKER, "Donald Trump"),
        ("president trump", TargetKind.SPEAKER, "Donald Trump"),
        ("Donlad Trmup", TargetKind.SPEAKER, "Donald Trump"),
        ("Frederiksen", TargetKind.SPEAKER, "Mette Frederiksen"),
        ("Mete Frederikson", TargetKind.SPEAKER, "Mette Frederiksen"),
        ("greenlnd", TargetKind.TOPIC, "Greenland"),
    ],
)
def test_names_resolve_exactly_or_fuzzily(world: World, query: str, kind: TargetKind, label: str) -> None:
    target = resolve_target(session=world.session, query=query)
    assert (target.kind, target.label) == (kind, label)


def test_claim_ids_resolve(world: World) -> None:
    claim = world.claim("Tariffs will pay for everything.", speaker="Donald Trump")
    for query in (str(claim.id), f"#{claim.id}", f"claim {claim.id}", f"Claim #{claim.id}"):
        target = resolve_target(session=world.session, query=query)
        assert (target.kind, target.id) == (TargetKind.CLAIM, claim.id)
        assert target.label.startswith(f"claim #{claim.id} “Tariffs")
    with pytest.raises(NotFoundError, match="no claim #999999"):
        resolve_target(session=world.session, query="#999999")


def test_ambiguous_names_offer_a_choice(world: World) -> None:
    with pytest.raises(AmbiguousTargetError) as caught:
        resolve_target(session=world.session, query="Mark")
    labels = [c.label for c in caught.value.choices]
    assert set(labels[:2]) == {"Mark Rutte", "Mark Carney"}
    assert "could mean" in str(caught.value)
    # A choice comes back as a token from a button.
    choice = caught.value.choices[0]
    assert parse_target_token(choice.token, session=world.session) == choice


def test_unknown_names_are_not_guessed(world: World) -> None:
    with pytest.raises(NotFoundError, match="No topic, speaker or claim matches"):
        resolve_target(session=world.session, query="quantum chromodynamics")
    with pytest.raises(InvalidArgumentError, match="Usage"):
        resolve_target(session=world.session, query="   ")
    with pytest.raises(InvalidArgumentError, match="not a subscription target"):
        parse_target_token("x1", session=world.session)
    with pytest.raises(NotFoundError):
        parse_target_token("t999999", session=world.session)


@pytest.mark.parametrize(
    ("text", "target", "schedule"),
    [
        ("greenland", "greenland", Schedule()),
        ("Donald Trump weekly mon 09:00", "Donald Trump", Schedule(ScheduleKind.WEEKLY, 9, 0, 0)),
        ("#12 instant", "#12", Schedule(ScheduleKind.INSTANT)),
        ("Mark Rutte daily 18:15", "Mark Rutte", Schedule(ScheduleKind.DAILY, 18, 15)),
        ("ceasefire hourly", "ceasefire", Schedule(ScheduleKind.HOURLY)),
    ],
)
def test_subscribe_arguments_split_target_and_schedule(text: str, target: str, schedule: Schedule) -> None:
    assert parse_subscribe_args(text) == (target, schedule)


@pytest.mark.parametrize("text", ["", "daily 08:00", "greenland daily 26:00", "greenland weekly"])
def test_bad_subscribe_arguments_get_usage(text: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_subscribe_args(text)


def test_subscribe_starts_at_the_newest_revision(world: World) -> None:
    target = resolve_target(session=world.session, query="greenland")
    result = subscribe(session=world.session, chat_id=CHAT, subscriber="a1b2", target=target, now=NOW,
                       default_timezone="Europe/Berlin")
    world.session.commit()
    assert result.created
    view = result.subscription
    assert view.target == target
    assert view.schedule == Schedule()
    assert view.timezone == "Europe/Berlin"
    assert view.next_run_at == datetime(2025, 3, 30, 6, 0, tzinfo=UTC)  # 08:00 CEST
    row = world.subscription(view.id)
    assert row.watermark_revision_id == world.newest_revision() > 0
    assert view.describe() == "Greenland (topic), daily 08:00 Europe/Berlin"


def test_subscribing_again_changes_the_schedule_not_the_count(world: World) -> None:
    target = resolve_target(session=world.session, query="trump")
    subscribe(session=world.session, chat_id=CHAT, target=target, now=NOW)
    again = subscribe(session=world.session, chat_id=CHAT, target=target, now=NOW,
                      schedule=Schedule(ScheduleKind.WEEKLY, 9, 0, 0))
    world.session.commit()
    assert not again.created
    subs = list_subscriptions(session=world.session, chat_id=CHAT)
    assert [(s.target.label, s.schedule.describe()) for s in subs] == [
        ("Donald Trump", "weekly monday 09:00")]


def test_timezone_applies_to_existing_and_later_subscriptions(world: World) -> None:
    greenland = resolve_target(session=world.session, query="greenland")
    subscribe(session=world.session, chat_id=CHAT, target=greenland, now=NOW)
    assert chat_timezone(session=world.session, chat_id=CHAT) == "UTC"
    assert set_timezone(session=world.session, chat_id=CHAT, timezone="america/new_york", now=NOW) == (
        "America/New_York")
    trump = resolve_target(session=world.session, query="trump")
    subscribe(session=world.session, chat_id=CHAT, target=trump, now=NOW)
    world.session.commit()
    subs = list_subscriptions(session=world.session, chat_id=CHAT)
    assert {s.timezone for s in subs} == {"America/New_York"}
    assert {s.next_run_at for s in subs} == {datetime(2025, 3, 30, 12, 0, tzinfo=UTC)}  # 08:00 EDT
    with pytest.raises(InvalidArgumentError, match="Unknown time zone"):
        set_timezone(session=world.session, chat_id=CHAT, timezone="Europe/Atlantis", now=NOW)


def test_unsubscribe_by_name_or_id_only_in_own_chat(world: World) -> None:
    greenland = resolve_target(session=world.session, query="greenland")
    trump = resolve_target(session=world.session, query="trump")
    a = subscribe(session=world.session, chat_id=CHAT, target=greenland, now=NOW).subscription
    b = subscribe(session=world.session, chat_id=CHAT, target=trump, now=NOW).subscription
    world.session.add(DigestOutbox(subscription_id=a.id, digest_key="after-1", chat_id=CHAT,
                                   from_revision_id=1, to_revision_id=2, payload=["x"]))
    world.session.commit()
    with pytest.raises(NotFoundError):
        unsubscribe(session=world.session, chat_id=CHAT + 1, subscription_id=b.id)
    assert unsubscribe(session=world.session, chat_id=CHAT, target=greenland).id == a.id
    assert unsubscribe(session=world.session, chat_id=CHAT, subscription_id=b.id).target == trump
    world.session.commit()
    assert list_subscriptions(session=world.session, chat_id=CHAT) == []
    assert world.session.exec(select(DigestOutbox)).all() == []  # its unsent digest went with it
    with pytest.raises(NotFoundError, match="does not follow Greenland"):
        unsubscribe(session=world.session, chat_id=CHAT, target=greenland)


def test_claim_subscription_lists_with_its_label(world: World) -> None:
    claim = world.claim("The economy grew by four percent.", speaker="Mark Carney")
    target = resolve_target(session=world.session, query=f"#{claim.id}")
    subscribe(session=world.session, chat_id=CHAT, target=target, schedule=Schedule(ScheduleKind.INSTANT),
              now=NOW)
    world.session.commit()
    (view,) = list_subscriptions(session=world.session, chat_id=CHAT)
    assert view.describe() == f"claim #{claim.id} “The economy grew by four percent.” (claim), instant"


def test_paused_chat_resumes_from_now_not_from_when_it_paused(world: World) -> None:
    target = resolve_target(session=world.session, query="greenland")
    sub = subscribe(session=world.session, chat_id=CHAT, target=target, now=NOW).subscription
    row = world.subscription(sub.id)
    row.status, row.paused_reason = SubscriptionStatus.PAUSED.value, "blocked"
    world.session.add(row)
    world.session.commit()
    world.claim("Greenland will decide its own future.", speaker="Mette Frederiksen", topic="greenland")
    world.session.commit()
    stats = subscription_stats(session=world.session)
    assert (stats.subscribers, stats.active, stats.paused) == (0, 0, 1)
    assert stats.paused_by_reason == {"blocked": 1}
    assert resume_chat(session=world.session, chat_id=CHAT, now=NOW) == 1
    world.session.commit()
    row = world.subscription(sub.id)
    assert row.status == SubscriptionStatus.ACTIVE.value
    assert row.watermark_revision_id == world.newest_revision()
    assert subscription_stats(session=world.session).subscribers == 1


def test_one_subscription_per_chat_and_target(world: World) -> None:
    target = Target(TargetKind.TOPIC, world.topics["greenland"].id, "Greenland")
    for chat in (1, 2, -100123):
        subscribe(session=world.session, chat_id=chat, target=target, now=NOW)
    subscribe(session=world.session, chat_id=1, target=target, now=NOW)
    world.session.commit()
    assert len(world.session.exec(select(Subscription)).all()) == 3
