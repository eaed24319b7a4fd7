"""Spelling tolerance: known words near a typed one, and typed function words ("waht", "abut").

A question's typos fall into two kinds. A misspelt content word ("grenland") is corrected against
the index vocabulary, so corrections follow the claims actually stored. A misspelt function word
("waht did", "teh") is not in any claim; left alone it would count as a word the claim fails to
cover, so it is recognised as the stop word it stands for and ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
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


MIN_CANDIDATE_DF = 2
"""A correction that substitutes a letter must lead to a word the store uses more than once: a
word seen once is as likely a neighbour by chance as what was meant. (Dropped, doubled, added and
swapped letters are typing slips that rarely land on another real word, so any known word will do.)"""
SHORT_STEM = 7
"""Below this many letters a one-letter substitution is no typo we correct: it turns most short
words into other words ("grape" into "grope", "safe" into "sale"); dropped, doubled, added and
swapped letters still are."""
MAX_MISSPELT_DF = 1
"""A typed word the store already has more often than this is taken as meant, never corrected."""
RARE_RATIO = 20
"""A typed word the store has once is corrected only to a spelling this many times as frequent."""
CORRECTED_WEIGHT = 0.85
CORRECTED_WEIGHT_2 = 0.7
"""What a corrected term weighs beside a typed one (1.0), one and two edits away: a guess is
weaker evidence than what the question says (and never alone an answer: ``features.extract``)."""


def max_edits(word: str) -> int:
    """How many edits a typed term (a stem) of this length may be away from what was meant: one
    up to six letters, two from seven ("calori", the stem of "calories", is two edits from
    "carri" and may not travel that far; "securti", the stem of "securty", may reach "secur")."""
    return 1 if len(word) <= 6 else 2


@lru_cache(maxsize=1 << 16)
def squeeze(word: str) -> str:
    """The word with doubled letters written once ("tarrif" and "tariff" are both "tarif"). Kept
    for the store's words, which every question's slip check squeezes again (``slips_among``)."""
    return "".join(c for i, c in enumerate(word) if i == 0 or c != word[i - 1])


def typing_distance(typed: str, known: str) -> int:
    """Edits between a typed word and a known one, where doubling a letter or not (the commonest
    slip: "tarrifs", "haague", "sumit") costs one edit however many letters it moves."""
    plain = int(OSA.distance(typed, known))
    squeezed = squeeze(typed), squeeze(known)
    if squeezed[0] == squeezed[1] and plain:
        return 1
    return min(plain, int(OSA.distance(*squeezed)) + 1) if plain else 0


def slips_among(typed: str, known: Sequence[str]) -> list[bool]:
    """For each known word, whether ``typed`` is within ``max_edits`` of it by ``typing_distance``,
    computed for all of them at once: a question's slip check meets every word of a hundred
    candidate claims, and one call per pair cost more than the rest of the ranking together.

    ``typing_distance`` is the plain distance, or the distance between the squeezed words plus one
    (the doubling slip), whichever is smaller; so a word is within reach when either is."""
    if not known:
        return []
    limit = max_edits(typed)
    plain = process.cdist([typed], known, scorer=OSA.distance, score_cutoff=limit, dtype=np.int32)[0]
    squeezed = process.cdist([squeeze(typed)], [squeeze(w) for w in known], scorer=OSA.distance,
                             score_cutoff=limit, dtype=np.int32)[0]
    return [bool(p <= limit or q + 1 <= limit) and abs(len(w) - len(typed)) <= limit + 1
            for w, p, q in zip(known, plain.tolist(), squeezed.tolist(), strict=True)]


def substituted(typed: str, known: str) -> bool:
    """Whether the two words differ only in one letter replaced by another."""
    return len(typed) == len(known) and sum(a != b for a, b in zip(typed, known, strict=True)) == 1


def earned_distance(typed: str, known: str, known_df: int) -> int | None:
    """The ``typing_distance`` of a correction we may make to a known word used ``known_df``
    times, or ``None`` when it is not earned."""
    if substituted(typed, known) and (len(typed) < SHORT_STEM or known_df < MIN_CANDIDATE_DF):
        return None
    distance = typing_distance(typed, known)
    return distance if distance <= max_edits(typed) else None


MAX_STOP_TYPO = 9
"""The longest function word a typing slip is looked for in: "something" (9)."""

_CONTRACTION_ENDS = ("ll", "re", "ve", "s", "d", "m")
"""What a contraction typed without its apostrophe ends in: "youll", "theyre", "hes", "im"."""


def bare_contraction(word: str) -> bool:
    """Whether a word is a contraction of a function word typed without its apostrophe ("dont",
    "youll", "wasnt", "im"). With the apostrophe the analyser drops the ending and a function word
    is left; without it, the word must not count as one the claim lacks."""
    if word.endswith("nt"):  # "dont", "wasnt", "cant": the analyser's "don", "wasn", "can"
        return word[:-1] in STOP_WORDS
    return any(word.endswith(end) and word[: -len(end)] in STOP_WORDS for end in _CONTRACTION_ENDS)


def misspelt_stop_word(word: str) -> bool:
    """Whether an unknown word is a function word misspelt: one edit from one ("waht", "abot",
    "becuase", "somthing"; 3-9 letters) or a contraction without its apostrophe ("dont",
    ``bare_contraction``). Only words the store does not know are asked about, so a real word one
    edit from a function word ("trough") is never dropped where claims use it."""
    if bare_contraction(word):
        return True
    if not 3 <= len(word) <= MAX_STOP_TYPO or not word.isalpha():
        return False
    for stop in _STOP_BY_INITIAL.get(word[0], ()):
        if abs(len(stop) - len(word)) > 1 or OSA.distance(word, stop, score_cutoff=1) > 1:
            continue
        if len(word) >= 4 or sorted(word) == sorted(stop):  # "teh", but not "hat" for "has"
            return True
    return False
