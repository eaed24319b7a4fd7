"""Questions to a running bot while ``claimbot import`` writes 100,000 claims into the same store.

The bot runs in its own process (the production factory and ``run_polling``) against the loopback
Bot API emulator; a second process runs ``claimbot import`` of a JSON Lines file into the same
database. Simulated users ask questions one after another (closed loop) until the import ends, and
the latency of every answer is recorded: from the update being available to the bot until the
emulator receives the reply. A baseline with no import running comes first.

    .venv/bin/python tests/bench/bench_contention.py                       # SQLite
    .venv/bin/python tests/bench/bench_contention.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python tests/bench/bench_contention.py --import-claims 20000 --base-claims 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from bench_bot import ask_all, build_store, questions, run_bot, synthetic_records  # noqa: E402

from tests.bot.emulator import Emulator  # noqa: E402

CLAIMBOT = Path(sys.executable).with_name("claimbot")


def write_import_file(path: Path, n: int, rng: random.Random) -> None:
    """``n`` new claims as ``claimbot import`` reads them (ids distinct from the base store's)."""
    with path.open("w", encoding="utf-8") as fh:
        for i, rec in enumerate(synthetic_records(n, rng)):
            fh.write(json.dumps({
                "text": rec.text, "external_id": f"import-{i}", "speaker": rec.speaker,
                "topic": rec.topic, "title": rec.title, "source_url": f"{rec.source_url}-import",
                "published_at": rec.published_at.isoformat() if rec.published_at else None,
            }) + "\n")


def percentiles(latencies: list[float]) -> str:
    def p(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return (f"{len(latencies):,} answers: p50 {p(0.5):.0f} ms, p90 {p(0.9):.0f} ms, p99 {p(0.99):.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms")


async def measure(db_url: str, import_file: Path, asked: list[str], users: int, baseline: int) -> None:
    emulator = await Emulator().start()
    api = emulator.api
    bot = multiprocessing.get_context("spawn").Process(target=run_bot, args=(db_url, emulator.url, False))
    bot.start()
    try:
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), within=600)
        people = [api.add_user(10_000 + i, f"User{i}") for i in range(users)]
        latencies, _ = await ask_all(api, people, asked[:baseline])
        print(f"  no import running:     {percentiles(latencies)}")

        env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
        env["CLAIMBOT_DATABASE_URL"] = db_url
        # the lexical matcher is what is measured: with the semantic extra installed, the import
        # would otherwise open (and offline, fail to fetch) the default model
        env["CLAIMBOT_SEMANTIC_MODEL"] = os.environ.get("CLAIMBOT_SEMANTIC_MODEL", "off")
        t0 = time.perf_counter()
        importer = await asyncio.create_subprocess_exec(
            str(CLAIMBOT), "import", str(import_file), "--json", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        during: list[float] = []
        rest = iter(asked[baseline:] * 100)

        async def keep_asking() -> None:
            while importer.returncode is None:
                got, _ = await ask_all(api, people, [next(rest) for _ in range(users)])
                during.extend(got)

        asker = asyncio.create_task(keep_asking())
        out, err = await importer.communicate()
        took = time.perf_counter() - t0
        await asker
        print(f"  import: exit {importer.returncode} in {took:.1f} s "
              f"{out.decode().strip()[:160]}{err.decode().strip()[:300]}")
        print(f"  during the import:     {percentiles(sorted(during))}")
    finally:
        bot.terminate()
        await asyncio.to_thread(bot.join, 60)
        await emulator.stop()


def fresh_postgres_schema(url: str) -> str:
    """A private schema in the given database, for this run only."""
    schema = f"bench_contention_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-claims", type=int, default=10_000)
    parser.add_argument("--import-claims", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1, help="people asking at once")
    parser.add_argument("--baseline", type=int, default=200, help="questions asked before the import")
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL instead of SQLite")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-contention-") as tmp:
        url = fresh_postgres_schema(args.postgres) if args.postgres else f"sqlite:///{Path(tmp) / 'bench.db'}"
        records = build_store(url, args.base_claims, rng)
        import_file = Path(tmp) / "import.jsonl"
        write_import_file(import_file, args.import_claims, rng)
        asked = questions(records, 2000, rng)
        store = "PostgreSQL" if args.postgres else "SQLite"
        print(f"\n{store}: {args.base_claims:,} claims, importing {args.import_claims:,} more, "
              f"{args.users} user(s) asking:")
        asyncio.run(measure(url, import_file, asked, args.users, args.baseline))


if __name__ == "__main__":
    main()
