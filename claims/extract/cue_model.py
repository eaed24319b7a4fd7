"""A learned cue detector for the long tail of attribution verbs.

The rules in :mod:`claims.extract.cues` cover the verbs news uses most. PolNeAR shows hundreds of
rarer ones ("lit into", "signaled support for", "is skeptical of"), each too rare for a rule but
together a large share of what people are reported to think and want. This module scores a word
outside quotation marks as an attribution cue with an averaged perceptron over a few local
features (the word, its neighbours, punctuation and quotes nearby), trained on PolNeAR train by
``tests/bench/train_cue_model.py``. Its weights ship as package data (``cue_model.json``); nothing is
downloaded. The rules stay in charge of the verbs they know: the model only proposes other words,
and the claims it finds are of the untracked ``stance`` class (see :mod:`claims.extract.cues`), so
they appear with ``extract_claims(..., cues="all")`` only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from claims.extract.cues import CUES

_TOKEN = re.compile(r"[A-Za-z][\w’'-]*|[“”\"«»]|[,.;:!?—]")
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you", "who"])
_AUX = frozenset(["is", "are", "was", "were", "has", "have", "had", "be", "been", "will", "would"])
THRESHOLD = 2.0  # tuned on PolNeAR train for precision above 0.92 there


@dataclass(frozen=True, slots=True)
class Candidate:
    """A word that may be a cue: its span and its features."""

    start: int
    end: int
    word: str
    features: tuple[str, ...]


def tokens(text: str, lo: int, hi: int, quotes: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Tokens of ``text[lo:hi]``; each quotation becomes one ``<q>`` token."""
    spans = sorted(quotes)
    out: list[tuple[int, int, str]] = []
    qi = 0
    pos = lo
    while pos < hi:
        while qi < len(spans) and spans[qi][1] <= pos:
            qi += 1
        if qi < len(spans) and spans[qi][0] <= pos < spans[qi][1]:
            out.append((spans[qi][0], spans[qi][1], "<q>"))
            pos = spans[qi][1]
            continue
        m = _TOKEN.search(text, pos, hi)
        if m is None:
            break
        if qi < len(spans) and spans[qi][0] <= m.start():
            pos = spans[qi][0]
            continue
        out.append((m.start(), m.end(), m.group(0)))
        pos = m.end()
    return out


def _shape(tok: str) -> str:
    if tok == "<q>":
        return "Q"
    if not tok[0].isalpha():
        return tok
    if tok.lower() in _PRONOUNS:
        return "P"
    return "C" if tok[0].isupper() else "l"


def candidates(
    text: str, lo: int, hi: int, quotes: Iterable[tuple[int, int]], vocab: frozenset[str]
) -> Iterator[Candidate]:
    """Lower-case words of the sentence that the model knows, with their features."""
    toks = tokens(text, lo, hi, quotes)
    words = [t[2].lower() if t[2] != "<q>" else "<q>" for t in toks]
    n = len(toks)
    for i, (a, b, tok) in enumerate(toks):
        w = words[i]
        if not tok[0].islower() or w not in vocab or w in CUES:
            continue
        p1 = words[i - 1] if i >= 1 else "<s>"
        p2 = words[i - 2] if i >= 2 else "<s>"
        n1 = words[i + 1] if i + 1 < n else "</s>"
        n2 = words[i + 2] if i + 2 < n else "</s>"
        s1 = _shape(toks[i - 1][2]) if i >= 1 else "<s>"
        s2 = _shape(toks[i - 2][2]) if i >= 2 else "<s>"
        q_after = "<q>" in words[i + 1 : i + 5]
        q_before = "<q>" in words[max(0, i - 4) : i]
        subj = "none"
        for j in range(i - 1, max(-1, i - 4), -1):
            sh = _shape(toks[j][2])
            if sh in ("C", "P"):
                subj = sh
                break
            if words[j] not in _AUX and sh == "l" and len(words[j]) > 2 and not words[j].endswith("ly"):
                subj = "l"
                break
        feats = (
            "b",
            f"w={w}",
            f"p1={p1}",
            f"p2={p2}",
            f"n1={n1}",
            f"n2={n2}",
            f"p1w={p1}|{w}",
            f"wn1={w}|{n1}",
            f"suf={w[-3:]}",
            f"s1={s1}",
            f"s12={s2}{s1}",
            f"qa={q_after}",
            f"qb={q_before}",
            f"subj={subj}",
            f"wsubj={w}|{subj}",
            f"pos={min(i, 6)}",
            f"end={n1 in ('.', '</s>', ',')}",
        )
        yield Candidate(a, b, w, feats)


@dataclass(frozen=True, slots=True)
class CueModel:
    """Perceptron weights and the vocabulary of words worth scoring."""

    weights: dict[str, float]
    vocab: frozenset[str]

    def score(self, features: Iterable[str]) -> float:
        """The perceptron's margin: above :data:`THRESHOLD` means "a cue"."""
        w = self.weights
        return sum(w.get(f, 0.0) for f in features)


@lru_cache(maxsize=1)
def load_model() -> CueModel:
    """The shipped model (package data); an empty model if the file is missing."""
    try:
        raw = resources.files("claims.extract").joinpath("cue_model.json").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return CueModel({}, frozenset())
    data = json.loads(raw)
    return CueModel(dict(data["weights"]), frozenset(data["vocab"]))


def train(rows: list[tuple[int, list[str]]], epochs: int = 5) -> dict[str, float]:
    """Averaged perceptron over (label, features) rows, in the given order: deterministic.

    Averaging (weights summed after every example) keeps the last epochs from swinging the model;
    weights are rounded to 4 places so the shipped file and a retrained one compare equal.
    """
    w: dict[str, float] = {}
    total: dict[str, float] = {}  # running sum of updates weighted by when they happened
    c = 1
    for _ in range(epochs):
        for label, feats in rows:
            y = 1 if label else -1
            if y * sum(w.get(f, 0.0) for f in feats) <= 0:
                for f in feats:
                    w[f] = w.get(f, 0.0) + y
                    total[f] = total.get(f, 0.0) + y * c
            c += 1
    out = {}
    for f, v in w.items():
        avg = round(v - total[f] / c, 4)
        if avg != 0.0:
            out[f] = avg
    return dict(sorted(out.items()))
