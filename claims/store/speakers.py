"""Speakers as learned entities: every name an article uses is kept, later mentions find the person.

A person seen in full once ("Kathy Hochul") is found again by surname ("Hochul"), honorific or title
plus surname ("Gov. Hochul") and role ("the governor" as the article tied it to her), in articles and
in imported lines. A bare surname joins a person only when that is unambiguous: one person with the
surname, or one whose full name the same article uses, and never against an honorific's gender.
Otherwise (two Clintons, neither named in full) the mention stays apart as a surname-only speaker
that a later full name or an admin's ``merge_speakers`` settles. Descriptions ("a campaign
spokesman") belong to their article and are never merged across articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from claims.catalog import Catalog, SpeakerEntry
from claims.errors import InvalidArgumentError, NotFoundError
from claims.normalize import clean_text, fingerprint
from claims.store.changes import record_change
from claims.store.history import Actor
from claims.store.models import (
    AliasKind,
    Claim,
    Speaker,
    SpeakerAlias,
    SpeakerKind,
    Subscription,
    TargetKind,
)
from claims.store.nameforms import (
    HONORIFICS,
    NameForm,
    is_role_phrase,
    name_key,
    parse_name,
    title_words,
)

_FULL = (AliasKind.NAME.value, AliasKind.ADMIN.value)
_WRITTEN = (AliasKind.NAME.value, AliasKind.HONORIFIC.value, AliasKind.ADMIN.value)
MAX_NAME = 300


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


@dataclass(frozen=True, slots=True)
class SpeakerChange:
    """What an admin's change did: the speaker now, and the claims the matcher must re-read."""

    speaker_id: int
    name: str
    claim_ids: tuple[int, ...]


# ---------------------------------------------------------------------------- resolving mentions


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
        written = [p for p in _people(session, key, _WRITTEN) if not _is_bare(p)]
        if len(written) == 1 and _compatible(session, written[0], form):
            return written[0]
    namesakes = [p for p in _people(session, name_key(form.surname), (AliasKind.SURNAME.value,))
                 if not _is_bare(p)]
    chosen = _disambiguate(session, namesakes, form, mention)
    if chosen is not None:
        return chosen
    if not namesakes and mention.article_text:
        full = _full_name_in(mention.article_text, form.surname)
        if full is not None:
            entry = catalog.speaker_by_alias(full.full)
            return _from_catalog(session, entry) if entry else _full_name(session, full, mention)
    return _bare_person(session, form)


def _full_name(session: Session, form: NameForm, mention: SpeakerMention) -> Speaker:
    """The person with this full name (with or without middle names), an upgraded surname-only
    record of them, or a new person."""
    for key in dict.fromkeys([name_key(form.full), name_key(form.short)]):
        hits = [p for p in _people(session, key, _FULL) if not _is_bare(p)]
        if hits:
            return min(hits, key=lambda p: p.id or 0)
    for cut in range(1, len(form.given)):  # "Billionaire Donald Trump": a word before a known name
        hits = [p for p in _people(session, name_key(" ".join((*form.given[cut:], form.surname))), _FULL)
                if not _is_bare(p)]
        if hits:
            return min(hits, key=lambda p: p.id or 0)
    namesakes = _people(session, name_key(form.surname), (AliasKind.SURNAME.value,))
    bare = [p for p in namesakes if _is_bare(p)]
    named = [p for p in namesakes if not _is_bare(p)]
    if len(bare) == 1 and not named and _entity_named(session, form.full) is None:
        speaker = bare[0]
        speaker.name = form.full[:MAX_NAME]
        session.add(speaker)
        _refingerprint(session, speaker)
        return speaker
    existing = _entity_named(session, form.full)
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
        named = [c for c in pool if any(_mentions(text, a) for a in _aliases(session, c, _FULL))]
        if len(named) == 1:
            return named[0]
    wanted = title_words(form.prefix) | title_words(mention.role)
    wanted -= {name_key(h) for h in HONORIFICS}
    if wanted:
        titled = [c for c in pool if wanted & _role_words(session, c)]
        if len(titled) == 1:
            return titled[0]
    return None


def _compatible(session: Session, speaker: Speaker, form: NameForm) -> bool:
    """False when an honorific's gender contradicts what earlier articles called this person."""
    female = form.female
    if female is None:
        return True
    for alias in _aliases(session, speaker, (AliasKind.HONORIFIC.value,)):
        seen = parse_name(alias)
        if seen is not None and seen.female is not None and seen.female != female:
            return False
    return True


def _full_name_in(text: str, surname: str) -> NameForm | None:
    """The one full name the article gives a surname ("Linda Okafor" for "Okafor"), if exactly one."""
    pattern = re.compile(
        r"\b((?:[A-Z][\w'’\-]*\.?\s+){1,3})" + re.escape(surname) + r"\b"
    )
    found: dict[str, NameForm] = {}
    for m in pattern.finditer(text):
        form = parse_name(m.group(0))
        if form is not None and form.is_full and name_key(form.surname) == name_key(surname):
            found.setdefault(name_key(form.short), form)
    return next(iter(found.values())) if len(found) == 1 else None


def _bare_person(session: Session, form: NameForm) -> Speaker:
    existing = _entity_named(session, form.surname)
    if existing is not None:
        return existing
    speaker = Speaker(name=form.surname[:MAX_NAME], kind=SpeakerKind.PERSON.value)
    session.add(speaker)
    session.flush()
    _add_alias(session, speaker, form.surname, AliasKind.SURNAME, None)
    return speaker


def _organisation(session: Session, name: str, mention: SpeakerMention) -> Speaker:
    key = name_key(name)
    hits = _entities(session, key, _FULL)
    if hits:
        return min(hits, key=lambda s: s.id or 0)
    existing = _entity_named(session, name)
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
            other = _entity_named(session, name)
            if other is not None:
                return other
        session.add(row)
        session.flush()
    return row


def _from_catalog(session: Session, entry: SpeakerEntry) -> Speaker:
    """A seed speaker from ``config/speakers.toml``: found by its name or a full-name alias (never
    another kind of speaker's), or a surname-only record of it upgraded, or created with its aliases.
    The seed's aliases are curated, so all of them count as names ("Trump" is Donald Trump)."""
    speaker = _entity_named(session, entry.name)
    if speaker is None:
        for alias in (entry.name, *entry.aliases):
            form = parse_name(alias)
            if entry.kind == SpeakerKind.PERSON.value and (form is None or not form.is_full):
                continue
            hits = [h for h in _entities(session, name_key(alias), _FULL) if h.kind == entry.kind]
            if hits:
                speaker = hits[0]
                break
    if speaker is None and entry.kind == SpeakerKind.PERSON.value:
        bare = [p for alias in entry.aliases if (p := _entity_named(session, alias)) is not None
                and _is_bare(p)]
        if bare:  # "Trump" stored before the seed person was first seen
            speaker = bare[0]
            speaker.name = entry.name[:MAX_NAME]
            session.add(speaker)
            _refingerprint(session, speaker)
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
    _add_alias(session, speaker, entry.name, AliasKind.NAME, None)
    if form is not None and form.is_full and entry.kind == SpeakerKind.PERSON.value:
        _add_alias(session, speaker, form.surname, AliasKind.SURNAME, None)
    for alias in entry.aliases:
        _add_alias(session, speaker, alias, AliasKind.NAME, None)
    for role in entry.roles:
        _add_alias(session, speaker, role, AliasKind.ROLE, None)
    return speaker


def _create(session: Session, name: str, kind: str, mention: SpeakerMention) -> Speaker:
    speaker = Speaker(name=name[:MAX_NAME], kind=kind, role=_role(mention.role),
                      affiliation=_short(mention.affiliation, 200))
    session.add(speaker)
    session.flush()
    _add_alias(session, speaker, name, AliasKind.NAME, mention.article_id)
    return speaker


def _learn(session: Session, speaker: Speaker, mention: SpeakerMention, form: NameForm | None = None
           ) -> None:
    """Keep every form of the speaker's name this source used, and its role and affiliation."""
    if speaker.kind == SpeakerKind.DESCRIPTION.value:
        return
    own = parse_name(speaker.name) if speaker.kind == SpeakerKind.PERSON.value else None
    article = mention.article_id
    if own is not None and own.is_full:
        _add_alias(session, speaker, own.full, AliasKind.NAME, article)
        _add_alias(session, speaker, own.short, AliasKind.NAME, article)
        _add_alias(session, speaker, own.surname, AliasKind.SURNAME, article)
    if form is not None:
        if form.is_full and own is not None and name_key(form.surname) == name_key(own.surname):
            _add_alias(session, speaker, form.full, AliasKind.NAME, article)
        if form.prefix and own is not None and name_key(form.surname) == name_key(own.surname):
            _add_alias(session, speaker, f"{form.prefix} {form.surname}", AliasKind.HONORIFIC, article)
    for alias in mention.aliases:
        kind = _alias_kind(alias, own, speaker.name)
        if kind is not None:
            _add_alias(session, speaker, alias, kind, article)
    role = _role(mention.role)
    if role is not None:
        _add_alias(session, speaker, role, AliasKind.ROLE, article)
        if speaker.role is None:
            speaker.role = role
            session.add(speaker)
    affiliation = _short(mention.affiliation or (form.affiliation if form else None), 200)
    if affiliation and speaker.affiliation is None:
        speaker.affiliation = affiliation
        session.add(speaker)


def _alias_kind(alias: str, own: NameForm | None, name: str | None = None) -> AliasKind | None:
    """How an alias the article used relates to the speaker's own name (None: not worth keeping).

    A person keeps forms of their own name and roles. An organisation (``own`` None, ``name`` its
    name) keeps roles, the start of its name and acronyms, never a person's name: an article that
    confuses the two must not teach "Sons of Trump" that it is also "Donald Trump".
    """
    form = parse_name(alias)
    if own is not None and form is not None and name_key(form.surname) == name_key(own.surname):
        if form.is_full:
            return AliasKind.NAME
        return AliasKind.HONORIFIC if form.prefix else AliasKind.SURNAME
    if is_role_phrase(alias):
        return AliasKind.ROLE
    if own is None and name is not None:
        key = name_key(alias)
        acronym = re.fullmatch(r"(?:[A-Z]\.?){2,8}", alias.strip()) is not None
        shortened = f"{name_key(name)} ".startswith(f"{key} ")  # "Federal Reserve" for "... Board"
        if key and (acronym or (shortened and (form is None or not form.is_full))):
            return AliasKind.NAME
    return None


def _role(role: str | None) -> str | None:
    if not role:
        return None
    role = " ".join(clean_text(role).split())
    return role[:MAX_NAME] if is_role_phrase(role) else None


def _short(text: str | None, limit: int) -> str | None:
    return " ".join(clean_text(text).split())[:limit] or None if text else None


# ---------------------------------------------------------------------------- store helpers


def _add_alias(session: Session, speaker: Speaker, alias: str, kind: AliasKind, article_id: int | None
               ) -> None:
    key = name_key(alias)[:MAX_NAME]
    if not key or speaker.id is None:
        return
    exists = session.exec(
        select(SpeakerAlias.id).where(SpeakerAlias.speaker_id == speaker.id, SpeakerAlias.key == key)
    ).first()
    if exists is None:
        session.add(SpeakerAlias(speaker_id=speaker.id, alias=clean_text(alias)[:MAX_NAME], key=key,
                                 kind=kind.value, article_id=article_id))
        session.flush()


def _entities(session: Session, key: str, kinds: Iterable[str]) -> list[Speaker]:
    """People and organisations (never per-article descriptions) with an alias of these kinds."""
    stmt = (
        select(Speaker)
        .join(SpeakerAlias, col(SpeakerAlias.speaker_id) == Speaker.id)
        .where(SpeakerAlias.key == key, col(SpeakerAlias.kind).in_(list(kinds)),
               col(Speaker.article_id).is_(None))
        .order_by(col(Speaker.id))
    )
    unique: dict[int | None, Speaker] = {}
    for speaker in session.exec(stmt):
        unique.setdefault(speaker.id, speaker)
    return list(unique.values())


def _people(session: Session, key: str, kinds: Iterable[str]) -> list[Speaker]:
    return [s for s in _entities(session, key, kinds) if s.kind == SpeakerKind.PERSON.value]


def _entity_named(session: Session, name: str) -> Speaker | None:
    return session.exec(
        select(Speaker).where(Speaker.name == name[:MAX_NAME], col(Speaker.article_id).is_(None))
    ).first()


def _aliases(session: Session, speaker: Speaker, kinds: Iterable[str]) -> list[str]:
    return list(session.exec(
        select(SpeakerAlias.alias).where(SpeakerAlias.speaker_id == speaker.id,
                                         col(SpeakerAlias.kind).in_(list(kinds)))
    ))


def _role_words(session: Session, speaker: Speaker) -> frozenset[str]:
    words: set[str] = set(title_words(speaker.role))
    for alias in _aliases(session, speaker, (AliasKind.ROLE.value, AliasKind.HONORIFIC.value)):
        words |= title_words(alias)
    return frozenset(words)


def _is_bare(speaker: Speaker) -> bool:
    """A person known by surname only ("Clinton" while two Clintons are on record)."""
    if speaker.kind != SpeakerKind.PERSON.value:
        return False
    form = parse_name(speaker.name)
    return form is not None and not form.is_full


def _mentions(text: str, alias: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", text, re.IGNORECASE) is not None


def _refingerprint(session: Session, speaker: Speaker) -> list[int]:
    """Claim identity includes the speaker's name: keep it in step after a rename or merge."""
    ids = []
    for claim in session.exec(select(Claim).where(Claim.speaker_id == speaker.id)):
        claim.fingerprint = fingerprint(speaker.name, claim.text)
        session.add(claim)
        if claim.id is not None:
            ids.append(claim.id)
    session.flush()
    return ids


# ---------------------------------------------------------------------------- reading


def store_alias(*, session: Session, speaker: Speaker, alias: str, article_id: int | None = None) -> None:
    """Keep one more name for a speaker, classified against the speaker's own name (seed data, tests)."""
    own = parse_name(speaker.name) if speaker.kind == SpeakerKind.PERSON.value else None
    _add_alias(session, speaker, speaker.name, AliasKind.NAME, article_id)
    if own is not None and own.is_full:
        _add_alias(session, speaker, own.surname, AliasKind.SURNAME, article_id)
    _add_alias(session, speaker, alias, _alias_kind(alias, own, speaker.name) or AliasKind.NAME, article_id)



NAME_ALIASES = (AliasKind.NAME, AliasKind.SURNAME, AliasKind.HONORIFIC, AliasKind.ADMIN)
"""Aliases that are names, not roles ("the president" is a role many people held)."""


def aliases_by_speaker(
    *, session: Session, speaker_ids: Iterable[int], kinds: Iterable[AliasKind] | None = None
) -> dict[int, tuple[str, ...]]:
    """Stored aliases of these speakers (of ``kinds``, default all), in the order learned."""
    wanted = sorted(set(speaker_ids))
    out: dict[int, list[str]] = {}
    kind_filter = [k.value for k in kinds] if kinds is not None else None
    for i in range(0, len(wanted), 900):
        stmt = (
            select(SpeakerAlias.speaker_id, SpeakerAlias.alias)
            .where(col(SpeakerAlias.speaker_id).in_(wanted[i : i + 900]))
            .order_by(col(SpeakerAlias.id))
        )
        if kind_filter is not None:
            stmt = stmt.where(col(SpeakerAlias.kind).in_(kind_filter))
        for sid, alias in session.exec(stmt):
            out.setdefault(sid, []).append(alias)
    return {sid: tuple(dict.fromkeys(a)) for sid, a in out.items()}


def get_speaker(*, session: Session, speaker_id: int) -> Speaker:
    """One speaker by id, or a ``NotFoundError`` fit to show."""
    speaker = session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFoundError(f"There is no speaker #{speaker_id}.")
    return speaker


# ---------------------------------------------------------------------------- admin changes


def merge_speakers(*, session: Session, speaker_id: int, into_id: int, actor: Actor) -> SpeakerChange:
    """Fold one speaker into another: claims, aliases and followers move over, the first goes away.

    For two records of one person ("Clinton" and "Hillary Clinton") or a description an admin
    recognised ("a campaign spokesman" who was Jason Miller). Recorded with its author.
    """
    if speaker_id == into_id:
        raise InvalidArgumentError("A speaker cannot be merged into itself.")
    source = get_speaker(session=session, speaker_id=speaker_id)
    target = get_speaker(session=session, speaker_id=into_id)
    claims = list(session.exec(select(Claim).where(Claim.speaker_id == source.id)))
    for claim in claims:
        claim.speaker_id = target.id
        session.add(claim)
    known = set(session.exec(select(SpeakerAlias.key).where(SpeakerAlias.speaker_id == target.id)))
    for alias in session.exec(select(SpeakerAlias).where(SpeakerAlias.speaker_id == source.id)):
        if alias.key in known:
            session.delete(alias)
        else:
            alias.speaker_id = target.id  # type: ignore[assignment]
            known.add(alias.key)
            session.add(alias)
    if source.kind != SpeakerKind.DESCRIPTION.value:
        _add_alias(session, target, source.name, AliasKind.ADMIN, None)
    _move_followers(session, source.id, target.id)  # type: ignore[arg-type]
    target.affiliation = target.affiliation or source.affiliation
    target.role = target.role or source.role
    session.add(target)
    session.flush()
    record_change(session=session, entity="speaker", entity_id=target.id, action="merge",  # type: ignore[arg-type]
                  actor=actor, old_value=source.name, new_value=target.name, related_id=source.id)
    session.delete(source)
    session.flush()
    ids = _refingerprint(session, target)
    moved = {c.id for c in claims}
    return SpeakerChange(target.id, target.name, tuple(i for i in ids if i in moved))  # type: ignore[arg-type]


def rename_speaker(*, session: Session, speaker_id: int, name: str, actor: Actor) -> SpeakerChange:
    """Give a speaker a new display name; the old one stays an alias so mentions still find them."""
    speaker = get_speaker(session=session, speaker_id=speaker_id)
    new = " ".join(clean_text(name).split())[:MAX_NAME]
    if not new:
        raise InvalidArgumentError("Give the speaker's new name.")
    other = _entity_named(session, new)
    if other is not None and other.id != speaker.id:
        raise InvalidArgumentError(
            f"There is already a speaker called {new!r} (#{other.id}); merge the two instead."
        )
    old = speaker.name
    speaker.name = new
    session.add(speaker)
    session.flush()
    _add_alias(session, speaker, new, AliasKind.NAME, None)
    if speaker.kind == SpeakerKind.PERSON.value and (form := parse_name(new)) and form.is_full:
        _add_alias(session, speaker, form.surname, AliasKind.SURNAME, None)
    record_change(session=session, entity="speaker", entity_id=speaker.id, action="rename",  # type: ignore[arg-type]
                  actor=actor, old_value=old, new_value=new)
    ids = _refingerprint(session, speaker)
    return SpeakerChange(speaker.id, speaker.name, tuple(ids))  # type: ignore[arg-type]


def add_speaker_alias(*, session: Session, speaker_id: int, alias: str, actor: Actor) -> SpeakerChange:
    """Teach the store another name for a speaker ("AOC", "the Fed chair"), recorded with its author."""
    speaker = get_speaker(session=session, speaker_id=speaker_id)
    text = " ".join(clean_text(alias).split())[:MAX_NAME]
    if not name_key(text):
        raise InvalidArgumentError("Give the alias to add.")
    _add_alias(session, speaker, text, AliasKind.ADMIN, None)
    record_change(session=session, entity="speaker", entity_id=speaker.id, action="alias",  # type: ignore[arg-type]
                  actor=actor, new_value=text)
    ids = session.exec(select(Claim.id).where(Claim.speaker_id == speaker.id)).all()
    return SpeakerChange(speaker.id, speaker.name, tuple(i for i in ids if i is not None))  # type: ignore[arg-type]


def _move_followers(session: Session, source_id: int, into_id: int) -> None:
    """Chats that followed the merged speaker now follow the survivor (or keep following it)."""
    kind = Subscription.target_kind == TargetKind.SPEAKER.value
    already = set(session.exec(select(Subscription.chat_id).where(kind, Subscription.target_id == into_id)))
    for sub in session.exec(select(Subscription).where(kind, Subscription.target_id == source_id)):
        if sub.chat_id in already:
            session.delete(sub)
        else:
            sub.target_id = into_id
            session.add(sub)
