"""The shipped re-ranker weights are what retraining on the committed features produces."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from claims.search.rerank import FEATURES, MODEL_PATH, Model, derive, load_model, select
from tests.bench.training import OFF_TOPIC, load_groups, train

FEATURE_FILE = Path(__file__).resolve().parents[1] / "ranker_features.npz"


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_weights() -> None:
    shipped = load_model()
    retrained = train(load_groups(FEATURE_FILE))
    for name in ("mean", "scale", "ranker", "calibrator"):
        np.testing.assert_allclose(getattr(retrained, name), getattr(shipped, name),
                                   rtol=1e-6, atol=1e-8, err_msg=name)
    assert retrained.threshold == shipped.threshold
    assert retrained.follow == shipped.follow


def test_the_feature_file_holds_numbers_only() -> None:
    with np.load(FEATURE_FILE, allow_pickle=False) as data:
        assert all(data[key].dtype.kind in "biuf" for key in data.files)


def test_the_ranker_beats_bm25_order_on_its_training_questions() -> None:
    groups = [g for g in load_groups(FEATURE_FILE) if g.relevant.any()]
    model = load_model()

    def top1(rank: object) -> float:
        hits = []
        for g in groups:
            feats = derive(g.raw)
            scores = model.scores(feats) if rank == "model" else feats[:, 0]
            hits.append(bool(g.relevant[int(np.argmax(scores))]))
        return float(np.mean(hits))

    assert top1("model") > top1("bm25")


def test_off_topic_training_questions_mostly_stay_unanswered() -> None:
    model = load_model()
    off = [g for g in load_groups(FEATURE_FILE) if g.kind == OFF_TOPIC]
    answered = 0
    for g in off:
        feats = derive(g.raw)
        scores = model.scores(feats)
        answered += bool(select(model, scores, model.probabilities(feats, scores),
                                np.zeros(len(scores)), 3))
    assert len(off) >= 100  # the others retrieve no candidate at all
    assert answered <= 0.01 * len(off)


def test_recency_only_breaks_exact_ties() -> None:
    model = load_model()
    scores = np.array([2.0, 2.0, 1.0])
    probs = np.array([0.9, 0.9, 0.9])
    assert select(model, scores, probs, np.array([1.0, 5.0, 9.0]), 3) == [1, 0, 2]
    assert select(model, scores, np.array([0.0, 0.0, 0.0]), np.zeros(3), 3) == []


def test_weights_for_other_features_are_refused(tmp_path: Path) -> None:
    doc = json.loads(MODEL_PATH.read_text())
    doc["features"] = [*FEATURES, "extra"]
    with pytest.raises(ValueError, match="retrain"):
        Model.from_json(doc)
