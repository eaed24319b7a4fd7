"""Train the re-ranker and the no-match calibrator; report what they do on every split we have.

Training questions: CheckThat! 2020 train (against the 2020 claims), CheckThat! 2021 train (against
the 2021 claims) and the labelled chat questions of tests/claims/questions (answerable and
off-topic). The 2021 train split contains the 2020 dev tweets (195 of its 991); those are left out
of training so that 2020 dev stays held out. The features go to tests/claims/ranker_features.npz
(numbers only) and the weights to claims/search/ranker.json; tests/claims/test_rerank.py refits
from the first and compares with the second.

    .venv/bin/python tests/bench/train_ranker.py            # features, weights, report
    .venv/bin/python tests/bench/train_ranker.py --report   # report on the shipped weights only

Report: MAP@5 of the first stage (BM25 order) and of the full ranking on 2020 train and 2021 train
(in-sample), 2021 train by 5-fold cross-validation, 2020 dev (held out); the labelled set's top-1,
top-3 and off-topic answers; and the precision/recall of answering vs not answering on the chat
questions, by 5-fold cross-validation.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: reach tests.*

from claims.catalog import load_catalog  # noqa: E402
from claims.search.features import RAW_FEATURES  # noqa: E402
from claims.search.match import ClaimDoc, Matcher, load_synonyms  # noqa: E402
from claims.search.rerank import (  # noqa: E402
    CHAT,
    CHECKTHAT,
    MODEL_PATH,
    OFF_TOPIC,
    Group,
    Model,
    average_precision,
    derive,
    load_groups,
    load_model,
    save_groups,
    select,
    top_probability,
    train,
)
from tests.claims.questions import labelled  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
FEATURE_FILE = ROOT / "tests" / "claims" / "ranker_features.npz"
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class Labelled:
    """A training group with what the report needs beside it."""

    group: Group
    text: str  # the question (never written to the feature file)
    expect: frozenset[int]
    claim_ids: tuple[int, ...]


# -- data ----------------------------------------------------------------------------------------


def _tsv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh, delimiter="\t")
        next(rows)
        return [r for r in rows if r]


def _qrels(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] != "0":
            out.setdefault(parts[0], set()).add(parts[2])
    return out


def checkthat2020(split: str) -> tuple[list[ClaimDoc], list[tuple[str, frozenset[int]]]]:
    base = SHARED / "checkthat2020"
    docs = [ClaimDoc(id=int(r[0]), text=r[1], title=(r[2] if len(r) > 2 else "") or None)
            for r in _tsv(base / "verified_claims.docs.tsv")]
    qrels = _qrels(base / split / "tweet-vclaim-pairs.qrels")
    tweets = [(r[1], frozenset(int(c) for c in qrels.get(r[0], ())))
              for r in _tsv(base / split / "tweets.queries.tsv")]
    return docs, tweets


def checkthat2021() -> tuple[list[ClaimDoc], list[tuple[str, frozenset[int]]]]:
    base = SHARED / "checkthat2021"
    rows = _tsv(base / "CT2021-Task2A-EN-Verified_Claims.txt")
    ids = {r[0]: i for i, r in enumerate(rows)}
    docs = [ClaimDoc(id=ids[r[0]], text=r[1], title=(r[2] if len(r) > 2 else "") or None)
            for r in rows]
    qrels = _qrels(base / "EN_train_QRELs.txt")
    tweets = [(r[1], frozenset(ids[c] for c in qrels.get(r[0], ()) if c in ids))
              for r in _tsv(base / "EN_train_queries.tsv")]
    return docs, tweets


def same_text(text: str) -> str:
    return " ".join(text.split())


# -- features ------------------------------------------------------------------------------------


def groups_for(
    matcher: Matcher, questions: Iterable[tuple[str, frozenset[int]]], kind: int
) -> list[Labelled]:
    out = []
    for text, expect in questions:
        found = matcher.candidates(text)
        if found is None:
            raw = np.zeros((0, len(RAW_FEATURES)))
            ids: tuple[int, ...] = ()
        else:
            raw = found.features[:, : len(RAW_FEATURES)]
            ids = tuple(found.claim_ids)
        relevant = np.array([c in expect for c in ids], bool)
        group = Group(raw, relevant, kind if expect or kind == CHECKTHAT else OFF_TOPIC,
                      n_relevant=len(expect))
        out.append(Labelled(group, text, expect, ids))
    return out


# -- report --------------------------------------------------------------------------------------


def map5(model: Model | None, items: list[Labelled]) -> float:
    return float(np.mean([
        average_precision(model, x.group.raw, x.group.relevant, x.group.n_relevant)
        if len(x.group.raw) else 0.0
        for x in items
    ]))


def chat_quality(model: Model, items: list[Labelled]) -> tuple[float, float, int, int, int]:
    """top-1, top-3 over answerable questions; off-topic answered; answerable; off-topic."""
    top1 = top3 = off = answerable = off_total = 0
    for x in items:
        picked: list[int] = []
        if len(x.group.raw):
            feats = derive(x.group.raw)
            scores = model.scores(feats)
            picked = select(model, scores, model.probabilities(feats, scores),
                            np.zeros(len(scores)), 3)
        got = [x.claim_ids[i] for i in picked]
        if x.expect:
            answerable += 1
            top1 += bool(got) and got[0] in x.expect
            top3 += any(g in x.expect for g in got)
        else:
            off_total += 1
            off += bool(got)
    return top1 / answerable, top3 / answerable, off, answerable, off_total


def folds(n: int, k: int = 5) -> list[np.ndarray]:
    order = np.random.default_rng(12).permutation(n)
    return [order[i::k] for i in range(k)]


def cross_validate_2021(train20: list[Labelled], t21: list[Labelled], chat: list[Labelled]) -> None:
    firsts: list[float] = []
    ranked: list[float] = []
    fulls: list[float] = []
    for test in folds(len(t21)):
        held = {same_text(t21[i].text) for i in test}
        rest = [x for i, x in enumerate(t21) if i not in set(test.tolist())]
        train_groups = [x.group for x in train20 if same_text(x.text) not in held]
        model = train([*train_groups, *(x.group for x in rest), *(x.group for x in chat)])
        items = [t21[i] for i in test]
        firsts.append(map5(None, items) * len(items))
        ranked.append(map5(replace(model, threshold=0.0, follow=0.0), items) * len(items))
        fulls.append(map5(model, items) * len(items))
    n = len(t21)
    print(f"  CheckThat! 2021 train, 5-fold CV ({n} tweets): first stage {sum(firsts) / n:.4f}"
          f"   re-ranked {sum(ranked) / n:.4f}   full {sum(fulls) / n:.4f}")


def precision_recall(checkthat: list[Group], chat: list[Labelled]) -> None:
    """Answer vs no answer on the chat questions, probabilities from 5-fold cross-validation."""
    probs = np.zeros(len(chat))
    right = np.zeros(len(chat), bool)
    for test in folds(len(chat)):
        held = set(test.tolist())
        model = train([*checkthat, *(x.group for i, x in enumerate(chat) if i not in held)])
        for i in test:
            x = chat[i]
            if not len(x.group.raw):
                continue
            probs[i] = top_probability(model, x.group.raw)
            feats = derive(x.group.raw)
            best = int(np.argmax(model.scores(feats)))
            right[i] = x.claim_ids[best] in x.expect
    answerable = np.array([bool(x.expect) for x in chat])
    print(f"  answer vs no answer on {answerable.sum()} answerable + {(~answerable).sum()} "
          "off-topic chat questions (5-fold CV probabilities):")
    print("    threshold  answered  precision  recall  off-topic answered")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        ans = probs >= t
        correct = ans & right & answerable
        precision = correct.sum() / ans.sum() if ans.sum() else 1.0
        recall = correct.sum() / answerable.sum()
        print(f"    {t:9.2f}  {ans.sum():8d}  {precision:9.3f}  {recall:6.3f}  "
              f"{(ans & ~answerable).sum():4d}/{(~answerable).sum()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="report on the shipped weights")
    args = parser.parse_args()
    started = time.perf_counter()
    catalog = load_catalog(ROOT / "config")
    synonyms = load_synonyms(ROOT / "config")
    bare = Model.bm25_only()

    docs20, train20_q = checkthat2020("train")
    _, dev20_q = checkthat2020("dev")
    docs21, train21_q = checkthat2021()
    m20 = Matcher.build(docs20, catalog=catalog, synonyms=synonyms, model=bare)
    m21 = Matcher.build(docs21, catalog=catalog, synonyms=synonyms, model=bare)
    lab = Matcher.build(labelled.load_docs(catalog), catalog=catalog, synonyms=synonyms, model=bare)
    dev_texts = {same_text(t) for t, _ in dev20_q}

    train20 = groups_for(m20, train20_q, CHECKTHAT)
    dev20 = groups_for(m20, dev20_q, CHECKTHAT)
    all21 = groups_for(m21, train21_q, CHECKTHAT)
    train21 = [x for x in all21 if same_text(x.text) not in dev_texts]
    chat = groups_for(lab, ((q.text, frozenset(q.expect)) for q in labelled.load_questions()), CHAT)
    print(f"features in {time.perf_counter() - started:.1f} s: 2020 train {len(train20)}, "
          f"2021 train {len(train21)} of {len(all21)} (2020 dev tweets left out), "
          f"chat {len(chat)} ({sum(1 for x in chat if not x.expect)} off-topic)")

    if args.report:
        model = load_model()
    else:
        save_groups([x.group for x in (*train20, *train21, *chat)], FEATURE_FILE)
        model = train(load_groups(FEATURE_FILE))
        MODEL_PATH.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {FEATURE_FILE.relative_to(ROOT)} ({FEATURE_FILE.stat().st_size // 1024} KB) "
              f"and {MODEL_PATH.relative_to(ROOT)}; threshold {model.threshold}, "
              f"follow {model.follow}")

    uncut = replace(model, threshold=0.0, follow=0.0)
    print("MAP@5                                   first stage   re-ranked   full (with no-match)")
    for name, items in (("CheckThat! 2020 train (in-sample)", train20),
                        ("CheckThat! 2021 train (in-sample)", train21),
                        ("CheckThat! 2020 dev (held out)", dev20)):
        print(f"  {name:<38} {map5(None, items):.4f}      {map5(uncut, items):.4f}"
              f"      {map5(model, items):.4f}")
    top1, top3, off, answerable, off_total = chat_quality(model, chat)
    print(f"  labelled chat set (in-sample): top-1 {top1:.3f}  top-3 {top3:.3f}  "
          f"off-topic answered {off}/{off_total}  ({answerable} answerable)")
    cross_validate_2021(train20, all21, chat)
    precision_recall([x.group for x in (*train20, *train21)], chat)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
