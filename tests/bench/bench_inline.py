"""Inline-mode latency of the bot at 100,000 claims, over real HTTP: ``@bot question`` to
``answerInlineQuery``.

Builds the same synthetic store as ``bench_bot.py`` (Zipf words, 500 speakers, ten claims per
article), starts the Bot API emulator in this process and the real bot (``build_application`` +
``run_polling``, inline queries allowed) in another. Simulated users type inline queries (four in
five paraphrase a stored claim, the rest ask about nothing); latency is from the inline query being
available to the bot until the emulator holds its answer (results rendered, validated, recorded).

Three runs: one user at a time (service time), the second page of each query (``offset``), and many
users at once (closed loop: each waits for its answer before typing the next query).

    .venv/bin/python tests/bench/bench_inline.py                      # 100,000 claims
    .venv/bin/python tests/bench/bench_inline.py --claims 10000 --queries 300
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.fakeapi.api import FakeBotApi  # noqa: E402
from tests.bench.bench_bot import build_store, questions, run_bot  # noqa: E402
from tests.bot.emulator import Emulator  # noqa: E402


async def type_all(api: FakeBotApi, people: list[dict[str, Any]], asked: list[tuple[str, str]]
                   ) -> tuple[list[float], int, int]:
    """Each person sends an inline query, waits for its answer, sends the next; returns sorted
    latencies, how many answers held results, and the results in all."""
    latencies: list[float] = []
    with_results = results = 0
    queue = list(reversed(asked))

    async def person(user: dict[str, Any]) -> None:
        nonlocal with_results, results
        while queue:
            query, offset = queue.pop()
            t = time.perf_counter()
            query_id = api.inline_query(user, query, offset=offset)
            answer = await api.wait_until(lambda q=query_id: api.inline_answers.get(q), within=120)
            latencies.append(time.perf_counter() - t)
            with_results += bool(answer["results"])
            results += len(answer["results"])

    await asyncio.gather(*(person(u) for u in people))
    return sorted(latencies), with_results, results


def report(label: str, latencies: list[float], with_results: int, results: int, wall: float) -> None:
    def p(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    n = len(latencies)
    print(f"  {label}: {n:,} inline queries in {wall:.1f} s = {n / wall:.1f} answers/s "
          f"({with_results / n:.0%} with results, {results / n:.1f} results on average)")
    print(f"    answer latency ms: p50 {p(0.5):.1f}  p90 {p(0.9):.1f}  p99 {p(0.99):.1f}  "
          f"max {latencies[-1] * 1000:.1f}  mean {statistics.mean(latencies) * 1000:.1f}")


async def measure(db_url: str, asked: list[str], users: int, single: int) -> None:
    emulator = await Emulator().start()
    api = emulator.api
    proc = multiprocessing.get_context("spawn").Process(target=run_bot, args=(db_url, emulator.url, False))
    t0 = time.perf_counter()
    proc.start()
    try:
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), within=900)
        print(f"  bot ready (store opened, matcher built) in {time.perf_counter() - t0:.1f} s")
        people = [api.add_user(10_000 + i, f"User{i}") for i in range(users)]
        for label, batch, who in (
            ("one user at a time, first page (service time)", [(q, "") for q in asked[:single]], people[:1]),
            ("one user at a time, second page (offset 1)", [(q, "1") for q in asked[:single]], people[:1]),
            (f"{users} concurrent users, first page (saturated)", [(q, "") for q in asked[single:]], people),
        ):
            wall = time.perf_counter()
            latencies, with_results, results = await type_all(api, who, batch)
            report(label, latencies, with_results, results, time.perf_counter() - wall)
    finally:
        proc.terminate()  # SIGTERM: run_polling shuts down gracefully
        await asyncio.to_thread(proc.join, 60)
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1500, help="queries in all")
    parser.add_argument("--single", type=int, default=300, help="queries typed by one user first")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-inline-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        records = build_store(url, args.claims, rng)
        asked = questions(records, args.queries, rng)
        print(f"\ninline answers, {args.claims:,} claims (no outgoing rate limiter: answerInlineQuery is "
              "not a message):")
        asyncio.run(measure(url, asked, args.users, args.single))


if __name__ == "__main__":
    main()
