"""Everyday questions about any news: claimbot beside plain BM25 (and a sentence model) on one store.

Run from the repository root:

    nice -n 10 .venv/bin/python tests/bench/bench_everyday.py [train|heldout|tuning] [--semantic MODEL_PATH]
                                                              [--store FILE.db] [-v]

* ``train``: the tuning set ``everyday/polnear_train.jsonl`` over all 840 PolNeAR train articles.
* ``heldout``: ``everyday/polnear_dev.jsonl`` and ``everyday/own.jsonl`` over the 84 PolNeAR dev
  articles plus the own articles (``everyday/articles/*.txt``: first line the headline, second the
  date). Held out: only figures by style are printed, never a question or its answer.
* ``tuning``: the matcher developer's own small set ``everyday/matcher_tuning.jsonl`` over the
  PolNeAR train store (a development aid; tuned on).

The store is built through the real ingest pipeline (as ``bench_open_world.py`` does); ``--store``
keeps it in a SQLite file and reuses it when it exists (extraction is not what is measured here).

**Gold rule** (the same for every system): an answer to an answerable question is right when the
returned claim has the gold article among its sources and its own words (the quote, else the text)
overlap the gold content span by at least half of the shorter side's distinct word tokens
(casefolded ``\\w+`` tokens). Top-k counts a question right when any of the first k claims is.
Unanswerable questions (``offtopic``, ``near_miss``) count as answered when the system returns any
claim as an answer; claimbot's "not sure" offers are reported apart.

Baselines (``pip install -e ".[bench]"``): bm25s over the claims' texts with Snowball stemming and
English stop words, never refusing; with ``--semantic``, the model's cosine alone (all claims, never
refusing). With ``--semantic`` claimbot also runs with the extra, as the service does: the matcher with a
``SemanticIndex`` on that model and the ranker weights trained for it (``semantic_model_for``).
Embeddings are cached in /tmp/claimbot-embeddings (``embedding_cache.py``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from sqlmodel import Session, col, select  # noqa: E402

from claims.catalog import Catalog, load_catalog  # noqa: E402
from claims.ingest.pipeline import ingest_article  # noqa: E402
from claims.ingest.sources import ArticleInput  # noqa: E402
from claims.search.encoder import Encoder  # noqa: E402
from claims.search.gate import Gate  # noqa: E402
from claims.search.match import Matcher  # noqa: E402
from claims.search.synonyms import load_synonyms  # noqa: E402
from claims.settings import DEFAULT_CONFIG_DIR  # noqa: E402
from claims.store import db  # noqa: E402
from claims.store.claim_docs import claim_docs  # noqa: E402
from claims.store.models import Article, Claim, ClaimStatus  # noqa: E402
from claims.store.views import ClaimView, get_claims  # noqa: E402

POLNEAR = ROOT.parent / "shared" / "bench" / "polnear"
SETS = Path(__file__).with_name("everyday")
STYLES = ("keywords", "natural", "paraphrase", "speaker", "typos")
UNANSWERABLE = ("offtopic", "near_miss")
_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})_")
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    style: str
    answerable: bool
    article: str = ""
    content: str = ""


def load_questions(path: Path) -> list[Question]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Question(d["id"], d["question"], d["style"], bool(d["answerable"]),
                                d.get("article", ""), d.get("content", "")))
    return out


# ---------------------------------------------------------------------------- the store


def _polnear_inputs(text_dir: Path) -> list[ArticleInput]:
    out = []
    for path in sorted(text_dir.glob("*.txt")):
        outlet = path.name.split("_", 1)[0]
        m = _DATE.search(path.name)
        when = datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC) if m else None
        url = f"https://{outlet}.example/{path.stem}"
        out.append(ArticleInput(text=path.read_text(encoding="utf-8"), url=url, canonical_url=url,
                                title=path.stem, outlet=outlet, published_at=when))
    return out


def _own_inputs(folder: Path) -> list[ArticleInput]:
    out = []
    for path in sorted(folder.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        headline, date, body = lines[0].strip(), lines[1].strip(), "\n".join(lines[2:]).strip()
        try:
            when: datetime | None = datetime.fromisoformat(date[:10]).replace(tzinfo=UTC)
        except ValueError:
            when, body = None, "\n".join(lines[1:]).strip()
        url = f"https://own.example/{path.stem}"
        out.append(ArticleInput(text=body, url=url, canonical_url=url, title=headline,
                                outlet="own", published_at=when))
    return out


def open_store(path: Path, inputs: Sequence[ArticleInput], catalog: Catalog) -> Callable[[], Session]:
    """A session factory on the store at ``path``, first ingesting those of ``inputs`` it lacks
    (by URL, oldest first: a kept store grows by the articles added since)."""
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)

    def factory() -> Session:
        return Session(engine, expire_on_commit=False)

    with factory() as session:
        have = set(session.exec(select(Article.url)))
    todo = [a for a in inputs if a.url not in have]
    if todo:
        started = time.perf_counter()
        for art in sorted(todo, key=lambda a: (a.published_at or datetime(1970, 1, 1, tzinfo=UTC),
                                               a.url or "")):
            with factory() as session:
                ingest_article(art, session=session, catalog=catalog)
                session.commit()
        print(f"ingested {len(todo)} articles in {time.perf_counter() - started:.0f} s")
    return factory


# ---------------------------------------------------------------------------- gold


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(text.casefold()))


def overlaps(a: str, b: str) -> bool:
    """At least half of the shorter span's distinct word tokens are in the other span."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    return len(ta & tb) >= 0.5 * min(len(ta), len(tb))


def is_right(view: ClaimView, q: Question) -> bool:
    if not any(s.url and s.url.rsplit("/", 1)[-1] == q.article for s in view.sources):
        return False
    return overlaps(view.quote or view.text, q.content)


# ---------------------------------------------------------------------------- systems


class Bm25Baseline:
    """bm25s with Snowball stemming and English stop words over the claims' texts, never refusing."""

    def __init__(self, views: Sequence[ClaimView]) -> None:
        import bm25s
        import snowballstemmer

        self._stemmer = snowballstemmer.stemmer("english")
        self._ids = [v.id for v in views]
        self._bm25s = bm25s
        self._retriever = bm25s.BM25()
        self._retriever.index(bm25s.tokenize([v.text for v in views], stopwords="en",
                                             stemmer=self._stemmer.stemWords, show_progress=False),
                              show_progress=False)

    def ask(self, question: str, k: int = 3) -> list[int]:
        tokens = self._bm25s.tokenize([question], stopwords="en", stemmer=self._stemmer.stemWords,
                                      show_progress=False)
        if not tokens.vocab:
            return []
        docs, scores = self._retriever.retrieve(tokens, k=k, show_progress=False)
        return [self._ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def sentence_encoder(model_path: str) -> Encoder:
    """The model behind the benchmarks' on-disk embedding cache."""
    from embedding_cache import CachedEncoder

    from claims.search.encoder import SentenceEncoder

    return CachedEncoder(SentenceEncoder(model_path))


def with_the_extra(encoder: Encoder, session: Session, catalog: Catalog,
                   synonyms: dict[str, list[str]]) -> Matcher:
    """claimbot with the semantic extra, as the service builds it: the matcher with a
    ``SemanticIndex`` on ``encoder``, every claim embedded, and the ranker weights trained for
    that encoder."""
    from claims.search.rerank import semantic_model_for
    from claims.search.semantic import SemanticIndex

    semantic = SemanticIndex(encoder)
    matcher = Matcher.build(claim_docs(session=session), catalog=catalog, synonyms=synonyms,
                            semantic=semantic, semantic_model=semantic_model_for(encoder.name, encoder.dim))
    semantic.fill()
    encoder.save()  # type: ignore[attr-defined]
    return matcher


class CosineBaseline:
    """The sentence model's cosine alone over every claim's text, never refusing."""

    def __init__(self, encoder: Encoder, views: Sequence[ClaimView]) -> None:
        import numpy as np

        self._np = np
        self._encoder = encoder
        self._ids = [v.id for v in views]
        self._vectors = np.asarray(encoder.encode([v.text for v in views]), np.float32)
        encoder.save()  # type: ignore[attr-defined]

    def ask(self, question: str, k: int = 3) -> list[int]:
        v = self._np.asarray(self._encoder.encode([question]), self._np.float32)[0]
        order = self._np.argsort(-(self._vectors @ v))[:k]
        return [self._ids[int(i)] for i in order]


@dataclass
class Tally:
    top1: int = 0
    top3: int = 0
    offered: int = 0  # not sure, but the right claim among the offers
    asked: int = 0


def evaluate(name: str, ask: Callable[[str], tuple[list[int], list[int]]], questions: Sequence[Question],
             views: dict[int, ClaimView], verbose: bool) -> dict[str, Tally]:
    """Per style: answerable top-1/top-3 (and offers); unanswerable: how many got an answer."""
    out: dict[str, Tally] = defaultdict(Tally)
    for q in questions:
        answers, offers = ask(q.text)
        t = out[q.style]
        t.asked += 1
        if not q.answerable:
            t.top1 += bool(answers)
            t.offered += bool(offers)
            if verbose and answers:
                print(f"  [{name}] answered {q.id} {q.text!r}: #{answers[0]} {views[answers[0]].text[:90]!r}")
            continue
        hits = [is_right(views[c], q) for c in answers[:3]]
        t.top1 += bool(hits[:1] and hits[0])
        t.top3 += any(hits)
        t.offered += any(is_right(views[c], q) for c in offers[:3])
        if verbose and not (hits[:1] and hits[0]):
            got = views[answers[0]].text[:90] if answers else (
                "offer: " + views[offers[0]].text[:80] if offers else "-")
            print(f"  [{name}] miss {q.id} ({q.style}) {q.text!r}: {got!r}  gold: {q.content[:80]!r}")
    return out


def report(name: str, tallies: dict[str, Tally], with_offers: bool) -> None:
    answerable = [tallies[s] for s in STYLES if s in tallies]
    n = sum(t.asked for t in answerable)
    cells = []
    for s in STYLES:
        if s in tallies:
            t = tallies[s]
            cells.append(f"{s} {t.top1}/{t.top3}/{t.asked}")
    line = f"{name:<22}"
    if n:
        top1 = sum(t.top1 for t in answerable) / n
        top3 = sum(t.top3 for t in answerable) / n
        line += f" top-1 {top1:.3f} top-3 {top3:.3f} (n={n})"
        if with_offers:
            got = sum(t.top3 + t.offered for t in answerable) / n
            line += f"; answered or offered {got:.3f}"
    un = [(s, tallies[s]) for s in UNANSWERABLE if s in tallies]
    if un:
        answered = sum(t.top1 for _, t in un)
        total = sum(t.asked for _, t in un)
        line += f"; unanswerable answered {answered}/{total} (" + ", ".join(
            f"{s} {t.top1}/{t.asked}" for s, t in un) + ")"
        if with_offers:
            line += f", offered something {sum(t.offered for _, t in un)}/{total}"
    print(line)
    print(" " * 23 + "by style top-1/top-3/n: " + "; ".join(cells))


# ---------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", nargs="?", default="train", choices=("train", "heldout", "tuning"))
    parser.add_argument("--semantic", metavar="MODEL_PATH", help="also the sentence model's cosine alone")
    parser.add_argument("--store", type=Path, help="keep the store in this SQLite file (reused if present)")
    parser.add_argument("--no-gate", action="store_true", help="also claimbot without the answer gate")
    parser.add_argument("--articles", type=int, metavar="N",
                        help="store only the questions' articles plus N others (a quick look, not a figure)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every miss (refused for held-out sets)")
    args = parser.parse_args(argv)
    if args.set == "heldout":
        args.verbose = False  # never look at held-out questions one by one
        files = [SETS / "polnear_dev.jsonl", SETS / "own.jsonl"]
        inputs = [*_polnear_inputs(POLNEAR / "dev" / "text"), *_own_inputs(SETS / "articles")]
    else:
        files = [SETS / ("polnear_train.jsonl" if args.set == "train" else "matcher_tuning.jsonl")]
        inputs = _polnear_inputs(POLNEAR / "train" / "text")
    questions = [q for f in files if f.exists() for q in load_questions(f)]
    if not questions:
        sys.exit(f"no questions in {', '.join(str(f) for f in files)}")
    if args.articles is not None:
        wanted = {q.article for q in questions if q.answerable}
        named = [a for a in inputs if (a.url or "").rsplit("/", 1)[-1] in wanted]
        inputs = named + [a for a in inputs if a not in named][: args.articles]
    catalog = load_catalog(DEFAULT_CONFIG_DIR)
    synonyms = load_synonyms(DEFAULT_CONFIG_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        factory = open_store(args.store or Path(tmp) / "everyday.db", inputs, catalog)
        with factory() as session:
            ids = list(session.exec(select(Claim.id).where(col(Claim.status) == ClaimStatus.ACTIVE.value)))
            views = {v.id: v for v in get_claims(session=session, claim_ids=ids)}
            matcher = Matcher.build(claim_docs(session=session), catalog=catalog, synonyms=synonyms)
            ungated = Matcher.build(claim_docs(session=session), catalog=catalog, synonyms=synonyms,
                                    gate=Gate()) if args.no_gate else None
            encoder = sentence_encoder(args.semantic) if args.semantic else None
            semantic = with_the_extra(encoder, session, catalog, synonyms) if encoder else None
        print(f"{args.set}: {len(questions)} questions, store {len(views)} claims")

        def claimbot(text: str) -> tuple[list[int], list[int]]:
            answers = [m.claim_id for m in matcher.ask(text, limit=3)]
            offers = [] if answers else [m.claim_id for m in matcher.related(text, limit=3)]
            return answers, offers

        def without_gate(text: str) -> tuple[list[int], list[int]]:
            assert ungated is not None
            answers = [m.claim_id for m in ungated.ask(text, limit=3)]
            return answers, [] if answers else [m.claim_id for m in ungated.related(text, limit=3)]

        bm25 = Bm25Baseline(list(views.values()))
        systems: list[tuple[str, Callable[[str], tuple[list[int], list[int]]], bool]] = [
            ("claimbot", claimbot, True),
            ("bm25s (stemmed)", lambda t: (bm25.ask(t), []), False),
        ]
        if ungated is not None:
            systems.insert(1, ("claimbot without gate", without_gate, True))
        if semantic is not None and encoder is not None:

            def extra(text: str) -> tuple[list[int], list[int]]:
                answers = [m.claim_id for m in semantic.ask(text, limit=3)]
                return answers, [] if answers else [m.claim_id for m in semantic.related(text, limit=3)]

            systems.insert(1, ("claimbot + extra", extra, True))
            cosine = CosineBaseline(encoder, list(views.values()))
            systems.append(("cosine alone", lambda t: (cosine.ask(t), []), False))
        for name, ask, offers in systems:
            started = time.perf_counter()
            tallies = evaluate(name, ask, questions, views, args.verbose)
            report(name, tallies, offers)
            print(" " * 23 + f"({(time.perf_counter() - started) / len(questions) * 1000:.1f} ms a question)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
