"""Two replicas fan out one round of digests through one PostgreSQL database: do they keep to
Telegram's limits together? (issue 23, finding 9, second half)

1. Builds a store in a private PostgreSQL schema (``bench_digest.build_store``: topics, speakers,
   claims, N subscribers, 5% of them groups, then changes so every subscription has a digest) and
   records the digests in the outbox as the bot renders them (HTML). A few chats get more than one
   message (``--busy-chats`` a second digest of three parts, ``--busy-groups`` 25 messages), so
   the per-chat limits are tested across the replicas as well.
2. Serves the Bot API emulator (``tests/bot/emulator.py``) on loopback with Telegram's flood
   control switched on (``bot.fakeapi.throttle``: more than 30 messages in any second, a second
   message within 1 s to one chat, a 21st in a minute to one group -> 429 with ``retry_after``).
   1% of chats have blocked the bot (403).
3. Starts two replica processes. Each runs what ``claimbot run`` runs for digests: a
   ``DeliveryRunner`` at the bot's ``DIGEST_LIMITS`` (25/s) sending through ``bot.sender``'s
   ``TelegramSender`` (PTB), with the outbox lease at ``--lease`` seconds. With ``--kill-at``, the
   parent SIGKILLs replica A when that share of the messages was accepted, and starts it again;
   rows the dead process held are taken over when their lease runs out.
4. Reports, from what the emulator accepted against the outbox: the most messages in any 1 s
   window (limit 30), 429s (target 0), lost (target 0) and duplicated messages (target <= 1 per
   kill), and the achieved rate.

    .venv/bin/python tests/bench/bench_replicas.py                       # 2,000 subscribers, kill at 40%
    .venv/bin/python tests/bench/bench_replicas.py --kill-at 0.25,0.5,0.75  # three kills: A, B, A
    .venv/bin/python tests/bench/bench_replicas.py --kill-at 0
    .venv/bin/python tests/bench/bench_replicas.py --per-replica-budget  # as before: each its own 25/s

``--per-replica-budget`` gives each replica a budget row of its own, which is what every replica had
before the budget was shared: the control run, where the emulator's 429s show the excess. The
PostgreSQL server is ``CLAIMBOT_TEST_POSTGRES_URL`` (default the test database on 127.0.0.1); the
benchmark works in a schema of its own and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from bench_digest import build_store, max_in_window  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from bot.fakeapi.throttle import Throttle  # noqa: E402
from bot.render import digest_messages  # noqa: E402
from claims.follow.delivery import DeliveryRunner, SharedBudget, enqueue_digests  # noqa: E402
from claims.store import db  # noqa: E402
from claims.store.models import DigestOutbox, OutboxStatus, utcnow  # noqa: E402
from tests.bot.emulator import TOKEN, Emulator  # noqa: E402

POSTGRES_URL = os.environ.get("CLAIMBOT_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
UNFINISHED = [OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]


# ---------------------------------------------------------------------------- one replica (a child process)


def replica_main(url: str, api_url: str, name: str, lease: float, own_budget: bool) -> None:
    """What ``claimbot run`` runs for digests, until the outbox has nothing pending or leased."""
    from bot.digests import DIGEST_LIMITS
    from bot.sender import TelegramSender, digest_bot

    engine = db.make_engine(url)
    sessions = partial(db.session_scope, engine)

    def unfinished() -> int:
        with Session(engine) as s:
            return int(s.exec(select(sa.func.count()).select_from(DigestOutbox).where(
                sa.column("status").in_(UNFINISHED))).one())

    async def run() -> None:
        bot = digest_bot(token=TOKEN, api_url=api_url)
        await bot.initialize()
        budget = SharedBudget(sessions, per_second=DIGEST_LIMITS.per_second,
                              name=f"bench-{name}" if own_budget else "digests")
        runner = DeliveryRunner(sessions=sessions, sender=TelegramSender(bot), limits=DIGEST_LIMITS,
                                lease=timedelta(seconds=lease), poll_interval=0.5, owner=name,
                                budget=budget)
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop=stop))
        while await asyncio.to_thread(unfinished):  # noqa: ASYNC110 - the database has no event to await
            await asyncio.sleep(0.5)  # rows of a dead replica come back when their lease runs out
        stop.set()
        runner.wake()
        await task
        await bot.shutdown()
        r = runner.report
        print(json.dumps({"replica": name, "messages": r.messages, "digests": r.digests,
                          "retry_after": r.retry_after, "blocked": r.blocked, "errors": r.errors,
                          "lost_leases": r.lost_leases}), flush=True)

    asyncio.run(run())
    engine.dispose()


# ---------------------------------------------------------------------------- the run


def prepare(args: argparse.Namespace, url: str) -> list[DigestOutbox]:
    engine = db.make_engine(url)
    db.upgrade(engine)
    t0 = time.perf_counter()
    rng = random.Random(args.seed)
    subscribers = args.subscribers
    build_store(engine, subscribers, rng, args.groups)
    with Session(engine) as s:
        report = enqueue_digests(session=s, now=utcnow() + timedelta(minutes=1), render=digest_messages)
        s.commit()
        add_busy_chats(s, rng, private=args.busy_chats, groups=args.busy_groups)
        rows = list(s.exec(select(DigestOutbox)))
    engine.dispose()
    print(f"setup: {subscribers:,} subscribers, {report.digests:,} digests, {report.messages:,} messages "
          f"({time.perf_counter() - t0:.1f} s)")
    return rows


def add_busy_chats(session: Session, rng: random.Random, *, private: int, groups: int) -> None:
    """Chats that get more than one message, so per-chat limits are tested across replicas too:
    ``private`` chats get a second digest of three parts, and ``groups`` groups 24 more one-part
    digests (25 messages in all: more than a group may receive in a minute)."""
    chats = sorted({r.chat_id for r in session.exec(select(DigestOutbox))})
    users = rng.sample([c for c in chats if c > 0], private)
    teams = rng.sample([c for c in chats if c < 0], groups)
    extra = [(chat, 3) for chat in users] + [(chat, 1) for chat in teams for _ in range(24)]
    for n, (chat, parts) in enumerate(extra):
        session.add(DigestOutbox(subscription_id=None, digest_key=f"busy-{n}", chat_id=chat,
                                 from_revision_id=0, to_revision_id=0,
                                 payload=[f"Extra digest {n} for chat {chat}, part {p + 1} of {parts}."
                                          for p in range(parts)]))
    session.commit()


def spawn(args: argparse.Namespace, url: str, api_url: str, name: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, __file__, "--replica", name, "--database-url", url, "--api", api_url,
           "--lease", str(args.lease)]
    if args.per_replica_budget:
        cmd.append("--per-replica-budget")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


async def fan_out(args: argparse.Namespace, url: str, rows: list[DigestOutbox]) -> None:
    rng = random.Random(args.seed)
    expected = Counter((r.chat_id, part) for r in rows for part in r.payload)
    chats = sorted({r.chat_id for r in rows})
    blocked = set(rng.sample(chats, int(len(chats) * args.blocked)))
    deliverable = Counter({k: n for k, n in expected.items() if k[0] not in blocked})
    total = sum(deliverable.values())

    emulator = await Emulator().start()
    api = emulator.api
    api.throttle = throttle = Throttle()
    for chat in chats:
        if chat < 0:
            api.add_group(chat)
        else:
            api.add_user(chat)
    for chat in blocked:
        emulator.block(chat)

    started = time.monotonic()
    procs = {name: spawn(args, url, emulator.url, name) for name in ("A", "B")}
    kills: list[tuple[float, int]] = []
    shares = [float(x) for x in args.kill_at.split(",") if float(x) > 0]
    for n, share in enumerate(shares):
        victim = "AB"[n % 2]
        while len(throttle.accepted) < total * share and procs[victim].poll() is None:  # noqa: ASYNC110
            await asyncio.sleep(0.02)  # a child process's exit is no event of this loop
        if procs[victim].poll() is None:
            procs[victim].send_signal(signal.SIGKILL)
            await asyncio.to_thread(procs[victim].wait)
            kills.append((time.monotonic(), len(throttle.accepted)))
            print(f"SIGKILLed replica {victim} after {len(throttle.accepted):,} accepted messages "
                  f"({time.monotonic() - started:.1f} s); starting it again")
            procs[victim] = spawn(args, url, emulator.url, victim)
    reports = []
    for proc in procs.values():
        out, _ = await asyncio.to_thread(proc.communicate, timeout=3600)
        reports += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    elapsed = time.monotonic() - started
    await emulator.stop()

    got = Counter((s.chat_id, s.html) for s in api.sent if s.method == "sendMessage")
    lost = sum((deliverable - got).values())
    duplicated = sum(n - 1 for n in got.values() if n > 1)
    unexpected = sum((got - deliverable).values()) - duplicated
    times = sorted(t for t, _ in throttle.accepted)
    per_chat: dict[int, list[float]] = {}
    for t, chat in throttle.accepted:
        per_chat.setdefault(chat, []).append(t)
    tightest = min((b - a for ts in per_chat.values() for a, b in itertools.pairwise(ts)),
                   default=float("nan"))
    group_minute = max((max_in_window(ts, 60.0) for chat, ts in per_chat.items() if chat < 0), default=0)
    engine = db.make_engine(url)
    with Session(engine) as s:
        statuses = dict(s.exec(select(DigestOutbox.status, sa.func.count())
                               .group_by(DigestOutbox.status)).all())
    engine.dispose()

    budget = "one per replica (the control)" if args.per_replica_budget else "shared (one row)"
    print(f"replicas: 2, budget: {budget}, lease {args.lease:g} s, kills: {len(kills)}")
    print(f"accepted {len(throttle.accepted):,} of {total:,} deliverable messages "
          f"({len(blocked)} chats blocked the bot)")
    print(f"  max accepted in any 1 s window: {throttle.max_in_window(1.0)}   (limit 30)")
    print(f"  429 answers: {throttle.refused}   (target 0)")
    print(f"  lost: {lost}   duplicated: {duplicated}   unexpected: {unexpected}"
          f"   duplicates per kill: {duplicated / len(kills) if kills else float('nan'):.1f}   (target <= 1)")
    print(f"  tightest spacing of two messages to one chat: {tightest:.2f} s   (limit 1 s); "
          f"most to one group in any 60 s: {group_minute}   (limit 20)")
    print(f"  outbox: {statuses}")
    if len(times) > 1:
        rate = (len(times) - 1) / (times[-1] - times[0])
        print(f"  combined rate: {rate:.1f} msg/s from first to last accepted "
              f"({times[-1] - times[0]:.1f} s; includes the kill's lease wait); wall {elapsed:.1f} s")
        bulk = sorted(t for t, chat in throttle.accepted if len(per_chat[chat]) <= 3)
        print(f"  without the busy chats' messages: {len(bulk):,} at "
              f"{(len(bulk) - 1) / (bulk[-1] - bulk[0]):.1f} msg/s (a group may take 20 a minute; "
              "kills' lease waits included)")
    if kills:
        at = kills[0][0]
        before = [t for t in times if t < at]
        if len(before) > 1:
            print(f"  before the kill: {len(before):,} messages at "
                  f"{(len(before) - 1) / (before[-1] - before[0]):.1f} msg/s")
    for r in reports:
        print(f"  replica {r['replica']} (last process): {r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--kill-at", default="0.4",
                        help="SIGKILL a replica when this share was accepted, then restart it; several "
                             "shares (0.25,0.5,0.75) kill A, B, A, ... in turn (0: no kill)")
    parser.add_argument("--busy-chats", type=int, default=20,
                        help="private chats that get a second, three-part digest")
    parser.add_argument("--busy-groups", type=int, default=2,
                        help="groups that get 25 messages (more than a group may receive in a minute)")
    parser.add_argument("--lease", type=float, default=15.0, help="outbox lease in seconds")
    parser.add_argument("--groups", type=float, default=0.05, help="share of group chats")
    parser.add_argument("--blocked", type=float, default=0.01, help="share of chats that blocked the bot")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--per-replica-budget", action="store_true",
                        help="the control: each replica paces only itself, as before")
    parser.add_argument("--replica", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.replica:
        replica_main(args.database_url, args.api, args.replica, args.lease, args.per_replica_budget)
        return

    admin = sa.create_engine(POSTGRES_URL)
    schema = f"bench_replicas_{uuid.uuid4().hex[:8]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        rows = prepare(args, url)
        asyncio.run(fan_out(args, url, rows))
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


if __name__ == "__main__":
    main()
