"""Who said it, in the three shapes extraction passes around: as written, as known, as resolved.

Why it exists: a speaker is first a phrase next to a speech verb (:class:`Mention`, found by
:mod:`claims.extract.speaker_phrases`), then one of the people or organisations the article names
(:class:`Entity`, kept by the name registry in :mod:`claims.extract.registry`), and finally the
name, kind, role and confidence a claim is filed under (:class:`Resolved`, read by
:mod:`claims.extract.claim` and :mod:`claims.extract.context`). Every extraction module uses these
shapes, so they live apart from the code that makes them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Mention:
    """The speaker as written next to a speech verb."""

    text: str
    start: int
    end: int
    form: str  # "pronoun", "name", "role" or "generic"
    role: str | None = None
    key: str | None = None  # the part to resolve when it differs from ``text``
    affiliation: str | None = None  # an outlet or employer written before the name ("CNN's")


@dataclass(slots=True)
class Entity:
    """A person or organisation named in this article."""

    name: str
    kind: str = "person"
    gender: str | None = None
    tokens: tuple[str, ...] = ()
    roles: set[str] = field(default_factory=set)
    honorifics: set[str] = field(default_factory=set)
    positions: list[int] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)  # role phrases as this article writes them

    def add_form(self, form: str) -> None:
        """Remember a role phrase used for this entity ("NATO Secretary General", "the Dutch leader")."""
        form = re.sub(r"\s+", " ", form.strip(" ,.;:"))
        if form[:4] == "The ":
            form = "the " + form[4:]
        if form and form not in self.forms and form.lower() != self.name.lower():
            self.forms.append(form)

    def last_before(self, pos: int) -> int:
        """Position of the latest mention before ``pos`` (-1 if none)."""
        i = bisect_left(self.positions, pos)
        return self.positions[i - 1] if i else -1


@dataclass(frozen=True, slots=True)
class Resolved:
    """A mention resolved to a speaker, with how sure the resolution is."""

    name: str | None
    kind: str
    role: str | None
    confidence: float
    entity: Entity | None = None
    affiliation: str | None = None
