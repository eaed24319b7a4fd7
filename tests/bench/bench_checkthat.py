"""CLEF CheckThat! 2020 task 2 (English): tweets against 10,375 verified claims, MAP@5.

Scores the matcher next to the reference baselines, measured in the same run on the same split:
BM25 with stop words and Snowball stemming (a plain implementation, as in the task's baseline),
rapidfuzz ``token_set_ratio`` and rapidfuzz ``WRatio`` over all claims. Tune on ``train`` or
``train`` only (the re-ranker is trained on 2020 train and on 2021 train less the 2020 dev
tweets, see train_ranker.py): ``dev`` is held out, and the test split is held back on purpose.

    .venv/bin/python tests/bench/bench_checkthat.py                 # dev, in-process
    .venv/bin/python tests/bench/bench_checkthat.py --split train
    .venv/bin/python tests/bench/bench_checkthat.py --cli           # through claimbot import/ask
    .venv/bin/python tests/bench/bench_checkthat.py --no-fuzzy      # skip the slow WRatio scan
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import snowballstemmer
from rapidfuzz import fuzz, process

from claims.catalog import load_catalog
from claims.search.documents import ClaimDoc
from claims.search.match import Matcher
from claims.search.synonyms import load_synonyms

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "bench" / "checkthat2020"

csv.field_size_limit(sys.maxsize)


def load_claims(data: Path = DATA) -> list[tuple[int, str, str]]:
    """(vclaim_id, vclaim, title); fields hold quoted newlines, hence the csv module."""
    with (data / "verified_claims.docs.tsv").open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh, delimiter="\t")
        next(rows)
        return [(int(r[0]), r[1], r[2] if len(r) > 2 else "") for r in rows if r]


def load_split(split: str, data: Path = DATA) -> tuple[list[tuple[str, str]], dict[str, set[int]]]:
    """Tweets (tweet_id, text) and qrels (tweet_id -> relevant vclaim ids) of one split."""
    with (data / split / "tweets.queries.tsv").open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh, delimiter="\t")
        next(rows)
        tweets = [(r[0], r[1]) for r in rows if r]
    qrels: dict[str, set[int]] = {}
    for line in (data / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] != "0":
            qrels.setdefault(parts[0], set()).add(int(parts[2]))
    return tweets, qrels


def average_precision_at_5(ranked: Sequence[int], relevant: set[int]) -> float:
    hits = 0
    total = 0.0
    for k, doc in enumerate(ranked[:5], start=1):
        if doc in relevant:
            hits += 1
            total += hits / k
    return total / min(len(relevant), 5) if relevant else 0.0


def evaluate(
    name: str,
    rank: Callable[[str], Sequence[int]],
    tweets: list[tuple[str, str]],
    qrels: dict[str, set[int]],
) -> float:
    started = time.perf_counter()
    aps = []
    empty = 0
    for tweet_id, text in tweets:
        ranked = list(rank(text))
        empty += not ranked
        aps.append(average_precision_at_5(ranked, qrels.get(tweet_id, set())))
    elapsed = time.perf_counter() - started
    score = sum(aps) / len(aps)
    print(
        f"{name:<34} MAP@5 {score:.4f}   {1000 * elapsed / len(tweets):8.2f} ms/tweet"
        f"   no answer: {empty}/{len(tweets)}"
    )
    return score


# -- the stemmed BM25 reference ------------------------------------------------------------------

_BASELINE_STOP = frozenset(
    (
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
        "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
        "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
        "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
        "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
        "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she",
        "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
        "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until",
        "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
        "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves"
    )
)


class BM25Baseline:
    """Okapi BM25 (k1 1.2, b 0.75) over claim + title, stop words removed, Snowball stems."""

    def __init__(self, docs: list[tuple[int, str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.stemmer = snowballstemmer.stemmer("english")
        self.k1, self.b = k1, b
        self.ids = [d for d, _ in docs]
        self.tfs = [Counter(self.tokens(text)) for _, text in docs]
        self.lengths = [sum(tf.values()) for tf in self.tfs]
        self.avgdl = sum(self.lengths) / len(self.lengths)
        df: Counter[str] = Counter()
        self.postings: dict[str, list[int]] = {}
        for i, tf in enumerate(self.tfs):
            for term in tf:
                df[term] += 1
                self.postings.setdefault(term, []).append(i)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def tokens(self, text: str) -> list[str]:
        words = re.findall(r"\w+", text.lower())
        return self.stemmer.stemWords([w for w in words if w not in _BASELINE_STOP])

    def rank(self, query: str, limit: int = 5) -> list[int]:
        scores: dict[int, float] = {}
        for term in set(self.tokens(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i in self.postings[term]:
                tf = self.tfs[i][term]
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avgdl)
                scores[i] = scores.get(i, 0.0) + idf * tf * (self.k1 + 1) / norm
        best = sorted(scores, key=scores.__getitem__, reverse=True)[:limit]
        return [self.ids[i] for i in best]


# -- through the command line --------------------------------------------------------------------

def run_cli(claims: list[tuple[int, str, str]], tweets: list[tuple[str, str]]) -> list[list[int]]:
    """Import the claims with ``claimbot import`` into a fresh database, ask with ``--batch``."""
    import json
    import os
    import subprocess
    import tempfile

    exe = Path(sys.executable).with_name("claimbot")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CLAIMBOT_DATABASE_URL": f"sqlite:///{tmp}/checkthat.db"}
        claims_file = Path(tmp) / "claims.jsonl"
        with claims_file.open("w", encoding="utf-8") as fh:
            for vid, text, title in claims:
                record = {"external_id": f"checkthat:{vid}", "text": text, "title": title}
                fh.write(json.dumps(record) + "\n")
        questions = Path(tmp) / "tweets.txt"
        questions.write_text(
            "".join(" ".join(text.split()) + "\n" for _, text in tweets), encoding="utf-8"
        )
        started = time.perf_counter()
        subprocess.run([exe, "import", claims_file], env=env, check=True, capture_output=True)
        print(f"claimbot import: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        out = subprocess.run(
            [exe, "ask", "--batch", questions, "--json", "--limit", "5"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout
        print(f"claimbot ask --batch: {time.perf_counter() - started:.1f} s")
    ranked = []
    for line in out.splitlines():
        answer = json.loads(line)
        ranked.append(
            [int(str(m["claim"]["external_id"]).split(":")[1]) for m in answer["matches"]]
        )
    return ranked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "train"], default="dev")
    parser.add_argument("--cli", action="store_true", help="also measure through claimbot")
    parser.add_argument("--no-fuzzy", action="store_true", help="skip the WRatio scan")
    args = parser.parse_args()

    claims = load_claims()
    tweets, qrels = load_split(args.split)
    print(f"CheckThat! 2020 {args.split}: {len(tweets)} tweets, {len(claims)} verified claims")

    catalog = load_catalog(ROOT / "config")
    started = time.perf_counter()
    matcher = Matcher.build(
        (ClaimDoc(id=vid, text=text, title=title or None) for vid, text, title in claims),
        catalog=catalog,
        synonyms=load_synonyms(ROOT / "config"),
    )
    print(f"matcher build: {time.perf_counter() - started:.2f} s")
    evaluate("claimbot matcher (ask, limit 5)", lambda q: [m.claim_id for m in
             matcher.ask(q, limit=5)], tweets, qrels)
    evaluate("claimbot first stage (BM25 order)", lambda q: matcher.first_stage(q, limit=5),
             tweets, qrels)

    bm25 = BM25Baseline([(vid, f"{text} {title}") for vid, text, title in claims])
    evaluate("BM25 + stop words + Snowball", bm25.rank, tweets, qrels)

    texts = [text for _, text, _ in claims]
    ids = [vid for vid, _, _ in claims]

    def fuzzy(scorer: Callable[..., float]) -> Callable[[str], list[int]]:
        return lambda q: [ids[i] for _, _, i in process.extract(q, texts, scorer=scorer, limit=5)]

    evaluate("rapidfuzz token_set_ratio", fuzzy(fuzz.token_set_ratio), tweets, qrels)
    if not args.no_fuzzy:
        evaluate("rapidfuzz WRatio", fuzzy(fuzz.WRatio), tweets, qrels)

    if args.cli:
        ranked = iter(run_cli(claims, tweets))
        evaluate("claimbot ask --batch (CLI)", lambda _q: next(ranked), tweets, qrels)


if __name__ == "__main__":
    main()
