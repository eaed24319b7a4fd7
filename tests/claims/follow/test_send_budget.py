"""One send budget for every replica: slots taken by several processes (here, several
``SharedBudget`` objects and runners on one database) are spaced as if one process took them all;
chats are claimed whole, so two runners never share a chat.

The budget's own tests run on a controllable clock; the runners' tests run at a fast pace on the
real one (they await the drain, nothing sleeps).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from claims.follow.delivery import DeliveryRunner, Limits, Outbox, RetryAfter, SharedBudget
from claims.store import db
from claims.store.models import DigestOutbox, OutboxStatus, utcnow
from tests.claims.follow.test_delivery import FakeSender, add_rows

pytestmark = pytest.mark.postgres


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def sessions_of(engine: Engine) -> db.SessionFactory:
    return partial(db.session_scope, engine)


# ---------------------------------------------------------------------------- the budget row


def test_replicas_taking_slots_in_turn_get_them_one_interval_apart(engine: Engine) -> None:
    clock = Clock()
    a, b = (SharedBudget(sessions_of(engine), per_second=25, clock=clock) for _ in range(2))
    slots = []
    for replica in [a, b, b, a, b, a, a, b] * 5:
        slots.append(clock.now + replica.take())
        clock.now += 0.01  # each asks 10 ms after the last: faster than 25/s between them
    assert slots[0] == pytest.approx(clock.now - 0.40)  # the first slot is "now"
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert gaps == pytest.approx([0.04] * len(gaps))  # 25/s across both, whoever asked
    assert max(_in_any_window(slots, 1.0)) <= 25


def test_an_idle_budget_gives_no_catch_up_burst(engine: Engine) -> None:
    clock = Clock()
    budget = SharedBudget(sessions_of(engine), per_second=10, clock=clock)
    assert [budget.take() for _ in range(3)] == pytest.approx([0.0, 0.1, 0.2])
    clock.now += 60.0  # nothing sent for a minute
    assert [budget.take() for _ in range(3)] == pytest.approx([0.0, 0.1, 0.2])


def test_a_hold_makes_every_replica_wait(engine: Engine) -> None:
    clock = Clock()
    a = SharedBudget(sessions_of(engine), per_second=10, clock=clock)
    b = SharedBudget(sessions_of(engine), per_second=10, clock=clock)
    assert a.take() == 0.0
    a.hold(3.0)  # Telegram answered a's message with 429, retry after 3 s
    assert b.take() == pytest.approx(3.0)
    assert a.take() == pytest.approx(3.1)
    a.hold(1.0)  # a shorter hold never moves the budget back
    assert b.take() == pytest.approx(3.2)


def test_budgets_with_other_names_do_not_share(engine: Engine) -> None:
    clock = Clock()
    digests = SharedBudget(sessions_of(engine), per_second=1, clock=clock)
    other = SharedBudget(sessions_of(engine), per_second=1, clock=clock, name="other")
    assert (digests.take(), other.take(), digests.take()) == (0.0, 0.0, 1.0)


def test_the_database_clock_paces_without_a_clock_given(engine: Engine) -> None:
    a, b = (SharedBudget(sessions_of(engine), per_second=0.5) for _ in range(2))
    slots, waits = [], []  # each slot on our clock lies between (before + wait) and (after + wait)
    for budget in (a, b, a):
        before = time.monotonic()
        waits.append(budget.take())
        slots.append((before + waits[-1], time.monotonic() + waits[-1]))
    assert waits[0] < 0.01  # the first slot is "now"
    for (lo, hi), (next_lo, next_hi) in itertools.pairwise(slots):
        # two seconds apart on the database's clock, whichever budget object asked
        assert next_hi - lo >= 2.0 - 0.01 and next_lo - hi <= 2.0 + 0.01


def test_a_budget_needs_a_rate(engine: Engine) -> None:
    with pytest.raises(ValueError, match="positive"):
        SharedBudget(sessions_of(engine), per_second=0)


def _in_any_window(times: list[float], window: float) -> list[int]:
    ordered = sorted(times)
    return [sum(1 for t in ordered[i:] if t < start + window) for i, start in enumerate(ordered)]


# ---------------------------------------------------------------------------- chats claimed whole


def test_a_chat_held_by_one_runner_is_not_claimed_by_another(session: Session, engine: Engine) -> None:
    add_rows(session, [7, 7, 8, 7])
    a, b = Outbox(sessions_of(engine)), Outbox(sessions_of(engine))
    (first,) = a.claim(owner="a", limit=1)
    assert first.chat_id == 7
    assert [j.chat_id for j in b.claim(owner="b", limit=10)] == [8]  # not chat 7's other rows
    assert [j.chat_id for j in a.claim(owner="a", limit=10)] == [7, 7]  # its holder may take them
    # a dies: once its leases run out, chat 7 goes to b, whole
    session.execute(sa.update(DigestOutbox).where(DigestOutbox.chat_id == 7)
                    .values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert [j.chat_id for j in b.claim(owner="b", limit=10)] == [7, 7, 7]


def test_a_group_taken_over_from_a_dead_runner_waits_a_group_window(session: Session,
                                                                      engine: Engine) -> None:
    add_rows(session, [-900, 901, -900])
    dead = Outbox(sessions_of(engine))
    assert len(dead.claim(owner="dead", limit=2)) == 2  # the group's second row is still pending
    session.execute(sa.update(DigestOutbox).where(DigestOutbox.status == OutboxStatus.SENDING.value)
                    .values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    before = utcnow()
    jobs = Outbox(sessions_of(engine)).claim(owner="heir", limit=10,
                                             group_takeover_hold=timedelta(seconds=60))
    assert sorted(j.chat_id for j in jobs) == [-900, -900, 901]
    # A message the dead runner had in flight to the group was never recorded: the whole group
    # (its pending row too) waits a window, so its minute starts afresh.
    for job in jobs:
        if job.chat_id == -900:
            assert job.held_until is not None and job.held_until >= before + timedelta(seconds=59)
        else:
            assert job.held_until is None  # a private chat's 1 s spacing is covered by the lease


def test_the_next_holder_of_a_chat_waits_for_what_the_last_one_sent(session: Session,
                                                                   engine: Engine) -> None:
    add_rows(session, [55, 55, 56])
    first = Outbox(sessions_of(engine))
    done, _other_row = first.claim(owner="a", limit=2)  # both of chat 55's rows
    done.parts_sent = 1
    free_at = utcnow() + timedelta(seconds=30)
    assert first.progress(done, chat_free_at=free_at)  # sent, and 55 may receive again in 30 s
    # a dies; its lease on the other row runs out
    session.execute(sa.update(DigestOutbox).where(DigestOutbox.status == OutboxStatus.SENDING.value)
                    .values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    jobs = {j.chat_id: j for j in Outbox(sessions_of(engine)).claim(owner="b", limit=10)}
    assert jobs[55].held_until == free_at  # recorded on the row that was sent, found by chat
    assert jobs[56].held_until is None


# ---------------------------------------------------------------------------- runners sharing it


def runner(engine: Engine, sender: FakeSender, limits: Limits, **kwargs: object) -> DeliveryRunner:
    return DeliveryRunner(sessions=sessions_of(engine), sender=sender, limits=limits,  # type: ignore[arg-type]
                          poll_interval=0.05, batch=10, **kwargs)


async def test_two_runners_together_keep_to_one_budget(session: Session, engine: Engine) -> None:
    add_rows(session, list(range(200, 260)))
    limits = Limits(per_second=50, chat_interval=0.05)  # each alone may send 50/s
    sender = FakeSender()
    a, b = runner(engine, sender, limits, owner="a"), runner(engine, sender, limits, owner="b")
    reports = await asyncio.gather(a.drain(), b.drain())
    assert len(sender.sent) == 60 and len({chat for _, chat, _ in sender.sent}) == 60
    assert all(r.messages > 0 for r in reports), [r.messages for r in reports]  # both took part
    times = sorted(t for t, _, _ in sender.sent)
    # 50/s for the two together: at most 25 in any 0.5 s, not 50 (+4: after a stall of the event
    # loop each runner may send the slots it took before the stall late, next to new ones)
    assert max(_in_any_window(times, 0.5)) <= 29


async def test_a_chat_keeps_its_spacing_across_two_runners(session: Session, engine: Engine) -> None:
    add_rows(session, [5, 6, 5, 6, 5, 6], parts=2)
    limits = Limits(per_second=500, chat_interval=0.1)
    sender = FakeSender()
    await asyncio.gather(runner(engine, sender, limits, owner="a").drain(),
                         runner(engine, sender, limits, owner="b").drain())
    for chat in (5, 6):
        times = [t for t, c, _ in sender.sent if c == chat]
        assert len(times) == 6
        # the sender's own timestamps add some task-start jitter to the 0.1 s dispatch spacing; two
        # runners sharing the chat would send its messages at once
        assert all(later - earlier >= 0.08 for earlier, later in itertools.pairwise(times))


async def test_a_chat_handed_back_on_stop_keeps_its_next_time(session: Session, engine: Engine) -> None:
    add_rows(session, [77], parts=2)
    sender = FakeSender()
    stop = asyncio.Event()
    sender.on_sent = stop.set
    r = runner(engine, sender, Limits(per_second=100, chat_interval=30.0))
    await r.run(stop=stop)  # stops right after the first part
    session.expire_all()
    row = session.exec(select(DigestOutbox)).one()
    assert (row.status, row.parts_sent) == (OutboxStatus.PENDING.value, 1)
    # the next holder, in this replica or another, may not send part 2 before 30 s have passed
    assert row.not_before >= utcnow() + timedelta(seconds=29)


async def test_a_429_to_a_user_holds_every_runner(session: Session, engine: Engine) -> None:
    add_rows(session, [301])
    sender = FakeSender()
    sender.script[301] = [RetryAfter(30)]
    stop = asyncio.Event()
    r = runner(engine, sender, Limits(per_second=100))
    task = asyncio.create_task(r.run(stop=stop))
    # the probe takes a slot each time it asks: a microsecond apart, so that its own asking can
    # never add up to the second the 429 is told apart by, however often it polls
    other = SharedBudget(sessions_of(engine), per_second=1_000_000)
    try:
        # another replica asking for a slot now is told to wait out the 429 as well
        wait = await _eventually(lambda: w if (w := other.take()) > 1.0 else 0.0)
        assert wait >= 25.0
    finally:
        stop.set()
        r.wake()
        await task


async def _eventually(probe: object, within: float = 10.0) -> float:
    """Poll ``probe`` (a callable returning a float) until it is truthy; event-loop turns, no sleeps."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        value = await asyncio.to_thread(probe)  # type: ignore[arg-type]
        if value:
            return float(value)
    raise TimeoutError("nothing happened")
