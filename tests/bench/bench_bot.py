"""End-to-end question throughput and reply latency of the bot at 100,000 claims, over real HTTP.

Bulk-loads synthetic claims (``claims.store.transfer.import_claims``), starts the Bot API emulator in this
process and the real bot (``build_application`` + ``run_polling``) in another, then many simulated
users ask questions concurrently, each waiting for its answer before asking again (closed loop).
Latency is from the update being available to the bot until the emulator receives the reply.

It runs twice: with the production outgoing rate limiter (PTB's AIORateLimiter, Telegram's 30
messages/s), which is what a deployment sees, and without it, which measures the bot's own capacity.

    .venv/bin/python tests/bench/bench_bot.py                      # 100,000 claims
    .venv/bin/python tests/bench/bench_bot.py --claims 10000 --questions 500
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from bot.fakeapi.api import FakeBotApi  # noqa: E402
from claims.catalog import load_catalog  # noqa: E402
from claims.settings import DEFAULT_CONFIG_DIR, Settings  # noqa: E402
from claims.store import db  # noqa: E402
from claims.store.transfer import ImportRecord, import_claims  # noqa: E402
from tests.bot.emulator import TOKEN, Emulator  # noqa: E402

SYLLABLES = [a + b for a in "bcdfghklmnprstvwz" for b in ("a", "e", "i", "o", "u", "ar", "en")]
COMMON = [
    "the", "a", "of", "to", "and", "in", "that", "is", "was", "for", "on", "it", "with", "as", "he",
    "said", "be", "by", "at", "have", "from", "not", "but",
]


def synthetic_records(n: int, rng: random.Random) -> list[ImportRecord]:
    """Zipf-distributed words, 500 speakers, the catalog's topics, ten claims per source article."""
    catalog = load_catalog(DEFAULT_CONFIG_DIR)
    vocab = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(60_000)})
    rng.shuffle(vocab)
    cum = list(itertools.accumulate(1.0 / (r + 1) ** 1.05 for r in range(len(vocab))))
    speakers = [f"{rng.choice(vocab).title()} {rng.choice(vocab).title()}" for _ in range(500)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    records = []
    for i in range(n):
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(6, 18))
        for _ in range(rng.randint(3, 8)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(COMMON))
        article = i // 10
        records.append(ImportRecord(
            text=" ".join(words).capitalize() + ".",
            external_id=f"bench-{i}",
            speaker=rng.choice(speakers),
            topic=rng.choice(catalog.topics).slug,
            title=f"Synthetic article {article}",
            source_url=f"https://bench.example/a/{article}",
            published_at=start + timedelta(hours=article),
        ))
    return records


def questions(records: list[ImportRecord], n: int, rng: random.Random) -> list[str]:
    """Four in five paraphrase a stored claim (half its words, one typo); the rest ask about nothing."""
    out = []
    for _ in range(n):
        if rng.random() < 0.8:
            words = [w for w in rng.choice(records).text.rstrip(".").split() if w not in COMMON]
            kept = rng.sample(words, k=max(2, len(words) // 2))
            i = rng.randrange(len(kept))
            if len(kept[i]) > 4:
                kept[i] = kept[i][:2] + kept[i][3:]
            out.append(" ".join(kept))
        else:
            out.append(rng.choice(["what is the weather tomorrow", "who won the football match",
                                   "recipe for apple pie", "how tall is the eiffel tower"]))
    return out


def build_store(url: str, n: int, rng: random.Random) -> list[ImportRecord]:
    engine = db.make_engine(url)
    db.upgrade(engine)
    records = synthetic_records(n, rng)
    t0 = time.perf_counter()
    with db.session_scope(engine) as session:
        import_claims(records, session=session, catalog=load_catalog(DEFAULT_CONFIG_DIR))
    print(f"imported {n:,} claims in {time.perf_counter() - t0:.1f} s")
    engine.dispose()
    return records


def run_bot(db_url: str, api_url: str, limiter: bool) -> None:
    """The bot process: the production factory and run_polling; only the limiter is switchable."""
    import logging

    from bot.app import build_application
    from bot.context import FloodControl
    from bot.run import ALLOWED_UPDATES, configure_logging

    logging.basicConfig(level=logging.WARNING)
    configure_logging(TOKEN)
    settings = Settings(database_url=db_url, telegram_token=SecretStr(TOKEN), telegram_api_url=api_url,
                        config_dir=DEFAULT_CONFIG_DIR)
    app = build_application(settings, rate_limiter=limiter, flood=FloodControl(burst=10**9))
    app.run_polling(allowed_updates=ALLOWED_UPDATES)


def _reply_in(api: FakeBotApi, chat: object, start: int) -> object:
    return next((s for s in api.sent[start:] if s.chat_id == chat), None)


async def ask_all(api: FakeBotApi, people: list[dict[str, Any]], asked: list[str]) -> tuple[list[float], int]:
    """Each person asks, waits for the answer, asks again, until the questions run out."""
    latencies: list[float] = []
    answered = 0
    queue = list(reversed(asked))

    async def person(user: dict[str, Any]) -> None:
        nonlocal answered
        chat = user["id"]
        while queue:
            question = queue.pop()
            start = len(api.sent)
            t = time.perf_counter()
            api.user_sends(user, question)
            reply = await api.wait_until(partial(_reply_in, api, chat, start), within=120)
            latencies.append(time.perf_counter() - t)
            answered += reply.text.startswith("Here is what I found")

    await asyncio.gather(*(person(u) for u in people))
    return sorted(latencies), answered


def report(label: str, latencies: list[float], answered: int, wall: float) -> None:
    def p(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    print(f"  {label}: {len(latencies):,} questions in {wall:.1f} s = "
          f"{len(latencies) / wall:.1f} questions/s ({answered / len(latencies):.0%} found a claim)")
    print(f"    reply latency ms: p50 {p(0.5):.1f}  p90 {p(0.9):.1f}  p99 {p(0.99):.1f}  "
          f"max {latencies[-1] * 1000:.1f}  mean {statistics.mean(latencies) * 1000:.1f}")


async def measure(db_url: str, asked: list[str], users: int, limiter: bool, *, single: int) -> None:
    emulator = await Emulator().start()
    api = emulator.api
    proc = multiprocessing.get_context("spawn").Process(target=run_bot, args=(db_url, emulator.url, limiter))
    t0 = time.perf_counter()
    proc.start()
    try:
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), within=600)
        print(f"  bot ready (store opened, matcher built) in {time.perf_counter() - t0:.1f} s")
        people = [api.add_user(10_000 + i, f"User{i}") for i in range(users)]
        if single:
            wall = time.perf_counter()
            latencies, answered = await ask_all(api, people[:1], asked[:single])
            report("one user at a time (service time)", latencies, answered, time.perf_counter() - wall)
        wall = time.perf_counter()
        cpu0 = time.process_time()
        latencies, answered = await ask_all(api, people, asked[single:])
        wall = time.perf_counter() - wall
        report(f"{users} concurrent users (saturated)", latencies, answered, wall)
        print(f"    (the emulator and simulated users took {time.process_time() - cpu0:.1f} s CPU of that)")
    finally:
        proc.terminate()  # SIGTERM: run_polling shuts down gracefully (it still calls the emulator)
        await asyncio.to_thread(proc.join, 60)
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--limited-questions", type=int, default=300,
                        help="questions for the run with the production rate limiter")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--single", type=int, default=200, help="questions asked by one user first")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        records = build_store(url, args.claims, rng)
        asked = questions(records, args.questions, rng)
        print(f"\nwith the production outgoing rate limiter (30 messages/s), {args.claims:,} claims:")
        asyncio.run(measure(url, asked[: args.limited_questions], args.users, limiter=True, single=0))
        print(f"\nwithout the outgoing rate limiter (the bot's own capacity), {args.claims:,} claims:")
        asyncio.run(measure(url, asked, args.users, limiter=False, single=args.single))


if __name__ == "__main__":
    main()
