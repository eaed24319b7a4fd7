"""One analyser for claims and questions: both sides agree on what a term is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from claims.search.analyse import index_terms, marked_terms


def test_camel_case_hashtags_and_handles_split_the_same_on_both_sides() -> None:
    claim = set(index_terms("The OpKKK leak named officials."))
    for question in ("#OpKKK", "op kkk", "@OpKKK", "OPKKK leak"):
        assert {"op", "kkk"} <= set(index_terms(question)) | {"op", "kkk"} & claim
    assert {"op", "kkk", "opkkk"} <= claim
    assert {"australian", "fire"} <= set(index_terms("#AustralianFires"))


def test_possessives_contractions_and_acronyms() -> None:
    assert index_terms("Trump’s plan") == index_terms("Trump plan")
    assert "usa" in index_terms("the U.S. economy") and "usa" in index_terms("US tariffs")


def test_numbers_are_kept_and_marked() -> None:
    terms = index_terms("A 30-day cease-fire cost $10,375 and 5 lives")
    assert {"30", "10375", "5", "ceasefir", "ceas", "fire"} <= set(terms)
    names, numbers = marked_terms("In 2019 Donald Trump met Kim in Hanoi 2 times")
    assert numbers == {"2019", "2"}
    assert {"donald", "trump", "kim", "hanoi"} <= names


@given(st.text(max_size=200))
def test_any_text_analyses_without_error(text: str) -> None:
    assert all(t and not t.isspace() for t in index_terms(text))
