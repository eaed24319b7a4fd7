"""Benchmark: the web pages at 100,000 claims, in process (ASGI, no network) and then through
uvicorn on loopback (real HTTP, one connection kept alive, one request at a time).

Targets (issue 24): a claim page p99 <= 20 ms, a search p99 <= 30 ms, the desk's queue p99 <= 50 ms.

The store is the synthetic one of ``bench_import.py`` (claims by six speakers in six topics, a third
with sources, a tenth with verdicts) plus the sample articles, imported in process and kept in the
temporary folder for the run. Claim pages are random ids; searches are the labelled chat questions
(tests/claims/questions) and their lower-cased keyword forms; the desk's queue is its first page
under each filter (none, a topic, a speaker, a verdict, retracted) and later pages.

With ``--more``, also the other public pages, which have no target: a speaker's page and a topic's
(first pages and later ones), and the front page.

Run: nice -n 10 .venv/bin/python tests/bench/bench_web.py [--claims 100000] [--requests 400] [--store DIR]
     [--more]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from urllib.parse import urlencode

import httpx
import uvicorn
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: reach tests.*

from bot.web.app import build_web_app  # noqa: E402
from bot.web.auth import widget_hash  # noqa: E402
from bot.web.filters import speaker_path  # noqa: E402
from claims.ingest.sources import load_file  # noqa: E402
from claims.samples import SAMPLES_DIR  # noqa: E402
from claims.service import ClaimService  # noqa: E402
from claims.settings import DEFAULT_CONFIG_DIR, Settings  # noqa: E402
from claims.store.transfer.records import parse_record  # noqa: E402
from tests.bench.bench_import import synthetic  # noqa: E402
from tests.claims.questions.labelled import load_questions  # noqa: E402

TOKEN = "123456789:AABenchmarkTokenForTheWebPages_abcdefg"
ADMIN = 4242
TARGETS = {"claim page": 20.0, "search": 30.0, "desk queue": 50.0}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def store_settings(folder: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{folder / 'web.db'}", telegram_token=SecretStr(TOKEN),
                        admin_ids=frozenset({ADMIN}), config_dir=DEFAULT_CONFIG_DIR,
                        web_base_url="https://factcheck.example.org", index_dir=folder / "index")


def build_store(folder: Path, n: int) -> Settings:
    settings = store_settings(folder)
    if (folder / "web.db").exists():
        print(f"store: reusing {folder / 'web.db'}")
        return settings
    claims = ClaimService.open(settings)
    start = time.perf_counter()
    records = [r for i, line in enumerate(synthetic(n), 1) if (r := parse_record(line, lineno=i))]
    claims.import_records(records)
    for path in sorted(SAMPLES_DIR.glob("*.txt")):
        claims.ingest(load_file(path, canonical_url=f"https://news.example/{path.name}"))
    claims.load_index()
    claims.save_index()
    claims.close()
    print(f"store: {n:,} synthetic claims + the sample articles in {time.perf_counter() - start:.1f} s")
    return settings


def login_query() -> str:
    data = {"id": str(ADMIN), "first_name": "Bench", "auth_date": str(int(time.time()))}
    data["hash"] = widget_hash(data, TOKEN)
    return urlencode(data)


def workloads(n: int, requests: int, rng: random.Random, *, speakers: Sequence[str] = ()
              ) -> dict[str, list[str]]:
    questions = [q.text for q in load_questions()]
    questions += [" ".join(w for w in q.lower().replace("?", "").split() if len(w) > 3) for q in questions]
    filters = [{}, {"topic": "tariffs"}, {"speaker": "Trump"}, {"verdict": "false"}, {"status": "retracted"},
               {"topic": "greenland", "speaker": "Rutte"}, {"page": "7"}, {"topic": "nato", "page": "3"}]
    work = {
        "claim page": [f"/claims/{rng.randint(1, n)}" for _ in range(requests)],
        "search": [f"/search?{urlencode({'q': rng.choice(questions)})}" for _ in range(requests)],
        "desk queue": [f"/desk/?{urlencode(rng.choice(filters))}" for _ in range(requests)],
    }
    if speakers:  # --more: the speakers' own pages, given by their paths
        topics = ["tariffs", "greenland", "nato", "ceasefire", "ukraine-russia-war", "general"]
        work["speaker page"] = [f"{rng.choice(speakers)}?page={rng.choice([1, 1, 2, 10, 200])}"
                                for _ in range(requests)]
        work["topic page"] = [f"/topics/{rng.choice(topics)}?page={rng.choice([1, 1, 2, 10, 200])}"
                              for _ in range(requests)]
        work["front page"] = ["/"] * requests
    return work


async def measure(get: Callable[[str], Awaitable[httpx.Response]], paths: Sequence[str]) -> list[float]:
    for path in paths[:20]:  # warm up: templates compiled, caches filled
        await get(path)
    took = []
    for path in paths:
        start = time.perf_counter()
        response = await get(path)
        took.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    return took


def report(where: str, results: dict[str, list[float]]) -> bool:
    met = True
    for name, took in results.items():
        p50, p99 = percentile(took, 50), percentile(took, 99)
        target = TARGETS.get(name)
        ok = target is None or p99 <= target
        met &= ok
        verdict = "no target" if target is None else \
            f"target p99 <= {target:.0f} ms: {'met' if ok else 'MISSED'}"
        print(f"  {where:10} {name:12} n={len(took):4}  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  ({verdict})")
    return met


async def run(settings: Settings, requests: int, n: int, *, more: bool = False) -> bool:
    claims = ClaimService.open(settings)
    app = build_web_app(claims, bot_username="bench_bot", freeze_heap=True)  # as `claimbot web` does
    # the search limit is per client; the benchmark is one client asking far faster than a reader
    app.state.web.search_flood.burst = 10**9
    speakers = []
    for speaker_id in range(1, 7) if more else ():  # the synthetic store's speakers come first
        ref = claims.speaker_listing(speaker_id, limit=1, offset=0).speaker
        assert ref is not None
        speakers.append(speaker_path(ref.id, ref.name))
    work = workloads(n, requests, random.Random(5), speakers=speakers)
    met = True
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            assert (await client.get(f"/auth/telegram?{login_query()}")).status_code == 303
            met &= report("in-process", {k: await measure(client.get, v) for k, v in work.items()})

        # IPPROTO_TCP, not socket()'s protocol 0: asyncio sets TCP_NODELAY only on sockets that say
        # TCP, and without it every answer (headers, then body) waits 40 ms for a delayed ACK
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        try:
            async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=60) as client:
                assert (await client.get(f"/auth/telegram?{login_query()}")).status_code == 303
                met &= report("uvicorn", {k: await measure(client.get, v) for k, v in work.items()})
        finally:
            server.should_exit = True
            await task
    claims.close()
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="requests per kind and per transport")
    parser.add_argument("--more", action="store_true", help="also the speaker, topic and front pages")
    parser.add_argument("--store", type=Path, metavar="DIR",
                        help="keep the store in DIR and reuse it next time (default: a temporary folder)")
    opts = parser.parse_args()
    os.environ.setdefault("CLAIMBOT_SEMANTIC_MODEL", "off")
    with tempfile.TemporaryDirectory() as tmp:
        folder = opts.store or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        settings = build_store(folder, opts.claims)
        met = asyncio.run(run(settings, opts.requests, opts.claims, more=opts.more))
    print(f"targets at {opts.claims:,} claims: {'all met' if met else 'NOT all met'}")


if __name__ == "__main__":
    main()
