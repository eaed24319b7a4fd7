"""The outbox and the sender loop: exactly once, every Telegram failure mode, rate limits, two processes.

``FakeSender`` stands in for the Telegram seam (the bot's PTB-backed sender raises the same
exceptions); everything else, the database included, is real.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import claims.follow.delivery.enqueue as delivery_enqueue
from claims.follow.delivery import (
    ChatBlocked,
    ChatMigrated,
    ChatNotFound,
    DeliveryRunner,
    EnqueueReport,
    Limits,
    MessageRejected,
    Outbox,
    RateLimiter,
    RetryAfter,
    delivery_stats,
    enqueue_digests,
)
from claims.follow.schedule import Schedule
from claims.follow.subscriptions import subscribe, subscription_stats
from claims.follow.targets import resolve_target
from claims.store import db
from claims.store.models import (
    DigestOutbox,
    OutboxStatus,
    ScheduleKind,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from tests.claims.digest_world import World, later, standard_world

pytestmark = pytest.mark.postgres

FAST = Limits(per_second=500, chat_interval=0.02, group_max=20, group_window=60)


class FakeSender:
    """Records what was sent; ``script`` makes a chat's next sends fail with given exceptions."""

    def __init__(self, delay: float = 0.0) -> None:
        self.sent: list[tuple[float, int, str]] = []
        self.script: dict[int, list[Exception]] = {}
        self.always: dict[int, Callable[[], Exception]] = {}
        self.delay = delay
        self.on_sent: Callable[[], None] | None = None

    async def send(self, chat_id: int, text: str) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if chat_id in self.always:
            raise self.always[chat_id]()
        if self.script.get(chat_id):
            raise self.script[chat_id].pop(0)
        self.sent.append((time.monotonic(), chat_id, text))
        if self.on_sent:
            self.on_sent()

    def to(self, chat_id: int) -> list[str]:
        return [text for _, chat, text in self.sent if chat == chat_id]


@pytest.fixture
def world(session: Session) -> World:
    return standard_world(session)


def sessions_of(engine: Engine) -> db.SessionFactory:
    """What the service hands the outbox: one unit of work per call."""
    return partial(db.session_scope, engine)


def runner(engine: Engine, sender: FakeSender, **kwargs: object) -> DeliveryRunner:
    kwargs.setdefault("limits", FAST)
    kwargs.setdefault("poll_interval", 0.05)
    return DeliveryRunner(sessions=sessions_of(engine), sender=sender, **kwargs)  # type: ignore[arg-type]


def follow(world: World, query: str, chat_id: int, schedule: Schedule | None = None) -> int:
    schedule = schedule or Schedule()
    target = resolve_target(session=world.session, query=query)
    view = subscribe(session=world.session, chat_id=chat_id, target=target, schedule=schedule).subscription
    sub = world.subscription(view.id)
    sub.next_run_at = utcnow() - timedelta(minutes=1)  # due now
    world.session.add(sub)
    world.session.commit()
    return view.id


def enqueue(world: World, **kwargs: object) -> EnqueueReport:
    world.session.commit()
    kwargs.setdefault("now", later())
    report = enqueue_digests(session=world.session, **kwargs)  # type: ignore[arg-type]
    world.session.commit()
    return report


def outbox(session: Session) -> list[DigestOutbox]:
    session.expire_all()
    return list(session.exec(select(DigestOutbox).order_by(DigestOutbox.id)))


def add_rows(session: Session, chats: list[int], parts: int = 1) -> None:
    """Outbox rows straight in, for tests about sending rather than computing."""
    for n, chat in enumerate(chats):
        session.add(DigestOutbox(subscription_id=None, digest_key=f"k{n}", chat_id=chat, from_revision_id=n,
                                 to_revision_id=n + 1,
                                 payload=[f"digest {n} part {p}" for p in range(parts)]))
    session.commit()


# ---------------------------------------------------------------------------- enqueueing


def test_digest_is_recorded_once_and_the_watermark_moves(world: World, engine: Engine) -> None:
    greenland = follow(world, "greenland", chat_id=1)
    follow(world, "ceasefire", chat_id=2)
    world.claim("Greenland votes in spring.", speaker="Mette Frederiksen", topic="greenland")
    report = enqueue(world)
    assert (report.due, report.digests, report.empty) == (2, 1, 1)
    (row,) = outbox(world.session)
    assert (row.subscription_id, row.chat_id, row.status) == (greenland, 1, OutboxStatus.PENDING.value)
    assert "Greenland votes in spring." in row.payload[0]
    sub = world.subscription(greenland)
    assert sub.watermark_revision_id == row.to_revision_id == world.newest_revision()
    assert sub.next_run_at > later()  # tomorrow's run
    assert enqueue(world).due == 0  # nothing due until then
    assert len(outbox(world.session)) == 1


def test_empty_digests_send_nothing(world: World, engine: Engine) -> None:
    follow(world, "greenland", chat_id=1, schedule=Schedule(ScheduleKind.INSTANT))
    assert enqueue(world).digests == 0
    world.claim("Off topic.", speaker="Mark Rutte", topic="ceasefire")
    assert enqueue(world).digests == 0
    assert outbox(world.session) == []


def test_instant_subscription_gets_each_change_once(world: World, engine: Engine) -> None:
    follow(world, "trump", chat_id=1, schedule=Schedule(ScheduleKind.INSTANT))
    world.claim("One.", speaker="Donald Trump", topic="greenland")
    assert enqueue(world).digests == 1
    assert enqueue(world).digests == 0
    world.claim("Two.", speaker="Donald Trump", topic="greenland")
    assert enqueue(world).digests == 1
    payloads = [r.payload[0] for r in outbox(world.session)]
    assert ["“One.”" in p for p in payloads] == [True, False]
    assert "“Two.”" in payloads[1]


def test_digest_now_forces_without_moving_the_schedule(world: World, engine: Engine) -> None:
    greenland = follow(world, "greenland", chat_id=1)
    follow(world, "trump", chat_id=2)
    world.session.commit()
    world.claim("Greenland is big.", speaker="Donald Trump", topic="greenland")
    sub = world.subscription(greenland)
    sub.next_run_at = utcnow() + timedelta(hours=5)
    world.session.add(sub)
    world.session.commit()
    before = world.subscription(greenland).next_run_at
    report = enqueue(world, now=utcnow(), force=True, topic_id=world.topics["greenland"].id)
    assert (report.due, report.digests) == (1, 1)  # the Trump follower is not in this topic run
    assert world.subscription(greenland).next_run_at == before


def test_missed_run_beyond_grace_waits_for_the_next_one(world: World, engine: Engine) -> None:
    greenland = follow(world, "greenland", chat_id=1)
    world.claim("Greenland is cold.", speaker="Donald Trump", topic="greenland")
    sub = world.subscription(greenland)
    watermark = sub.watermark_revision_id
    sub.next_run_at = utcnow() - timedelta(hours=10)  # the bot was down
    world.session.add(sub)
    report = enqueue(world, grace=timedelta(hours=3))
    assert (report.missed, report.digests) == (1, 0)
    sub = world.subscription(greenland)
    assert sub.watermark_revision_id == watermark and sub.next_run_at > utcnow()
    sub.next_run_at = utcnow() - timedelta(hours=1)  # within grace: sent on start
    world.session.add(sub)
    assert enqueue(world, grace=timedelta(hours=3)).digests == 1


def test_a_concurrent_enqueuer_never_records_a_digest_twice(world: World, engine: Engine,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    sub_id = follow(world, "greenland", chat_id=1)
    world.claim("Greenland again.", speaker="Donald Trump", topic="greenland")
    world.session.commit()
    if engine.dialect.name == "postgresql":
        # Replica A holds the due rows (FOR UPDATE SKIP LOCKED); replica B skips them.
        with Session(engine) as a, Session(engine) as b:
            assert enqueue_digests(session=a, now=later()).digests == 1
            assert enqueue_digests(session=b, now=later()).due == 0
            a.commit()
            b.commit()
    else:
        # Another process moves the watermark between our read and our write: we must back off.
        real = delivery_enqueue.compute_digest_batch

        def racing(**kwargs: object) -> object:
            result = real(**kwargs)  # type: ignore[arg-type]
            with engine.begin() as conn:
                conn.execute(sa.update(Subscription).where(Subscription.id == sub_id)
                             .values(watermark_revision_id=Subscription.watermark_revision_id + 1000))
            return result

        monkeypatch.setattr(delivery_enqueue, "compute_digest_batch", racing)
        report = enqueue(world)
        assert (report.digests, report.raced) == (0, 1)
    assert len(outbox(world.session)) <= 1


# ---------------------------------------------------------------------------- sending


async def test_pending_digests_are_sent_once_and_marked(session: Session, engine: Engine) -> None:
    add_rows(session, [11, 12, 13])
    sender = FakeSender()
    report = await runner(engine, sender).drain()
    assert sorted(chat for _, chat, _ in sender.sent) == [11, 12, 13]
    assert (report.messages, report.digests) == (3, 3)
    assert {r.status for r in outbox(session)} == {OutboxStatus.SENT.value}
    assert all(r.sent_at is not None and r.lease_owner is None for r in outbox(session))
    again = FakeSender()
    await runner(engine, again).drain()
    assert again.sent == []
    stats = delivery_stats(session=session)
    assert (stats.sent_total, stats.sent_last_day, stats.pending) == (3, 3, 0)


async def test_a_wake_while_claiming_is_not_lost_to_the_poll_interval(engine: Engine) -> None:
    """The bot's start-up: the missed-digest catch-up enqueues and wakes the runner while its first
    claim is under way, having looked before the rows were there. It must look again at once, not
    a whole poll interval (an hour here) later."""
    sender = FakeSender()
    sent = asyncio.Event()
    sender.on_sent = sent.set
    r = runner(engine, sender, poll_interval=3600)
    loop = asyncio.get_running_loop()
    claim = r.outbox.claim
    first = True

    def claim_as_rows_arrive(**kwargs: object) -> list:
        nonlocal first
        found = claim(**kwargs)  # type: ignore[arg-type]
        if first:
            first = False
            with Session(engine) as other:
                add_rows(other, [41])
            loop.call_soon_threadsafe(r.wake)
        return found

    r.outbox.claim = claim_as_rows_arrive  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(r.run(stop=stop))
    try:
        await asyncio.wait_for(sent.wait(), 10)
    finally:
        stop.set()
        r.wake()
        await task
    assert sender.to(41) == ["digest 0 part 0"]


async def test_long_digest_parts_go_in_order_paced_per_chat(session: Session, engine: Engine) -> None:
    add_rows(session, [21], parts=3)
    sender = FakeSender()
    await runner(engine, sender, limits=Limits(per_second=500, chat_interval=0.1)).drain()
    assert sender.to(21) == ["digest 0 part 0", "digest 0 part 1", "digest 0 part 2"]
    times = [t for t, _, _ in sender.sent]
    assert all(b - a >= 0.09 for a, b in itertools.pairwise(times))


async def test_retry_after_in_a_group_holds_that_group_only(session: Session, engine: Engine) -> None:
    add_rows(session, [-31, 32, 33])
    sender = FakeSender()
    sender.script[-31] = [RetryAfter(0.3)]
    start = time.monotonic()
    report = await runner(engine, sender).drain()
    assert report.retry_after == 1
    assert [chat for _, chat, _ in sender.sent] == [32, 33, -31]
    assert sender.sent[-1][0] - start >= 0.3
    assert sender.sent[1][0] < sender.sent[-1][0] - 0.2  # the others did not wait for the group
    assert {r.status for r in outbox(session)} == {OutboxStatus.SENT.value}


async def test_retry_after_to_a_user_pauses_all_sending(session: Session, engine: Engine) -> None:
    # With per-chat pacing kept, a 429 to a private chat means the bot as a whole is too fast.
    add_rows(session, [34, 35])
    sender = FakeSender()
    sender.script[34] = [RetryAfter(0.3)]
    start = time.monotonic()
    await runner(engine, sender).drain()
    assert sorted(chat for _, chat, _ in sender.sent) == [34, 35]
    assert all(t - start >= 0.3 for t, chat, _ in sender.sent if chat == 34)
    assert {r.status for r in outbox(session)} == {OutboxStatus.SENT.value}


async def test_blocked_user_pauses_subscriptions_and_the_rest_go_out(world: World, engine: Engine) -> None:
    for chat in (41, 42, 43):
        follow(world, "greenland", chat_id=chat)
    follow(world, "trump", chat_id=42)
    world.claim("Greenland news.", speaker="Donald Trump", topic="greenland")
    assert enqueue(world).digests == 3  # one per chat: chat 42's two subscriptions share one
    sender = FakeSender()
    sender.always[42] = lambda: ChatBlocked("Forbidden: bot was blocked by the user")
    report = await runner(engine, sender).drain()
    assert sorted(chat for _, chat, _ in sender.sent) == [41, 43]
    assert (report.blocked, report.failed) == (1, 1)  # chat 42's digest failed
    rows = {r.chat_id: r.status for r in outbox(world.session) if r.chat_id != 42}
    assert set(rows.values()) == {OutboxStatus.SENT.value}
    assert {r.status for r in outbox(world.session) if r.chat_id == 42} == {OutboxStatus.FAILED.value}
    stats = subscription_stats(session=world.session)
    assert (stats.active, stats.paused, stats.paused_by_reason) == (2, 2, {"blocked": 2})
    # Paused subscriptions get no further digests.
    world.claim("More Greenland news.", speaker="Donald Trump", topic="greenland")
    for sub in world.session.exec(select(Subscription)):
        sub.next_run_at = utcnow()
        world.session.add(sub)
    assert enqueue(world).digests == 2


async def test_chat_not_found_pauses_too(world: World, engine: Engine) -> None:
    follow(world, "greenland", chat_id=51)
    follow(world, "greenland", chat_id=52)
    world.claim("Greenland news.", speaker="Donald Trump", topic="greenland")
    enqueue(world)
    sender = FakeSender()
    sender.script[51] = [ChatNotFound("Bad Request: chat not found")]
    report = await runner(engine, sender).drain()
    assert report.not_found == 1 and sender.to(52)
    assert subscription_stats(session=world.session).paused_by_reason == {"chat_not_found": 1}


async def test_migrated_group_gets_the_message_at_its_new_id(world: World, engine: Engine) -> None:
    old, new = -4001, -1004001
    sub_id = follow(world, "greenland", chat_id=old)
    world.claim("Greenland news.", speaker="Donald Trump", topic="greenland")
    enqueue(world)
    sender = FakeSender()
    sender.script[old] = [ChatMigrated(new)]
    report = await runner(engine, sender).drain()
    assert report.migrated == 1
    assert sender.to(old) == [] and len(sender.to(new)) == 1
    assert world.subscription(sub_id).chat_id == new
    (row,) = outbox(world.session)
    assert (row.chat_id, row.status) == (new, OutboxStatus.SENT.value)


async def test_rejected_message_fails_without_retry(session: Session, engine: Engine) -> None:
    add_rows(session, [61, 62])
    sender = FakeSender()
    sender.script[61] = [MessageRejected("Bad Request: can't parse entities")]
    report = await runner(engine, sender).drain()
    assert (report.rejected, report.messages) == (1, 1)
    statuses = {r.chat_id: (r.status, r.last_error) for r in outbox(session)}
    assert statuses[61][0] == OutboxStatus.FAILED.value and "parse entities" in statuses[61][1]
    assert statuses[62][0] == OutboxStatus.SENT.value


async def test_unexpected_errors_are_retried_then_given_up(session: Session, engine: Engine,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    add_rows(session, [71, 72, 73])
    sender = FakeSender()
    sender.script[71] = [ConnectionError("reset"), TimeoutError()]
    sender.always[72] = lambda: RuntimeError("server on fire")
    report = await runner(engine, sender, retry_backoff=0.01, max_attempts=3).drain()
    assert sender.to(71) and sender.to(73) and not sender.to(72)
    assert (report.errors, report.failed) == (5, 1)
    failed = [r for r in outbox(session) if r.status == OutboxStatus.FAILED.value]
    assert [(r.chat_id, r.attempts) for r in failed] == [(72, 3)]
    assert "server on fire" in (failed[0].last_error or "")
    assert "sending digest" in caplog.text


async def test_rows_of_a_dead_runner_are_taken_over_after_its_lease(session: Session, engine: Engine) -> None:
    add_rows(session, [81, 82], parts=2)
    dead = Outbox(sessions_of(engine), lease=timedelta(seconds=60))
    claimed = dead.claim(owner="dead", limit=10)
    assert len(claimed) == 2
    claimed[0].parts_sent = 1  # it got one part of 81 out, then crashed
    assert dead.progress(claimed[0])
    # Time passes: the lease on 82 has run out, the one on 81 (renewed later) has not.
    session.execute(sa.update(DigestOutbox).where(DigestOutbox.chat_id == 82)
                    .values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    busy = FakeSender()
    await runner(engine, busy).drain()
    sender = FakeSender()
    sender.sent = busy.sent
    await runner(engine, sender).drain()
    assert sender.to(82) == ["digest 1 part 0", "digest 1 part 1"]
    assert sender.to(81) == []
    assert not dead.progress(claimed[1])  # the dead runner's lease on 82 is gone
    statuses = {r.chat_id: (r.status, r.parts_sent) for r in outbox(session)}
    assert statuses == {81: (OutboxStatus.SENDING.value, 1), 82: (OutboxStatus.SENT.value, 2)}
    # Once 81's lease runs out too, only its missing part is sent.
    session.execute(sa.update(DigestOutbox).values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    await runner(engine, sender).drain()
    assert sender.to(81) == ["digest 0 part 1"]


async def test_stopping_hands_back_unsent_rows(session: Session, engine: Engine) -> None:
    add_rows(session, [91, 92, 93, 94])
    sender = FakeSender(delay=0.05)
    stop = asyncio.Event()
    r = runner(engine, sender, limits=Limits(per_second=10), batch=10)
    first = asyncio.Event()
    sender.on_sent = first.set
    task = asyncio.create_task(r.run(stop=stop))
    await asyncio.wait_for(first.wait(), 10)
    stop.set()
    await task
    statuses = Counter(row.status for row in outbox(session))
    assert statuses[OutboxStatus.SENDING.value] == 0
    assert statuses[OutboxStatus.SENT.value] == len(sender.sent)
    assert statuses[OutboxStatus.PENDING.value] == 4 - len(sender.sent)


async def test_sending_keeps_to_the_limits(session: Session, engine: Engine) -> None:
    group, users = -5000, list(range(100, 130))
    add_rows(session, [group] * 6 + users)
    sender = FakeSender()
    limits = Limits(per_second=100, chat_interval=0.05, group_max=3, group_window=0.4)
    await runner(engine, sender, limits=limits).drain()
    assert len(sender.sent) == 36
    times = sorted(t for t, _, _ in sender.sent)
    for i in range(len(times) - 21):  # 100/s: at most 20 (+1 for timer jitter) in any 0.2 s
        assert times[i + 21] - times[i] >= 0.2
    g = [t for t, chat, _ in sender.sent if chat == group]
    # Paced at dispatch; the sender's own timestamps add a few ms of task-start jitter.
    assert all(b - a >= 0.04 for a, b in itertools.pairwise(g))
    assert g[3] - g[0] >= 0.38 and g[4] - g[1] >= 0.38  # 3 per 0.4 s window in a group


# ---------------------------------------------------------------------------- the limiter itself


def test_limiter_paces_evenly_and_never_bursts_after_a_stall() -> None:
    lim = RateLimiter(Limits(per_second=30, chat_interval=1.0, group_max=20, group_window=60))
    now, sent = 100.0, []
    for chat in range(90):
        now = max(now, lim.ready_at(chat))
        lim.record(chat, now)
        sent.append(now)
    assert sent[-1] - sent[0] == pytest.approx(89 / 30)
    stalled = sent[-1] + 5.0  # the loop was busy for five seconds
    lim.record(1000, stalled)
    assert lim.ready_at(1001) == pytest.approx(stalled + 1 / 30)  # no catch-up burst


def test_limiter_per_chat_and_per_group() -> None:
    limits = Limits(per_second=1000, chat_interval=1.0, group_max=20, group_window=60)
    lim = RateLimiter(limits)
    t = 0.0
    for _ in range(20):
        t = max(t, lim.ready_at(-7))
        lim.record(-7, t)
    assert t == 19.0  # one a second in a group as in any chat
    assert lim.ready_at(-7) == 60.0  # the 21st waits for the first to leave the minute
    assert lim.ready_at(8) == pytest.approx(19.001)  # other chats are not held up
    lim.record(5, 100.0)
    assert lim.chat_ready_at(5) == 101.0
    lim.penalize(5, 140.0)
    assert lim.chat_ready_at(5) == 140.0 and lim.global_ready_at < 140.0
    lim.penalize(6, 150.0, everyone=True)
    assert lim.ready_at(99) == 150.0
    lim.forget_idle(1000.0)
    assert lim.chat_ready_at(5) == 0.0 and lim.chat_ready_at(-7) == 0.0


# ---------------------------------------------------------------------------- two processes


def _drain_in_process(url: str, out: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    engine = db.make_engine(url)
    sender = _FileSender(out)
    barrier.wait(timeout=60)
    r = DeliveryRunner(sessions=sessions_of(engine), sender=sender,
                       limits=Limits(per_second=2000, chat_interval=0.0), batch=8, poll_interval=0.05)
    asyncio.run(r.drain())
    engine.dispose()


class _FileSender:
    def __init__(self, path: str) -> None:
        self.path = path

    async def send(self, chat_id: int, text: str) -> None:
        await asyncio.sleep(0.002)
        with open(self.path, "a") as fh:  # noqa: ASYNC230 - a test's tiny append
            fh.write(f"{text}\n")


@pytest.mark.slow
def test_two_processes_never_send_a_digest_twice(session: Session, engine: Engine, tmp_path: Path) -> None:
    n = 400
    add_rows(session, [1_000_000 + i for i in range(n)])
    url = engine.url.render_as_string(hide_password=False)
    # Forks of a fresh server process (not of this one, with its open connections) that imported
    # this module once, instead of spawned interpreters that each import it again
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    barrier = ctx.Barrier(2)
    outs = [tmp_path / "a.txt", tmp_path / "b.txt"]
    procs = [ctx.Process(target=_drain_in_process, args=(url, str(out), barrier)) for out in outs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    sent = [out.read_text().splitlines() if out.exists() else [] for out in outs]
    everything = Counter(sent[0] + sent[1])
    assert len(everything) == n and set(everything.values()) == {1}  # all sent, none twice
    assert all(len(s) > 0 for s in sent), [len(s) for s in sent]  # both really took part
    assert {r.status for r in outbox(session)} == {OutboxStatus.SENT.value}


def test_paused_subscriptions_are_counted(world: World, engine: Engine) -> None:
    sub = follow(world, "greenland", chat_id=1)
    Outbox(sessions_of(engine)).pause_chat(1, reason="blocked")
    assert world.subscription(sub).status == SubscriptionStatus.PAUSED.value
