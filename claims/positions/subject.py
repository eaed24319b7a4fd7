"""Whether two statements by one speaker are about the same thing, once their stance is set aside.

The stance words are what is allowed to differ ("will *not raise* the fuel tax" / "the fuel tax will
*rise*"); what is left, the subject words, must overlap enough that the second statement is about
the thing the first was about and not its neighbour ("price" cut / "sales" grew, "classrooms" /
"school buses"). Words meet when their stems are equal, when one is a short extension of the other
("north" / "northern", "class" / "classroom"), or when a small configured synonym group holds both
("fare" / "price", "truce" / "ceasefire").

How much may be left over grows with the statements' length: a long reported sentence carries
reasons and dates a short quote leaves out, so a fixed allowance would only ever match short pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from claims.positions.stance import forms
from claims.positions.terms import stem

MIN_SHARED_SHARE = 0.5
"""Share of the shorter statement's subject words the other must hold."""
MIN_SHARED_SHARE_OF_TWO = 0.4
"""The share needed when two or more subject words are shared: two words in common ("dredging the
bay") hold a subject even in a long statement that adds reasons."""
MIN_SHARED = 1
"""And at least this many subject words in common, whatever the share."""
LEFTOVER_BASE = 2
LEFTOVER_PER_WORD = 0.5
"""Words in one statement and not the other: at most ``LEFTOVER_BASE`` plus this share of both
statements' subject words together."""
_EXTENSION = 5
""""class" meets "classroom": a stem that starts another meets it if at most this many letters
follow, and the shorter has at least four letters (so "art" does not meet "article")."""
GENERIC = frozenset({
    "while", "despite", "every", "each", "over", "under", "above", "below", "including", "includ", "part",
    "last", "next", "immediately", "exactly", "roughly", "about", "around", "average", "modest",
    "where", "whether", "way", "put", "forward", "forwar", "side", "currently", "fully", "full",
    "least", "most", "more", "less", "such", "other", "another", "own", "same", "thing", "things",
    "lot", "many", "much", "well", "like", "as", "long", "soon", "later", "earlier", "after",
    "before", "until", "since", "through", "toward", "towards", "per", "one", "ones", "everyone",
    "everything", "something", "anything", "nothing", "whom", "whose", "how", "why", "because",
    "rest", "main", "stay", "remain", "further", "notice", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "june",
    "july", "august", "september", "october", "november", "december",
    "summer", "winter", "spring", "autumn", "half", "quarter", "end", "start", "beginning",
    "see", "need", "come", "make", "take", "get", "give", "go", "look", "likely", "probably",
    "expect", "hope", "want", "consider", "now", "seem", "able",
    # how a figure is given: "sales should reach", "the annual total stands at"
    "reach", "total", "annual", "overall", "amount", "stand", "fullyear", "whole",
    # who said it, in reported speech (words whose stems name nothing else)
    "minister", "spokesman", "spokeswoman", "spokesperson", "told",
    # who acts rather than what about: a speaker's institution is in most of its statements
    "government", "ministry", "party", "company", "firm", "group", "council", "committee", "board",
    "club", "union", "league", "agency", "city",
})
"""Words that say nothing about which thing a statement is about: quantifiers, adverbs of time and
degree, connectives. Left out of the subject words on both sides."""
GENERIC_STEMS = GENERIC | {stem(w) for w in GENERIC}


_SENTENCE = re.compile(r"(?<=[.!?])\s+|[\"“”‘’]")
_NOT_NAMES = frozenset({"i", "mr", "mrs", "ms", "dr", "prof", "president", "minister", "prime",
                        "secretary", "senator", "governor", "mayor", "sir", "u", "s", "monday",
                        "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                        "january", "february", "march", "april", "may", "june", "july", "august",
                        "september", "october", "november", "december"})
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


@lru_cache(maxsize=65_536)
def names(text: str) -> frozenset[str]:
    """Capitalised words not opening a sentence or quote: the names a statement mentions."""
    found = set()
    for sentence in _SENTENCE.split(text):
        words = _WORD.findall(sentence)
        for word in words[1:]:
            if word[0].isupper() and word.casefold() not in _NOT_NAMES:
                found.add(stem(word.casefold().replace("-", "")))
    return frozenset(found)


@lru_cache(maxsize=65_536)
def _all_words(text: str) -> frozenset[str]:
    return frozenset(stem(w.casefold()) for w in _WORD.findall(text))


def other_names(a: str, b: str) -> bool:
    """Each statement names something and no name is in both ("flights to Lisbon" / "flights to
    Madrid"): two different things, whatever else they share. A name in common ("Muslims", "U.S." /
    "the United States") leaves the pair to the other tests."""
    left, right = names(a), names(b)
    if not left or not right:
        return False
    words_a, words_b = _all_words(a), _all_words(b)
    return not any(_meet(x, y) for x in left for y in words_b) and \
        not any(_meet(x, y) for x in words_a for y in right)


@dataclass(frozen=True, slots=True, eq=False)
class Synonyms:
    """Small groups of words a speaker uses for one thing; each word maps to its group's head."""

    head: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, groups: Iterable[Iterable[str]]) -> Synonyms:
        head: dict[str, str] = {}
        for group in groups:
            words = [w.casefold() for w in group]
            for w in words:
                for form in forms(w):
                    head[stem(form)] = stem(words[0])
        return cls(head=head)

    def canonical(self, word: str) -> str:
        return self.head.get(word, word)


def _meet(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return (long_.startswith(short) and len(long_) - len(short) <= _EXTENSION
            and (len(short) >= 4 or len(long_) - len(short) <= 1))


@dataclass(frozen=True, slots=True)
class Overlap:
    shared: int
    smaller: int
    leftover: int
    total: int
    only_left: int = 0
    only_right: int = 0
    numbers: int = 0
    """Of the shared, how many are numbers both statements give."""

    @property
    def share(self) -> float:
        return self.shared / self.smaller if self.smaller else 0.0


def overlap(a: Iterable[str], b: Iterable[str], synonyms: Synonyms, *,
            also_shared: int = 0) -> Overlap:
    """How the subject words of two statements meet (each word used once); ``also_shared`` counts
    things both name besides words (the same number: "the 2032 Games" / "a bid for 2032")."""
    left = sorted({synonyms.canonical(w) for w in a if w not in GENERIC_STEMS}) + ["#"] * also_shared
    right = sorted({synonyms.canonical(w) for w in b if w not in GENERIC_STEMS}) + ["#"] * also_shared
    unused = list(right)
    shared = 0
    for word in left:
        for other in unused:
            if _meet(word, other):
                unused.remove(other)
                shared += 1
                break
    leftover = (len(left) - shared) + len(unused)
    return Overlap(shared=shared, smaller=min(len(left), len(right)), leftover=leftover,
                   total=len(left) + len(right), only_left=len(left) - shared, only_right=len(unused),
                   numbers=also_shared)


def same_subject(o: Overlap, *, strict: bool = True) -> bool:
    """Enough in common, and not too much said besides (module docstring).

    ``strict``: with one subject word in common, the shorter statement must say nothing else.
    Otherwise one shared word and other words on both sides is a substitution, not an elaboration:
    "masks in shops" / "masks on trains" name two settings, "the party will back the budget" /
    "the party will oppose the pension reform" two bills. Not strict, only an even swap ("shops" /
    "trains") is refused; a number in common counts as a second shared word."""
    if o.shared < MIN_SHARED or o.share < (MIN_SHARED_SHARE if o.shared < 2 else MIN_SHARED_SHARE_OF_TWO):
        return False
    swapped = o.shared == 1 and o.only_left > 0 and o.only_right > 0 and not o.numbers
    if swapped and (strict or o.only_left == o.only_right):
        return False
    return o.leftover <= LEFTOVER_BASE + LEFTOVER_PER_WORD * o.total
