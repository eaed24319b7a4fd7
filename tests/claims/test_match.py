"""The question matcher: quality on the labelled set, updates, filters and hostile input."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.catalog import Catalog, load_catalog
from claims.errors import ConfigError
from claims.search.documents import ClaimDoc
from claims.search.match import Matcher
from claims.search.synonyms import load_synonyms
from tests.claims.questions import labelled

ROOT = Path(__file__).resolve().parents[2]




@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "config")


@pytest.fixture(scope="module")
def synonyms() -> dict[str, list[str]]:
    return load_synonyms(ROOT / "config")


@pytest.fixture(scope="module")
def docs(catalog: Catalog) -> list[ClaimDoc]:
    return labelled.load_docs(catalog)


@pytest.fixture(scope="module")
def matcher(docs, catalog, synonyms) -> Matcher:
    return Matcher.build(docs, catalog=catalog, synonyms=synonyms)


def test_labelled_set_meets_the_targets(matcher: Matcher) -> None:
    questions = labelled.load_questions()
    assert len(questions) >= 60
    assert sum(not q.expect for q in questions) >= 150
    quality = labelled.evaluate(matcher, questions)
    # measured: top-1 0.72 answered for sure, the intended claim answered or offered as one of the
    # closest for 0.99, no off-topic question answered. (Before the answer gate, chosen by
    # leave-one-world-out with everyday questions about other news, 0.95 were answered for sure;
    # the gate sends a quarter of them to "not sure", where they are still the first offer.)
    assert quality.top1 >= 0.68, quality.misses
    assert quality.answered_or_offered >= 0.95, quality.misses
    assert quality.off_topic_rate <= 0.01, quality.misses


@pytest.mark.parametrize(
    "question", ["trump good signals cease-fire", "trump good signals ceasefire",
                 "trump good signals cease fire", "Trump “good signals” CEASE‑FIRE"]
)
def test_hyphen_case_and_quote_variants_agree(matcher: Matcher, question: str) -> None:
    assert matcher.ask(question)[0].claim_id == 1


def test_synonym_typo_and_alias_are_explained(matcher: Matcher) -> None:
    truce = matcher.ask("What did Trump say about the truce?")
    assert truce[0].claim_id in {1, 2, 4, 5}
    assert "truce~ceasefir" in truce[0].why and "Donald Trump" in truce[0].why
    typo = matcher.ask("grenland national securty")
    assert typo[0].claim_id == 11
    assert "grenland→greenland" in typo[0].why
    alias = matcher.ask("What did Zelenskyy say about the ceasefire proposal?")
    assert alias[0].claim_id in {6, 7}


def test_speaker_question_only_returns_that_speaker(matcher: Matcher, docs) -> None:
    by_id = {d.id: d for d in docs}
    got = matcher.ask("What did Rutte say?", limit=10)
    assert len(got) >= 3
    assert {by_id[m.claim_id].speaker for m in got} == {"Mark Rutte"}
    # ... and a speaker who said nothing on the subject gets no answer, not someone else's claim
    assert matcher.ask("What did Macron say about the football world cup?") == []


def test_scores_are_ordered_bounded_and_limited(matcher: Matcher) -> None:
    got = matcher.ask("Greenland", limit=2)
    assert 1 <= len(got) <= 2
    assert all(0.0 <= m.score <= 1.0 for m in got)
    assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)
    assert matcher.ask("Greenland", limit=0) == []


@pytest.mark.parametrize(
    "question", ["", "   ", "\n\t", "x" * 10_000, "🙂🔥🇺🇦" * 200, "?!…", "\x00\x01", "a" * 3,
                 "the of and what did", "Greenland " * 2_000]
)
def test_bad_input_returns_promptly_without_error(matcher: Matcher, question: str) -> None:
    started = time.perf_counter()
    got = matcher.ask(question)
    assert time.perf_counter() - started < 0.5
    if not question.strip(" \n\t") or not any(c.isalpha() for c in question):
        assert got == []
    assert all(0.0 <= m.score <= 1.0 for m in got)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_safe(question: str) -> None:
    matcher = _cached_matcher()
    got = matcher.ask(question, limit=3)
    assert len(got) <= 3
    assert all(0.0 <= m.score <= 1.0 and m.why for m in got)


_CACHE: dict[str, Matcher] = {}


def _cached_matcher() -> Matcher:
    if "m" not in _CACHE:
        catalog = load_catalog(ROOT / "config")
        _CACHE["m"] = Matcher.build(
            labelled.load_docs(catalog), catalog=catalog, synonyms=load_synonyms(ROOT / "config")
        )
    return _CACHE["m"]


def test_upsert_revises_and_remove_forgets(docs, catalog, synonyms) -> None:
    matcher = Matcher.build(docs, catalog=catalog, synonyms=synonyms)
    assert len(matcher) == len(docs)
    assert matcher.ask("Is Greenland for sale?")[0].claim_id == 20
    revised = ClaimDoc(20, "Greenland belongs to its people.", "Mette Frederiksen",
                       topic="greenland", topic_name="Greenland")
    matcher.upsert(revised)
    assert len(matcher) == len(docs)
    assert all(m.claim_id != 20 for m in matcher.ask("not for sale"))
    assert matcher.ask("Who does Greenland belong to?")[0].claim_id == 20
    matcher.remove(20)
    matcher.remove(20)  # twice, and unknown ids, are harmless
    matcher.remove(999_999)
    assert len(matcher) == len(docs) - 1
    assert all(m.claim_id != 20 for m in matcher.ask("Greenland belongs to its people"))


def test_incremental_index_answers_like_a_built_one(docs, catalog, synonyms) -> None:
    built = Matcher.build(docs, catalog=catalog, synonyms=synonyms)
    grown = Matcher(catalog, synonyms)
    for doc in docs:
        grown.upsert(doc)
    for q in labelled.load_questions():  # length norms differ a little: same best, close score
        a, b = grown.ask(q.text), built.ask(q.text)
        assert [m.claim_id for m in a[:1]] == [m.claim_id for m in b[:1]], q.text
        if a:
            assert abs(a[0].score - b[0].score) < 0.05, q.text


def test_compaction_after_mass_removal_keeps_answers(docs, catalog, synonyms) -> None:
    filler = [
        ClaimDoc(10_000 + i, f"Filler statement number {i} about municipal parking fees {i % 7}.")
        for i in range(3_000)
    ]
    matcher = Matcher.build([*docs, *filler], catalog=catalog, synonyms=synonyms)
    for doc in filler[:2_500]:
        matcher.remove(doc.id)
    assert len(matcher) == len(docs) + 500
    assert matcher.ask("drag nato into that")[0].claim_id == 12
    assert matcher.ask("municipal parking fees 2999")[0].claim_id == 12_999
    matcher.upsert(ClaimDoc(12_999, "Parking is now free downtown."))
    assert matcher.ask("is parking free downtown")[0].claim_id == 12_999


def test_recency_breaks_ties(catalog) -> None:
    old = ClaimDoc(1, "The bridge will reopen in May.", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    new = ClaimDoc(2, "The bridge will reopen in May.", published_at=datetime(2025, 1, 1, tzinfo=UTC))
    matcher = Matcher.build([old, new], catalog=catalog)
    assert [m.claim_id for m in matcher.ask("when will the bridge reopen")] == [2, 1]


def test_load_synonyms(tmp_path: Path, synonyms: dict[str, list[str]]) -> None:
    assert "cease-fire" in synonyms["truce"]
    assert load_synonyms(tmp_path) == synonyms  # a folder without the file uses the shipped one
    (tmp_path / "synonyms.toml").write_text('[synonyms]\nbig = "large"\n')
    with pytest.raises(ConfigError):
        load_synonyms(tmp_path)
    (tmp_path / "synonyms.toml").write_text("[synonyms\n")
    with pytest.raises(ConfigError):
        load_synonyms(tmp_path)


def test_three_typos_still_find_the_claim(matcher: Matcher) -> None:
    got = matcher.ask("waht did trmup say about grenland")
    assert got and got[0].claim_id in {10, 11, 22}
    assert "trmup→trump" in got[0].why or "speaker: Donald Trump" in got[0].why


def test_speakers_come_from_the_indexed_claims(catalog) -> None:
    docs = [
        ClaimDoc(1, "The emails were stolen by a foreign government.", "John Podesta"),
        ClaimDoc(2, "The emails show nothing illegal.", "Jennifer Palmieri"),
        ClaimDoc(3, "The emails are a disgrace to the campaign.", "Rudy Giuliani"),
        ClaimDoc(4, "Pipelines create jobs.", "Sarah Johnson"),
        ClaimDoc(5, "Pipelines poison rivers.", "Boris Johnson"),
    ]
    matcher = Matcher.build(docs, catalog=catalog)
    assert [m.claim_id for m in matcher.ask("what did Podesta say about the emails")] == [1]
    assert [m.claim_id for m in matcher.ask("What did John Podesta say?")] == [1]
    both = {m.claim_id for m in matcher.ask("what did Johnson say about pipelines", limit=5)}
    assert both == {4, 5}  # an ambiguous surname filters nobody out


def test_context_and_further_topics_are_indexed(catalog) -> None:
    docs = [
        ClaimDoc(1, "We will not allow it.", "Anna Berg",
                 context="Speaking about the planned harbour expansion in Tromsø."),
        ClaimDoc(2, "The harbour expansion will bring jobs.", "Olaf Lind"),
        ClaimDoc(3, "Fishing quotas must rise.", "Olaf Lind", other_topics=("Arctic fisheries",)),
    ]
    matcher = Matcher.build(docs, catalog=catalog)
    got = [m.claim_id for m in matcher.ask("harbour expansion", limit=3)]
    assert got[0] == 2 and 1 in got  # the claim's own words outrank its context
    assert matcher.ask("arctic fisheries")[0].claim_id == 3
