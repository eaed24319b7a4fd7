"""Training the ranker and the no-match calibrator of ``claims.search.rerank``, deterministically.

Both are fitted by Newton's method: ``tests/bench/train_ranker.py`` computes the training features
(``save_groups``) and fits the shipped weights (``train``); the unit tests refit from the committed
features and compare. Nothing here runs while a question is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claims.search.features import RAW_FEATURES
from claims.search.rerank import (
    FEATURES,
    SEMANTIC_FEATURES,
    FArray,
    Model,
    calibration_design,
    derive,
    select,
    sigmoid,
)

RANKER_L2 = 1.0
CALIBRATOR_L2 = 1.0
NEWTON_STEPS = 40

CHECKTHAT, CHAT, OFF_TOPIC, PARAPHRASE = 0, 1, 2, 3
"""Kinds of training question: a CheckThat! tweet, a labelled chat question, an off-topic one, and
a paraphrase (a chat question that means a claim with few of its words; semantic ranker only)."""
CHAT_WEIGHT = 3.0
"""Chat questions are few beside the tweets but are what the bot is asked: they count triple.
Paraphrases count once: at triple weight the ranker gave up right answers on the labelled chat
questions (top-1 1.000 -> 0.937) and CheckThat! 2020 dev (MAP@5 0.883 -> 0.842) for them."""
MIN_THRESHOLD = 0.2
MAX_THRESHOLD = 0.9
OFF_TOPIC_RATE = 0.01


@dataclass(frozen=True)
class Group:
    """One question's candidates for training: raw features and which are right answers."""

    raw: FArray
    relevant: npt.NDArray[np.bool_]
    kind: int = CHECKTHAT
    n_relevant: int = 0  # right answers in the collection (some may not be among the candidates)

    @property
    def weight(self) -> float:
        return 1.0 if self.kind in (CHECKTHAT, PARAPHRASE) else CHAT_WEIGHT


def train(groups: Sequence[Group], *, encoder: str | None = None) -> Model:
    """Fit ranker and calibrator, then choose the answer thresholds, all deterministically.
    Groups whose raw rows carry a cosine column train a semantic model (``encoder`` names it).

    (Tweets with their right answers withheld from the index were tried as further "no answer"
    examples: at any weight they made the bot refuse more right answers than wrong ones.)
    """
    features = _features_of(groups)
    mean, scale, ranker = fit_ranker(groups)
    calibrator = fit_calibrator(groups, mean, scale, ranker)
    model = Model(mean, scale, ranker, calibrator, threshold=0.5, follow=0.5, features=features,
                  encoder=encoder)
    threshold = _choose_threshold(model, groups)
    follow = _choose_follow(model, groups, threshold)
    return replace(model, threshold=threshold, follow=follow)


def _features_of(groups: Sequence[Group]) -> tuple[str, ...]:
    widths = {g.raw.shape[1] for g in groups if len(g.raw)}
    if len(widths) != 1:
        raise ValueError("training groups differ in their feature columns")
    return SEMANTIC_FEATURES if widths.pop() > len(RAW_FEATURES) else FEATURES


def top_probability(model: Model, raw: FArray) -> float:
    """The calibrated probability of the ranker's best candidate (0 without candidates)."""
    if not len(raw):
        return 0.0
    feats = derive(raw)
    scores = model.scores(feats)
    return float(model.probabilities(feats, scores)[int(np.argmax(scores))])


def _choose_threshold(model: Model, groups: Sequence[Group]) -> float:
    """The lowest threshold at which at most ``OFF_TOPIC_RATE`` of off-topic questions get an
    answer: every point above it refuses right answers (the report prints the whole curve)."""
    off = np.array([top_probability(model, g.raw) for g in groups if g.kind == OFF_TOPIC])
    for threshold in np.arange(MIN_THRESHOLD, MAX_THRESHOLD + 1e-9, 0.05):
        if (off >= threshold).sum() <= OFF_TOPIC_RATE * len(off):
            return round(float(threshold), 4)
    return MAX_THRESHOLD


def _choose_follow(model: Model, groups: Sequence[Group], threshold: float) -> float:
    """The probability further answers need: the one that serves CheckThat! MAP@5 best."""
    best, best_map = threshold, -1.0
    for follow in (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5):
        if follow > threshold:
            break
        trial = replace(model, threshold=threshold, follow=follow)
        score = float(np.mean([
            average_precision(trial, g.raw, g.relevant, g.n_relevant or int(g.relevant.sum()))
            for g in groups if g.kind == CHECKTHAT
        ]))
        if score > best_map + 1e-9:
            best, best_map = follow, score
    return best


def average_precision(
    model: Model | None, raw: FArray, relevant: npt.NDArray[np.bool_], n_relevant: int, at: int = 5
) -> float:
    """AP@5 of one question's answers (``model=None``: the first stage's BM25 order, all kept)."""
    if model is None:
        picked = [int(i) for i in np.argsort(-raw[:, 0], kind="stable")[:at]]
    else:
        feats = derive(raw)
        scores = model.scores(feats)
        probs = model.probabilities(feats, scores)
        picked = select(model, scores, probs, np.zeros(len(scores)), at)
    hits, total = 0, 0.0
    for k, i in enumerate(picked, start=1):
        if relevant[i]:
            hits += 1
            total += hits / k
    return total / min(n_relevant, at) if n_relevant else 0.0


def save_groups(groups: Sequence[Group], path: Path) -> None:
    """Write training groups as numbers only: features, bounds, relevance, kind, relevant count."""
    kept = [g for g in groups if len(g.raw)]
    np.savez_compressed(
        path,
        raw=np.vstack([g.raw for g in kept]).astype(np.float32),
        start=np.cumsum([0, *(len(g.raw) for g in kept)]).astype(np.int32),
        relevant=np.concatenate([g.relevant for g in kept]),
        kind=np.array([g.kind for g in kept], np.int8),
        n_relevant=np.array([g.n_relevant for g in kept], np.int16),
    )


def load_groups(path: Path) -> list[Group]:
    """Groups as ``train`` takes them, from a file ``save_groups`` wrote."""
    with np.load(path) as data:
        raw, start = data["raw"].astype(np.float64), data["start"]
        relevant, kinds, counts = data["relevant"], data["kind"], data["n_relevant"]
    return [
        Group(raw[a:b], relevant[a:b], int(k), n_relevant=int(n))
        for a, b, k, n in zip(start[:-1], start[1:], kinds, counts, strict=True)
    ]


def fit_ranker(groups: Sequence[Group], l2: float = RANKER_L2) -> tuple[FArray, FArray, FArray]:
    """Standardisation and listwise ranker weights, by Newton's method on softmax cross-entropy."""
    groups = [g for g in groups if len(g.raw)]
    feats = [derive(g.raw) for g in groups]
    stacked = np.vstack(feats)
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    usable = [
        (i, (f - mean) / scale) for i, f in enumerate(feats)
        if groups[i].relevant.any() and not groups[i].relevant.all()
    ]
    x, mask, target, weight = _pad(
        [f for _, f in usable],
        [groups[i].relevant.astype(float) for i, _ in usable],
        [groups[i].weight for i, _ in usable],
    )
    target = target / target.sum(axis=1, keepdims=True)
    active = np.ones(x.shape[2], bool)
    signs = _signs(_features_of(groups))
    while True:  # refit without any evidence feature whose weight came out with the wrong sign
        w = _fit_listwise(x[:, :, active], mask, target, weight, l2)
        full = np.zeros(x.shape[2])
        full[active] = w
        wrong = (full * signs) < 0
        if not wrong.any():
            return mean, scale, full
        active &= ~wrong


_MORE_IS_WORSE = frozenset({"numbers_missed", "names_missed", "unmatched_rare", "corrected", "cosine_gap"})
_UNSIGNED = frozenset({"length_ratio", "question_len"})


def _signs(features: Sequence[str]) -> FArray:
    """The direction evidence must push a candidate: more of the question covered never ranks a
    claim lower. Features that collinearity would give the other sign are left out and the rest
    refit, so the ranker cannot learn that covering the question's rarest word is a bad sign."""
    return np.array([0.0 if f in _UNSIGNED else -1.0 if f in _MORE_IS_WORSE else 1.0 for f in features])


def _fit_listwise(
    x: FArray, mask: npt.NDArray[np.bool_], target: FArray, weight: FArray, l2: float
) -> FArray:
    """Newton's method on the weighted softmax cross-entropy of each question's candidates."""
    w = np.zeros(x.shape[2])
    flat = np.ascontiguousarray(x).reshape(-1, x.shape[2])  # every candidate of every question a row
    x = flat.reshape(x.shape)

    def loss(w: FArray) -> float:
        xw = x @ w
        s = np.where(mask, xw, -np.inf)
        top = s.max(axis=1, keepdims=True)
        logz = (top + np.log(np.exp(s - top).sum(axis=1, keepdims=True)))[:, 0]
        picked = (np.where(mask, target * xw, 0.0)).sum(axis=1)
        return float((weight * (logz - picked)).sum() + 0.5 * l2 * w @ w)

    for _ in range(NEWTON_STEPS):
        s = np.where(mask, x @ w, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        pw = p * weight[:, None]
        grad = flat.T @ (pw - target * weight[:, None]).ravel() + l2 * w
        mean_x = np.matmul(p[:, None, :], x)[:, 0, :]
        hess = (flat * pw.reshape(-1, 1)).T @ flat
        hess -= (mean_x * weight[:, None]).T @ mean_x
        hess += l2 * np.eye(len(w))
        w = _damped_step(w, np.linalg.solve(hess, grad), loss)
    return w


def fit_calibrator(
    groups: Sequence[Group], mean: FArray, scale: FArray, ranker: FArray, l2: float = CALIBRATOR_L2
) -> FArray:
    """Logistic regression: is the ranker's best candidate a right answer?

    Paraphrases train the ranker only. Their evidence (few shared words, a middling cosine) looks
    like an off-topic near miss's, so taught to the calibrator they raised the threshold that keeps
    off-topic questions unanswered from 0.25 to 0.8, and that cost more right answers everywhere
    (CheckThat! 2020 dev MAP@5 0.88 -> 0.71) than it won on paraphrases."""
    rows, labels, weights = [], [], []
    for g in groups:
        if not len(g.raw) or g.kind == PARAPHRASE:
            continue
        raw, relevant = g.raw, g.relevant
        plain = derive(raw)
        feats = (plain - mean) / scale
        scores = feats @ ranker
        best = int(np.argmax(scores))
        rows.append(calibration_design(plain, feats, scores)[best])
        labels.append(float(relevant[best]))
        weights.append(g.weight)
    x, y, sw = np.array(rows), np.array(labels), np.array(weights)
    w = np.zeros(x.shape[1])

    def loss(w: FArray) -> float:
        z = x @ w
        return float((sw * (np.logaddexp(0.0, z) - y * z)).sum() + 0.5 * l2 * w[1:] @ w[1:])

    ridge = l2 * np.eye(len(w))
    ridge[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(NEWTON_STEPS):
        p = sigmoid(x @ w)
        grad = x.T @ (sw * (p - y)) + ridge @ w
        hess = (x * (sw * p * (1 - p))[:, None]).T @ x + ridge + 1e-9 * np.eye(len(w))
        w = _damped_step(w, np.linalg.solve(hess, grad), loss)
    return w


def _damped_step(w: FArray, step: FArray, loss: Any) -> FArray:
    """A Newton step, halved until it does not increase the loss (convex, so this converges)."""
    before = loss(w)
    t = 1.0
    for _ in range(30):
        trial = w - t * step
        if loss(trial) <= before:
            return trial
        t /= 2
    return w


def _pad(
    feats: Sequence[FArray], labels: Sequence[FArray], weights: Sequence[float]
) -> tuple[FArray, npt.NDArray[np.bool_], FArray, FArray]:
    depth = max(len(f) for f in feats)
    dims = feats[0].shape[1]
    x = np.zeros((len(feats), depth, dims))
    mask = np.zeros((len(feats), depth), bool)
    target = np.zeros((len(feats), depth))
    for i, (f, y) in enumerate(zip(feats, labels, strict=True)):
        x[i, : len(f)] = f
        mask[i, : len(f)] = True
        target[i, : len(f)] = y
    return x, mask, target, np.asarray(weights, float)
