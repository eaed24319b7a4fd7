"""A statement as the position rules read it: canonical tokens (``claims.canonical``: numbers
as values, contractions spelled out), with negations counted and function words set aside.

Tense and auxiliaries ("is", "was", "will") are function words here: "Russia is ready" and "Russia
was ready" state one position, and a speaker's position is compared across weeks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from claims.canonical import wording

NEGATIONS = frozenset({"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without"})
FUNCTION_WORDS = frozenset({
    "is", "are", "was", "were", "be", "been", "being", "am", "will", "would", "shall", "should", "can",
    "could", "may", "might", "must", "do", "does", "did", "has", "have", "had", "having", "to", "of",
    "in", "on", "at", "for", "by", "with", "from", "as", "into", "about", "and", "or", "but", "so",
    "that", "this", "these", "those", "it", "its", "i", "we", "you", "he", "she", "they", "them", "him",
    "her", "his", "our", "us", "my", "me", "their", "your", "'s", "there", "here", "which", "who",
    "what", "now", "still", "again", "yet", "already", "very", "just", "also", "then", "any", "all",
    "some", "said", "says", "say", "told", "tells", "believe", "believes", "think", "thinks", "going",
    "today", "yesterday", "tomorrow", "week", "month", "year", "if", "when", "than", "too",
    "really", "ever", "even", "only",
})
_STEMMER = snowballstemmer.stemmer("english")
_CLAUSE_END = re.compile(r"[;:!?()\[\]\u2014]|,(?!\d)|(?<!\.[a-z])\.(?!\w)")
_TITLE_DOT = re.compile(r"\b(mr|mrs|ms|mx|dr|prof|sen|rep|gov|gen|col|lt|sgt|capt|rev|st|jr|sr|mt)\.")
"""Punctuation that ends a clause; the canonical tokens drop punctuation, so clauses are cut first
(not inside "4.2" or "12,000")."""


@lru_cache(maxsize=65_536)
def clauses(text: str, negating: tuple[tuple[str, str], ...] = ()) -> tuple[tuple[str, ...], ...]:
    """Canonical tokens of each clause of ``text``, after the ``negating`` phrases are read.

    A clause that is nothing but a negation ("No, I meant he is the founder") is an answer to
    someone else, not a denial of the statement, and is left out."""
    low = text.casefold()
    for phrase, means in negating:
        if phrase in low:
            low = low.replace(phrase, f" {means} ")
    out = []
    for part in _CLAUSE_END.split(_TITLE_DOT.sub(r"\1", low)):
        tokens = tuple(wording(part).key.split())
        if tokens and not all(t in NEGATIONS for t in tokens):
            out.append(tokens)
    return tuple(out)


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The English Snowball stem, so "supports", "supported" and "supporting" meet "support",
    "taxes" meets "tax" and "succeeded" meets "succeed". Numbers ("#5%") are kept whole."""
    if word.startswith("#"):
        return word
    return _STEMMER.stemWord(word)


@dataclass(frozen=True, slots=True)
class Terms:
    """What the rules compare: content stems in order, numbers among them, and the negation count."""

    content: tuple[str, ...]
    negations: int

    @property
    def words(self) -> frozenset[str]:
        """Content stems that are not numbers: what says which subject a statement is about."""
        return frozenset(t for t in self.content if not t.startswith("#"))

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(t for t in self.content if t.startswith("#"))


@lru_cache(maxsize=65_536)
def terms(text: str, negating: tuple[tuple[str, str], ...] = ()) -> Terms:
    """The terms of ``text``; ``negating`` phrases ("in no hurry" -> "not ready") are read first.
    Memoised: a new claim is compared with every earlier claim of its speaker."""
    tokens = [t for clause in clauses(text, negating) for t in clause]
    negations = sum(1 for t in tokens if t in NEGATIONS)
    content = tuple(stem(t) for t in tokens if t not in NEGATIONS and t not in FUNCTION_WORDS
                    and (t.startswith("#") or t.isalpha()))
    return Terms(content=content, negations=negations)
