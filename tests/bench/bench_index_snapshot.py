"""Saving and loading the matcher (issue 10, part 3): load time and peak memory at 100k and 1M claims.

Per size: build the matcher from synthetic claims (as bench_match_speed.py makes them), save it,
then in fresh processes (so that peak memory is the process's own):

* ``empty``: a process that imports claimbot's matcher and builds an empty one (the floor);
* ``load``: loads the snapshot and answers one question;
* ``rebuild``: what start-up costs without a snapshot (building from the same ClaimDocs);
* ``bm25s``: bm25s (if installed) indexing the same texts, then saving and memory-mapping them back.

Each prints wall time and peak resident memory (``ru_maxrss``).

    .venv/bin/python tests/bench/bench_index_snapshot.py                  # 100k and 1M
    .venv/bin/python tests/bench/bench_index_snapshot.py --sizes 100000 --rebuild-up-to 0
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: reach tests.*


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it does not carry over
    from the parent through fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, path: str, extra: str) -> None:
    """Runs in a fresh process; prints one JSON line of figures."""
    started = time.perf_counter()
    from claims.catalog import load_catalog
    from claims.search import snapshot
    from claims.search.match import Matcher
    from claims.search.synonyms import load_synonyms

    catalog = load_catalog(ROOT / "config")
    synonyms = load_synonyms(ROOT / "config")
    imported = time.perf_counter()
    out: dict[str, float] = {}
    if mode == "empty":
        Matcher(catalog, synonyms).ask("Greenland")
    elif mode == "load":
        matcher, _ = snapshot.load(Path(path), catalog=catalog, synonyms=synonyms)
        out["loaded_s"] = time.perf_counter() - imported
        t = time.perf_counter()
        matcher.ask(extra)
        out["first_question_ms"] = 1e3 * (time.perf_counter() - t)
    elif mode == "rebuild":
        with open(path, "rb") as fh:
            docs = pickle.load(fh)
        t = time.perf_counter()
        Matcher.build(docs, catalog=catalog, synonyms=synonyms)
        out["built_s"] = time.perf_counter() - t
    elif mode == "bm25s":
        import bm25s

        texts = Path(path).read_text(encoding="utf-8").splitlines()
        t = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False),
                        show_progress=False)
        out["built_s"] = time.perf_counter() - t
        out["build_peak_mb"] = peak_mb()
        retriever.save(extra)
    elif mode == "bm25s-load":
        import bm25s

        t = time.perf_counter()
        bm25s.BM25.load(path, mmap=True)
        out["loaded_s"] = time.perf_counter() - t
    out["total_s"] = time.perf_counter() - started
    out["peak_mb"] = peak_mb()
    print(json.dumps(out))


def spawn(mode: str, path: str = "", extra: str = "") -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, path, extra],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(size: int, rebuild: bool) -> None:
    from bench_match_speed import synthetic_docs

    from claims.catalog import load_catalog
    from claims.search import snapshot
    from claims.search.match import Matcher
    from claims.search.synonyms import load_synonyms
    from tests.claims.questions import labelled

    catalog = load_catalog(ROOT / "config")
    synonyms = load_synonyms(ROOT / "config")
    fixtures = labelled.load_docs(catalog)
    docs = fixtures + synthetic_docs(size - len(fixtures), 1_000_000_000, catalog, random.Random(size))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        matcher = Matcher.build(docs, catalog=catalog, synonyms=synonyms)
        built = time.perf_counter() - t
        snap = Path(tmp) / "claims.idx"
        t = time.perf_counter()
        snapshot.save(matcher, snap, mark=size)
        saved = time.perf_counter() - t
        del matcher
        texts = Path(tmp) / "texts.txt"
        texts.write_text("".join(" ".join(d.text.split()) + "\n" for d in docs), encoding="utf-8")
        pickled = Path(tmp) / "docs.pickle"
        if rebuild:
            with pickled.open("wb") as fh:
                pickle.dump(docs, fh)
        del docs
        print(f"{size:>9,} claims: build {built:.1f} s, save {saved:.2f} s, "
              f"snapshot {snap.stat().st_size / 2**20:.0f} MB", flush=True)
        empty = spawn("empty")
        loaded = spawn("load", str(snap), "What did Rutte say about Greenland?")
        rows = [("empty matcher (floor)", empty), ("load snapshot + 1 question", loaded)]
        if rebuild:
            rows.append(("rebuild from ClaimDocs", spawn("rebuild", str(pickled))))
        bm25s_dir = Path(tmp) / "bm25s"
        rows.append(("bm25s index (build)", spawn("bm25s", str(texts), str(bm25s_dir))))
        if bm25s_dir.exists():
            rows.append(("bm25s load (mmap)", spawn("bm25s-load", str(bm25s_dir))))
        for name, figures in rows:
            shown = "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                              for k, v in figures.items())
            print(f"    {name:<28} {shown}", flush=True)
        if "total_s" in loaded and "total_s" in empty:
            print(f"    load minus empty start: {loaded['total_s'] - empty['total_s']:.2f} s; "
                  f"peak memory {loaded['peak_mb']:.0f} MB", flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rebuild-up-to", type=int, default=100_000,
                        help="time a rebuild for sizes up to this (default 100000)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    for size in args.sizes:
        run(size, size <= args.rebuild_up_to)


if __name__ == "__main__":
    main()
