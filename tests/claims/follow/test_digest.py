"""What a digest contains: changes since the watermark, folded per claim, grouped by topic, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from claims.follow.digest.compute import compute_digests, horizon
from claims.follow.digest.model import Digest
from claims.follow.digest.text import render_text
from claims.follow.subscriptions import subscribe
from claims.follow.targets import resolve_target
from claims.store.models import Subscription, TargetKind, utcnow
from tests.claims.digest_world import World, compute_digest, later, standard_world

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(session: Session) -> World:
    return standard_world(session)


def follow(world: World, query: str, chat_id: int = 5) -> Subscription:
    target = resolve_target(session=world.session, query=query)
    view = subscribe(session=world.session, chat_id=chat_id, target=target).subscription
    world.session.commit()
    return world.subscription(view.id)


def digest_of(world: World, sub: Subscription) -> Digest | None:
    world.session.commit()
    return compute_digest(session=world.session, subscription=world.subscription(sub.id), now=later())


def test_new_subscriber_gets_no_old_news(world: World) -> None:
    sub = follow(world, "greenland")
    assert digest_of(world, sub) is None


def test_changes_elsewhere_make_no_digest(world: World) -> None:
    sub = follow(world, "greenland")
    world.claim("The front line is stable.", speaker="Mark Rutte", topic="ceasefire")
    assert digest_of(world, sub) is None


def test_new_claim_with_its_source(world: World) -> None:
    sub = follow(world, "greenland")
    art = world.article("Denmark answers", url="https://news.example.com/denmark")
    claim = world.claim("Greenland belongs to its people.", speaker="Mette Frederiksen", topic="greenland",
                        article=art)
    digest = digest_of(world, sub)
    assert digest is not None
    assert digest.key == f"after-{sub.watermark_revision_id}"
    assert digest.target.label == "Greenland"
    ((group,),) = [digest.groups]
    assert (group.topic, group.topic_name) == ("greenland", "Greenland")
    (item,) = group.items
    assert (item.claim_id, item.kinds, item.speaker, item.text) == (
        claim.id, ("new",), "Mette Frederiksen", "Greenland belongs to its people.")
    assert item.source is not None
    assert (item.source.url, item.source.title) == ("https://news.example.com/denmark", "Denmark answers")


def test_revision_verdict_retraction_and_merge(world: World) -> None:
    a = world.claim("Greenland costs nothing to defend.", speaker="Donald Trump", topic="greenland")
    b = world.claim("Denmark spends too little on Greenland.", speaker="Donald Trump", topic="greenland")
    c = world.claim("Greenland has rare earths.", speaker="Donald Trump", topic="greenland")
    dup = world.claim("Greenland has many rare earths.", speaker="Donald Trump", topic="greenland")
    sub = follow(world, "greenland")
    world.edit(a, "Greenland costs little to defend.", reason="Misquoted")
    world.verdict(b, "misleading", note="Spending rose in 2024.")
    world.merge(dup, into=c)
    world.retract(c, reason="Wrong speaker")
    digest = digest_of(world, sub)
    assert digest is not None
    items = {i.claim_id: i for i in digest.items}
    assert items[a.id].kinds == ("revised",)
    assert (items[a.id].text_before, items[a.id].text) == (
        "Greenland costs nothing to defend.", "Greenland costs little to defend.")
    assert items[a.id].note == "Misquoted"
    assert items[b.id].kinds == ("verdict",)
    assert (items[b.id].verdict_before, items[b.id].verdict) == ("unverified", "misleading")
    assert items[c.id].kinds == ("retracted",)
    # The merge shows once, on the duplicate, not again as "merged in" on the survivor.
    assert items[dup.id].kinds == ("merged",) and items[dup.id].merged_into == c.id
    assert items[c.id].merged_from == ()
    # Newest first.
    assert [i.claim_id for i in digest.items] == [c.id, dup.id, b.id, a.id]


def test_several_changes_to_one_claim_fold_into_one_item(world: World) -> None:
    old = world.claim("Tariffs are paid by China.", speaker="Donald Trump", topic="ceasefire")
    sub = follow(world, "trump")
    fresh = world.claim("Tariffs are paid by foreigners.", speaker="Donald Trump", topic="ceasefire")
    world.edit(fresh, "Tariffs are paid by foreign countries.")
    world.verdict(fresh, "false")
    world.edit(old, "Tariffs are paid by Beijing.")
    world.edit(old, "Tariffs are paid by China and Mexico.")
    world.verdict(old, "false")
    world.verdict(old, "disputed")
    digest = digest_of(world, sub)
    assert digest is not None
    items = {i.claim_id: i for i in digest.items}
    assert len(digest.items) == 2
    assert items[fresh.id].kinds == ("new",)
    assert (items[fresh.id].text, items[fresh.id].verdict) == (
        "Tariffs are paid by foreign countries.", "false")
    assert items[old.id].kinds == ("revised", "verdict")
    assert (items[old.id].text_before, items[old.id].text) == (
        "Tariffs are paid by China.", "Tariffs are paid by China and Mexico.")
    assert (items[old.id].verdict_before, items[old.id].verdict) == ("unverified", "disputed")


def test_changes_undone_within_a_digest_are_no_news(world: World) -> None:
    claim = world.claim("Greenland is a territory.", speaker="Donald Trump", topic="greenland")
    sub = follow(world, "greenland")
    world.edit(claim, "Greenland is a country.")
    world.edit(claim, "Greenland is a territory.")
    world.verdict(claim, "false")
    world.verdict(claim, "unverified")
    assert digest_of(world, sub) is None


def test_speaker_digest_groups_by_topic_newest_group_first(world: World) -> None:
    sub = follow(world, "Donald Trump")
    world.claim("A deal is close.", speaker="Donald Trump", topic="ceasefire")
    world.claim("Greenland will be ours.", speaker="Donald Trump", topic="greenland")
    world.claim("Rates must come down.", speaker="Donald Trump")
    world.claim("Greenland says no.", speaker="Mette Frederiksen", topic="greenland")
    digest = digest_of(world, sub)
    assert digest is not None
    assert [(g.topic, len(g.items)) for g in digest.groups] == [(None, 1), ("greenland", 1), ("ceasefire", 1)]


def test_claim_subscription_follows_one_claim(world: World) -> None:
    claim = world.claim("NATO spending doubled.", speaker="Mark Rutte", topic="ceasefire")
    world.claim("Another claim.", speaker="Mark Rutte", topic="ceasefire")
    sub = follow(world, f"#{claim.id}")
    assert digest_of(world, sub) is None
    world.verdict(claim, "accurate")
    digest = digest_of(world, sub)
    assert digest is not None
    assert [(i.claim_id, i.kinds) for i in digest.items] == [(claim.id, ("verdict",))]
    assert digest.target.kind is TargetKind.CLAIM


def test_revisions_still_settling_wait_for_the_next_digest(world: World) -> None:
    sub = follow(world, "greenland")
    world.claim("Greenland will vote.", speaker="Mette Frederiksen", topic="greenland")
    world.session.commit()
    assert horizon(session=world.session, now=utcnow()) < world.newest_revision()
    assert horizon(session=world.session, now=utcnow() + timedelta(seconds=30)) == world.newest_revision()
    assert compute_digest(session=world.session, subscription=sub, now=utcnow()) is None
    assert compute_digest(session=world.session, subscription=sub,
                          now=utcnow() + timedelta(seconds=30)) is not None


def test_watermarks_differ_per_subscription_in_one_batch(world: World) -> None:
    early = follow(world, "greenland", chat_id=1)
    first = world.claim("First.", speaker="Donald Trump", topic="greenland")
    world.session.commit()
    late = follow(world, "greenland", chat_id=2)
    second = world.claim("Second.", speaker="Donald Trump", topic="greenland")
    other = follow(world, "ceasefire", chat_id=3)
    world.session.commit()
    digests = compute_digests(session=world.session, subscriptions=[early, late, other], now=later())
    assert [i.claim_id for i in digests[early.id].items] == [second.id, first.id]
    assert [i.claim_id for i in digests[late.id].items] == [second.id]
    assert other.id not in digests


def test_batch_uses_a_fixed_number_of_queries(world: World) -> None:
    subs = [follow(world, q, chat_id=n) for n, q in enumerate(["greenland", "trump", "rutte", "ceasefire"])]
    for n in range(30):
        world.claim(f"Claim number {n}.", speaker="Donald Trump", topic="greenland" if n % 2 else "ceasefire")
    world.session.commit()
    with count_queries(world.session) as small:
        compute_digests(session=world.session, subscriptions=subs[:1], now=later())
    more = [*subs]
    for n in range(40):
        more.append(follow(world, "greenland", chat_id=100 + n))
    for sub in more[4:]:
        sub.watermark_revision_id = subs[0].watermark_revision_id
    with count_queries(world.session) as big:
        result = compute_digests(session=world.session, subscriptions=more, now=later())
    assert len(result) == 43  # all but Rutte
    assert big[0] <= small[0] + 3


@contextmanager
def count_queries(session: Session) -> Iterator[list[int]]:
    counter = [0]
    engine = session.get_bind()

    def count(*_args: object) -> None:
        counter[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_plain_text_rendering_splits_under_the_limit(world: World) -> None:
    sub = follow(world, "greenland")
    for n in range(40):
        world.claim(f"Greenland claim {n}: " + "very long words <b>not html</b> " * 20,
                    speaker="Donald Trump", topic="greenland")
    digest = digest_of(world, sub)
    assert digest is not None
    parts = render_text(digest)
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    text = "\n".join(parts)
    assert text.startswith("What changed: Greenland (40 updates)")
    assert text.count("NEW #") == 40 and text.count("/history ") == 40
    assert "<b>not html</b>" in text  # plain text: nothing is escaped or interpreted here
    assert parts[1].startswith("(continued)")
