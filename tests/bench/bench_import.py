"""Benchmark: `claimbot import` of N synthetic claims (issue target: 100,000 in under a minute).

Run: .venv/bin/python tests/bench/bench_import.py [--claims 100000] [--database-url URL]
Prints the wall time of the real CLI command on a fresh database, then checks export -> import.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEAKERS = ["Donald Trump", "Vladimir Putin", "Zelenskyy", "Mark Rutte", "Emmanuel Macron", None]
TOPICS = ["ceasefire", "greenland", "nato", "tariffs", "ukraine-russia-war", None]
WORDS = [
    "talks", "agreement", "border", "tariff", "alliance", "defense", "spending", "security",
    "islands", "arctic", "troops", "sanctions", "economy", "election", "voters", "market",
    "prices", "energy", "grain", "ports", "missiles", "drones", "treaty", "summit", "envoy",
    "concessions", "territory", "peace", "ports", "shipping",
]


def synthetic(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24))).capitalize() + "."
        row = {"text": f"{text} ({i})", "external_id": f"syn-{i}", "speaker": rng.choice(SPEAKERS),
               "topic": rng.choice(TOPICS)}
        if i % 3 == 0:
            row["source_url"] = f"https://news.example.org/{i // 3}"
            row["title"] = f"Story {i // 3}"
            row["published_at"] = "2025-03-13T12:00:00+00:00"
        if i % 10 == 0:
            row["verdict"] = rng.choice(["false", "accurate", "misleading"])
        lines.append(json.dumps(row))
    return lines


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"claimbot {' '.join(args)} failed: {proc.stderr}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--database-url")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "claims.jsonl"
        src.write_text("\n".join(synthetic(opts.claims)) + "\n", encoding="utf-8")
        env = dict(os.environ)
        env["CLAIMBOT_DATABASE_URL"] = opts.database_url or f"sqlite:///{tmpdir / 'bench.db'}"
        run(["db", "upgrade"], env)
        took, out = run(["import", str(src), "--json"], env)
        print(f"import {opts.claims:,} claims: {took:.1f} s  ({opts.claims / took:,.0f} claims/s) "
              f"-> {out.strip()}")
        took_again, out_again = run(["import", str(src), "--json"], env)
        print(f"re-import (all known): {took_again:.1f} s -> {out_again.strip()}")
        export_file = tmpdir / "export.jsonl"
        took_export, _ = run(["export", "--output", str(export_file)], env)
        lines = export_file.read_text(encoding="utf-8").count("\n")
        print(f"export: {took_export:.1f} s, {lines:,} lines")
        print(f"target: 100,000 claims imported in < 60 s: "
              f"{'MET' if opts.claims >= 100_000 and took < 60 else 'see figures'}")


if __name__ == "__main__":
    main()
