"""A different number for the same quantity: "3 cents a litre" / "5 cents a litre", "revenue of
4.2 billion dollars" / "revenue should reach 3.9 billion".

Two readings, the second looser than the first:

- *in place*: the two statements are the same words with one number replaced by another of the
  same kind (``number_in_place``);
- *same quantity*: each statement gives a quantity of one unit (percent, money, a count of one
  noun: "days", "jobs"), the values differ and neither statement gives the other's value, and the
  words before each number in its clause (what is measured: "tuition would rise by", "the price
  reduction for Cardiva will be") share a subject word (``quantity_change``).

The second reading never takes a year ("2030", "the 2032 Games") for a quantity: another year is
usually another event, not another figure for one. The same number measuring two things ("fares
up 8 percent" / "fuel costs up 8 percent") is no change, since the values are equal; two numbers
measuring two things ("tuition up 6 percent" / "energy bills up 60 percent") are kept apart by
what precedes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from claims.positions.stance import PREPOSITIONS, phrase_words
from claims.positions.subject import GENERIC, GENERIC_STEMS, Synonyms, overlap, same_subject
from claims.positions.terms import FUNCTION_WORDS, NEGATIONS, Terms, stem

MAX_LEFTOVER = 2
"""In place: at most this many other content words may differ."""
CURRENCIES = frozenset({"usd", "eur", "gbp", "jpy"})
_YEARS = (1800, 2200)


def number_in_place(a: Terms, b: Terms) -> str | None:
    """The one number that differs between two otherwise equal statements ("5%" / "50%")."""
    if not a.numbers or not b.numbers or (a.negations > 0) != (b.negations > 0):
        return None
    matcher = SequenceMatcher(a=a.content, b=b.content, autojunk=False)
    changed: list[tuple[str, str]] = []
    leftover = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        left, right = a.content[i1:i2], b.content[j1:j2]
        nums_l = [t for t in left if t.startswith("#")]
        nums_r = [t for t in right if t.startswith("#")]
        if op == "replace" and len(nums_l) == len(nums_r) == 1 and _same_kind(nums_l[0], nums_r[0]):
            changed.append((nums_l[0], nums_r[0]))
        leftover += len(left) - len(nums_l) + len(right) - len(nums_r)
        if nums_l and nums_r and not (op == "replace" and len(nums_l) == len(nums_r) == 1):
            return None  # numbers moved or multiplied: another statement, not another value
    if len(changed) != 1 or leftover > MAX_LEFTOVER:
        return None
    old, new = changed[0]
    return f"{old[1:]} / {new[1:]}"


def _same_kind(a: str, b: str) -> bool:
    """Two numbers measure the same kind of thing: both percentages or both plain. Ordinals name
    which one ("the first proposal" / "the second proposal"), not how much, and never change."""
    def kind(t: str) -> str:
        return "%" if t.endswith("%") else "th" if t.endswith("th") else ""
    return a != b and kind(a) == kind(b) != "th"


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in a statement, with its unit and the subject words before it in its clause."""

    value: str
    unit: frozenset[str]
    """"%", a currency code, or the next content words ("days", "office days"); empty if none."""
    before: frozenset[str]
    qualifiers: frozenset[frozenset[str]] = frozenset()
    """Of ``before``, the words that open a prepositional phrase ("the speed limit *on motorways*",
    "the price *of Cardiva*"): they narrow what is measured, so the other statement must have them."""


def quantities(clauses: Iterable[tuple[str, ...]], ignore: frozenset[str]) -> tuple[Quantity, ...]:
    """The quantities of a statement given as clauses of canonical tokens (``terms.clauses``);
    ``ignore`` holds stance words, which say how a quantity moves, not what it is."""
    found = []
    for clause in clauses:
        for i, token in enumerate(clause):
            if not token.startswith("#") or token.endswith("th") or is_year(token):
                continue
            before = frozenset(stem(t) for t in clause[:i] if _subject_word(t, ignore))
            qualifiers = set()
            for j, prep in enumerate(clause[:i]):
                if prep in PREPOSITIONS:
                    phrase = {stem(t) for t in phrase_words(clause[j + 1:i]) if _subject_word(t, ignore)}
                    if phrase:
                        qualifiers.add(frozenset(phrase))
            found.append(Quantity(value=token, unit=_unit(token, clause[i + 1:]), before=before,
                                  qualifiers=frozenset(qualifiers)))
    return tuple(found)


def _subject_word(token: str, ignore: frozenset[str]) -> bool:
    return (token.isalpha() and token not in FUNCTION_WORDS and token not in NEGATIONS
            and token not in GENERIC and token not in ignore and stem(token) not in GENERIC_STEMS)


def is_year(token: str) -> bool:
    """A plain number that reads as a year ("2030"): an event's date, not an amount."""
    raw = token[1:]
    return raw.isdigit() and _YEARS[0] <= int(raw) <= _YEARS[1]


def _unit(token: str, after: tuple[str, ...]) -> frozenset[str]:
    """"%" for a rate, "% of <noun>" for a share ("40 percent of the programme" is no rate), a
    currency code, or up to two content words after the number."""
    if token.endswith("%"):
        if after[:1] == ("of",):
            whole = next((stem(t) for t in after[1:] if t.isalpha() and t not in FUNCTION_WORDS
                          and t not in GENERIC), "")
            return frozenset({f"% of {whole}"})
        return frozenset({"%"})
    words: list[str] = []
    for t in after:
        if t in CURRENCIES:
            return frozenset({t})
        if t in FUNCTION_WORDS or t.startswith("#") or not t.isalpha():
            break
        words.append(stem(t))
        if len(words) == 2:
            break
    return frozenset(words)


def _qualified_alike(x: Quantity, y: Quantity, same: Synonyms) -> bool:
    """Each side's qualifiers are among the other's words: "the speed limit on motorways" is not
    "the speed limit"."""
    for quals, other in ((x.qualifiers, y.before), (y.qualifiers, x.before)):
        for q in quals:
            if overlap(q, other, same).shared == 0:
                return False
    return True


def _units_meet(a: frozenset[str], b: frozenset[str]) -> bool:
    """Same unit: both percent, one currency, a noun in common, both bare ("remain at 62" / "go
    up to 64"); a bare number meets money too ("4.2 billion dollars" / "3.9 billion")."""
    if a & b or (not a and not b):
        return True
    return (not a and bool(b & CURRENCIES)) or (not b and bool(a & CURRENCIES))


def other_items(a: Terms, b: Terms) -> bool:
    """Both statements date or rank what they speak of, differently ("in 2019" / "in 2023", "the
    first round" / "the second round"): figures for two events, not two figures for one."""
    def marks(t: Terms) -> set[str]:
        return {n for n in t.numbers if is_year(n) or n.endswith("th")}
    left, right = marks(a), marks(b)
    return bool(left) and bool(right) and not left & right


def quantity_change(qa: tuple[Quantity, ...], qb: tuple[Quantity, ...],
                    same: Synonyms) -> str | None:
    """Another value for the same quantity (module docstring), as "old / new"."""
    found = None
    for x in qa:
        for y in qb:
            if not _units_meet(x.unit, y.unit):
                continue
            if x.value == y.value:
                return None  # the same figure given again: the rest is rewording
            if not x.before or not y.before or not same_subject(overlap(x.before, y.before, same),
                                                                strict=False):
                continue
            if not _qualified_alike(x, y, same):
                continue
            if found is not None:
                return None  # several candidate pairs: too tangled to call
            found = (x.value, y.value)
    if found is None:
        return None
    return f"{found[0][1:]} / {found[1][1:]}"
