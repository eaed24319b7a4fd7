"""How well forwarded posts find the claims they repeat, and how often an untracked post is wrongly
given one: CLEF CheckThat! 2020 tweets as the posts, its 10,375 verified claims as the store.

Every tweet there has a verified claim, so untracked posts are made by holding claims back: a
seeded half of the tweets has its gold claims removed from the index, and anything found for those
is a false alarm (pessimistic: the collection holds near-duplicate claims, which then count as
wrong). Each post is cut into statements (``claims.tipline.posts.statements_in``) and each statement
keeps what ``select_matches`` keeps at the minimum score tried; "whole post" asks the post as one
question (the old behaviour); claimbot does both (``match_post``: statements at the minimum plus
``STATEMENT_EXTRA``).

Tune ``POST_MIN_SCORE`` on ``train`` and report ``dev`` (the test split is held back):

    .venv/bin/python tests/bench/bench_tipline_posts.py --split train
    .venv/bin/python tests/bench/bench_tipline_posts.py --split dev
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from claims.catalog import load_catalog  # noqa: E402
from claims.search.documents import ClaimDoc, Match  # noqa: E402
from claims.search.match import Matcher  # noqa: E402
from claims.search.synonyms import load_synonyms  # noqa: E402
from claims.tipline.posts import (  # noqa: E402
    MATCHES_PER_STATEMENT,
    POST_MIN_SCORE,
    STATEMENT_EXTRA,
    select_matches,
    statements_in,
)
from tests.bench.bench_checkthat import load_claims, load_split  # noqa: E402

THRESHOLDS = (0.0, 0.6, 0.65, 0.7, 0.72, 0.74, 0.75, 0.76, 0.78, 0.8, 0.85)


def score(label: str, found: Callable[[str, float], set[int]], tweets: list[tuple[str, str]],
          gold: dict[str, set[int]], tracked: set[str]) -> None:
    """One line per threshold: hits and precision on tracked posts, false alarms on the others, and
    Youden's J (found minus false alarms), what the threshold is chosen by on train."""
    best = (-1.0, 0.0)
    for t in THRESHOLDS:
        hits = shown = right = alarms = 0
        for tweet_id, _ in tweets:
            got = found(tweet_id, t)
            if tweet_id in tracked:
                hits += bool(got & gold[tweet_id])
                shown += len(got)
                right += len(got & gold[tweet_id])
            else:
                alarms += bool(got)
        found_rate, alarm_rate = hits / len(tracked), alarms / (len(tweets) - len(tracked))
        best = max(best, (found_rate - alarm_rate, t))
        mark = "  <- POST_MIN_SCORE" if t == POST_MIN_SCORE and label.startswith("claimbot") else ""
        print(f"  {label:<22} min {t:.2f}: tracked posts found {found_rate:6.1%}, precision of shown "
              f"claims {right / max(shown, 1):6.1%}, untracked posts given a claim {alarm_rate:6.1%}, "
              f"J {found_rate - alarm_rate:+.3f}{mark}")
    print(f"  {label}: best J {best[0]:+.3f} at min {best[1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    claims = load_claims()
    tweets, qrels = load_split(args.split)
    tweets = [(i, text) for i, text in tweets if qrels.get(i)]
    rng = random.Random(args.seed)
    held = {i for i, _ in tweets if rng.random() < 0.5}
    removed = {c for i in held for c in qrels[i]}
    kept = [(vid, text, title) for vid, text, title in claims if vid not in removed]
    gold = {i: qrels[i] - removed for i, _ in tweets}
    tracked = {i for i, _ in tweets if gold[i]}
    catalog = load_catalog(ROOT / "config")
    started = time.perf_counter()
    matcher = Matcher.build((ClaimDoc(id=vid, text=text, title=title or None) for vid, text, title in kept),
                            catalog=catalog, synonyms=load_synonyms(ROOT / "config"))
    print(f"{args.split}: {len(tweets)} posts ({len(tracked)} tracked, {len(tweets) - len(tracked)} with "
          f"their claims held back); {len(kept):,} claims indexed in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    per_statement: dict[str, list[list[Match]]] = {}
    whole: dict[str, list[Match]] = {}
    statements = 0
    for tweet_id, text in tweets:
        found = statements_in(text, catalog=catalog)
        statements += len(found)
        per_statement[tweet_id] = [matcher.ask(st.query, limit=MATCHES_PER_STATEMENT) for st in found]
        whole[tweet_id] = matcher.ask(text, limit=MATCHES_PER_STATEMENT)
    elapsed = time.perf_counter() - started
    print(f"{statements / len(tweets):.1f} statements per post; "
          f"{1000 * elapsed / len(tweets):.1f} ms per post (statements and the whole post)\n")

    def by_statement(tweet_id: str, t: float) -> set[int]:
        return {m.claim_id for ms in per_statement[tweet_id] for m in select_matches(ms, min_score=t)}

    def as_one_question(tweet_id: str, t: float) -> set[int]:
        return {m.claim_id for m in select_matches(whole[tweet_id], min_score=t)}

    score("statements only", by_statement, tweets, gold, tracked)
    print()
    score("whole post only", as_one_question, tweets, gold, tracked)
    print()
    score("claimbot (both)", lambda i, t: as_one_question(i, t) | by_statement(i, t + STATEMENT_EXTRA),
          tweets, gold, tracked)


if __name__ == "__main__":
    main()
