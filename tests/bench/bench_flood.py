"""One reader floods the bot with inline queries while another asks questions: how long does the
other reader wait? (issue 23, finding 9; target: p99 <= 200 ms).

Seeds a store with the two gold articles, starts the Bot API emulator in this process and the real
bot (``build_application`` + ``run_polling``, production settings: the outgoing rate limiter, the
per-user token buckets, concurrent updates in per-chat order) in another. The flooder sends
``--flood`` inline queries, one every ``--gap`` ms; meanwhile other readers ask ``--questions``
questions one after another (closed loop; five per reader, within each reader's question
bucket). Latency is from the update being available to the bot
until the emulator receives the reply.

    .venv/bin/python tests/bench/bench_flood.py
    .venv/bin/python tests/bench/bench_flood.py --flood 200 --gap 5 --questions 100
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from claims.settings import DEFAULT_CONFIG_DIR, Settings  # noqa: E402
from tests.bot.emulator import TOKEN, Emulator  # noqa: E402
from tests.bot.harness import seed_store  # noqa: E402

QUESTIONS = ["what did von der Leyen say about tariffs", "greenland is not for sale",
             "nato defence spending", "who said tariffs are taxes", "frederiksen on trump"]


def run_bot(db_url: str, api_url: str) -> None:
    """The bot process: the production factory and run_polling."""
    import logging

    from bot.app import build_application
    from bot.run import ALLOWED_UPDATES, configure_logging

    logging.basicConfig(level=logging.WARNING)
    configure_logging(TOKEN)
    settings = Settings(database_url=db_url, telegram_token=SecretStr(TOKEN), telegram_api_url=api_url,
                        config_dir=DEFAULT_CONFIG_DIR, semantic_model="off")
    build_application(settings).run_polling(allowed_updates=ALLOWED_UPDATES)


async def measure(db_url: str, *, flood: int, gap_ms: float, questions: int) -> None:
    emulator = await Emulator().start()
    api = emulator.api
    proc = multiprocessing.get_context("spawn").Process(target=run_bot, args=(db_url, emulator.url))
    proc.start()
    try:
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), within=300)
        flooder = api.add_user(70_001, "Flooder")
        # the other side: readers who ask within their own question bucket (5 each, one after another)
        readers = [api.add_user(80_000 + i, f"Reader{i}") for i in range(max(1, questions // 5))]
        warm = len(api.sent)
        api.user_sends(api.add_user(79_999, "Warm"), "warm up: tariffs")
        await api.wait_until(lambda: len(api.sent) > warm, within=60)
        ids: list[str] = []

        async def flood_it() -> None:
            for n in range(flood):
                ids.append(api.inline_query(flooder, QUESTIONS[n % len(QUESTIONS)]))
                await asyncio.sleep(gap_ms / 1000)

        async def ask() -> list[float]:
            latencies = []
            for n in range(questions):
                reader = readers[n // 5 % len(readers)]
                start = len(api.sent)
                t = time.perf_counter()
                api.user_sends(reader, QUESTIONS[n % len(QUESTIONS)])
                await api.wait_until(
                    lambda s=start, r=reader: any(x.chat_id == r["id"] for x in api.sent[s:]), within=60)
                latencies.append(time.perf_counter() - t)
            return sorted(latencies)

        t0 = time.perf_counter()
        _, latencies = await asyncio.gather(flood_it(), ask())
        wall = time.perf_counter() - t0
        answered = [api.inline_answers.get(i) for i in ids]
        served = sum(1 for a in answered if a and a.get("results"))
        slowed = sum(1 for a in answered if a and "Slow down" in (a.get("button") or {}).get("text", ""))

        def p(q: float) -> float:
            return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

        print(f"flood: {flood} inline queries in {flood * gap_ms / 1000:.1f} s from one user: "
              f"{served} answered, {slowed} told to slow down, {flood - served - slowed} dropped")
        print(f"other reader: {len(latencies)} questions in {wall:.1f} s; reply latency ms: "
              f"p50 {p(0.5):.0f}  p90 {p(0.9):.0f}  p99 {p(0.99):.0f}  max {latencies[-1] * 1000:.0f}")
        print(f"target p99 <= 200 ms: {'met' if p(0.99) <= 200 else 'NOT met'}")
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.join, 60)
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flood", type=int, default=200, help="inline queries the flooder sends")
    parser.add_argument("--gap", type=float, default=5.0, help="milliseconds between them")
    parser.add_argument("--questions", type=int, default=100, help="questions the other reader asks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed_store(url)
        asyncio.run(measure(url, flood=args.flood, gap_ms=args.gap, questions=args.questions))


if __name__ == "__main__":
    main()
