"""Whether a later claim by a speaker contradicts an earlier one on the same subject.

The rule is deliberately narrow, because a wrong "changed position" is worse than a missed one: the
two statements must be about the same thing (most of the shorter one's content words are in the
other), and then differ only by
- polarity: one more or one fewer negation ("binding" / "not binding", "ready" / "in no hurry"),
  or one word of an opposite pair standing for its partner ("supports" / "opposes");
- a number: the same words with another value in the same place (5 percent / 50 percent).
A repeat, a rewording, an extension that adds words, or a claim that shares only the subject is
not a change. Both statements' leftover words (what one says and the other does not) must be few.

Changes of position are mostly *not* worded that way, so looser readings follow, each with its own
same-subject test (``claims.positions.subject``):
- stance (``claims.positions.stance``): the side each statement takes on a general stance axis
  ("will not raise the fuel tax" / "the fuel tax will rise", "will go ahead" / "called off");
- quantity (``claims.positions.numbers``): another value for what the same words measure
  ("revenue of 4.2 billion dollars" / "revenue should reach 3.9 billion");
- denial (``claims.positions.denial``): one statement denies the very word the other asserts
  ("there will be no lockdown" / "a lockdown starts on Monday").
None of them runs when the statements name different things ("flights to Lisbon" / "flights to
Madrid") or one is about what the other's subject owns ("the minister" / "the minister's deputy");
two statements that both give numbers, none in common, are about different quantities or dates
and never clash by stance or denial.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from claims.positions.denial import denial
from claims.positions.numbers import (
    CURRENCIES,
    is_year,
    number_in_place,
    other_items,
    quantities,
    quantity_change,
)
from claims.positions.rules import PositionRules
from claims.positions.stance import Stance, agree, conflict, read_stance
from claims.positions.subject import other_names, overlap, same_subject
from claims.positions.terms import FUNCTION_WORDS, NEGATIONS, Terms, clauses, stem, terms

POSITION, OFF = "position", "off"
"""The stance axis and side that ``_called_off`` reads (``config/positions.toml``)."""
SAME_SUBJECT = 0.6
"""Share of the shorter statement's content words the other must have to be about the same thing."""
RELATED = 0.34
"""Share that makes two claims by one speaker related enough to link as earlier and later."""
MAX_LEFTOVER = 2
"""At most this many content words (besides the number or opposite that differs) may be in one
statement and not the other: more, and the later claim says something else, not the opposite."""


class Relation(StrEnum):
    CHANGED = "changed"
    REPEATED = "repeated"
    RELATED = "related"
    UNRELATED = "unrelated"


class Reason(StrEnum):
    POLARITY = "polarity"
    OPPOSITE = "opposite"
    NUMBER = "number"
    STANCE = "stance"


@dataclass(frozen=True, slots=True)
class Comparison:
    relation: Relation
    reason: Reason | None = None
    detail: str | None = None
    """What differs, for people: "not", "supports / opposes", "5% / 50%"."""


def compare(earlier: str, later: str, rules: PositionRules) -> Comparison:
    """How ``later`` stands to ``earlier`` (both by one speaker): the narrow reading first, whose
    reasons are the plainest to show, then the stance and quantity readings."""
    a, b = terms(earlier, rules.negations), terms(later, rules.negations)
    sa = read_stance(earlier, rules.stances, rules.stance_negations)
    sb = read_stance(later, rules.stances, rules.stance_negations)
    possessed = _possessed(earlier, later, a, b, rules)
    possessed = possessed or not (_qualified(sa, b, rules) and _qualified(sb, a, rules))
    narrow = _narrow(a, b, sa, sb, rules, negated=(_denies(earlier, b, rules), _denies(later, a, rules)),
                     possessed=possessed)
    if narrow.relation is Relation.CHANGED:
        return narrow
    if possessed or other_names(earlier, later):
        return narrow
    clash = _stance_change(a, b, sa, sb, rules)
    if clash is not None:
        return Comparison(Relation.CHANGED, Reason.STANCE, clash)
    moved = _quantity_change(earlier, later, a, b, sa, sb, rules)
    if moved is not None:
        return Comparison(Relation.CHANGED, Reason.NUMBER, moved)
    if agree(sa, sb) or (a.numbers and b.numbers and not set(a.numbers) & set(b.numbers)):
        return narrow
    denied = denial(earlier, later, a, b, subject=(a.words, b.words), negating=rules.negations,
                    same=rules.same)
    if denied is not None:
        return Comparison(Relation.CHANGED, Reason.POLARITY, denied)
    return narrow


def _denies(text: str, other: Terms, rules: PositionRules) -> bool:
    """Whether a clause of ``text`` with a negation is about what ``other`` says: "the ceasefire
    is holding, and we will not break it" denies nothing "the ceasefire will hold" said."""
    for clause in clauses(text, rules.negations):
        if any(t in NEGATIONS for t in clause):
            words = {stem(t) for t in clause if t.isalpha() and t not in FUNCTION_WORDS
                     and t not in NEGATIONS}
            if not words or words & other.words or not other.words:
                return True  # no words: "we will not, and never will, raise taxes"
    return False


def _narrow(a: Terms, b: Terms, sa: Stance, sb: Stance, rules: PositionRules, *,
            negated: tuple[bool, bool], possessed: bool) -> Comparison:
    """The same words but for a negation, an opposite pair or a number (module docstring);
    ``negated``: whether each statement denies something in a clause about the other's words;
    ``possessed``: one statement is about something the other's subject owns (``_possessed``), or
    narrows it by a phrase the other lacks (``_qualified``)."""
    opposite = _opposite(a, b, rules)
    shared = _overlap(a, b, paired=opposite is not None)
    if shared < RELATED:
        return Comparison(Relation.UNRELATED)
    if shared < SAME_SUBJECT:
        return Comparison(Relation.RELATED)
    number = number_in_place(a, b)
    if number is not None:
        return Comparison(Relation.CHANGED, Reason.NUMBER, number)
    if agree(sa, sb):
        return Comparison(Relation.REPEATED)
    if a.numbers and b.numbers and set(a.numbers) != set(b.numbers):
        return Comparison(Relation.REPEATED)  # other numbers: other items ("the first proposal")
    if possessed:
        return Comparison(Relation.RELATED)
    flips = negated[0] != negated[1]  # "not ... and never will be" is still "not"
    if opposite is not None and not flips:
        return Comparison(Relation.CHANGED, Reason.OPPOSITE, opposite)
    if (flips and opposite is None and _leftover(a.words, b.words) <= MAX_LEFTOVER
            and not _replaced(a.words - b.words, b.words - a.words)):
        return Comparison(Relation.CHANGED, Reason.POLARITY, "not")
    return Comparison(Relation.REPEATED)


def _quantity_change(earlier: str, later: str, a: Terms, b: Terms, sa: Stance, sb: Stance,
                     rules: PositionRules) -> str | None:
    """Another value for one quantity, in statements on one subject that agree in polarity
    (``claims.positions.numbers``)."""
    if (a.negations > 0) != (b.negations > 0) or other_items(a, b):
        return None
    stance_stems = {stem(w) for w in sa.words | sb.words} | CURRENCIES
    if not same_subject(overlap(a.words - stance_stems, b.words - stance_stems, rules.same),
                        strict=False):
        return None
    ignore = sa.words | sb.words
    return quantity_change(quantities(clauses(earlier, rules.negations), ignore),
                           quantities(clauses(later, rules.negations), ignore), rules.same)


def _stance_change(a: Terms, b: Terms, sa: Stance, sb: Stance, rules: PositionRules) -> str | None:
    """Opposite sides on a stance axis, about the same subject (module docstring)."""
    clash = conflict(sa, sb)
    strict = False
    if clash is None:
        clash = _called_off(a, b, sa, sb)
        strict = True
    if clash is None:
        return None
    if a.numbers and b.numbers and not set(a.numbers) & set(b.numbers):
        return None
    if not (_qualified(sa, b, rules) and _qualified(sb, a, rules)):
        return None
    stance_stems = {stem(w) for w in sa.words | sb.words | sa.contrasted | sb.contrasted}
    common_numbers = len({n for n in set(a.numbers) & set(b.numbers) if is_year(n)})
    if not same_subject(overlap(a.words - stance_stems, b.words - stance_stems, rules.same,
                                also_shared=common_numbers)) or (strict and not _all_shared(
                                    a.words - stance_stems, b.words - stance_stems, rules)):
        return None
    return clash


def _qualified(s: Stance, other: Terms, rules: PositionRules) -> bool:
    """The other statement has each word that narrows this one's subject ("speed limits on
    motorways will rise" is not about all speed limits)."""
    return all(overlap({stem(w) for w in q}, other.words, rules.same).shared for q in s.qualifiers)


def _called_off(a: Terms, b: Terms, sa: Stance, sb: Stance) -> str | None:
    """One statement calls off what the other, plainly and without any stance word on the axis,
    says will happen ("the union will strike on Monday" / "the strike has been called off")."""
    for plain, off, terms_plain in ((sa, sb, a), (sb, sa, b)):
        if (off.sides.get(POSITION) == frozenset({OFF}) and POSITION not in plain.sides
                and terms_plain.negations == 0):
            return f"{POSITION}: for / {OFF}"
    return None


def _all_shared(a: frozenset[str], b: frozenset[str], rules: PositionRules) -> bool:
    """Every subject word of the shorter statement is in the other: the test for a clash read
    from a plain statement, which has no stance word to anchor it."""
    o = overlap(a, b, rules.same)
    return o.shared >= 1 and o.shared == o.smaller


def _overlap(a: Terms, b: Terms, *, paired: bool) -> float:
    """Share of the shorter statement's content words in the other; an opposite pair counts as shared."""
    small, large = sorted((a.words, b.words), key=len)
    shared = len(small & large) + (1 if paired else 0)
    if len(small) < 2:
        return 1.0 if small and shared == len(small) and len(large) <= 2 else 0.0
    return min(1.0, shared / len(small))


def _leftover(a: frozenset[str], b: frozenset[str]) -> int:
    return len(a ^ b)


def _opposite(a: Terms, b: Terms, rules: PositionRules) -> str | None:
    """An opposite pair with one word on each side, the rest of the statements alike."""
    only_a, only_b = a.words - b.words, b.words - a.words
    for x in only_a:
        for y in only_b:
            if rules.opposed(x, y):
                if len(only_a) + len(only_b) - 2 <= MAX_LEFTOVER and not _replaced(
                        only_a - {x}, only_b - {y}):
                    return f"{x} / {y}"
                return None
    return None


def _possessed(earlier: str, later: str, a: Terms, b: Terms, rules: PositionRules) -> bool:
    """One statement speaks of the owner, the other of what it owns: "the minister will not
    resign" / "the minister's deputy has resigned" is about the deputy. ("He's" is "he is".)"""
    for text, other in ((earlier, b), (later, a)):
        for clause in clauses(text, rules.negations):
            for i in range(1, len(clause) - 1):
                owner, owned = stem(clause[i - 1]), stem(clause[i + 1])
                if (clause[i] == "'s" and clause[i - 1] not in FUNCTION_WORDS
                        and owner in other.words and owned not in other.words):
                    return True
    return False


def _replaced(only_a: frozenset[str], only_b: frozenset[str]) -> bool:
    """Words on both sides that differ: another object ("rates will fall" / "unemployment will
    rise", "no longer required in shops" / "still required on trains"), not a reworded one. Words on
    one side only are an extension ("ready for a cease-fire" / "... now") and are fine."""
    return bool(only_a) and bool(only_b)
