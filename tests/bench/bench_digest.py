"""Digests for 10,000 subscribers: computation time, and fan-out at Telegram's limits, killed and restarted.

1. Builds a store (topics, speakers, claims), subscribes N chats (5% groups) each to one topic or
   speaker, then records a few hundred changes (new claims, rewordings, verdicts, retractions,
   merges) so that every subscription has a digest.
2. Times ``compute_digests`` for all N (target < 5 s) and ``enqueue_digests`` (compute, render as
   plain text, write the outbox).
3. Serves a small Bot-API-like endpoint on loopback (``POST /bot<token>/sendMessage``) that enforces
   Telegram's limits strictly: at most 30 messages in any 1 s window overall, 1 per second per chat,
   20 per minute per group; over a limit it answers 429 with ``retry_after``. 1% of chats have
   "blocked the bot" (403).
4. Fans out from a separate OS process running ``DeliveryRunner`` with an HTTP sender. With
   ``--kill-at 0.5`` the parent SIGKILLs that process when half the messages were accepted and
   starts a new one, which takes over the dead process's leased rows once their lease runs out.
5. Checks, from what the endpoint accepted against the outbox: messages lost, messages duplicated,
   429s, and the achieved rate against the 30/s ceiling.

    .venv/bin/python tests/bench/bench_digest.py                          # 10,000, killed halfway
    .venv/bin/python tests/bench/bench_digest.py --subscribers 1000 --kill-at 0
    .venv/bin/python tests/bench/bench_digest.py --compute-only            # digest timing only
    .venv/bin/python tests/bench/bench_digest.py --database-url postgresql+psycopg://...

At 30 msg/s 10,000 messages take about 5.6 minutes. The endpoint is a few lines of its own; the bot's
test emulator enforces the same limits when given ``bot.fakeapi.throttle.Throttle``, which
``bench_replicas.py`` (two replicas on one PostgreSQL database) uses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from datetime import timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.fakeapi.throttle import busiest
from claims.follow.delivery import (
    ChatBlocked,
    ChatMigrated,
    ChatNotFound,
    DeliveryRunner,
    Limits,
    MessageRejected,
    RetryAfter,
    enqueue_digests,
)
from claims.follow.digest.compute import compute_digests
from claims.normalize import fingerprint
from claims.store import db
from claims.store.history import Actor, edit_claim, merge_claims, record_revision, retract_claim, set_verdict
from claims.store.models import (
    ChangeKind,
    Claim,
    DigestOutbox,
    OutboxStatus,
    Speaker,
    Subscription,
    SubscriptionStatus,
    TargetKind,
    Topic,
    utcnow,
)

TOKEN = "123456:bench-token-abcdefghijklmnopqrstuvwxyz"
ADMIN = Actor(id=1, name="bench")
WORDS = ("tariffs", "border", "budget", "troops", "energy", "prices", "talks", "vote", "deal", "aid",
         "taxes", "wages", "ports", "grain", "gas", "chips", "rates", "debt", "jobs", "courts")


# ---------------------------------------------------------------------------- the store


def build_store(engine: sa.Engine, n_subscribers: int, rng: random.Random, groups: float) -> None:
    with Session(engine) as s:
        topics = [Topic(slug=f"topic-{i}", name=f"Topic {i}") for i in range(25)]
        speakers = [Speaker(name=f"Speaker {i}", aliases=[f"S{i}"]) for i in range(60)]
        s.add_all([*topics, *speakers])
        s.flush()
        claims = []
        for i in range(2000):
            sp, tp = rng.choice(speakers), rng.choice(topics)
            text = f"Claim {i}: the {rng.choice(WORDS)} and the {rng.choice(WORDS)} will change."
            c = Claim(speaker_id=sp.id, topic_id=tp.id, text=text, fingerprint=fingerprint(sp.name, text))
            s.add(c)
            claims.append(c)
        s.flush()
        for c in claims:
            record_revision(session=s, claim=c, change=ChangeKind.CREATED, new_text=c.text)
        s.commit()
        newest = sa.select(sa.func.max(sa.text("id"))).select_from(sa.table("claimrevision"))
        watermark = int(s.execute(newest).scalar_one())
        now = utcnow()
        rows = []
        for n in range(n_subscribers):
            chat = -(1_000_000_000_000 + n) if rng.random() < groups else 10_000_000 + n
            follows_topic = rng.random() < 0.6
            target = rng.choice(topics if follows_topic else speakers)
            rows.append({
                "chat_id": chat, "user_id": abs(chat), "schedule": "daily", "hour": 8, "minute": 0,
                "weekday": None, "timezone": "Europe/Berlin",
                "target_kind": (TargetKind.TOPIC if follows_topic else TargetKind.SPEAKER).value,
                "target_id": target.id, "watermark_revision_id": watermark, "watermark_at": now,
                "next_run_at": now - timedelta(minutes=1), "status": SubscriptionStatus.ACTIVE.value,
                "created_at": now, "updated_at": now,
            })
        s.execute(sa.insert(Subscription), rows)
        s.commit()
        # What changes after everyone subscribed: every topic and speaker gets something.
        fresh = []
        for i in range(250):
            sp, tp = speakers[i % len(speakers)], topics[i % len(topics)]
            text = f"New claim {i} on {rng.choice(WORDS)}: numbers are {rng.randint(2, 99)} percent up."
            c = Claim(speaker_id=sp.id, topic_id=tp.id, text=text, fingerprint=fingerprint(sp.name, text))
            s.add(c)
            fresh.append(c)
        s.flush()
        for c in fresh:
            record_revision(session=s, claim=c, change=ChangeKind.CREATED, new_text=c.text)
        old = rng.sample(claims, 200)
        for c in old[:80]:
            edit_claim(session=s, claim_id=c.id, text=c.text.replace("will", "might"), actor=ADMIN)
        for c in old[80:150]:
            set_verdict(session=s, claim_id=c.id, verdict=rng.choice(["false", "misleading", "accurate"]),
                        actor=ADMIN, note="Checked against the record.")
        for c in old[150:180]:
            retract_claim(session=s, claim_id=c.id, actor=ADMIN, reason="Wrong speaker.")
        for a, b in zip(old[180:190], old[190:200], strict=True):
            merge_claims(session=s, claim_id=a.id, into_id=b.id, actor=ADMIN)
        s.commit()


# ---------------------------------------------------------------------------- a Bot API that enforces limits


class LimitedApi:
    """Accepts ``sendMessage`` within Telegram's limits, answers 429 beyond them; records everything."""

    def __init__(self, blocked: set[int]) -> None:
        self.lock = threading.Lock()
        self.blocked = blocked
        self.window: deque[float] = deque()
        self.last: dict[int, float] = {}
        self.groups: dict[int, deque[float]] = {}
        self.accepted: list[tuple[float, int, str]] = []
        self.too_many = 0
        self.forbidden = 0

    def send(self, chat_id: int, text: str) -> tuple[int, dict]:
        now = time.monotonic()
        with self.lock:
            if chat_id in self.blocked:
                self.forbidden += 1
                return 403, {"ok": False, "error_code": 403,
                             "description": "Forbidden: bot was blocked by the user"}
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            group = self.groups.setdefault(chat_id, deque()) if chat_id < 0 else None
            while group and group[0] <= now - 60.0:
                group.popleft()
            wait = 0.0
            if len(self.window) >= 30:
                wait = self.window[0] + 1.0 - now
            if now - self.last.get(chat_id, -1e9) < 1.0:
                wait = max(wait, self.last[chat_id] + 1.0 - now)
            if group is not None and len(group) >= 20:
                wait = max(wait, group[0] + 60.0 - now)
            if wait > 0:
                self.too_many += 1
                return 429, {"ok": False, "error_code": 429,
                             "description": f"Too Many Requests: retry after {int(wait) + 1}",
                             "parameters": {"retry_after": int(wait) + 1}}
            self.window.append(now)
            self.last[chat_id] = now
            if group is not None:
                group.append(now)
            self.accepted.append((now, chat_id, text))
            return 200, {"ok": True, "result": {"message_id": len(self.accepted), "chat": {"id": chat_id}}}


def serve(api: LimitedApi) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            status, reply = api.send(int(body["chat_id"]), str(body["text"]))
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed sender hangs up
                super().handle_error(request, client_address)  # type: ignore[arg-type]

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


# ---------------------------------------------------------------------------- the sending process


class HttpSender:
    """What the bot's PTB-backed sender does, over plain HTTP: map Bot API errors to delivery's."""

    def __init__(self, base: str) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=10, trust_env=False,
                                        limits=httpx.Limits(max_connections=50))

    async def send(self, chat_id: int, text: str) -> None:
        resp = await self.client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": chat_id, "text": text})
        body = resp.json()
        if body.get("ok"):
            return
        code, desc, params = body["error_code"], body["description"], body.get("parameters") or {}
        if code == 429:
            raise RetryAfter(params.get("retry_after", 1))
        if "migrate_to_chat_id" in params:
            raise ChatMigrated(params["migrate_to_chat_id"])
        if code == 403:
            raise ChatBlocked(desc)
        if code == 400 and "chat not found" in desc.lower():
            raise ChatNotFound(desc)
        if code == 400:
            raise MessageRejected(desc)
        raise RuntimeError(f"{code} {desc}")


def sender_main(url: str, api: str, lease: float, rate: float) -> None:
    """Child process: deliver until the outbox has nothing pending or leased."""
    engine = db.make_engine(url)

    async def run() -> None:
        sender = HttpSender(api)
        runner = DeliveryRunner(sessions=partial(db.session_scope, engine), sender=sender,
                                limits=Limits(per_second=rate), lease=timedelta(seconds=lease),
                                poll_interval=0.5)
        while True:
            await runner.drain()
            with Session(engine) as s:
                left = s.exec(select(sa.func.count()).select_from(DigestOutbox).where(
                    DigestOutbox.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value])  # type: ignore[attr-defined]
                )).one()
            if not left:
                break
            await asyncio.sleep(0.5)  # rows leased by a dead process: wait for their lease to run out
        await sender.client.aclose()
        r = runner.report
        print(json.dumps({"messages": r.messages, "retry_after": r.retry_after, "blocked": r.blocked,
                          "errors": r.errors, "lost_leases": r.lost_leases}), flush=True)

    asyncio.run(run())


# ---------------------------------------------------------------------------- the run


def max_in_window(times: list[float], window: float) -> int:
    """The most of these sorted times in any window (as the emulator counts Telegram's limits)."""
    return busiest(times, window)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--kill-at", type=float, default=0.5,
                        help="SIGKILL the sender when this share was accepted, then restart (0: no kill)")
    parser.add_argument("--lease", type=float, default=15.0, help="outbox lease in seconds")
    parser.add_argument("--rate", type=float, default=Limits().per_second, help="sender's overall pace")
    parser.add_argument("--groups", type=float, default=0.05, help="share of group chats")
    parser.add_argument("--blocked", type=float, default=0.01, help="share of chats that blocked the bot")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--compute-only", action="store_true", help="stop after timing the digests")
    parser.add_argument("--sender", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.sender:
        sender_main(args.database_url, args.api, args.lease, args.rate)
        return

    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="bench_digest_")
    url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
    engine = db.make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            schema = conn.execute(sa.text("select current_schema()")).scalar_one()
            conn.execute(sa.text(f'drop schema "{schema}" cascade'))
            conn.execute(sa.text(f'create schema "{schema}"'))
    db.upgrade(engine)
    print(f"database: {engine.dialect.name}; subscribers: {args.subscribers:,}")

    t0 = time.perf_counter()
    build_store(engine, args.subscribers, rng, args.groups)
    print(f"setup: {time.perf_counter() - t0:.1f} s")

    later = utcnow() + timedelta(minutes=1)
    with Session(engine) as s:
        subs = list(s.exec(select(Subscription)))
        t0 = time.perf_counter()
        digests = compute_digests(session=s, subscriptions=subs, now=later)
        compute_s = time.perf_counter() - t0
    items = sum(d.count for d in digests.values())
    print(f"compute_digests: {len(digests):,} digests ({items:,} items) for {len(subs):,} subscriptions "
          f"in {compute_s:.2f} s  (target < 5 s: {'ok' if compute_s < 5 else 'MISSED'})")

    with Session(engine) as s:
        t0 = time.perf_counter()
        report = enqueue_digests(session=s, now=later)
        s.commit()
        enqueue_s = time.perf_counter() - t0
    print(f"enqueue_digests (compute + render + outbox): {report.digests:,} digests, {report.messages:,} "
          f"messages in {enqueue_s:.2f} s")
    if args.compute_only:
        return

    with Session(engine) as s:
        rows = list(s.exec(select(DigestOutbox)))
    expected = Counter((r.chat_id, part) for r in rows for part in r.payload)
    chats = sorted({r.chat_id for r in rows})
    blocked = set(rng.sample(chats, int(len(chats) * args.blocked)))
    deliverable = Counter({k: v for k, v in expected.items() if k[0] not in blocked})
    total = sum(deliverable.values())

    api = LimitedApi(blocked)
    server, base = serve(api)
    cmd = [sys.executable, __file__, "--sender", "--database-url", url, "--api", base,
           "--lease", str(args.lease), "--rate", str(args.rate)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    killed_at = restart_at = None
    if args.kill_at > 0:
        while len(api.accepted) < total * args.kill_at and proc.poll() is None:
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed_at = time.monotonic()
            print(f"killed the sender with SIGKILL after {len(api.accepted):,} accepted messages "
                  f"({killed_at - started:.0f} s); restarting")
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
            restart_at = time.monotonic()
    out, _ = proc.communicate(timeout=7200)
    finished = time.monotonic()
    server.shutdown()
    last_report = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}

    got = Counter((chat, text) for _, chat, text in api.accepted)
    lost = sum((deliverable - got).values())
    duplicated = sum(n - 1 for n in got.values() if n > 1)
    unexpected = sum((got - deliverable).values()) - duplicated
    times = [t for t, _, _ in api.accepted]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    with Session(engine) as s:
        statuses = dict(s.exec(
            select(DigestOutbox.status, sa.func.count()).group_by(DigestOutbox.status)
        ).all())
        paused = s.exec(select(sa.func.count()).select_from(Subscription).where(
            Subscription.status == SubscriptionStatus.PAUSED.value)).one()

    print(f"fan-out: {len(api.accepted):,} messages accepted of {total:,} deliverable "
          f"({len(blocked)} chats blocked the bot -> {paused} subscriptions paused)")
    print(f"  lost: {lost}   duplicated: {duplicated}   unexpected: {unexpected}")
    print(f"  outbox: {statuses}")
    print(f"  429 answers: {api.too_many}   403 answers: {api.forbidden}   "
          f"max accepted in any 1 s window: {max_in_window(times, 1.0)}")
    print(f"  wall time: {finished - started:.1f} s; first to last accepted: {span:.1f} s")
    if span:
        overall = (len(times) - 1) / span
        print(f"  achieved rate: {overall:.2f} msg/s overall = {overall / 30:.1%} of 30/s "
              "(includes process start-up and the kill/restart)")
    if killed_at and restart_at:
        before = [t for t in times if t < killed_at]
        after = [t for t in times if t > restart_at]
        for name, seg in (("before the kill", before), ("after the restart", after)):
            if len(seg) > 1:
                rate = (len(seg) - 1) / (seg[-1] - seg[0])
                print(f"  {name}: {len(seg):,} messages at {rate:.2f} msg/s = {rate / 30:.1%} of 30/s")
        gap = (after[0] - before[-1]) if before and after else float("nan")
        print(f"  gap between the last message before the kill and the first after: {gap:.1f} s")
    print(f"  last sender process: {last_report}")


if __name__ == "__main__":
    main()
