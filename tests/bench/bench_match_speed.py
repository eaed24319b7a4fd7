"""Speed and memory of the question matcher at 1k / 10k / 100k / 1M claims, beside a naive scan.

With ``--views`` the claims are also written to a SQLite store and each question is answered the
way ``claimbot ask --batch`` does it: the matcher, then the views of all matches in one query, then
their JSON. That end-to-end path is timed (p50/p99) and its marginal cost per question is compared
with the WRatio scan of the same run.

Synthetic distractor claims (Zipf-distributed words, 500 speakers, the catalog's topics) are mixed
with the labelled fixture claims from tests/claims/questions; each size is asked the labelled
questions plus paraphrased synthetic ones. Per size it prints build time, the index's memory
(resident set growth while building), p50/p99 per question for the matcher and for naive
``rapidfuzz.process.extract(query, texts, scorer=WRatio)`` over all claim texts in the same run,
and whether the labelled questions still find their claims among the distractors (top-3).

    .venv/bin/python tests/bench/bench_match_speed.py                     # 1k 10k 100k 1M
    .venv/bin/python tests/bench/bench_match_speed.py --sizes 1000 100000
    .venv/bin/python tests/bench/bench_match_speed.py --sizes 100000 --views
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlmodel import Session, SQLModel

from claims.catalog import load_catalog
from claims.search.documents import ClaimDoc
from claims.search.match import Matcher
from claims.search.synonyms import load_synonyms
from claims.store.models import Article, Claim, ClaimAppearance, Speaker, Topic
from claims.store.views import claim_to_json, get_claims

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: reach tests.claims.questions

from tests.claims.questions import labelled as labelled_set  # noqa: E402

SYLLABLES = [a + b for a in "bcdfghklmnprstvwz" for b in ("a", "e", "i", "o", "u", "ar", "en")]
COMMON = [
    *("the a of to and in that is was for on it with as he said be by at have from not but this",
      "are will would has had they we been more their about which new people year one all also"),
]
COMMON = [w for chunk in COMMON for w in chunk.split(" ")]


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def synthetic_docs(n: int, start_id: int, catalog, rng: random.Random) -> list[ClaimDoc]:
    vocab = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(60_000)})
    rng.shuffle(vocab)
    cum = list(itertools.accumulate(1.0 / (r + 1) ** 1.05 for r in range(len(vocab))))
    speakers = [f"{rng.choice(vocab).title()} {rng.choice(vocab).title()}" for _ in range(500)]
    topics = [t for t in catalog.topics]
    docs = []
    for i in range(n):
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(6, 18))
        for _ in range(rng.randint(3, 8)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(COMMON))
        topic = rng.choice(topics)
        docs.append(
            ClaimDoc(
                id=start_id + i,
                text=" ".join(words).capitalize() + ".",
                speaker=rng.choice(speakers),
                topic=topic.slug,
                topic_name=topic.name,
                title=" ".join(rng.choices(vocab, cum_weights=cum, k=6)).title(),
            )
        )
    return docs


def paraphrase(doc: ClaimDoc, rng: random.Random) -> str:
    """Drop a third of the words and misspell one: how a user half-remembers a claim."""
    words = [w for w in doc.text.rstrip(".").split() if rng.random() > 0.33] or doc.text.split()
    i = rng.randrange(len(words))
    if len(words[i]) > 5:
        j = rng.randrange(1, len(words[i]) - 1)
        words[i] = words[i][:j] + words[i][j + 1 :]
    return " ".join(words) + "?"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


NOW = datetime(2025, 1, 1, tzinfo=UTC)


def write_store(docs: list[ClaimDoc], path: Path) -> sa.Engine:
    """The claims in a fresh SQLite store, one source article per claim (bulk inserts)."""
    engine = sa.create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    speakers = sorted({d.speaker for d in docs if d.speaker})
    topics = sorted({(d.topic, d.topic_name or d.topic) for d in docs if d.topic})
    speaker_id = {name: i + 1 for i, name in enumerate(speakers)}
    topic_id = {slug: i + 1 for i, (slug, _) in enumerate(topics)}
    with engine.begin() as conn:
        conn.execute(sa.insert(Speaker.__table__), [  # type: ignore[attr-defined]
            {"id": i, "name": n, "kind": "person", "created_at": NOW} for n, i in speaker_id.items()])
        conn.execute(sa.insert(Topic.__table__), [  # type: ignore[attr-defined]
            {"id": topic_id[slug], "slug": slug, "name": name, "created_at": NOW} for slug, name in topics])
        for start in range(0, len(docs), 20_000):
            chunk = docs[start : start + 20_000]
            conn.execute(sa.insert(Article.__table__), [  # type: ignore[attr-defined]
                {"id": start + i + 1, "url": f"https://news.example.org/{start + i}",
                 "title": d.title, "content_hash": "x", "text": "", "version": 1,
                 "published_at": d.published_at, "fetched_at": NOW}
                for i, d in enumerate(chunk)])
            conn.execute(sa.insert(Claim.__table__), [  # type: ignore[attr-defined]
                {"id": d.id, "text": d.text, "speaker_id": speaker_id.get(d.speaker or ""),
                 "topic_id": topic_id.get(d.topic or ""), "fingerprint": str(d.id),
                 "kind": "direct", "verdict": "unverified", "status": "active", "revision": 1,
                 "created_at": NOW, "updated_at": NOW}
                for d in chunk])
            conn.execute(sa.insert(ClaimAppearance.__table__), [  # type: ignore[attr-defined]
                {"claim_id": d.id, "article_id": start + i + 1, "sentence": d.text, "start": 0, "end": 1,
                 "created_at": NOW}
                for i, d in enumerate(chunk)])
    return engine


def answer_batch(matcher: Matcher, session: Session, questions: list[str]) -> list[float]:
    """``ask --batch``-style: matcher, one query for the views, JSON; seconds per question."""
    times = []
    for q in questions:
        t = time.perf_counter()
        found = matcher.ask(q, limit=3)
        views = {v.id: v for v in get_claims(session=session, claim_ids=[m.claim_id for m in found])}
        [claim_to_json(views[m.claim_id]) for m in found if m.claim_id in views]
        times.append(time.perf_counter() - t)
    return times


def run(size: int, labelled, catalog, synonyms, naive_questions: int, views: bool = False) -> None:
    rng = random.Random(size)
    fixtures = labelled.load_docs(catalog)
    docs = fixtures + synthetic_docs(size - len(fixtures), 1_000_000_000, catalog, rng)
    questions = [q for q in labelled.load_questions()]
    targets = rng.sample(docs[len(fixtures) :], 200)
    synthetic_qs = [(paraphrase(d, rng), d.id) for d in targets]
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    matcher = Matcher.build(docs, catalog=catalog, synonyms=synonyms)
    build = time.perf_counter() - started
    gc.collect()
    memory = rss_mb() - before

    times = []
    found = answerable = 0
    for q in questions:
        t = time.perf_counter()
        got = matcher.ask(q.text)
        times.append(time.perf_counter() - t)
        if q.expect:
            answerable += 1
            found += any(m.claim_id in q.expect for m in got)
    synthetic_found = 0
    for text, target in synthetic_qs:
        t = time.perf_counter()
        got = matcher.ask(text)
        times.append(time.perf_counter() - t)
        synthetic_found += any(m.claim_id == target for m in got)
    for text in ("", " ", "x" * 10_000, "🙂" * 50):
        assert matcher.ask(text) == [] or text.startswith("x")

    texts = [d.text for d in docs]
    sample = rng.sample([q.text for q in questions] + [t for t, _ in synthetic_qs],
                        naive_questions)
    naive = []
    for text in sample:
        t = time.perf_counter()
        process.extract(text, texts, scorer=fuzz.WRatio, limit=3)
        naive.append(time.perf_counter() - t)

    if views:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            engine = write_store(docs, Path(tmp) / "claims.db")
            asked = [q.text for q in questions] + [t for t, _ in synthetic_qs]
            with Session(engine) as session:
                answer_batch(matcher, session, asked[:20])  # warm the connection and caches
                e2e = answer_batch(matcher, session, asked)
            engine.dispose()
        e50, e99 = pct(e2e, 0.5) * 1e3, pct(e2e, 0.99) * 1e3
        mean = 1e3 * sum(e2e) / len(e2e)
        n_mean = 1e3 * sum(naive) / len(naive)
        print(f"{size:>9,} | matcher + claim views (ask --batch style) p50 {e50:6.2f} ms "
              f"p99 {e99:6.2f} ms mean {mean:6.2f} ms | WRatio mean {n_mean:8.1f} ms | "
              f"marginal cost {n_mean / mean:5.0f}x below WRatio", flush=True)

    p50, p99 = pct(times, 0.5) * 1e3, pct(times, 0.99) * 1e3
    n50, n99 = pct(naive, 0.5) * 1e3, pct(naive, 0.99) * 1e3
    print(
        f"{size:>9,} | build {build:6.2f} s | index +{memory:7.1f} MB | "
        f"matcher p50 {p50:6.2f} ms p99 {p99:6.2f} ms | "
        f"WRatio p50 {n50:8.1f} ms p99 {n99:8.1f} ms (n={len(naive)}) | "
        f"speed-up p50 {n50 / p50:6.0f}x p99 {n99 / p99:5.0f}x | "
        f"labelled top-3 {found}/{answerable} | synthetic top-3 {synthetic_found}/200",
        flush=True,
    )
    del matcher, docs, texts
    gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--views", action="store_true",
                        help="also time matcher + claim views from a SQLite store")
    args = parser.parse_args()
    labelled = labelled_set
    catalog = load_catalog(ROOT / "config")
    synonyms = load_synonyms(ROOT / "config")
    print(f"{len(labelled.load_questions())} labelled + 200 synthetic questions per size; "
          "naive scan on a sample")
    for size in args.sizes:
        naive = 100 if size <= 10_000 else 20 if size <= 100_000 else 5
        run(size, labelled, catalog, synonyms, naive, args.views)


if __name__ == "__main__":
    main()
