"""Start-up cost: a one-off ``claimbot ask`` on a store of N claims, against the same on an empty store.

The first ask on the big store builds the index from the store and saves its snapshot; every later
one loads the snapshot and catches up from the revision log. Each figure is the median wall time of
``--runs`` real ``claimbot ask`` processes, with the peak memory (RSS) of the slowest.

    .venv/bin/python tests/bench/bench_startup.py                 # 100,000 claims
    .venv/bin/python tests/bench/bench_startup.py --claims 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_bot import build_store, questions  # noqa: E402

from claims.store import db  # noqa: E402

CLAIMBOT = Path(sys.executable).with_name("claimbot")


_MEASURE = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)
"""A small go-between: a child forked from this (large) benchmark process would report the
benchmark's own memory as its peak, so a fresh interpreter forks ``claimbot`` and reports its peak."""


def ask_once(url: str, question: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``claimbot ask`` process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    env["CLAIMBOT_DATABASE_URL"] = url
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(CLAIMBOT), "ask", question, "--json"], env=env,
                          capture_output=True, text=True, check=False)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"claimbot ask failed: {proc.stderr}")
    return took, int(proc.stderr.strip().splitlines()[-1]) / 1024


def timed(label: str, url: str, question: str, runs: int) -> float:
    results = [ask_once(url, question) for _ in range(runs)]
    median = statistics.median(t for t, _ in results)
    print(f"  {label}: median {median:.2f} s over {runs} runs (min {min(t for t, _ in results):.2f}, "
          f"max {max(t for t, _ in results):.2f}); peak RSS {max(r for _, r in results):.0f} MB")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        empty = f"sqlite:///{Path(tmp) / 'empty.db'}"
        engine = db.make_engine(empty)
        db.upgrade(engine)
        engine.dispose()
        big = f"sqlite:///{Path(tmp) / 'big.db'}"
        records = build_store(big, args.claims, rng)
        question = questions(records, 1, rng)[0]
        print(f"\nclaimbot ask, {args.claims:,} claims (SQLite):")
        base = timed("empty store", empty, question, args.runs)
        first, first_peak = ask_once(big, question)
        print(f"  first ask, index built from the store and saved: {first:.2f} s, "
              f"peak RSS {first_peak:.0f} MB")
        snap = timed("later asks, from the snapshot", big, question, args.runs)
        print(f"  => {snap - base:+.2f} s over the empty store (target: within 1 s at 100k, under 5 s at 1M)")


if __name__ == "__main__":
    main()
