"""Speaker aliases in the store: every name a speaker goes by, how it was written, and lookups by it.

Each alias is a ``SpeakerAlias`` row keyed by ``name_key`` and classified (``AliasKind``): full
names and admins' aliases identify a speaker; a surname does only while no other person has it;
roles describe. ``claims.store.mentions`` resolves mentions with these lookups,
``claims.store.speakers`` changes speakers, ``claims.store.names`` resolves what users type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlmodel import Session, col, select

from claims.normalize import clean_text, fingerprint
from claims.store.models import AliasKind, Claim, Speaker, SpeakerAlias, SpeakerKind
from claims.store.nameforms import NameForm, is_role_phrase, name_key, parse_name, title_words

FULL_NAME_KINDS = (AliasKind.NAME.value, AliasKind.ADMIN.value)


WRITTEN_KINDS = (AliasKind.NAME.value, AliasKind.HONORIFIC.value, AliasKind.ADMIN.value)


MAX_NAME = 300


NAME_ALIASES = (AliasKind.NAME, AliasKind.SURNAME, AliasKind.HONORIFIC, AliasKind.ADMIN)
"""Aliases that are names, not roles ("the president" is a role many people held)."""


def add_alias(session: Session, speaker: Speaker, alias: str, kind: AliasKind, article_id: int | None
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


def alias_kind(alias: str, own: NameForm | None, name: str | None = None) -> AliasKind | None:
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


def entities_with(session: Session, key: str, kinds: Iterable[str]) -> list[Speaker]:
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


def people_with(session: Session, key: str, kinds: Iterable[str]) -> list[Speaker]:
    return [s for s in entities_with(session, key, kinds) if s.kind == SpeakerKind.PERSON.value]


def entity_named(session: Session, name: str) -> Speaker | None:
    return session.exec(
        select(Speaker).where(Speaker.name == name[:MAX_NAME], col(Speaker.article_id).is_(None))
    ).first()


def aliases_of(session: Session, speaker: Speaker, kinds: Iterable[str]) -> list[str]:
    return list(session.exec(
        select(SpeakerAlias.alias).where(SpeakerAlias.speaker_id == speaker.id,
                                         col(SpeakerAlias.kind).in_(list(kinds)))
    ))


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


def role_words(session: Session, speaker: Speaker) -> frozenset[str]:
    words: set[str] = set(title_words(speaker.role))
    for alias in aliases_of(session, speaker, (AliasKind.ROLE.value, AliasKind.HONORIFIC.value)):
        words |= title_words(alias)
    return frozenset(words)


def is_bare(speaker: Speaker) -> bool:
    """A person known by surname only ("Clinton" while two Clintons are on record)."""
    if speaker.kind != SpeakerKind.PERSON.value:
        return False
    form = parse_name(speaker.name)
    return form is not None and not form.is_full


def refingerprint(session: Session, speaker: Speaker) -> list[int]:
    """Claim identity includes the speaker's name: keep it in step after a rename or merge."""
    ids = []
    for claim in session.exec(select(Claim).where(Claim.speaker_id == speaker.id)):
        claim.fingerprint = fingerprint(speaker.name, claim.text)
        session.add(claim)
        if claim.id is not None:
            ids.append(claim.id)
    session.flush()
    return ids
