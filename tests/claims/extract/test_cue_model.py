"""The learned cue detector: its shipped weights are what its committed training data gives.

``tests/bench/train_cue_model.py`` turns PolNeAR train into a feature file (committed under
``tests/claims/model/``) and trains ``claims/extract/cue_model.json`` from it. Retraining here from
the committed file, without the PolNeAR data, must give the shipped weights exactly.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from claims.extract.cue_model import THRESHOLD, Candidate, candidates, load_model, tokens, train

ROOT = Path(__file__).resolve().parents[3]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_cue_model", ROOT / "tests/bench/train_cue_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_retraining_from_committed_features_reproduces_shipped_weights() -> None:
    script = _script()
    vocab, rows = script.read_features(script.FEATURES)
    assert len(rows) > 1000 and sum(y for y, _ in rows) > 100
    shipped = json.loads(script.WEIGHTS.read_text(encoding="utf-8"))
    assert script.model_json(vocab, train(rows)) == script.WEIGHTS.read_text(encoding="utf-8")
    assert shipped["vocab"] == vocab


def test_training_learns_a_separable_toy_problem() -> None:
    rows = [(1, ["b", "w=urged"]), (0, ["b", "w=bridge"])] * 5
    weights = train(rows, epochs=3)
    assert weights["w=urged"] > 0 > weights["w=bridge"]


def test_shipped_model_scores_a_stance_cue_above_a_plain_verb() -> None:
    model = load_model()
    assert model.weights and "skeptical" in model.vocab
    text = "Democrats are skeptical of the plan to expand the port."
    found: list[Candidate] = list(candidates(text, 0, len(text), [], model.vocab))
    cue = next(c for c in found if c.word == "skeptical")
    assert model.score(cue.features) > THRESHOLD


def test_quotations_are_one_token() -> None:
    text = 'She said "we will win this" today.'
    toks = tokens(text, 0, len(text), [(9, 27)])
    assert [t[2] for t in toks] == ["She", "said", "<q>", "today", "."]
