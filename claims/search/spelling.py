"""Spelling tolerance: known words near a typed one, and typed function words ("waht", "abut").

A question's typos fall into two kinds. A misspelt content word ("grenland") is corrected against
the index vocabulary, so corrections follow the claims actually stored. A misspelt function word
("waht did", "teh") is not in any claim; left alone it would count as a word the claim fails to
cover, so it is recognised as the stop word it stands for and ignored.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from claims.search.analyse import STOP_WORDS

MIN_CORRECTED_CHARS = 5
"""Shorter content words are left as typed: one edit turns most short English words into other
words ("safe" into "sale", "hart" into "hard"), so correcting them invents matches."""

_STOP_BY_INITIAL: dict[str, list[str]] = {}
for _word in STOP_WORDS:
    if len(_word) >= 3:
        _STOP_BY_INITIAL.setdefault(_word[0], []).append(_word)


def near_terms(
    term: str, candidates: Iterable[str], max_distance: int, limit: int = 8
) -> list[tuple[str, int]]:
    """Known terms within ``max_distance`` edits (transpositions count once) of ``term``."""
    # rapidfuzz's stubs type scorers as similarities; a distance scorer is fine at run time.
    hits = process.extract(
        term, candidates, scorer=OSA.distance, score_cutoff=max_distance, limit=limit,  # type: ignore[arg-type]
    )
    return [(hit[0], int(hit[1])) for hit in hits]


def max_edits(word: str) -> int:
    """How many edits a word of this length may be away from what was meant."""
    return 1 if len(word) <= 5 else 2


def misspelt_stop_word(word: str) -> bool:
    """Whether an unknown word of 3-6 letters is one edit from a function word ("waht", "abot")."""
    if not 3 <= len(word) <= 6 or not word.isalpha():
        return False
    for stop in _STOP_BY_INITIAL.get(word[0], ()):
        if abs(len(stop) - len(word)) > 1 or OSA.distance(word, stop, score_cutoff=1) > 1:
            continue
        if len(word) >= 4 or sorted(word) == sorted(stop):  # "teh", but not "hat" for "has"
            return True
    return False
