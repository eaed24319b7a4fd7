"""Who said it: finding the speaker phrase next to a speech verb and resolving it to one name.

News writing names a person in full once ("President Vladimir V. Putin of Russia") and then by
honorific and surname ("Mr. Putin"), by role ("the Russian leader", "the president") or by pronoun
("he said"). An article-wide registry is built first from every capitalised name in the text, so a
later "Mr. Clinton" can be told apart from "Mrs. Clinton" and "Ms. Clinton" by the honorific and by
who was mentioned last, and catalog aliases (Zelensky/Zelenskyy) map spellings onto one canonical
name. Pronouns go to the most recent compatible *subject* (someone who spoke or began a sentence),
not to the most recent name: in "Mr. Putin's response, he said, was predictable" the speaker is the
person the previous sentence was about, not Mr. Putin.

Everything is rule-based and per article: there is no model to load and no state between articles.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from claims.catalog import Catalog, SpeakerEntry
from claims.extract.descriptions import ORG_DESCRIPTORS as _ORG_DESCRIPTORS
from claims.extract.descriptions import ORG_HEADS as _ORG_HEADS
from claims.extract.descriptions import (
    describe,
    is_institution,
    organisation_name,
    owner_like,
    split_possessive,
)

HONORIFICS = {
    "mr": "male", "mrs": "female", "ms": "female", "miss": "female", "dr": None, "sir": "male",
    "dame": "female", "lord": "male", "lady": "female", "prof": None, "rev": None,
}  # fmt: skip
_TITLE_WORDS = frozenset(
    [
        "president", "vice", "former", "prime", "minister", "secretary", "general", "chancellor",
        "senator", "sen", "rep", "representative", "congressman", "congresswoman", "gov", "governor",
        "mayor", "councilmember", "councilman", "councilwoman", "alderman", "judge", "justice",
        "chief", "deputy", "attorney", "speaker", "leader", "majority", "minority", "chairman",
        "chairwoman", "chair", "director", "commissioner", "ambassador", "envoy", "king", "queen",
        "prince", "princess", "pope", "gen", "adm", "lt", "col", "sgt", "capt", "cmdr", "maj",
        "premier", "spokesman", "spokeswoman", "spokesperson", "foreign", "finance", "defense",
        "defence", "commerce", "trade", "treasury", "interior", "health", "labor", "homeland",
        "energy", "education", "agriculture", "transportation", "press", "candidate", "nominee",
        "sheriff", "ceo", "executive", "founder", "president-elect", "professor", "strategist",
        "adviser", "advisor", "aide", "lawyer", "official", "officer", "economist", "analyst",
        "superintendent", "inspector", "commander", "admiral", "colonel", "general", "lieutenant",
        "sergeant", "captain", "major", "archbishop", "bishop", "cardinal", "rabbi", "imam",
        "sheikh", "crown", "emir", "sultan", "pastor", "father", "coach", "manager", "host",
        "anchor", "correspondent", "editor", "columnist",
    ]
)  # fmt: skip
_PARTICLES = frozenset(
    [
        "von", "van", "der", "den", "de", "da", "del", "della", "di", "du", "la", "le", "bin", "ibn",
        "al", "el", "dos", "das", "ter", "ten",
    ]
)  # fmt: skip
# Capitalised words that begin sentences or name things, never a person speaking.
_STOP = frozenset(
    [
        "the", "a", "an", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we",
        "i", "you", "his", "her", "their", "our", "my", "your", "in", "on", "at", "by", "for",
        "from", "with", "without", "of", "to", "as", "after", "before", "when", "while", "since",
        "during", "despite", "though", "although", "if", "but", "and", "or", "nor", "so", "yet",
        "also", "then", "now", "still", "however", "meanwhile", "instead", "later", "earlier",
        "hours", "days", "weeks", "months", "years", "minutes", "today", "yesterday", "tomorrow",
        "tonight", "last", "next", "some", "many", "most", "several", "few", "all", "both", "each",
        "every", "other", "another", "such", "no", "not", "there", "here", "what", "which", "who",
        "whom", "whose", "where", "why", "how", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "asked", "speaking", "according",
        "sitting", "standing", "writing", "talking", "meeting", "under", "over", "about", "around",
        "against", "among", "between", "into", "through", "until", "amid", "unlike", "like", "even",
        "just", "only", "again", "more", "less", "much",
    ]
)  # fmt: skip
_GENERIC_HEADS = frozenset(
    [
        "source", "sources", "official", "officials", "spokesman", "spokeswoman", "spokesperson",
        "spokespeople", "aide", "aides", "analyst", "analysts", "economist", "economists", "expert",
        "experts", "critic", "critics", "resident", "residents", "people", "witness", "witnesses",
        "observer", "observers", "lawmaker", "lawmakers", "leader", "leaders", "supporter",
        "supporters", "opponent", "opponents", "voter", "voters", "advocate", "advocates", "member",
        "members", "diplomat", "diplomats", "investigator", "investigators", "prosecutor",
        "prosecutors", "researcher", "researchers", "report", "reports", "study", "studies", "poll",
        "polls", "survey", "surveys", "data", "figures", "statement", "document", "documents",
        "memo", "letter", "filing", "filings", "others", "many", "some", "several", "advisers",
        "advisors", "adviser", "confidants", "strategists", "allies", "associates", "organizers",
        "activists", "scientists", "historians", "groups", "authorities", "lawyers", "attorneys",
        "supporters", "insiders", "operatives", "staffers", "donors", "backers", "polls",
        "pollsters", "republicans", "democrats", "conservatives", "liberals",
    ]
)  # fmt: skip
_AUXILIARIES = frozenset(
    [
        "is", "are", "was", "were", "has", "have", "had", "will", "would", "be", "been", "being",
        "do", "does", "did", "can", "could", "not",
    ]
)  # fmt: skip
_CONJUNCTIONS = frozenset(["and", "but", "or", "nor", "then", "also", "so", "yet"])
_INDEFINITE = frozenset(
    ["a", "an", "some", "several", "many", "two", "three", "four", "most", "other", "others"]
)
PRONOUNS = {"he": "male", "she": "female", "they": None, "it": None, "we": None, "i": None}

_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w’'\-]*\.?|[A-ZÀ-ÖØ-Þ]\.)"  # Latin-1 capitals too: Émile
_SP = r"[ \t\u00a0]+"  # spaces within a line: a name never runs across a line break
_CAP_SEQ = re.compile(
    rf"{_NAME_WORD}(?:{_SP}(?:(?:{'|'.join(sorted(_PARTICLES))}){_SP})*{_NAME_WORD}"
    rf"|{_SP}(?:of|on|for){_SP}(?:the{_SP})?{_NAME_WORD})*"
)
_POSSESSIVE = re.compile(r"[’']s?$")
# "Pierre Dupont, the union's treasurer," / "Ms. Brandt, a former harbour pilot,"
_APPOSITIVE_ROLE = re.compile(
    rf"({_NAME_WORD}(?:{_SP}{_NAME_WORD}){{0,3}}),{_SP}(?:the|a|an){_SP}([a-z][\w’'-]*(?:{_SP}[\w’'-]+){{0,5}}),"
)
_TOKEN = re.compile(r"\S+")


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
class Mention:
    """The speaker as written next to a speech verb."""

    text: str
    start: int
    end: int
    form: str  # "pronoun", "name", "role" or "generic"
    role: str | None = None
    key: str | None = None  # the part to resolve when it differs from ``text``
    affiliation: str | None = None  # an outlet or employer written before the name ("CNN's")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A mention resolved to a speaker, with how sure the resolution is."""

    name: str | None
    kind: str
    role: str | None
    confidence: float
    entity: Entity | None = None
    affiliation: str | None = None


def _norm(word: str) -> str:
    return word.strip(".,’'").lower()


def _split_seq(words: list[str]) -> tuple[list[str], str | None, list[str], list[str]]:
    """Split a capitalised run into (title words, honorific, name words, 'of X' words)."""
    # Leading stop words ("The", "Despite", "But") never belong to a name.
    while words and _norm(words[0]) in _STOP:
        words = words[1:]
    of_part: list[str] = []
    for i, w in enumerate(words):
        if w in ("of", "on", "for") and i > 0:
            head = words[:i]
            if any(_norm(x) in _TITLE_WORDS for x in head) and not any(_norm(x) in _ORG_HEADS for x in head):
                of_part = words[i + 1 :]
                words = head
            break
    honorific = None
    last_title = -1
    for i, w in enumerate(words):
        n = _norm(w)
        if n in HONORIFICS and w[0].isupper():
            honorific = n
            last_title = i
        elif n in _TITLE_WORDS and (i + 1 < len(words)):
            last_title = i
    titles = [w for w in words[: last_title + 1] if _norm(w) not in HONORIFICS]
    name = words[last_title + 1 :]
    if name and len(name[-1]) > 3 and name[-1].endswith(".") and name[-1] not in ("Jr.", "Sr."):
        name = [*name[:-1], name[-1].rstrip(".")]  # the sentence's full stop, not an initial
    return titles, honorific, name, of_part


class Registry:
    """Names in one article, in reading order, and the rules to resolve a mention to one of them."""

    def __init__(self, text: str, catalog: Catalog) -> None:
        self.catalog = catalog
        self.entities: dict[str, Entity] = {}
        self._by_last: dict[str, list[Entity]] = {}
        self._salient: list[tuple[int, Entity]] = []
        for m in _CAP_SEQ.finditer(text):
            self._register(m.group(0), m.start())
        for m in _APPOSITIVE_ROLE.finditer(text):
            self._appositive_role(m.group(1), m.group(2), m.start(1))

    # -- building --------------------------------------------------------------------------------

    def _entity(self, name: str, tokens: tuple[str, ...]) -> Entity:
        entry = self.catalog.speaker_by_alias(name)
        canonical = entry.name if entry else name
        ent = self.entities.get(canonical)
        if ent is None:
            ent = Entity(name=canonical, tokens=tuple(t.lower() for t in canonical.split()))
            if entry:
                ent.kind = entry.kind
                ent.gender = entry.gender
                ent.roles.update(r.lower() for r in entry.roles)
            elif tokens and tokens[-1].lower() in _ORG_HEADS:
                ent.kind = "organisation"
            self.entities[canonical] = ent
            keys = {ent.tokens[-1]} if ent.tokens else set()
            keys.add(tokens[-1].lower() if tokens else "")
            if entry:
                keys.update(a.split()[-1].lower() for a in entry.aliases if a)
            for k in keys:
                if k:
                    self._by_last.setdefault(k, []).append(ent)
        return ent

    def _register(self, seq: str, pos: int) -> None:
        words = seq.split()
        for i, w in enumerate(words[:-1]):
            if w.endswith(".") and len(w) > 3 and _norm(w) not in HONORIFICS and _norm(w) not in _TITLE_WORDS:
                # "Washington on Thursday. Mr. Trump": a sentence ends inside the run.
                cut = seq.index(words[i + 1], len(" ".join(words[: i + 1])))
                self._register(seq[:cut].rstrip(), pos)
                self._register(seq[cut:], pos + cut)
                return
        if len(words) >= 2 and seq.isupper() and all(len(w) > 2 for w in words):
            seq = seq.title()  # "KATE BOLDUAN:" in a transcript is Kate Bolduan
        owner, rest = split_possessive(seq)
        if owner is not None and rest[:1].isupper():
            # "Fox News's Ed Henry": the outlet and the person are two names, never one.
            self._register(owner, pos)
            self._register(rest, pos + seq.index(rest, len(owner)))
            return
        words = seq.split()
        if words and _POSSESSIVE.search(words[-1]) and len(words[-1]) > 2:
            words[-1] = _POSSESSIVE.sub("", words[-1])
        titles, honorific, name, of_part = _split_seq(words)
        if not name:
            return
        full = " ".join(name)
        if len(name) == 1 and not (honorific or titles):
            # A bare capitalised word is a name only if the article or catalog already knows it.
            ent = self._lookup(name, None, pos) or self._catalog_entity(full)
            if ent is None:
                return
        elif len(name) == 1:
            ent = (
                self._honorific_alias(honorific, full)
                or self._lookup(name, honorific, pos)
                or self._catalog_entity(
                    f"{honorific.capitalize() + '.' if honorific else ' '.join(titles)} {full}"
                )
                or self._entity(full, tuple(name))
            )
        else:
            ent = (
                self._catalog_entity(full)
                or self._match_full(name)
                or self._suffix_of_known(name)
                or self._entity(full, tuple(name))
            )
        self._note(ent, pos, honorific, titles, of_part)

    def _appositive_role(self, name: str, role: str, pos: int) -> None:
        """ "Pierre Dupont, the union's treasurer," ties the role to the person for later "the treasurer"."""
        words = name.split()
        _titles, honorific, parts, _ = _split_seq(words)
        if not parts or (len(parts) == 1 and not honorific):
            return
        ent = self._lookup(parts, honorific, pos + 1) if len(parts) == 1 else self._match_full(parts)
        if ent is None or ent.kind != "person":
            return
        ent.roles.add(role.lower())
        ent.add_form(f"the {role}")

    def _catalog_entity(self, alias: str) -> Entity | None:
        entry = self.catalog.speaker_by_alias(alias.strip())
        return self._entity(entry.name, tuple(entry.name.split())) if entry else None

    def _honorific_alias(self, honorific: str | None, name: str) -> Entity | None:
        """A catalog alias spelled with this honorific ("Mr. Clinton") is explicit: trust it."""
        if not honorific:
            return None
        return self._catalog_entity(f"{honorific.capitalize()}. {name}")

    def _match_full(self, name: list[str]) -> Entity | None:
        """An entity already known under the same first and last name ("John D. Podesta")."""
        first, last = name[0].lower(), name[-1].lower()
        for ent in self._by_last.get(last, ()):
            if len(ent.tokens) >= 2 and ent.tokens[0] == first:
                return ent
        return None

    def _suffix_of_known(self, name: list[str]) -> Entity | None:
        """A known longer name ending with these words ("Von der Leyen" -> Ursula von der Leyen)."""
        tokens = [t.lower() for t in name]
        for ent in self._by_last.get(tokens[-1], ()):
            if len(ent.tokens) > len(tokens) and list(ent.tokens[-len(tokens) :]) == tokens:
                return ent
        return None

    def _note(
        self, ent: Entity, pos: int, honorific: str | None, titles: list[str], of_part: list[str]
    ) -> None:
        if not ent.positions or ent.positions[-1] < pos:
            ent.positions.append(pos)
        if honorific:
            ent.honorifics.add(honorific)
            if ent.gender is None and HONORIFICS.get(honorific):
                ent.gender = HONORIFICS[honorific]
        if titles:
            written = " ".join(titles)
            ent.add_form(f"{written} of {' '.join(of_part)}" if of_part else written)
            role = written.lower()
            if of_part:
                ent.roles.add(f"{role} of {' '.join(of_part).lower()}")
            else:
                ent.roles.add(role)

    # -- lookups ---------------------------------------------------------------------------------

    def _lookup(self, name: list[str], honorific: str | None, pos: int) -> Entity | None:
        """The known entity a (partial) name stands for: same last words, compatible honorific."""
        tokens = [t.lower() for t in name]
        cands = [
            e
            for e in self._by_last.get(tokens[-1], ())
            if (len(e.tokens) >= len(tokens) and list(e.tokens[-len(tokens) :]) == tokens)
            or (len(tokens) == 1 and tokens[0] in e.tokens[-1:])
        ]
        if not cands:
            # Aliases spelled differently (Zelenskyy) are indexed under their own last word.
            cands = list(self._by_last.get(tokens[-1], ()))
        if not cands:
            return None
        gender = HONORIFICS.get(honorific) if honorific else None
        if gender:
            cands = [e for e in cands if e.gender in (None, gender) and e.kind == "person"] or cands
        if honorific and len(cands) > 1:
            fitting = [e for e in cands if not e.honorifics or honorific in e.honorifics]
            cands = fitting or cands
        return max(cands, key=lambda e: (e.last_before(pos), -len(e.positions)))

    def lookup(self, phrase: str, pos: int) -> Entity | None:
        """The known person or organisation a capitalised phrase names, if the article has it."""
        words = phrase.split()
        _titles, honorific, name, _ = _split_seq(words)
        if not name:
            return None
        if len(name) == 1:
            return self._lookup(name, honorific, pos) or self._catalog_entity(name[0])
        return self._catalog_entity(" ".join(name)) or self._match_full(name)

    def by_role(self, role: str, pos: int) -> Entity | None:
        """The most recently mentioned entity the article (or the catalog) gives this role."""
        role = role.lower().strip()
        # The holder who was last the subject of a sentence, then the one last mentioned.
        for spos, ent in reversed(self._salient):
            if spos < pos and role in ent.roles:
                return ent
        exact = [e for e in self.entities.values() if role in e.roles and e.last_before(pos) >= 0]
        if exact:
            return max(exact, key=lambda e: e.last_before(pos))
        loose = [
            e
            for e in self.entities.values()
            if e.last_before(pos) >= 0 and any(r.endswith(" " + role) for r in e.roles)
        ]
        if loose:
            return max(loose, key=lambda e: e.last_before(pos))
        entries = _catalog_roles(self.catalog.speakers).get(role, ())
        if len(entries) == 1:
            return self._entity(entries[0].name, tuple(entries[0].name.split()))
        return None

    def note_subject(self, ent: Entity | None, pos: int) -> None:
        """Record that ``ent`` was a sentence subject or speaker at ``pos`` (for pronouns)."""
        if ent is not None:
            self._salient.append((pos, ent))

    def by_pronoun(self, pronoun: str, pos: int) -> Entity | None:
        """The most recent subject a pronoun can refer to."""
        p = pronoun.lower()
        if p in ("he", "she"):
            want = PRONOUNS[p]
            for spos, ent in reversed(self._salient):
                if spos < pos and ent.kind == "person" and ent.gender in (None, want):
                    return ent
        elif p == "it":
            for spos, ent in reversed(self._salient):
                if spos < pos and ent.kind == "organisation":
                    return ent
        return None

    def most_salient_person(self, before: int) -> Entity | None:
        """The person most often a subject before ``before`` (the subject of an interview)."""
        counts: dict[str, int] = {}
        for spos, ent in self._salient:
            if spos < before and ent.kind == "person":
                counts[ent.name] = counts.get(ent.name, 0) + 1
        if not counts:
            return None
        return self.entities.get(max(counts.items(), key=lambda kv: kv[1])[0])

    # -- resolution ------------------------------------------------------------------------------

    def resolve(self, mention: Mention) -> Resolved:
        """Resolve a speaker mention to a canonical name, kind, role and a confidence."""
        pos = mention.start
        if mention.form == "pronoun":
            ent = self.by_pronoun(mention.text, pos)
            if ent:
                return Resolved(ent.name, ent.kind, mention.role, 0.8, ent)
            return Resolved(None, "person", mention.role, 0.3)
        if mention.form == "name" and mention.role == "organisation":
            org = organisation_name(mention.key or mention.text)
            ent = self._catalog_entity(org) or self._entity(org, tuple(org.split()))
            ent.kind = "organisation"
            return Resolved(ent.name, ent.kind, None, 0.85, ent)
        if mention.form == "name":
            words = (mention.key or mention.text).split()
            if words and _POSSESSIVE.search(words[-1]) and len(words[-1]) > 2:
                words[-1] = _POSSESSIVE.sub("", words[-1])
            titles, honorific, name, _of_part = _split_seq(words)
            role = mention.role or (" ".join(titles) if titles else None)
            if not name:
                return self.resolve(Mention(mention.text, pos, mention.end, "role", mention.role))
            full = " ".join(name)
            if len(name) == 1:
                ent = self._honorific_alias(honorific, full) or self._lookup(name, honorific, pos + 1)
                if ent is None:
                    alias = f"{honorific.capitalize()}. {full}" if honorific else full
                    ent = self._catalog_entity(alias) or self._catalog_entity(full)
                if ent is None and (honorific or titles):
                    ent = self._entity(full, tuple(name))
                if ent is None and _norm(full) in _GENERIC_HEADS:
                    return self._description(mention)  # "Sources said", "Officials said"
                if ent is None:
                    return Resolved(None, "person", role, 0.4)
            else:
                ent = (
                    self._catalog_entity(full)
                    or self._match_full(name)
                    or self._suffix_of_known(name)
                    or self._entity(full, tuple(name))
                )
            if ent.kind == "person" and not self._is_person(ent) and is_institution(full):
                ent.kind = "organisation"
            return Resolved(ent.name, ent.kind, role, 0.9, ent, mention.affiliation)
        if mention.form == "role":
            role_text = re.sub(r"^(?:the|a|an)\s+", "", mention.text.strip(), flags=re.I)
            ent = self.by_role(role_text, pos) or self._organisation_for(role_text, pos)
            if ent:
                ent.add_form(mention.text)
                return Resolved(ent.name, ent.kind, role_text, 0.75, ent)
        return self._description(mention)

    def _is_person(self, ent: Entity) -> bool:
        """Whether the article or the catalog gives clear signs of a person (honorific, gender)."""
        return bool(ent.honorifics) or ent.gender is not None

    def _organisation_for(self, description: str, pos: int) -> Entity | None:
        """ "the company" -> the organisation last named before with that head ("Acme Corp")."""
        words = description.lower().split()
        if len(words) != 1 or words[0] not in _ORG_DESCRIPTORS:
            return None
        head = words[0]
        cands = [
            e
            for e in self.entities.values()
            if e.kind == "organisation"
            and e.last_before(pos) >= 0
            and (head in e.tokens or (head == "company" and e.tokens[-1:] in (("inc",), ("corp",))))
        ]
        return max(cands, key=lambda e: e.last_before(pos)) if cands else None

    def _description(self, mention: Mention) -> Resolved:
        """A speaker the article describes but never names: keep the description (or institution)."""
        name, kind = describe(mention.text)
        if kind == "description" and _norm(name.split()[0]) in _GENERIC_HEADS | _INDEFINITE:
            name = name[:1].lower() + name[1:]  # "Sources said" -> "sources"
        if kind == "organisation" and name[:1].isupper():
            ent = self._catalog_entity(name) or self._entity(name, tuple(name.split()))
            ent.kind = "organisation"
            if not ent.positions or ent.positions[-1] < mention.start:
                ent.positions.append(mention.start)
            return Resolved(ent.name, ent.kind, None, 0.7, ent)
        role = re.sub(r"^(?:the|a|an)\s+", "", name)
        return Resolved(name, kind, role, 0.5)


@lru_cache(maxsize=8)
def _catalog_roles(speakers: tuple[SpeakerEntry, ...]) -> dict[str, tuple[SpeakerEntry, ...]]:
    out: dict[str, list[SpeakerEntry]] = {}
    for s in speakers:
        for r in s.roles:
            out.setdefault(r.lower(), []).append(s)
    return {k: tuple(v) for k, v in out.items()}


def _is_org_phrase(phrase: str) -> bool:
    return any(_norm(w) in _ORG_DESCRIPTORS for w in phrase.split())


# --- finding the speaker phrase ---------------------------------------------------------------------

_TRAILING_ADVERBIAL = re.compile(
    r"(?:,?\s+(?:has|have|had|also|previously|later|earlier|repeatedly|then|would|will|could|"
    r"might|may|must|should|can|once|again|already|just|recently|reportedly|initially|quickly|"
    r"separately|privately|publicly|flatly|simply|never|not|did|does|do|is|was|were|are|been|"
    r"being|too|first|only|now|today|yesterday|tonight|himself|herself|themselves|itself|"
    r"(?:on\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?:\s+(?:night|morning|afternoon|"
    r"evening))?|last\s+(?:week|month|year|night)|this\s+(?:week|month|year)|in\s+a\s+statement|"
    r"in\s+an\s+interview|on\s+(?:Twitter|X|Facebook))\s*)+$"
)
_CLAUSE_BOUNDARY = re.compile(
    r"(?:,\s+|\s+[—–]\s+|;\s+|:\s+|\(|\)|\s+(?:that|and|but|as|while|when|because|after|before|"
    r"if|although|though|where|since|whom|which|so)\s+|[“”\"])"
)
_PRONOUN_RE = re.compile(r"^(?:he|she|they|it|we|i|you)$", re.IGNORECASE)
_DET = re.compile(
    r"^(?:the|a|an|another|one|two|three|several|many|some|most|other|both|all|two|his|her|their|"
    r"its)\s",
    re.IGNORECASE,
)
_NAME_AT_END = re.compile(rf"((?:{_NAME_WORD})(?:{_SP}(?:[a-z]{{1,4}}{_SP})*{_NAME_WORD})*)$")
_FRONTED = frozenset(
    [
        "after", "before", "when", "while", "despite", "speaking", "asked", "in", "on", "at",
        "during", "for", "with", "without", "as", "since", "instead", "later", "earlier", "hours",
        "days", "weeks", "months", "years", "minutes", "meanwhile", "still", "however", "but", "and",
        "so", "yet", "also", "then", "now", "last", "this", "sitting", "standing", "according",
        "addressing", "responding", "writing", "appearing", "visiting", "unlike", "like", "even",
        "under", "amid", "following",
    ]
)  # fmt: skip


def looks_like_name(phrase: str) -> bool:
    """A short run of capitalised words (with particles and initials), not a sentence start."""
    words = phrase.split()
    if not 1 <= len(words) <= 8 or _norm(words[0]) in _STOP:
        return False
    return all(w[0].isupper() or w.lower() in _PARTICLES or w in ("of", "for") for w in words)


def classify(phrase: str, start: int, role: str | None = None) -> Mention | None:
    """Turn a speaker phrase into a :class:`Mention`, or None if it cannot be a speaker."""
    phrase = phrase.strip(" ,")
    if not phrase:
        return None
    end = start + len(phrase)
    words = phrase.split()
    if _PRONOUN_RE.match(phrase):
        if phrase.lower() in ("you", "i", "we"):
            return None  # the interviewer or the author, not a source
        return Mention(phrase, start, end, "pronoun", role)
    if len(words) > 12:
        return None
    # "a spokesperson for the Colorado Department of Human Services" -> the organisation
    m = re.match(
        r"^(?:an?|the)\s+(?:\w+\s+){0,2}(?:spokes(?:man|woman|person)|representative|statement|"
        r"official)\s+(?:for|from|of|at)\s+(?:the\s+)?(.+)$",
        phrase,
        re.IGNORECASE,
    )
    if m and looks_like_name(m.group(1)):
        return Mention(phrase, start, end, "name", "organisation", key=m.group(1))
    owner, rest = split_possessive(phrase)
    if owner is not None and owner_like(owner) and looks_like_name(rest):
        if is_institution(rest):  # "Britain's Treasury"
            return Mention(phrase, start, end, "name", "organisation", key=phrase)
        # "Fox News's Ed Henry": the person speaks; the outlet is their affiliation.
        at = start + phrase.index(rest, len(owner))
        return Mention(rest, at, end, "name", role, affiliation=owner)
    if looks_like_name(phrase):
        return Mention(phrase, start, end, "name", role)
    m = _NAME_AT_END.search(phrase)
    if m and m.start() > 0 and looks_like_name(m.group(1)):
        descriptor = phrase[: m.start()].strip()
        if descriptor.split()[-1] not in ("of", "for", "to", "with", "by", "from", "at", "in", "on"):
            if _norm(descriptor.split()[-1]) in _ORG_DESCRIPTORS:
                return Mention(phrase, start, end, "name", "organisation", key=m.group(1))
            return Mention(phrase, start, end, "name", role or descriptor or None, key=m.group(1))
    if words[0].lower() in _CONJUNCTIONS:
        return None
    if len(words) > 6 or any(w.lower() in _AUXILIARIES for w in words):
        return None  # a clause, not a noun phrase
    if _norm(words[-1]) in _GENERIC_HEADS and _norm(words[-1]).endswith("s"):
        return Mention(phrase, start, end, "generic", role)
    if _DET.match(phrase) or phrase[0].islower():
        head = _norm(words[-1])
        if (head in _GENERIC_HEADS and head.endswith("s")) or words[0].lower() in _INDEFINITE:
            return Mention(phrase, start, end, "generic", role)
        return Mention(phrase, start, end, "role", role)
    if len(words) <= 3 and _norm(words[-1]) in _GENERIC_HEADS:
        return Mention(phrase, start, end, "generic", role)
    return None


def subject_before(text: str, lo: int, hi: int) -> Mention | None:
    """The speaker phrase that ends right before a speech verb at ``hi`` ("Mr. Trump said")."""
    region = text[lo:hi]
    m = _TRAILING_ADVERBIAL.search(region)
    if m:
        region = region[: m.start()]
    region = region.rstrip()
    if not region:
        return None
    if region.endswith(","):
        return _appositive_subject(text, lo, region[:-1])
    cut = 0
    for b in _CLAUSE_BOUNDARY.finditer(region):
        cut = b.end()
    tail = region[cut:]
    stripped = tail.lstrip()
    offset = lo + cut + (len(tail) - len(stripped))
    stripped = re.sub(
        r"^(?:(?:But|And|So|Yet|Now|Then|While|When|Although|Though|If|As|Because|Since|After|"
        r"Before|Even\s+as|Even\s+though|Still)\s+)+",
        "",
        stripped,
        flags=re.IGNORECASE,
    )
    offset = lo + len(region) - len(stripped)
    return classify(stripped, offset)


def _appositive_subject(text: str, lo: int, region: str) -> Mention | None:
    """ "Mayor Karen Whitfield, who pushed for the funding," or "Greenland's premier, Mute Egede,"."""
    parts = [(mm.start(), mm.group(0)) for mm in re.finditer(r"[^,]+", region)]
    if len(parts) < 2:
        return None
    app_at, app = parts[-1]
    head_at, head = parts[-2]
    # "Jillian Chase, 27, a Tinder user in New York," - skip ages and pick the name.
    for cand_at, cand in reversed(parts[:-1]):
        c = cand.strip()
        if re.fullmatch(r"\d{1,3}", c):
            continue
        if looks_like_name(c) and _norm(c.split()[0]) not in _FRONTED:
            head_at, head = cand_at, cand
            break
    app_s = app.strip()
    head_s = head.strip()
    head_first = head_s.split()[0].lower() if head_s else ""
    if looks_like_name(app_s) and (
        _DET.match(head_s) or (head_s and head_s[0].islower()) or "’s " in head_s or "'s " in head_s
    ):
        return classify(app_s, lo + app_at + app.index(app_s), role=head_s)
    if head_first in _FRONTED and len(parts) >= 3:
        head_at, head = parts[-3]
        head_s = head.strip()
    inner = subject_before(text, lo + head_at, lo + head_at + len(head))
    if inner is None:
        return None
    role = app_s if (_DET.match(app_s) or app_s[:1].islower()) else None
    if role and role.startswith(("who ", "which ", "where ", "whose ")):
        role = None
    if role and inner.role is None:
        return Mention(inner.text, inner.start, inner.end, inner.form, role, inner.key, inner.affiliation)
    return inner


def subject_after(text: str, lo: int, hi: int) -> Mention | None:
    """The speaker phrase after an inverted verb ("..., said Carsten Brzeski, an economist")."""
    region = text[lo:hi]
    m = re.match(r"\s*([^,.;:()“”\"]+)", region)
    if not m:
        return None
    phrase = m.group(1).strip()
    words = phrase.split()
    if not words or words[0].lower() in ("that", "he", "she", "they", "it", "we", "i"):
        return None
    cut = re.search(r"\s+(?:in|on|at|during|after|before|to|of|from|who|which)\s", phrase)
    if cut:
        phrase = phrase[: cut.start()]
    else:
        # The phrase must end the clause ("said Carsten Brzeski." / "said the official,").
        if not re.match(r"\s*(?:[,.;]|$)", region[m.end() :]):
            return None
    role = None
    rest = region[m.end() :]
    rm = re.match(r",\s*([^,.;]+)", rest)
    if rm:
        role = rm.group(1).strip()
    start = lo + region.index(phrase) if phrase in region else lo
    if role and looks_like_name(role.title()) and not looks_like_name(phrase) and rm:
        # "said the company's chief executive, John Ferriola" -> the name, with the role
        name = rm.group(1).strip()
        if looks_like_name(name):
            return classify(name, lo + m.end() + rm.start(1), phrase)
    mention = classify(phrase, start, role)
    if mention is None or mention.form == "pronoun":
        return None
    if mention.form != "name" and len(phrase.split()) > 5:
        return None  # a clause ("the election would come up"), not a speaker
    return mention


def clause_subject(text: str, lo: int, hi: int) -> Mention | None:
    """The subject at the start of a clause: skips fronted phrases ("Hours later, ...")."""
    region = text[lo:hi]
    parts = [(mm.start(), mm.group(0)) for mm in re.finditer(r"[^,—;]+", region)]
    for i, (at, part) in enumerate(parts):
        s = part.strip()
        if not s:
            continue
        first = s.split()[0]
        if _norm(first) in _FRONTED:
            continue
        if s.startswith(("“", '"', "‘")):
            return None
        s = re.sub(r"^(?:But|And|So|Yet|Then)\s+", "", s)
        start = lo + at + part.index(s)
        words = s.split()
        if _PRONOUN_RE.match(words[0]):
            return classify(words[0], start)
        m = _CAP_SEQ.match(s)
        if m:
            seq = m.group(0)
            if _POSSESSIVE.search(seq.split()[-1]) and i + 1 < len(parts):
                nxt = parts[i + 1][1].strip()
                if looks_like_name(nxt):
                    return classify(nxt, lo + parts[i + 1][0] + parts[i + 1][1].index(nxt), s.lower())
                return None
            if _POSSESSIVE.search(seq):
                return None
            if looks_like_name(seq):
                return classify(seq, start)
        dm = re.match(
            r"^((?:the|a|an)\s+(?:[\w’'.-]+\s+){0,3}?[\w’'.-]+)(?=\s+(?:has|have|had|is|was|"
            r"were|are|said|says|told|also|\w+ed)\b)",
            s,
            re.IGNORECASE,
        )
        if dm:
            return classify(dm.group(1), start)
        return None
    return None
