"""Semantic matching without the extra: the vector store, the matcher's use of it, the shipped
semantic ranker and the service's embedding, backfill and sharing of vectors, all driven by a
deterministic stand-in encoder (``semantic_standin.py``). Real-model checks are in
``test_semantic_model.py`` and run only with ``--semantic-model``."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.catalog import Catalog
from claims.search import encoder as encoder_module
from claims.search.arrays import SnapshotError
from claims.search.candidates import RELATED, lexical_ties
from claims.search.documents import ClaimDoc
from claims.search.match import Matcher
from claims.search.rerank import (
    SEMANTIC_FEATURES,
    load_semantic_model,
)
from claims.search.semantic import SemanticIndex, embedded_text
from claims.search.vectors import EXACT_UP_TO, VectorStore, fingerprint
from claims.service import ClaimService
from claims.settings import Settings
from tests.claims.semantic_standin import ConceptEncoder

ROOT = Path(__file__).resolve().parents[3]


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def random_store(n: int, dim: int = 24, seed: int = 0) -> tuple[VectorStore, np.ndarray]:
    vectors = unit(np.random.default_rng(seed).standard_normal((n, dim)))
    store = VectorStore("test", dim)
    store.upsert_many(list(range(n)), [i * 7 for i in range(n)], vectors)
    return store, vectors


# -- settings and the extra ---------------------------------------------------------------------


def test_the_setting_turns_semantic_matching_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("off", "OFF", " none ", "false", ""):
        assert encoder_module.open_encoder(value) is None
    monkeypatch.setenv("CLAIMBOT_SEMANTIC_MODEL", "off")
    assert Settings().semantic_model == "off"
    monkeypatch.delenv("CLAIMBOT_SEMANTIC_MODEL")
    assert Settings().semantic_model == encoder_module.DEFAULT_MODEL


def test_without_the_extra_there_is_no_encoder_and_no_failure(monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    caplog.set_level("INFO")
    assert not encoder_module.extra_installed()
    assert encoder_module.open_encoder(encoder_module.DEFAULT_MODEL) is None
    assert "claimbot[semantic]" in caplog.text


@pytest.mark.slow
def test_the_core_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from claims.service import ClaimService\n"
        "from claims.search.match import Matcher\n"
        "import bot.cli\n"
        "from claims.catalog import load_catalog\n"
        "from claims.settings import DEFAULT_CONFIG_DIR\n"
        "m = Matcher.build([], catalog=load_catalog(DEFAULT_CONFIG_DIR))\n"
        "bad = [n for n in ('torch', 'sentence_transformers', 'transformers') if n in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr


# -- the vector store ----------------------------------------------------------------------------


def test_vectors_are_kept_as_float16_within_a_thousandth() -> None:
    store, vectors = random_store(50)
    assert np.abs(store.vectors(list(range(50))) - vectors).max() < 1e-3
    assert store.save.__doc__  # saved as stored: see the round trip below


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 300), k=st.integers(1, 12), seed=st.integers(0, 10_000))
def test_exact_search_is_brute_force(n: int, k: int, seed: int) -> None:
    store, vectors = random_store(n, seed=seed)
    query = unit(np.random.default_rng(seed + 1).standard_normal((1, vectors.shape[1])))[0]
    ids, cosines = store.nearest(query, k)
    exact = store.vectors(list(range(n))) @ query
    assert list(ids) == sorted(range(n), key=lambda i: (-exact[i], i))[:k]
    np.testing.assert_allclose(cosines, np.sort(exact)[::-1][:k], atol=1e-5)


def test_the_sketch_finds_the_true_neighbours_past_the_exact_limit() -> None:
    n = EXACT_UP_TO * 2 + 100
    rng = np.random.default_rng(5)
    centres = unit(rng.standard_normal((40, 64)))
    vectors = unit(centres[rng.integers(0, 40, n)] + 0.6 * rng.standard_normal((n, 64)) / 8)
    store = VectorStore("test", 64)
    for start in range(0, n, 500):
        store.upsert_many(list(range(start, min(n, start + 500))), [0] * len(vectors[start:start + 500]),
                          vectors[start:start + 500])
    assert store._basis is not None  # the sketch is in use
    recall = []
    for q in range(0, n, n // 50):
        ids, _ = store.nearest(vectors[q], 10)
        truth = np.argsort(-(store.vectors(list(range(n))) @ vectors[q]), kind="stable")[:10]
        recall.append(len(set(ids.tolist()) & set(truth.tolist())) / 10)
        assert ids[0] == q  # a stored vector is its own nearest neighbour
    assert np.mean(recall) >= 0.95


def test_replacing_and_removing_vectors(tmp_path: Path) -> None:
    store, vectors = random_store(1500)
    store.upsert_many([3], [99], vectors[[4]])
    assert store.key(3) == 99
    assert store.nearest(vectors[4], 2)[0].tolist() in ([3, 4], [4, 3])
    for claim_id in range(0, 1500, 2):
        store.remove(claim_id)
    store.remove(123_456)  # unknown: ignored
    assert len(store) == 750
    assert 0 not in store.nearest(vectors[0], 750)[0].tolist()
    assert store.key(1) == 7
    assert store.key(2) is None


def test_saved_vectors_load_back_and_a_damaged_file_is_refused(tmp_path: Path) -> None:
    store, vectors = random_store(EXACT_UP_TO + 300)
    store.remove(5)
    path = tmp_path / "claims.vectors"
    store.save(path, mark=42)
    loaded, mark = VectorStore.load(path, model="test")
    assert mark == 42
    assert len(loaded) == len(store)
    assert loaded.key(5) is None
    assert loaded.key(6) == 42
    query = vectors[77]
    assert loaded.nearest(query, 5)[0].tolist() == store.nearest(query, 5)[0].tolist()
    loaded.upsert_many([10_000], [1], vectors[[0]])  # a loaded store takes changes
    assert loaded.nearest(vectors[0], 1)[0][0] in (0, 10_000)
    with pytest.raises(SnapshotError, match="come from the model test"):
        VectorStore.load(path, model="another")
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(SnapshotError, match="corrupt"):
        VectorStore.load(path)
    with pytest.raises(SnapshotError, match="no index snapshot"):
        VectorStore.load(tmp_path / "missing.vectors")


# -- the matcher with semantic candidates ----------------------------------------------------------


def docs() -> list[ClaimDoc]:
    when = datetime(2025, 3, 5, tzinfo=UTC)
    return [
        ClaimDoc(1, "We need Greenland for national security, and we are going to get it.",
                 speaker="Donald Trump", topic="greenland", published_at=when),
        ClaimDoc(2, "A 30-day cease-fire between Russia and Ukraine is close.", speaker="Donald Trump",
                 topic="ceasefire", published_at=when),
        ClaimDoc(3, "Members will spend 5% of output on defence by 2035.", speaker="Mark Rutte",
                 topic="nato", published_at=when),
        ClaimDoc(4, "Tariffs are taxes: bad for business and worse for consumers.",
                 speaker="Ursula von der Leyen", topic="tariffs", published_at=when),
    ]


def matcher_with(catalog: Catalog, encoder: ConceptEncoder, claims: list[ClaimDoc] | None = None,
                 *, fill: bool = True) -> Matcher:
    semantic = SemanticIndex(encoder)
    matcher = Matcher.build(claims or docs(), catalog=catalog, semantic=semantic)
    if fill:
        semantic.fill()
    return matcher


def test_a_question_sharing_no_word_with_its_claim_is_answered(catalog: Catalog) -> None:
    question = "Does the president want to buy the Danish island?"
    lexical = Matcher.build(docs(), catalog=catalog)
    assert 1 not in [m.claim_id for m in lexical.ask(question)]
    matcher = matcher_with(catalog, ConceptEncoder())
    found = matcher.candidates(question)
    assert found is not None
    assert found.semantic
    assert found.features.shape[1] == len(SEMANTIC_FEATURES)
    answer = matcher.ask(question)
    assert answer
    assert answer[0].claim_id == 1
    assert "similar in meaning" in answer[0].why


def test_a_question_none_answers_is_offered_the_claims_closest_in_meaning(catalog: Catalog) -> None:
    question = "Does the president want to buy the Danish island?"
    semantic = SemanticIndex(ConceptEncoder())
    strict = replace(load_semantic_model(), threshold=1.01)  # a ranker that answers nothing
    matcher = Matcher.build(docs(), catalog=catalog, semantic=semantic, semantic_model=strict)
    semantic.fill()
    assert matcher.ask(question) == []
    related = matcher.related(question)
    assert [m.claim_id for m in related][:1] == [1]
    assert all(m.score >= RELATED for m in related)
    assert matcher.related("Who won the football match yesterday?") == []
    assert matcher.related(question, limit=0) == []
    assert Matcher.build(docs(), catalog=catalog).related(question) == []  # lexical only: none


def test_claims_waiting_for_vectors_are_ranked_lexically(catalog: Catalog) -> None:
    encoder = ConceptEncoder()
    matcher = matcher_with(catalog, encoder, fill=False)
    semantic = matcher.semantic
    assert semantic is not None
    assert semantic.pending == 4
    lexical = Matcher.build(docs(), catalog=catalog)
    for question in ("What did Trump say about Greenland?", "tariffs are taxes", "ceasefire close"):
        found = matcher.candidates(question)
        assert found is not None
        assert not found.semantic
        assert matcher.ask(question) == lexical.ask(question)
    assert encoder.calls == 0  # nothing was embedded while the questions waited
    semantic.fill(limit=2)
    assert semantic.pending == 2
    semantic.fill()
    assert semantic.pending == 0
    assert encoder.calls == 4


def test_only_a_changed_text_is_embedded_again(catalog: Catalog) -> None:
    encoder = ConceptEncoder()
    matcher = matcher_with(catalog, encoder)
    semantic = matcher.semantic
    assert semantic is not None
    base = docs()
    matcher.upsert(ClaimDoc(1, base[0].text, speaker="Donald Trump", topic="nato"))  # topic only
    assert semantic.pending == 0
    matcher.upsert(ClaimDoc(1, "We will get Greenland one way or the other.", speaker="Donald Trump"))
    assert semantic.pending == 1
    matcher.remove(1)
    assert semantic.pending == 0
    assert 1 not in semantic.store
    semantic.fill()
    assert encoder.calls == 4


def test_lexically_tied_claims_keep_claimbots_order(catalog: Catalog) -> None:
    """Claims differing only in quote marks tie lexically; the encoder sees the quotes, but the
    older/first-indexed order claimbot gives them must not be reshuffled by cosine noise."""
    texts = ["He said “we will not pay” for the wall.", 'He said "we will not pay" for the wall.',
             "He said we will not pay for the wall."]
    when = [datetime(2025, 1, d, tzinfo=UTC) for d in (3, 2, 1)]
    claims = [ClaimDoc(10 + i, t, speaker="Donald Trump", published_at=w)
              for i, (t, w) in enumerate(zip(texts, when, strict=True))]
    encoder = ConceptEncoder(quote_noise=True)
    vectors = encoder.encode(texts)
    assert len({round(float(v @ vectors[2]), 4) for v in vectors}) > 1  # the encoder does differ
    lexical = [m.claim_id for m in Matcher.build(claims, catalog=catalog).ask("will he pay for the wall",
                                                                            limit=3)]
    semantic = [m.claim_id for m in matcher_with(catalog, encoder, claims).ask("will he pay for the wall",
                                                                              limit=3)]
    assert semantic == lexical
    assert lexical[0] == 10  # the newest first: recency breaks the tie


def test_lexical_ties_share_their_best_cosine_and_non_matches_keep_theirs() -> None:
    raw = np.array([[2.0, 0.5], [2.0, 0.5], [1.0, 0.3], [0.0, 0.1], [0.0, 0.1]])
    cosine = np.array([0.4, 0.6, 0.2, 0.5, 0.1])
    np.testing.assert_allclose(lexical_ties(raw, cosine), [0.6, 0.6, 0.2, 0.5, 0.1])


def test_a_subject_speaker_limits_semantic_candidates_too(catalog: Catalog) -> None:
    matcher = matcher_with(catalog, ConceptEncoder())
    found = matcher.candidates("What did Mark Rutte say about buying the Danish island?")
    assert found is not None
    assert set(found.claim_ids) <= {3}


# -- the service: embedding, sharing and backfill --------------------------------------------------


def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'claims.db'}")


def standin_service(tmp_path: Path, encoder: ConceptEncoder) -> ClaimService:
    """A service on the stand-in encoder, ranking with MiniLM's weights (the stand-in has none of
    its own, and the service refuses an encoder without weights)."""
    return ClaimService.open(sqlite_settings(tmp_path), semantic_encoder=encoder,
                             semantic_weights=load_semantic_model())


def ingest_samples(service: ClaimService) -> None:
    from claims.samples import samples

    for item in samples():
        service.ingest(item.article())


def test_the_service_embeds_after_ingest_and_answers_by_meaning(tmp_path: Path) -> None:
    encoder = ConceptEncoder()
    service = standin_service(tmp_path, encoder)
    service.load_index()
    ingest_samples(service)  # each ingest catches up, then embeds within its budget
    semantic = service.semantic
    assert semantic is not None
    while semantic.pending:
        service.fill_vectors()
    answer = service.ask("Does the president want to buy the Danish island?", log_it=False)
    assert answer.claims
    assert "Greenland" in answer.claims[0].text
    assert service.vectors_path() == tmp_path / "claims.db.vectors"
    assert service.vectors_path().is_file()  # saved once the backlog was done


def test_a_restart_reuses_saved_vectors(tmp_path: Path) -> None:
    first = standin_service(tmp_path, ConceptEncoder())
    ingest_samples(first)
    report = first.semantic_backfill()
    assert report.embedded > 0
    assert report.pending == 0
    again = ConceptEncoder()
    second = standin_service(tmp_path, again)
    second.load_index()
    assert second.semantic is not None
    assert second.semantic.pending == 0
    assert again.calls == 0


def test_an_interrupted_backfill_resumes_where_it_stopped(tmp_path: Path) -> None:
    service = standin_service(tmp_path, ConceptEncoder())
    ingest_samples(service)
    total = len(service.claims())
    assert total > 16
    seen: list[int] = []

    def stop_in_the_third_batch(n: int) -> None:
        seen.append(n)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        service.semantic_backfill(progress=stop_in_the_third_batch, checkpoint_seconds=0.0, batch=8)
    path = service.vectors_path()
    assert path is not None
    saved, _ = VectorStore.load(path)
    assert len(saved) == 16  # two whole batches were checkpointed, the third was cut short
    resumed_encoder = ConceptEncoder()
    resumed = standin_service(tmp_path, resumed_encoder)
    waiting: list[int] = []
    report = resumed.semantic_backfill(started=waiting.append)
    assert waiting == [total - 16]
    assert resumed_encoder.calls == total - 16
    assert report.pending == 0
    assert len(VectorStore.load(path)[0]) == total


def test_a_running_index_adopts_vectors_another_process_computed(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "shared.vectors"
    cli = SemanticIndex(ConceptEncoder(), path=path)
    bot_encoder = ConceptEncoder()
    bot = SemanticIndex(bot_encoder, path=path)
    claims = docs()
    for doc in claims[:2]:
        bot.note(doc)
    for doc in claims:
        cli.note(doc)
    cli.fill(checkpoint_seconds=0.0)  # the CLI embeds all four and saves
    report = bot.fill()
    assert report.adopted == 2
    assert report.embedded == 0
    assert bot_encoder.calls == 0
    bot.note(ClaimDoc(9, "A claim only the bot has seen.", speaker="Somebody"))
    bot.fill(checkpoint_seconds=0.0)  # the bot saves: the CLI's other two vectors stay in the file
    saved, _ = VectorStore.load(path)
    assert set(saved.claim_ids()) == {1, 2, 3, 4, 9}
    assert saved.key(3) == fingerprint(embedded_text(claims[2]))


def test_vectors_are_saved_with_the_index_snapshot_and_attached_when_it_loads(tmp_path: Path) -> None:
    first = standin_service(tmp_path, ConceptEncoder())
    first.load_index()
    ingest_samples(first)
    while first.semantic is not None and first.semantic.pending:
        first.fill_vectors()
    path = first.vectors_path()
    assert path is not None
    path.unlink()  # so that only the snapshot save can write it again
    first.index.catch_up()
    assert first.save_index()
    assert path.is_file()
    encoder = ConceptEncoder()
    second = standin_service(tmp_path, encoder)
    second.load_index()
    semantic = second.semantic
    assert semantic is not None
    assert not semantic.verified  # a snapshot holds no claim text: checked in the background
    answer = second.ask("Does the president want to buy the Danish island?", log_it=False)
    assert "Greenland" in answer.claims[0].text
    second.fill_vectors()
    assert semantic.verified
    assert semantic.pending == 0
    assert encoder.calls == 1  # the question only: every claim's vector came from the file
