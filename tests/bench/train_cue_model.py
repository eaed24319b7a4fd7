"""Retrain the learned cue detector (claims/extract/cue_model.json) from PolNeAR train.

Run from the repository root:

    .venv/bin/python tests/bench/train_cue_model.py [--data DIR] [--epochs N]

Two steps, both written to the repository:
1. features: every candidate word in PolNeAR train (a lower-case word outside quotes that gold cue
   spans use at least three times and the rules do not already know), with its features and
   whether it lies inside a gold Cue span, goes to ``tests/claims/model/cue_features.jsonl.gz``;
2. weights: an averaged perceptron over that file goes to ``claims/extract/cue_model.json``.

``tests/claims/extract/test_cue_model.py`` retrains from the committed feature file and checks that it
gives the shipped weights, so the model can be rebuilt and audited without the PolNeAR data.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from claims.catalog import load_catalog  # noqa: E402
from claims.extract.article import ArticleState  # noqa: E402
from claims.extract.cue_model import candidates, train  # noqa: E402
from claims.extract.cues import CUES  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "polnear"
FEATURES = ROOT / "tests" / "claims" / "model" / "cue_features.jsonl.gz"
WEIGHTS = ROOT / "claims" / "extract" / "cue_model.json"
MIN_COUNT = 3  # a word must be part of a gold cue this often to be scored at all
MIN_FEATURE_COUNT = 5
MIN_CUE_RATE = 0.15  # share of a word's occurrences that are gold cues
_FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "with",
        "by",
        "as",
        "and",
        "or",
        "but",
        "that",
        "this",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "not",
        "no",
        "it",
        "its",
        "his",
        "her",
        "their",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "who",
        "which",
        "what",
        "when",
    ]
)


def cue_spans(path: Path) -> list[tuple[int, int]]:
    """Character spans of the Cue annotations in one brat file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3 and parts[1].startswith("Cue "):
            for r in parts[1][4:].split(";"):
                a, b = r.split()
                out.append((int(a), int(b)))
    return out


def build_rows(base: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The vocabulary and (label, features) rows for every candidate word in the split."""
    catalog = load_catalog(ROOT / "config")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((base / "text").glob("*.txt"))}
    gold: dict[str, list[tuple[int, int]]] = {}
    for ann in sorted((base / "attributions").glob("*.ann")):
        gold.setdefault(ann.stem.rsplit("_", 1)[0], []).extend(cue_spans(ann))
    counts: Counter[str] = Counter()
    for stem, spans in gold.items():
        for a, b in set(spans):
            for w in re.findall(r"[a-z][\w’'-]*", texts[stem][a:b]):
                counts[w] += 1
    vocab = sorted(
        w
        for w, n in counts.items()
        if n >= MIN_COUNT and w not in CUES and w not in _FUNCTION_WORDS and len(w) > 2
    )
    vocab_set = frozenset(vocab)
    rows: list[tuple[int, list[str]]] = []
    for stem in sorted(gold):
        text = texts[stem]
        spans = sorted(set(gold[stem]))
        art = ArticleState(text, catalog)
        for sent in art.sents:
            quotes = [(q.start, q.end) for q in art.quotes_in(sent)]
            for c in candidates(text, sent.start, sent.end, quotes, vocab_set):
                label = int(any(a < c.end and c.start < b for a, b in spans))
                rows.append((label, list(c.features)))
    # Words that are seldom a cue cost rows and false alarms and teach the model little.
    seen: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for y, feats in rows:
        seen[feats[1]] += 1
        hits[feats[1]] += y
    keep = {f for f in seen if hits[f] >= MIN_COUNT and hits[f] / seen[f] >= MIN_CUE_RATE}
    vocab = [w for w in vocab if f"w={w}" in keep]
    return vocab, [(y, feats) for y, feats in rows if feats[1] in keep]


def prune(rows: list[tuple[int, list[str]]], min_count: int) -> list[tuple[int, list[str]]]:
    """Drop features seen fewer than ``min_count`` times: they cannot be learned, only memorised."""
    counts: Counter[str] = Counter(f for _, feats in rows for f in feats)
    return [(y, [f for f in feats if counts[f] >= min_count]) for y, feats in rows]


def write_features(path: Path, vocab: list[str], rows: list[tuple[int, list[str]]]) -> None:
    """A header line (vocabulary, feature names), then one line per row as feature numbers; gzip
    without a timestamp so the same data gives the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = sorted({f for _, feats in rows for f in feats})
    index = {f: i for i, f in enumerate(names)}
    lines = [json.dumps({"vocab": vocab, "features": names})]
    lines += [json.dumps([y, [index[f] for f in feats]], separators=(",", ":")) for y, feats in rows]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)


def read_features(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The vocabulary and rows written by :func:`write_features`."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        names = header["features"]
        parsed = (json.loads(line) for line in fh if line.strip())
        rows = [(int(y), [names[i] for i in ids]) for y, ids in parsed]
    return header["vocab"], rows


def model_json(vocab: list[str], weights: dict[str, float]) -> str:
    """The shipped model file's text."""
    return json.dumps({"vocab": vocab, "weights": weights}, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str]) -> int:
    data = Path(argv[argv.index("--data") + 1]) if "--data" in argv else DEFAULT_DATA
    epochs = int(argv[argv.index("--epochs") + 1]) if "--epochs" in argv else 5
    base = data / "train"
    if not base.exists():
        print(f"PolNeAR data not found at {base}")
        return 1
    vocab, rows = build_rows(base)
    rows = prune(rows, MIN_FEATURE_COUNT)
    write_features(FEATURES, vocab, rows)
    weights = train(rows, epochs=epochs)
    WEIGHTS.write_text(model_json(vocab, weights), encoding="utf-8")
    positives = sum(y for y, _ in rows)
    print(f"vocabulary {len(vocab)} words; {len(rows)} candidates ({positives} cues); {len(weights)} weights")
    print(f"features: {FEATURES.relative_to(ROOT)} ({FEATURES.stat().st_size / 1e6:.2f} MB)")
    print(f"weights:  {WEIGHTS.relative_to(ROOT)} ({WEIGHTS.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
