"""The article's name registry: who is named in it, and which of them a speaker mention means.

News writing names a person in full once ("President Vladimir V. Putin of Russia") and then by
honorific and surname ("Mr. Putin"), by role ("the Russian leader", "the president") or by pronoun
("he said"). An article-wide registry is built first from every capitalised name in the text, so a
later "Mr. Clinton" can be told apart from "Mrs. Clinton" and "Ms. Clinton" by the honorific and by
who was mentioned last, and catalog aliases (Zelensky/Zelenskyy) map spellings onto one canonical
name. Pronouns go to the most recent compatible *subject* (someone who spoke or began a sentence),
not to the most recent name: in "Mr. Putin's response, he said, was predictable" the speaker is the
person the previous sentence was about, not Mr. Putin.

Everything is rule-based and per article: there is no model to load and no state between articles.
The mentions it resolves are found by :mod:`claims.extract.speaker_phrases`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from claims.catalog import Catalog, SpeakerEntry
from claims.extract.descriptions import ORG_DESCRIPTORS as _ORG_DESCRIPTORS
from claims.extract.descriptions import ORG_HEADS as _ORG_HEADS
from claims.extract.descriptions import describe, is_institution, organisation_name, split_possessive
from claims.extract.names import (
    CAP_SEQ,
    GENERIC_HEADS,
    HONORIFICS,
    INDEFINITE,
    NAME_WORD,
    POSSESSIVE,
    PRONOUNS,
    SPACES,
    STOP_WORDS,
    TITLE_WORDS,
    norm_word,
    split_seq,
)
from claims.extract.speakers import Entity, Mention, Resolved

# "Pierre Dupont, the union's treasurer," / "Ms. Brandt, a former harbour pilot,"
_APPOSITIVE_ROLE = re.compile(
    rf"({NAME_WORD}(?:{SPACES}{NAME_WORD}){{0,3}}),{SPACES}(?:the|a|an){SPACES}([a-z][\w’'-]*(?:{SPACES}[\w’'-]+){{0,5}}),"
)


class Registry:
    """Names in one article, in reading order, and the rules to resolve a mention to one of them."""

    def __init__(self, text: str, catalog: Catalog) -> None:
        self.catalog = catalog
        self.entities: dict[str, Entity] = {}
        self._by_last: dict[str, list[Entity]] = {}
        self._salient: list[tuple[int, Entity]] = []
        for m in CAP_SEQ.finditer(text):
            self._register(m.group(0), m.start())
        for m in _APPOSITIVE_ROLE.finditer(text):
            self._appositive_role(m.group(1), m.group(2), m.start(1))

    # -- building --------------------------------------------------------------------------------

    def _full_name(self, full: str, name: list[str]) -> Entity:
        """The person a name of several words refers to: the catalog's, one the article named in
        full, a known longer name ending with it ("Von der Leyen"), or a new one."""
        return (
            self._catalog_entity(full)
            or self._match_full(name)
            or self._suffix_of_known(name)
            or self._entity(full, tuple(name))
        )

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
        title_case = [i for i, w in enumerate(words) if i and w in _TITLE_CASE_SMALL_WORDS]
        if title_case:
            # "Unhappy Campaign Of Paul Manafort": a headline in title case, not one long name;
            # its parts may still be names.
            at = 0
            for i in [*title_case, len(words)]:
                part = " ".join(words[at:i])
                if part:
                    self._register(part, pos + seq.index(part))
                at = i + 1
            return
        for i, w in enumerate(words[:-1]):
            bare = norm_word(w)
            if w.endswith(".") and len(w) > 3 and bare not in HONORIFICS and bare not in TITLE_WORDS:
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
        if words and POSSESSIVE.search(words[-1]) and len(words[-1]) > 2:
            words[-1] = POSSESSIVE.sub("", words[-1])
        titles, honorific, name, of_part = split_seq(words)
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
            ent = self._full_name(full, name)
        self._note(ent, pos, honorific, titles, of_part)

    def _appositive_role(self, name: str, role: str, pos: int) -> None:
        """ "Pierre Dupont, the union's treasurer," ties the role to the person for later "the treasurer"."""
        words = name.split()
        _titles, honorific, parts, _ = split_seq(words)
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
        _titles, honorific, name, _ = split_seq(words)
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

    def resolve(self, mention: Mention, *, speaking: bool = True) -> Resolved:
        """Resolve a speaker mention to a canonical name, kind, role and a confidence.

        ``speaking`` is False for a sentence's subject that says nothing: only a word next to a
        speech verb is evidence enough to take an unknown capitalised word for a surname.
        """
        res = self._resolve(mention, speaking=speaking)
        lone = res.name and " " not in res.name and not res.name.isupper()
        if lone and norm_word(res.name or "") in _ORG_HEADS:
            return self._whole_organisation(res, mention)
        return res

    def _whole_organisation(self, res: Resolved, mention: Mention) -> Resolved:
        """ "The Times said" is the New York Times when the article names it, else "The Times":
        a lone word of an organisation's name ("Times", "Department") is never a speaker."""
        longer = [e for e in self._by_last.get(res.name.lower() if res.name else "", ()) if len(e.tokens) > 1]
        if longer:
            ent = max(longer, key=lambda e: len(e.tokens))
        else:
            written = re.sub(r"^the\s+", "The ", mention.text.strip(), flags=re.IGNORECASE)
            if " " not in written:
                return Resolved(None, "organisation", res.role, min(res.confidence, 0.4))
            ent = self._entity(written, tuple(w.lower() for w in written.split()))
        ent.kind = "organisation"
        return Resolved(ent.name, ent.kind, res.role, res.confidence, ent, res.affiliation)

    def _resolve(self, mention: Mention, *, speaking: bool) -> Resolved:
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
            if words and POSSESSIVE.search(words[-1]) and len(words[-1]) > 2:
                words[-1] = POSSESSIVE.sub("", words[-1])
            titles, honorific, name, _of_part = split_seq(words)
            role = mention.role or (" ".join(titles) if titles else None)
            if not name:
                as_role = Mention(mention.text, pos, mention.end, "role", mention.role)
                return self._resolve(as_role, speaking=speaking)
            full = " ".join(name)
            if len(name) == 1:
                ent = self._honorific_alias(honorific, full) or self._lookup(name, honorific, pos + 1)
                if ent is None:
                    alias = f"{honorific.capitalize()}. {full}" if honorific else full
                    ent = self._catalog_entity(alias) or self._catalog_entity(full)
                if ent is None and (honorific or titles):
                    ent = self._entity(full, tuple(name))
                if ent is None and norm_word(full) in GENERIC_HEADS:
                    return self._description(mention)  # "Sources said", "Officials said"
                if ent is None and speaking and _ACRONYM.fullmatch(full) and not honorific and not titles:
                    # "CNN said", "the EPA proposed": an organisation known by its initials.
                    ent = self._entity(full, (full.lower(),))
                    ent.kind = "organisation"
                if ent is None and speaking and _speaker_word(full):
                    # "said Beck": a capitalised word next to a speech verb names someone even
                    # when the article never gave the full name; later pronouns may mean them.
                    ent = self._entity(full, tuple(name))
                    self._note(ent, pos, honorific, titles, [])
                if ent is None:
                    return Resolved(None, "person", role, 0.4)
            else:
                ent = self._full_name(full, name)
            if ent.kind == "person" and not self._is_person(ent) and is_institution(full):
                ent.kind = "organisation"
            return Resolved(ent.name, ent.kind, role, 0.9, ent, mention.affiliation)
        if mention.form == "role":
            role_text = re.sub(r"^(?:the|a|an)\s+", "", mention.text.strip(), flags=re.I)
            ent = self.by_role(role_text, pos) or self._organisation_for(role_text, pos)
            if ent:
                ent.add_form(mention.text)
                return Resolved(ent.name, ent.kind, role_text, 0.75, ent)
            ent = self._described_subject(mention.text, pos)
            if ent:
                # "Sanders ... the Vermont senator acknowledged": news style describes the person
                # it is writing about instead of repeating the name.
                return Resolved(ent.name, ent.kind, role_text, 0.6, ent)
        return self._description(mention)

    def _described_subject(self, description: str, pos: int) -> Entity | None:
        """The person a definite public-office description stands for: the latest subject, if recent.

        "the Vermont senator", "the New York businessman", "the former secretary of state": a
        definite description whose head is an office or public standing, right after a sentence
        about a person, is that person. Heads that introduce new people ("the judge", "the
        officer", "the man") are left alone.
        """
        words = description.lower().replace("’", "'").split()
        if len(words) < 2 or words[0] != "the" or len(words) > 8:
            return None
        heads = {w.strip(",.") for w in words[1:]}
        if not heads & _PUBLIC_HEADS:
            return None
        for spos, ent in reversed(self._salient):
            if spos >= pos:
                continue
            others = any(
                e is not ent and e.kind == "person" and e.last_before(pos) > spos
                for e in self.entities.values()
            )
            if pos - spos <= 400 and ent.kind == "person" and not others:
                return ent  # the last subject, and nobody else named since
            break
        return None

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
        if kind == "description" and norm_word(name.split()[0]) in GENERIC_HEADS | INDEFINITE:
            name = name[:1].lower() + name[1:]  # "Sources said" -> "sources"
        if kind == "organisation" and name[:1].isupper():
            ent = self._catalog_entity(name) or self._entity(name, tuple(name.split()))
            ent.kind = "organisation"
            if not ent.positions or ent.positions[-1] < mention.start:
                ent.positions.append(mention.start)
            return Resolved(ent.name, ent.kind, None, 0.7, ent)
        role = re.sub(r"^(?:the|a|an)\s+", "", name)
        return Resolved(name, kind, role, 0.5)


_PUBLIC_HEADS = frozenset(
    [
        "senator", "congressman", "congresswoman", "governor", "mayor", "nominee", "candidate",
        "businessman", "businesswoman", "billionaire", "mogul", "president", "secretary",
        "front-runner", "frontrunner", "lawmaker", "chairman", "chairwoman", "speaker", "minister",
        "premier", "chancellor", "democrat", "republican", "populist", "incumbent", "challenger",
    ]
)  # fmt: skip
"""Heads of descriptions that name a public figure the article is already writing about."""


_ACRONYM = re.compile(r"[A-Z][A-Z&]{1,5}")
"""An organisation written by its initials ("CNN", "EPA", "AT&T"); never a surname."""
_TITLE_CASE_SMALL_WORDS = frozenset(
    ["To", "A", "An", "Of", "With", "For", "And", "Is", "Are", "About", "On", "In", "At", "From", "By",
     "Over", "After", "As", "Into", "Was", "Will", "Not"]
)  # fmt: skip
"""Small words written capitalised only inside a title-case headline, never inside a name."""


def _speaker_word(word: str) -> bool:
    """Whether a lone capitalised word next to a speech verb can be someone's surname."""
    bare = norm_word(word)
    return (
        len(bare) > 2
        and word[:1].isupper()
        and not word.isupper()
        and bare not in STOP_WORDS
        and bare not in _ORG_HEADS
        and bare not in TITLE_WORDS
        and not bare.endswith(("ans", "ese", "ists"))  # "Republicans", "Chinese", "Marxists"
    )


@lru_cache(maxsize=8)
def _catalog_roles(speakers: tuple[SpeakerEntry, ...]) -> dict[str, tuple[SpeakerEntry, ...]]:
    """The catalog's speakers by role (cached: the catalog is the same for every article)."""
    out: dict[str, list[SpeakerEntry]] = {}
    for s in speakers:
        for r in s.roles:
            out.setdefault(r.lower(), []).append(s)
    return {k: tuple(v) for k, v in out.items()}
