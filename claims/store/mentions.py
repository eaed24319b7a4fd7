"""Resolving a speaker mention to a stored speaker: speakers as learned entities.

A person seen in full once ("Kathy Hochul") is found again by surname ("Hochul"), honorific or title
plus surname ("Gov. Hochul") and role ("the governor" as the article tied it to her), in articles and
in imported lines. A bare surname joins a person only when that is unambiguous: one person with the
surname, or one whose full name the same article uses, and never against an honorific's gender.
Otherwise (two Clintons, neither named in full) the mention stays apart as a surname-only speaker
that a later full name or an admin's ``merge_speakers`` settles. Descriptions ("a campaign
spokesman") belong to their article and are never merged across articles. Every form of the name
the source used is kept (``claims.store.aliases``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from claims.catalog import Catalog, SpeakerEntry
from claims.normalize import clean_text
from claims.store.aliases import (
    FULL_NAME_KINDS,
    MAX_NAME,
    WRITTEN_KINDS,
    add_alias,
    alias_kind,
    aliases_of,
    entities_with,
    entity_named,
    is_bare,
    people_with,
    refingerprint,
    role_words,
)
from claims.store.models import AliasKind, Speaker, SpeakerAlias, SpeakerKind
from claims.store.nameforms import HONORIFICS, NameForm, is_role_phrase, name_key, parse_name, title_words


@dataclass(frozen=True, slots=True)
class SpeakerMention:
    """A speaker as one article (or one imported line) names them, with what that source tells."""

    name: str
    kind: str = SpeakerKind.PERSON.value
    role: str | None = None
    aliases: tuple[str, ...] = ()
    affiliation: str | None = None
    article_id: int | None = None
    article_text: str | None = None


def resolve_mention(*, session: Session, mention: SpeakerMention, catalog: Catalog) -> Speaker | None:
    """The stored speaker a mention stands for, created (and its aliases learned) when new."""
    name = " ".join(clean_text(mention.name).split())[:MAX_NAME]
    if not name:
        return None
    entry = catalog.speaker_by_alias(name)
    if entry is not None:
        speaker = _from_catalog(session, entry)
        _learn(session, speaker, mention)
        return speaker
    if mention.kind == SpeakerKind.DESCRIPTION.value:
        return _description(session, name, mention)
    if mention.kind == SpeakerKind.ORGANISATION.value:
        speaker = _organisation(session, name, mention)
        _learn(session, speaker, mention)
        return speaker
    form = parse_name(name)
    if form is None:
        if name[:1].islower():
            return _description(session, name, mention)
        speaker = _organisation(session, name, mention)
        _learn(session, speaker, mention)
        return speaker
    speaker = _person(session, form, mention, catalog)
    _learn(session, speaker, mention, form)
    return speaker


def _person(session: Session, form: NameForm, mention: SpeakerMention, catalog: Catalog) -> Speaker:
    if form.is_full:
        for cut in range(1, len(form.given)):  # "Billionaire Donald Trump": a word before a seed name
            entry = catalog.speaker_by_alias(" ".join((*form.given[cut:], form.surname)))
            if entry is not None and entry.kind == SpeakerKind.PERSON.value:
                return _from_catalog(session, entry)
        return _full_name(session, form, mention)
    for key in dict.fromkeys([name_key(form.written), name_key(form.surname)]):
        written = [p for p in people_with(session, key, WRITTEN_KINDS) if not is_bare(p)]
        if len(written) == 1 and _compatible(session, written[0], form):
            return written[0]
    namesakes = [p for p in people_with(session, name_key(form.surname), (AliasKind.SURNAME.value,))
                 if not is_bare(p)]
    chosen = _disambiguate(session, namesakes, form, mention)
    if chosen is not None:
        return chosen
    if not namesakes and mention.article_text:
        full = _full_name_in(mention.article_text, form.surname)
        if full is None and not form.given and not form.prefix:
            full = _full_name_from_first(mention.article_text, form.surname)
        if full is not None:
            entry = catalog.speaker_by_alias(full.full)
            return _from_catalog(session, entry) if entry else _full_name(session, full, mention)
    return _bare_person(session, form)


def _full_name(session: Session, form: NameForm, mention: SpeakerMention) -> Speaker:
    """The person with this full name (with or without middle names), an upgraded surname-only
    record of them, or a new person."""
    for key in dict.fromkeys([name_key(form.full), name_key(form.short)]):
        hits = [p for p in people_with(session, key, FULL_NAME_KINDS) if not is_bare(p)]
        if hits:
            return min(hits, key=lambda p: p.id or 0)
    for cut in range(1, len(form.given)):  # "Billionaire Donald Trump": a word before a known name
        shorter = name_key(" ".join((*form.given[cut:], form.surname)))
        hits = [p for p in people_with(session, shorter, FULL_NAME_KINDS) if not is_bare(p)]
        if hits:
            return min(hits, key=lambda p: p.id or 0)
    namesakes = people_with(session, name_key(form.surname), (AliasKind.SURNAME.value,))
    bare = [p for p in namesakes if is_bare(p)]
    named = [p for p in namesakes if not is_bare(p)]
    if len(bare) == 1 and not named and entity_named(session, form.full) is None:
        speaker = bare[0]
        speaker.name = form.full[:MAX_NAME]
        session.add(speaker)
        refingerprint(session, speaker)
        return speaker
    existing = entity_named(session, form.full)
    if existing is not None:
        return existing
    return _create(session, form.full, SpeakerKind.PERSON.value, mention)


def _disambiguate(
    session: Session, candidates: Sequence[Speaker], form: NameForm, mention: SpeakerMention
) -> Speaker | None:
    """The one candidate a surname means here, or None when the article does not settle it."""
    pool = [c for c in candidates if _compatible(session, c, form)]
    if len(pool) == 1:
        return pool[0]
    if not pool:
        return None
    if mention.article_text:
        text = mention.article_text
        named = [c for c in pool if any(_mentions(text, a) for a in aliases_of(session, c, FULL_NAME_KINDS))]
        if len(named) == 1:
            return named[0]
    wanted = title_words(form.prefix) | title_words(mention.role)
    wanted -= {name_key(h) for h in HONORIFICS}
    if wanted:
        titled = [c for c in pool if wanted & role_words(session, c)]
        if len(titled) == 1:
            return titled[0]
    return None


def _compatible(session: Session, speaker: Speaker, form: NameForm) -> bool:
    """False when an honorific's gender contradicts what earlier articles called this person."""
    female = form.female
    if female is None:
        return True
    for alias in aliases_of(session, speaker, (AliasKind.HONORIFIC.value,)):
        seen = parse_name(alias)
        if seen is not None and seen.female is not None and seen.female != female:
            return False
    return True


_SENTENCE_OPENERS = frozenset(
    ["when", "even", "and", "but", "in", "on", "at", "the", "a", "an", "as", "if", "so", "yet", "while",
     "after", "before", "because", "since", "though", "although", "then", "now", "still", "also", "for",
     "with", "by", "from", "to", "of", "that", "this", "these", "those", "his", "her", "their", "its",
     "why", "how", "what", "where", "who", "once", "unlike", "like", "during", "despite", "later",
     "earlier", "meanwhile", "however", "instead", "there", "here", "today", "yesterday"]
)  # fmt: skip
"""Capitalised words that open a sentence and never a name, so never a first name."""


def _full_name_in(text: str, surname: str) -> NameForm | None:
    """The one full name the article gives a surname ("Linda Okafor" for "Okafor"), if exactly one."""
    # A name's words are on one line; only an initial or a short abbreviation keeps a full stop
    # ("John F. Kennedy", "Mr."), so "Hillary Clinton. A Bloomberg" is never one name.
    pattern = re.compile(
        r"\b((?:(?:[A-Z][a-z]{0,2}\.|[A-Z][\w'’\-]*)[ \t]+){1,3})" + re.escape(surname) + r"\b"
    )
    found: dict[str, NameForm] = {}
    for m in pattern.finditer(text):
        words = m.group(0).split()
        while len(words) > 1 and words[0].lower().strip(".") in _SENTENCE_OPENERS:
            words = words[1:]  # "When PolitiFact", "Even China": a sentence's first word
        form = parse_name(" ".join(words))
        if form is not None and form.is_full and name_key(form.surname) == name_key(surname):
            found.setdefault(name_key(form.short), form)
    return next(iter(found.values())) if len(found) == 1 else None


_NOT_A_SURNAME = frozenset(
    ["administration", "campaign", "foundation", "tower", "towers", "organization", "organisation",
     "university", "college", "institute", "center", "centre", "group", "inc", "corp", "company",
     "party", "committee", "house", "hotel", "news", "times", "post", "fund", "bank", "street",
     "avenue", "road", "county", "city", "state", "states", "department", "ministry", "council",
     "school", "hospital", "airport", "station", "square", "park", "river", "club", "team", "jr",
     "sr", "said", "says", "told", "wrote", "added", "and", "or", "of"]
)  # fmt: skip
"""Words after a capitalised word that make it an organisation's or a place's name, not a
person's given name ("Clinton Foundation", "Trump Tower"), or are no name at all."""


def _full_name_from_first(text: str, first: str) -> NameForm | None:
    """The one full name an article gives a lone first name ("Khizr Khan" for "Khizr", "Ban
    Ki-moon" for "Ban"), if exactly one. A quote is often attributed by first name after the full
    name has been given once ("Khizr Khan ... Khizr said"), and a first name stored as a person of
    its own splits that speaker in two. The word must never be written in lower case in the article
    ("a protest" is no name), and the next word must be a surname, not an organisation's noun."""
    if re.search(r"(?<![\w'’])" + re.escape(first.lower()) + r"(?![\w'’])", text):
        return None
    pattern = re.compile(r"\b" + re.escape(first) + r"[ \t]+([A-Z][\w'’\-]*[a-z][\w'’\-]*)\b")
    found: dict[str, NameForm] = {}
    for m in pattern.finditer(text):
        surname = m.group(1)
        if surname.lower().strip("'’") in _NOT_A_SURNAME or surname.endswith(("'s", "’s")):
            continue
        form = parse_name(f"{first} {surname}")
        if form is not None and form.is_full:
            found.setdefault(name_key(form.short), form)
    return next(iter(found.values())) if len(found) == 1 else None


def _bare_person(session: Session, form: NameForm) -> Speaker:
    existing = entity_named(session, form.surname)
    if existing is not None:
        return existing
    speaker = Speaker(name=form.surname[:MAX_NAME], kind=SpeakerKind.PERSON.value)
    session.add(speaker)
    session.flush()
    add_alias(session, speaker, form.surname, AliasKind.SURNAME, None)
    return speaker


def _organisation(session: Session, name: str, mention: SpeakerMention) -> Speaker:
    key = name_key(name)
    hits = entities_with(session, key, FULL_NAME_KINDS)
    if hits:
        return min(hits, key=lambda s: s.id or 0)
    existing = entity_named(session, name)
    if existing is not None:
        return existing
    return _create(session, name, SpeakerKind.ORGANISATION.value, mention)


def _description(session: Session, name: str, mention: SpeakerMention) -> Speaker:
    """A description speaker of this article: the same words in another article are someone else."""
    row = session.exec(
        select(Speaker).where(Speaker.name == name, Speaker.article_id == mention.article_id,
                              Speaker.kind == SpeakerKind.DESCRIPTION.value)
    ).first()
    if row is None:
        row = Speaker(name=name, kind=SpeakerKind.DESCRIPTION.value, article_id=mention.article_id,
                      role=_role(mention.role), affiliation=_short(mention.affiliation, 200))
        if mention.article_id is None:  # an imported line: no article to belong to
            other = entity_named(session, name)
            if other is not None:
                return other
        session.add(row)
        session.flush()
    return row


def _from_catalog(session: Session, entry: SpeakerEntry) -> Speaker:
    """A seed speaker from ``config/speakers.toml``: found by its name or a full-name alias (never
    another kind of speaker's), or a surname-only record of it upgraded, or created with its aliases.
    The seed's aliases are curated, so all of them count as names ("Trump" is Donald Trump)."""
    speaker = entity_named(session, entry.name)
    if speaker is None:
        for alias in (entry.name, *entry.aliases):
            form = parse_name(alias)
            if entry.kind == SpeakerKind.PERSON.value and (form is None or not form.is_full):
                continue
            hits = [h for h in entities_with(session, name_key(alias), FULL_NAME_KINDS)
                    if h.kind == entry.kind]
            if hits:
                speaker = hits[0]
                break
    if speaker is None and entry.kind == SpeakerKind.PERSON.value:
        bare = [p for alias in entry.aliases if (p := entity_named(session, alias)) is not None
                and is_bare(p)]
        if bare:  # "Trump" stored before the seed person was first seen
            speaker = bare[0]
            speaker.name = entry.name[:MAX_NAME]
            session.add(speaker)
            refingerprint(session, speaker)
    if speaker is None:
        speaker = Speaker(name=entry.name[:MAX_NAME], kind=entry.kind,
                          role=entry.roles[0] if entry.roles else None)
        session.add(speaker)
        session.flush()
    seeded = session.exec(select(SpeakerAlias.id).where(
        SpeakerAlias.speaker_id == speaker.id, SpeakerAlias.key == name_key(entry.name)[:MAX_NAME],
        SpeakerAlias.article_id.is_(None))).first()  # type: ignore[union-attr]
    if seeded is not None:
        return speaker  # the seed's aliases are in already
    form = parse_name(entry.name)
    add_alias(session, speaker, entry.name, AliasKind.NAME, None)
    if form is not None and form.is_full and entry.kind == SpeakerKind.PERSON.value:
        add_alias(session, speaker, form.surname, AliasKind.SURNAME, None)
    for alias in entry.aliases:
        add_alias(session, speaker, alias, AliasKind.NAME, None)
    for role in entry.roles:
        add_alias(session, speaker, role, AliasKind.ROLE, None)
    return speaker


def _create(session: Session, name: str, kind: str, mention: SpeakerMention) -> Speaker:
    speaker = Speaker(name=name[:MAX_NAME], kind=kind, role=_role(mention.role),
                      affiliation=_short(mention.affiliation, 200))
    session.add(speaker)
    session.flush()
    add_alias(session, speaker, name, AliasKind.NAME, mention.article_id)
    return speaker


def _learn(session: Session, speaker: Speaker, mention: SpeakerMention, form: NameForm | None = None
           ) -> None:
    """Keep every form of the speaker's name this source used, and its role and affiliation."""
    if speaker.kind == SpeakerKind.DESCRIPTION.value:
        return
    own = parse_name(speaker.name) if speaker.kind == SpeakerKind.PERSON.value else None
    article = mention.article_id
    if own is not None and own.is_full:
        add_alias(session, speaker, own.full, AliasKind.NAME, article)
        add_alias(session, speaker, own.short, AliasKind.NAME, article)
        add_alias(session, speaker, own.surname, AliasKind.SURNAME, article)
    if form is not None:
        if form.is_full and own is not None and name_key(form.surname) == name_key(own.surname):
            add_alias(session, speaker, form.full, AliasKind.NAME, article)
        if form.prefix and own is not None and name_key(form.surname) == name_key(own.surname):
            add_alias(session, speaker, f"{form.prefix} {form.surname}", AliasKind.HONORIFIC, article)
    for alias in mention.aliases:
        kind = alias_kind(alias, own, speaker.name)
        if kind is not None:
            add_alias(session, speaker, alias, kind, article)
    role = _role(mention.role)
    if role is not None:
        add_alias(session, speaker, role, AliasKind.ROLE, article)
        if speaker.role is None:
            speaker.role = role
            session.add(speaker)
    affiliation = _short(mention.affiliation or (form.affiliation if form else None), 200)
    if affiliation and speaker.affiliation is None:
        speaker.affiliation = affiliation
        session.add(speaker)


def _role(role: str | None) -> str | None:
    if not role:
        return None
    role = " ".join(clean_text(role).split())
    return role[:MAX_NAME] if is_role_phrase(role) else None


def _short(text: str | None, limit: int) -> str | None:
    return " ".join(clean_text(text).split())[:limit] or None if text else None


def _mentions(text: str, alias: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", text, re.IGNORECASE) is not None
