"""Changed-position flag and timeline speed (issue 25).

Run from the repository root:

    .venv/bin/python tests/bench/bench_positions.py [quality] [--split tune|heldout|all] [-v]
    nice -n 10 .venv/bin/python tests/bench/bench_positions.py speed [--claims 100000] [--timeline 1000]

quality: the labelled pairs in ``tests/bench/positions/pairs.jsonl`` (one speaker, one subject,
earlier and later statement, labelled changed / repeated / unrelated from the texts alone, never from
this system's output; see that folder's README) through ``claims.positions.compare``, the rule the
bot applies to a new claim and each earlier claim of its speaker. Precision and recall of the
"changed" flag, by origin. The rules were written looking at the ``tune`` split only; ``heldout``
is the figure to report.

speed: a store of N claims (one speaker holds T of them, spread over T dated articles), then the
full timeline of that speaker (every claim, through ``ClaimService.timeline``) and a 10-claim page,
each timed 200 times; p50 and p99. The start-up state is frozen first, as the long-running
processes do (``bot/heap.py``; ``--no-freeze`` leaves it to the collector).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from claims.catalog import load_catalog  # noqa: E402
from claims.positions.compare import Relation, compare  # noqa: E402
from claims.positions.rules import PositionRules  # noqa: E402
from claims.settings import DEFAULT_CONFIG_DIR  # noqa: E402

PAIRS = Path(__file__).with_name("positions") / "pairs.jsonl"


def quality(split: str, verbose: bool) -> None:
    rules = PositionRules.from_catalog(load_catalog(DEFAULT_CONFIG_DIR))
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = [p for p in pairs if split == "all" or p["split"] == split]
    by_origin: dict[str, Counter[str]] = {}
    for p in chosen:
        got = compare(p["earlier"], p["later"], rules)
        flagged = got.relation is Relation.CHANGED
        truth = p["label"] == "changed"
        key = "tp" if flagged and truth else "fp" if flagged else "fn" if truth else "tn"
        for origin in (p["origin"], "all"):
            by_origin.setdefault(origin, Counter())[key] += 1
        if verbose and key in {"fp", "fn"}:
            print(f"  {key} {p['id']} [{p['label']}] {got.reason or '-'} {got.detail or ''}\n"
                  f"     earlier: {p['earlier']}\n     later:   {p['later']}")
    print(f"changed-position flag on {split} pairs ({len(chosen)}):")
    for origin, c in sorted(by_origin.items(), key=lambda kv: kv[0] != "all"):
        flagged, actual = c["tp"] + c["fp"], c["tp"] + c["fn"]
        precision = c["tp"] / flagged if flagged else float("nan")
        recall = c["tp"] / actual if actual else float("nan")
        print(f"  {origin:14} precision {precision:.3f} ({c['tp']}/{flagged})  recall {recall:.3f} "
              f"({c['tp']}/{actual})  pairs {sum(c.values())}")


def speed(n_claims: int, n_timeline: int, *, freeze: bool = True) -> None:
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa
    from sqlmodel import Session

    from bot.heap import freeze_loaded_state
    from claims.service import ClaimService
    from claims.settings import Settings
    from claims.store.models import Article, Claim, ClaimAppearance, Speaker, Topic
    from claims.store.said import refresh_said_at

    folder = tempfile.mkdtemp()
    os.environ["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    os.environ["CLAIMBOT_INDEX_DIR"] = folder
    os.environ.setdefault("CLAIMBOT_SEMANTIC_MODEL", "off")
    service = ClaimService.open(Settings())
    start = datetime(2020, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    with service.engine.begin() as conn:
        conn.execute(sa.insert(Speaker.__table__), [  # type: ignore[attr-defined]
            {"id": i, "name": f"Speaker {i}", "slug": f"speaker-{i}", "kind": "person",
             "created_at": start} for i in range(1, 201)])
        conn.execute(sa.insert(Topic.__table__), [  # type: ignore[attr-defined]
            {"id": i, "slug": f"topic-{i}", "name": f"Topic {i}", "kind": "discovered",
             "created_at": start} for i in range(1, 51)])
        articles = n_claims // 10
        conn.execute(sa.insert(Article.__table__), [  # type: ignore[attr-defined]
            {"id": i, "url": f"https://bench.example/{i}", "canonical_url": f"https://bench.example/{i}",
             "title": f"Article {i}", "outlet": "bench", "text": "", "content_hash": f"h{i}",
             "published_at": start + timedelta(hours=i), "fetched_at": start}
            for i in range(1, articles + 1)])
        rows, appearances = [], []
        for i in range(1, n_claims + 1):
            speaker = 1 if i <= n_timeline else 2 + i % 199
            article = (i * 7919) % articles + 1
            rows.append({"id": i, "speaker_id": speaker, "topic_id": 1 + i % 50,
                         "text": f"Statement number {i} about subject {i % 50}.", "kind": "direct",
                         "verdict": "unverified", "status": "active", "revision": 1, "fingerprint": f"f{i}",
                         "created_at": start, "updated_at": start})
            appearances.append({"claim_id": i, "article_id": article, "sentence_index": 0, "sentence": "",
                                "start": 0, "end": 0, "confidence": 1.0, "created_at": start})
        conn.execute(sa.insert(Claim.__table__), rows)  # type: ignore[attr-defined]
        conn.execute(sa.insert(ClaimAppearance.__table__), appearances)  # type: ignore[attr-defined]
    with Session(service.engine) as session:  # what ingest and import keep: each claim's date said
        refresh_said_at(session=session)
        session.commit()
    del rows, appearances
    if freeze:
        freeze_loaded_state()  # as `claimbot run` and `claimbot web` do once started (bot/heap.py)
    built = time.perf_counter() - t0
    print(f"store: {n_claims:,} claims, {n_timeline:,} by one speaker, built in {built:.1f} s")
    cases = [(f"full timeline ({n_timeline} claims)", {}), ("first page (10 claims)", {"limit": 10}),
             ("one topic", {"topic": "Topic 7"})]
    for label, kwargs in cases:
        times = []
        for _ in range(200):
            t = time.perf_counter()
            tl = service.timeline("Speaker 1", **kwargs)  # type: ignore[arg-type]
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        print(f"  {label:32} entries {len(tl.entries):5}  p50 {statistics.median(times):6.1f} ms"
              f"  p99 {times[int(len(times) * 0.99) - 1]:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", default="quality", choices=["quality", "speed"])
    parser.add_argument("--split", default="heldout", choices=["tune", "heldout", "all"])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--timeline", type=int, default=1_000)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--no-freeze", action="store_true",
                        help="speed: leave the start-up state to the collector (bot/heap.py explains)")
    args = parser.parse_args()
    if args.mode == "quality":
        quality(args.split, args.verbose)
    else:
        speed(args.claims, args.timeline, freeze=not args.no_freeze)


if __name__ == "__main__":
    main()
