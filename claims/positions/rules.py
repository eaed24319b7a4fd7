"""The editable part of telling a changed position, as rules: the catalog's opposite word pairs
(by stem, so "supports" meets "opposes"), phrases that deny without "not", the stance axes
(``claims.positions.stance``) and the word groups the same-subject test treats as one word
(``claims.positions.subject``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from claims.catalog import Catalog
from claims.positions.stance import StanceLexicon
from claims.positions.subject import Synonyms
from claims.positions.terms import stem


@dataclass(frozen=True, slots=True)
class PositionRules:
    """Opposite word pairs (by stem), phrases that deny without "not", stance axes, word groups."""

    opposites: frozenset[frozenset[str]] = field(default_factory=frozenset)
    negations: tuple[tuple[str, str], ...] = ()
    stances: StanceLexicon = field(default_factory=StanceLexicon)
    same: Synonyms = field(default_factory=Synonyms)
    stance_negations: tuple[tuple[str, str], ...] = ()
    """The negating phrases less those the stance lexicon reads itself ("ruled out")."""

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> PositionRules:
        words = catalog.positions
        negations = tuple((p.casefold(), m.casefold()) for p, m in words.negations)
        stances = StanceLexicon.build(words.stances)
        return cls(
            opposites=frozenset(frozenset((stem(a.casefold()), stem(b.casefold())))
                                for a, b in words.opposites),
            negations=negations,
            stances=stances,
            same=Synonyms.build(words.same),
            stance_negations=tuple((p, m) for p, m in negations if not stances.covers(p)),
        )

    def opposed(self, a: str, b: str) -> bool:
        """Whether two stems state opposite positions ("support" and "oppose")."""
        return frozenset((a, b)) in self.opposites
