"""Quality of the question matcher on the labelled set in tests/claims/questions.

Prints top-1 and top-3 over answerable questions, the off-topic false-positive rate, and every
miss with what was returned, so a regression shows exactly which phrasing broke.

    .venv/bin/python tests/bench/bench_match_quality.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from claims.catalog import load_catalog
from claims.search.match import Matcher
from claims.search.synonyms import load_synonyms

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: reach tests.claims.questions

from tests.claims.questions import labelled as labelled_set  # noqa: E402


def main() -> None:
    labelled = labelled_set
    catalog = load_catalog(ROOT / "config")
    matcher = Matcher.build(
        labelled.load_docs(catalog), catalog=catalog, synonyms=load_synonyms(ROOT / "config")
    )
    questions = labelled.load_questions()
    started = time.perf_counter()
    quality = labelled.evaluate(matcher, questions)
    elapsed = time.perf_counter() - started
    print(f"claims: {len(matcher)}  questions: {len(questions)} "
          f"({quality.answerable} answerable, {quality.off_topic} off-topic)")
    print(f"top-1: {quality.top1:.3f}  top-3: {quality.top3:.3f}  "
          f"off-topic answered: {quality.off_topic_answered}/{quality.off_topic} "
          f"({quality.off_topic_rate:.3f})  answered or offered (top-3): {quality.answered_or_offered:.3f}"
          f"  time: {1000 * elapsed / len(questions):.2f} ms/question")
    for q, got in quality.misses:
        shown = [(m.claim_id, m.score, m.why) for m in matcher.ask(q.text)]
        print(f"  MISS [{q.kind}] {q.text!r} expect {list(q.expect)} got {list(got)}")
        for row in shown:
            print(f"        {row}")


if __name__ == "__main__":
    main()
