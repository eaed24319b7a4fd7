"""Choose the answer gate's limits (``claims/search/gate.json``) by leave-one-world-out.

Run from the repository root:

    nice -n 10 .venv/bin/python tests/bench/choose_gate.py [--store FILE.db] [--everyday SET.jsonl]
                                                           [--write]

Worlds: CheckThat! 2020 train, CheckThat! 2021 train (less the 2020 dev tweets), our labelled chat
questions over the seed and the shipped samples (``tests/claims/questions``), and everyday questions
over PolNeAR train articles (``--store``: a store ``bench_everyday.py --store`` built; the set is
``everyday/polnear_train.jsonl`` when it exists, else the matcher's own tuning set). Never a
held-out set.

For every question the shipped ranker picks its best claim; the calibrator's probability must clear
the shipped threshold and the claim must match a typed word, as when serving. A question that asks
about a speaker is judged as ``Matcher.ask`` does: on the speaker's own claims first, then on
everyone's. A gate's utility on a
world is (right answers - ``WRONG_COST`` x wrong answers) / questions, where an answer to an
unanswerable question is wrong. For each world the limits that serve the *other* worlds best
(their mean utility) are judged on it; the shipped limits serve all worlds best.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

import bench_everyday  # noqa: E402
import train_ranker  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from claims.catalog import load_catalog  # noqa: E402
from claims.search.gate import GATE_PATH, Gate, question_words, signals  # noqa: E402
from claims.search.match import Matcher  # noqa: E402
from claims.search.rerank import derive, load_model  # noqa: E402
from claims.search.synonyms import load_synonyms  # noqa: E402
from claims.store.claim_docs import claim_docs  # noqa: E402
from claims.store.models import Claim, ClaimStatus  # noqa: E402
from claims.store.views import get_claims  # noqa: E402
from tests.claims.questions import labelled  # noqa: E402

WRONG_COST = 2.0
"""A wrong answer costs twice what a refused right one does: readers trust answers."""
COVERS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
UNMATCHED = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2)
NAMES = (1.0, 0.5, 0.34, 0.0)
WORDS = (4.0, 6.0, 8.0, 12.0)


@dataclass
class Pass:
    """Per question, one of ``Matcher.passes``: its top candidate's gate signals (zeros: no
    candidate), question words, whether the calibrator and the typed-word rule let it answer, and
    whether it is a right answer."""

    sig: np.ndarray
    words: np.ndarray
    passes_model: np.ndarray
    right: np.ndarray

    def answered(self, gate: Gate) -> np.ndarray:
        return gate.allows(self.sig, self.words) & self.passes_model


@dataclass
class World:
    name: str
    first: Pass  # the speaker's own claims when the question asks about one, else everyone's
    wider: Pass  # everyone's claims, for questions that ask about a speaker (else no candidate)
    answerable: np.ndarray  # bool

    def answered(self, gate: Gate) -> np.ndarray:
        return self.first.answered(gate) | self.wider.answered(gate)

    def outcome(self, gate: Gate) -> tuple[int, int, int]:
        """Right answers, wrong answers, questions."""
        first = self.first.answered(gate)
        right = np.where(first, self.first.right, self.wider.right)
        answered = first | self.wider.answered(gate)
        return int((answered & right).sum()), int((answered & ~right).sum()), len(right)

    def utility(self, gate: Gate) -> float:
        r, w, n = self.outcome(gate)
        return (r - WRONG_COST * w) / n


def world(name: str, matcher: Matcher, questions: list[tuple[str, object]], is_right) -> World:
    model = load_model()
    rows: list[list[tuple[np.ndarray, float, bool, bool]]] = [[], []]
    answerable = []
    for text, gold in questions:
        answerable.append(bool(gold))
        found = list(matcher.passes(text))[:2]
        for k in range(2):
            if k >= len(found):
                rows[k].append((np.zeros(3), 0.0, False, False))
                continue
            feats = derive(found[k].raw)
            scores = model.scores(feats)
            probs = model.probabilities(feats, scores)
            top = int(np.argmax(scores))
            missing = found[k].missing
            rows[k].append((signals(found[k].raw[top : top + 1],
                                    None if missing is None else missing[top : top + 1])[0],
                            float(question_words(found[k].raw[top : top + 1])[0]),
                            bool(probs[top] >= model.threshold and found[k].answerable(top)),
                            bool(gold) and is_right(found[k].claim_ids[top], gold)))
    first, wider = (Pass(*(np.array(column) for column in zip(*r, strict=True))) for r in rows)
    return World(name, first, wider, np.array(answerable))


def checkthat_worlds(catalog, synonyms) -> list[World]:
    docs20, train20 = train_ranker.checkthat2020("train")
    _, dev20 = train_ranker.checkthat2020("dev")
    docs21, train21 = train_ranker.checkthat2021()
    dev_texts = {train_ranker.same_text(t) for t, _ in dev20}
    train21 = [(t, e) for t, e in train21 if train_ranker.same_text(t) not in dev_texts]
    out = []
    for name, docs, qs in (("CheckThat! 2020 train", docs20, train20),
                           ("CheckThat! 2021 train", docs21, train21)):
        m = Matcher.build(docs, catalog=catalog, synonyms=synonyms)
        out.append(world(name, m, qs, lambda c, gold: c in gold))
    return out


def chat_world(catalog, synonyms) -> World:
    m = Matcher.build(labelled.load_docs(catalog), catalog=catalog, synonyms=synonyms)
    qs = [(q.text, frozenset(q.expect)) for q in labelled.load_questions()]
    return world("labelled chat (seed + samples)", m, qs, lambda c, gold: c in gold)


def everyday_world(store: Path, path: Path, catalog, synonyms) -> World:
    factory = bench_everyday.open_store(store, [], catalog)
    with factory() as session:
        ids = list(session.exec(select(Claim.id).where(col(Claim.status) == ClaimStatus.ACTIVE.value)))
        views = {v.id: v for v in get_claims(session=session, claim_ids=ids)}
        m = Matcher.build(claim_docs(session=session), catalog=catalog, synonyms=synonyms)
    qs = [(q.text, q if q.answerable else None) for q in bench_everyday.load_questions(path)]
    return world(f"everyday ({path.name})", m, qs, lambda c, q: bench_everyday.is_right(views[c], q))


def best(worlds: list[World]) -> Gate:
    scored = []
    for a, b, c, d in itertools.product(COVERS, UNMATCHED, NAMES, WORDS):
        gate = Gate(a, b, c, d)  # ties go to the most lenient limits
        scored.append((float(np.mean([w.utility(gate) for w in worlds])), -a, b, c, -d, gate))
    return max(scored, key=lambda t: t[:5])[5]


def line(w: World, gate: Gate) -> str:
    r, wrong, n = w.outcome(gate)
    unanswerable = int((w.answered(gate) & ~w.answerable).sum())
    return (f"right {r}/{int(w.answerable.sum())}, wrong answers {wrong}/{n} (of which to "
            f"unanswerable questions {unanswerable}/{int((~w.answerable).sum())}), "
            f"utility {w.utility(gate):+.3f}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="the PolNeAR train store bench_everyday.py built")
    parser.add_argument("--everyday", type=Path, help="the everyday question set (default: see above)")
    parser.add_argument("--write", action="store_true", help=f"write {GATE_PATH.name}")
    parser.add_argument("--cache", type=Path, help="keep the CheckThat! and chat worlds in this file")
    parser.add_argument("--no-unmatched", action="store_true", help="leave the unmatched signal out")
    args = parser.parse_args(argv)
    catalog = load_catalog(ROOT / "config")
    synonyms = load_synonyms(ROOT / "config")
    if args.cache and args.cache.exists():
        worlds = pickle.loads(args.cache.read_bytes())
    else:
        worlds = [*checkthat_worlds(catalog, synonyms), chat_world(catalog, synonyms)]
        if args.cache:
            args.cache.write_bytes(pickle.dumps(worlds))
    if args.store:
        path = args.everyday or next(p for p in (bench_everyday.SETS / "polnear_train.jsonl",
                                                 bench_everyday.SETS / "matcher_tuning.jsonl") if p.exists())
        worlds.append(everyday_world(args.store, path, catalog, synonyms))
    if args.no_unmatched:
        global UNMATCHED
        UNMATCHED = (1.0,)
    print(f"WRONG_COST {WRONG_COST}")
    print("leave-one-world-out (limits chosen on the other worlds, judged on this one):")
    for i, w in enumerate(worlds):
        gate = best([x for j, x in enumerate(worlds) if j != i])
        print(f"  {w.name}: {gate.to_json()}")
        print(f"      no gate: {line(w, Gate())}")
        print(f"      gate:    {line(w, gate)}")
    final = best(worlds)
    print(f"chosen on all worlds: {final.to_json()}")
    for w in worlds:
        print(f"  {w.name}: {line(w, final)}")
    if args.write:
        GATE_PATH.write_text(json.dumps(final.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {GATE_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
