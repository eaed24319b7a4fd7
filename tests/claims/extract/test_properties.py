"""Property tests: whatever text arrives, the extractor neither crashes nor leaves the text.

The extractor runs on untrusted pages, so arbitrary Unicode, stray or unbalanced quotation marks,
empty and very large inputs must all give a list of claims whose offsets lie inside the text. A
per-sentence safety net logs unexpected errors instead of raising; these tests also fail on any such
log record, so the net cannot hide a bug.
"""

from __future__ import annotations

import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.catalog import Catalog
from claims.extract.attribution import extract_claims

FRAGMENTS = [
    "“", "”", '"', "'", "''", "‘", "’", "``", ",", ".", ":", " ", "\n", "—", "(", ")",
    "Mr. Trump", "Mrs. Clinton", "Ms.", "he", "she", "said", "says", "told reporters", "added:",
    "according to", "the president", "Zelenskyy", "that", "and", "saying", "cease-fire",
    "We have to do it", "U.S.", "By Jane Doe", "Credit...", "This interview has been edited.",
    "?", "Q:", "A:", "calling", "described", "as",
]  # fmt: skip
newsy = st.lists(st.sampled_from(FRAGMENTS), max_size=80).map(" ".join)
any_text = st.one_of(st.text(max_size=400), newsy, st.text(alphabet="“”\"' .,:\nA-Za-zsaid", max_size=200))


def _check(text: str, catalog: Catalog) -> None:
    claims = extract_claims(text, catalog=catalog)
    assert isinstance(claims, list)
    for c in claims:
        assert 0 <= c.start <= c.end <= len(text)
        assert c.text
        assert 0.0 <= c.confidence <= 1.0
        assert c.kind in ("direct", "reported")
        assert c.topic
        assert c.sentence_index >= 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=any_text)
def test_never_crashes_never_leaves_text(
    text: str, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="claims.extract.attribution"):
        _check(text, catalog)
    assert not caplog.records, caplog.records[0].getMessage()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30).map(" ".join),
    opener=st.sampled_from(["“", '"', "''", "‘"]),
)
def test_unbalanced_quotes(
    body: str, opener: str, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    text = f"Headline Words Here\n{opener}{body}, Mr. Trump said. {opener}{body}\n{body}"
    with caplog.at_level(logging.ERROR, logger="claims.extract.attribution"):
        _check(text, catalog)
    assert not caplog.records


@pytest.mark.slow
def test_huge_input_is_linear_enough(catalog: Catalog) -> None:
    """~430 kB article (near max_article_chars), a 1 MB unclosed quote: seconds, not minutes."""
    paragraph = "“It is fine,” Mr. Trump said. He added that the cease-fire would hold. "
    long_article = "Headline Words Here\n" + (paragraph * 40 + "\n") * 150
    giant_quote = "“" + "word " * 200_000
    for text in (long_article, giant_quote, "\n" * 100_000, "”" * 50_000):
        t0 = time.perf_counter()
        _check(text, catalog)
        assert time.perf_counter() - t0 < 20


def test_many_claims_found_in_long_article(catalog: Catalog) -> None:
    text = "Headline Words Here\n" + "“It is fine,” Mr. Trump said.\n" * 500
    claims = extract_claims(text, catalog=catalog)
    assert len(claims) == 500
    assert all(c.speaker == "Donald Trump" for c in claims)
