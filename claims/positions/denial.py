"""One statement denies what the other asserts, in other words around it.

The narrow polarity rule (``claims.positions.compare``) wants two statements that are the same
words but for a "not". Denials are rarely worded so closely: "there will be no lockdown" / "a
two-week lockdown starts on Monday", "we have no interest in bidding for the Games" / "we will bid
for the Games". What makes these a change is that the *denied word itself* (the first content word
after the negation: "lockdown", "bidding") is asserted by the other statement, which denies nothing
about it, and that the other statement is about nothing else: every subject word of the shorter
statement is in the longer one.

The focus test is what keeps "we will not raise taxes" / "taxes are too high for families" apart:
the denial is of raising, which the second statement does not assert.
"""

from __future__ import annotations

from claims.positions.subject import Synonyms, overlap
from claims.positions.terms import FUNCTION_WORDS, NEGATIONS, Terms, clauses, stem

LEFTOVER_BASE = 2
LEFTOVER_PER_WORD = 0.34
"""The longer statement may add at most ``LEFTOVER_BASE`` plus this share of both statements'
subject words: a reason or a date, not a second subject."""


def _foci(text: str, negating: tuple[tuple[str, str], ...]) -> tuple[set[str], bool]:
    """The stems of the words right after each negation, and whether any clause is negated."""
    foci: set[str] = set()
    negated = False
    for clause in clauses(text, negating):
        for i, token in enumerate(clause):
            if token not in NEGATIONS:
                continue
            negated = True
            focus = next((t for t in clause[i + 1:] if t.isalpha() and t not in FUNCTION_WORDS
                          and t not in NEGATIONS), None)
            if focus is not None:
                foci.add(stem(focus))
    return foci, negated


def denial(earlier: str, later: str, a: Terms, b: Terms, *, subject: tuple[frozenset[str], frozenset[str]],
           negating: tuple[tuple[str, str], ...], same: Synonyms) -> str | None:
    """The denied word when one statement denies what the other plainly asserts (module
    docstring); ``subject`` holds each statement's subject words."""
    foci_a, neg_a = _foci(earlier, negating)
    foci_b, neg_b = _foci(later, negating)
    if neg_a == neg_b:
        return None
    foci, other = (foci_a, b) if neg_a else (foci_b, a)
    asserted = [f for f in foci if f in other.words]
    if not asserted:
        return None
    o = overlap(subject[0], subject[1], same)
    if o.shared == 0 or o.shared < o.smaller:
        return None
    if o.leftover > LEFTOVER_BASE + LEFTOVER_PER_WORD * o.total:
        return None
    return f"not {sorted(asserted)[0]}"
