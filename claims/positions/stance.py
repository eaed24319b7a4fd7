"""Which side a statement takes on a stance axis, read from a small general lexicon.

A speaker who changes position rarely repeats the old sentence with a "not" in it: "we will not
raise the fuel tax" becomes "the fuel tax will rise by 3 cents", "the tour will go ahead" becomes
"the tour was called off". What stays is the *axis* both statements answer (does it go up or down,
is the speaker for it or against it, is it required or optional) and a side on it. So a statement
is read as, per axis, the set of sides it leaves possible:

- a stance word takes its side: "rise" leaves {up}, "cancel" leaves {against};
- a negation before the word in the same clause leaves every *other* side: "will not go up" leaves
  {down, same}, "no intention of cancelling" leaves {for}. It falls on the first stance word after
  it and on later words of the same axis ("not ready to support"), not on a word of another axis,
  which names the object ("will never support a tax increase" is against, about a rise);
- several stance words on one axis narrow it together ("the price will stay; we are not considering
  a cut" leaves {same}); a statement whose words leave nothing is self-contradictory or
  misread, and says nothing on that axis.

Two statements contradict on an axis when the sides they leave cannot meet. Scoping negations to
their clause keeps emphatic repeats safe ("not one dollar ..., and it never will" negates once),
and a clause boundary is punctuation or a contrastive conjunction ("but", "while", "despite").

The axes and words live in ``config/positions.toml`` (``[stances]``); this module only matches
them, with the regular inflections generated here so the lexicon lists base forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from claims.canonical import wording
from claims.positions.terms import FUNCTION_WORDS, NEGATIONS, clauses

CLAUSE_BREAKS = frozenset({".", ",", ";", ":", "!", "?", "but", "while", "whereas", "although",
                           "though", "despite", "because", "unless", "however"})
"""Where a negation stops reaching: "not X, but Y" negates X only."""
PREPOSITIONS = frozenset({"on", "in", "at", "for", "of", "from", "across", "among", "within"})
CONDITIONS = frozenset({"if", "unless", "when", "whether"})
"""A negation in a condition stops where the main clause's subject comes, comma or not."""
_SUBJECTS = frozenset({"i", "we", "you", "he", "she", "they", "it"})
_VOWELS = frozenset("aeiou")
IGNORED = "_"
"""The side of phrases read only to be set aside ("back to work" is no "back" as in support)."""


def forms(word: str) -> frozenset[str]:
    """The regular inflections of a base form: "cancel" -> cancels, cancelled, cancelling, ...

    Generated rather than stemmed, so "raise" meets "raises" and "raised" without the light stemmer
    turning them into "rais", and doubled consonants ("cut" -> "cutting") are covered."""
    out = {word, word + "s", word + "es", word + "ed", word + "ing", word + "d"}
    if word.endswith("e"):
        out |= {word[:-1] + "ing", word[:-1] + "ed"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        out |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in _VOWELS | {"w", "x", "y"} and word[-2] in _VOWELS \
            and word[-3] not in _VOWELS:
        out |= {word + word[-1] + "ed", word + word[-1] + "ing", word + word[-1] + "er"}
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Axis:
    """A question statements answer ("level": up, down or same) and the words for each side."""

    name: str
    sides: tuple[str, ...]
    phrases: tuple[tuple[tuple[frozenset[str], ...], str], ...]
    """Each phrase as one set of accepted forms per word, with the side it takes; longest first."""


@dataclass(frozen=True, slots=True, eq=False)
class StanceLexicon:
    """All axes; built once from the configuration (compared and hashed by identity, so readings
    can be memoised per lexicon)."""

    axes: tuple[Axis, ...] = ()
    _first: Mapping[str, tuple[tuple[Axis, tuple[frozenset[str], ...], str], ...]] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, axes: Iterable[tuple[str, Iterable[tuple[str, Iterable[str]]]]]) -> StanceLexicon:
        """From ``(axis, ((side, phrases), ...))`` as configured. A side written "up+down" is a
        word that leaves several sides ("change"): negated, it leaves the others ("not change")."""
        built: list[Axis] = []
        first: dict[str, list[tuple[Axis, tuple[frozenset[str], ...], str]]] = {}
        for name, configured in axes:
            sides = tuple((side, tuple(phrases)) for side, phrases in configured)
            plain = tuple(dict.fromkeys(p for side, _ in sides for p in side.split("+")
                                        if side != IGNORED))
            phrases = sorted(
                ((tuple(forms(w) for w in _words(p)), side) for side, ps in sides for p in ps),
                key=lambda ps: -len(ps[0]))
            axis = Axis(name=name, sides=plain, phrases=tuple(phrases))
            built.append(axis)
            for pattern, side in axis.phrases:
                for form in pattern[0]:
                    first.setdefault(form, []).append((axis, pattern, side))
        ordered = {k: tuple(sorted(v, key=lambda e: (-len(e[1]), e[2] != IGNORED)))
                   for k, v in first.items()}
        return cls(axes=tuple(built), _first=ordered)

    def covers(self, phrase: str) -> bool:
        """Whether ``phrase`` is a stance phrase itself ("ruled out"), so that a negation table
        must not turn it into a bare "not" before it is read here."""
        tokens = _words(phrase)
        found = self.matches(tokens, 0) if tokens else None
        return found is not None and found[2] == len(tokens)

    def matches(self, tokens: tuple[str, ...], i: int) -> tuple[Axis, str, int] | None:
        """The longest stance phrase starting at ``tokens[i]``: its axis, side and length."""
        for axis, pattern, side in self._first.get(tokens[i], ()):
            n = len(pattern)
            if i + n <= len(tokens) and all(tokens[i + k] in pattern[k] for k in range(n)):
                return axis, side, n
        return None


@dataclass(frozen=True, slots=True)
class Stance:
    """Per axis, the sides a statement leaves possible, and which tokens were stance words."""

    sides: Mapping[str, frozenset[str]]
    words: frozenset[str]
    """The stance tokens themselves, so the subject test can leave them out."""
    contrasted: frozenset[str] = frozenset()
    """Words of a clause that is only "not" and a noun phrase ("bridges, *not walls*"): the
    statement sets them aside, so they are not its subject."""
    qualifiers: frozenset[frozenset[str]] = frozenset()
    """The words of each prepositional phrase before a clause's first stance word: "speed limits
    *on motorways* will rise" is about motorways, and a statement without them is about more."""


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(wording(phrase.casefold()).key.split())


def tokens_of(text: str, negating: tuple[tuple[str, str], ...] = ()) -> tuple[str, ...]:
    """Canonical tokens with a "." between clauses (clauses matter here: ``terms.clauses``)."""
    return tuple(t for clause in clauses(text, negating) for t in (*clause, "."))


@lru_cache(maxsize=65_536)
def read_stance(text: str, lexicon: StanceLexicon,
                negating: tuple[tuple[str, str], ...] = ()) -> Stance:
    """The sides ``text`` leaves possible on each axis it touches (module docstring)."""
    tokens = tokens_of(text, negating)
    possible: dict[str, frozenset[str]] = {}
    stance_words: set[str] = set()
    negated = 0
    condition = False
    qualifiers: set[frozenset[str]] = set()
    pending: set[frozenset[str]] = set()  # this clause's phrases so far, kept if a stance word follows
    seen = False  # a stance word already in this clause
    dangling = False  # "we will not, under any circumstances, cancel": the "not" waits for its verb
    carried = False  # a dangling negation was carried over the last clause break
    scope: str | None = None  # the axis the current negation fell on
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in CLAUSE_BREAKS or (condition and token in _SUBJECTS and i and tokens[i - 1] not in
                                      CONDITIONS):
            carried = token in CLAUSE_BREAKS and dangling
            if not carried:
                negated, condition, scope = 0, False, None  # "if he does not(,) he should resign"
            if token in CLAUSE_BREAKS:
                pending, seen = set(), False
                i += 1
                continue
        if token in PREPOSITIONS and not seen:
            phrase = phrase_words(tokens[i + 1:])
            if phrase:
                pending.add(phrase)
        if token in CONDITIONS:
            condition = True
        if token in NEGATIONS:
            if not (dangling and carried):  # "not, and never will," is one denial said twice
                negated += 1
                scope = None
            dangling = _dangles(tokens, i + 1)
            i += 1
            continue
        found = lexicon.matches(tokens, i)
        if found is None:
            i += 1
            continue
        axis, side, n = found
        if side == IGNORED:
            i += n
            continue
        stance_words.update(tokens[i:i + n])
        dangling = False
        qualifiers |= pending
        pending, seen = set(), True
        named = frozenset(side.split("+"))
        if negated % 2 and scope is None:
            scope = axis.name
        denied = negated % 2 == 1 and scope == axis.name  # "will not sign a bill that cuts": not sign
        taken = frozenset(axis.sides) - named if denied else named
        possible[axis.name] = possible.get(axis.name, frozenset(axis.sides)) & taken
        i += n
    contrasted = frozenset(t for clause in clauses(text, negating) if clause[0] == "not"
                           and not any(lexicon.matches(clause, k) for k in range(len(clause)))
                           for t in clause[1:] if t.isalpha() and t not in FUNCTION_WORDS)
    return Stance(sides={k: v for k, v in possible.items() if v}, words=frozenset(stance_words),
                  qualifiers=frozenset(q for q in qualifiers if not q & stance_words),
                  contrasted=contrasted)


def _dangles(tokens: tuple[str, ...], start: int) -> bool:
    """A negation whose clause ends before any content word ("we will not, and never will, raise
    taxes"): it negates what follows the interruption."""
    for t in tokens[start:]:
        if t in CLAUSE_BREAKS:
            return True
        if t not in FUNCTION_WORDS and t not in NEGATIONS:
            return False
    return False


def phrase_words(after: tuple[str, ...]) -> frozenset[str]:
    """The content words of a prepositional phrase, from the tokens after its preposition: up to
    three, stopping at the next function word once one is found ("the city centre")."""
    words: list[str] = []
    for t in after[:5]:
        if t.isalpha() and t not in FUNCTION_WORDS and t not in NEGATIONS and t not in CLAUSE_BREAKS:
            words.append(t)
            if len(words) == 3:
                break
        elif words:
            break
    return frozenset(words)


def _clashes(a: Stance, b: Stance) -> tuple[list[str], list[str]]:
    """The axes both statements touch, split into those they agree on and those they clash on."""
    agreed, clashed = [], []
    for name in sorted(a.sides.keys() & b.sides.keys()):
        left, right = a.sides[name], b.sides[name]
        if left & right:
            agreed.append(name)
        else:
            clashed.append(f"{name}: {'/'.join(sorted(left))} / {'/'.join(sorted(right))}")
    return agreed, clashed


def agree(a: Stance, b: Stance) -> bool:
    """Whether the statements take the same position overall ("no intention of cancelling" and
    "will go ahead"): then a "not" in one of them is no change of position."""
    agreed, clashed = _clashes(a, b)
    return bool(agreed) and len(clashed) % 2 == 0


def conflict(a: Stance, b: Stance) -> str | None:
    """The clash when the statements take opposite positions, else None.

    Clashes count by parity: one axis often names the *thing* and another the stance on it, so
    "a tax rise is ruled out" / "a tax rise is on the table" clash once (against / for, both on a
    rise), while "we back a cut" / "we oppose a rise" clash twice and say the same."""
    _agreed, clashed = _clashes(a, b)
    return clashed[0] if len(clashed) % 2 == 1 else None
