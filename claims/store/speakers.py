"""Admins' changes to speakers: merge, rename and alias, each recorded with its author.

Claims, aliases and followers move with a merge; a rename keeps the old name as an alias so earlier
mentions still find the speaker. Claim identity includes the speaker's name, so the moved or renamed
claims' fingerprints follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from claims.errors import InvalidArgumentError, NotFoundError
from claims.store.aliases import (
    FULL_NAME_KINDS,
    MAX_NAME,
    add_alias,
    entities_with,
    entity_named,
    refingerprint,
)
from claims.store.changes import record_change
from claims.store.followers import move_followers
from claims.store.history import Actor
from claims.store.models import (
    AliasKind,
    Claim,
    Speaker,
    SpeakerAlias,
    SpeakerKind,
    TargetKind,
)
from claims.store.nameforms import name_key, parse_name, visible_name


@dataclass(frozen=True, slots=True)
class SpeakerChange:
    """What an admin's change did: the speaker now, and the claims the matcher must re-read."""

    speaker_id: int
    name: str
    claim_ids: tuple[int, ...]


def get_speaker(*, session: Session, speaker_id: int) -> Speaker:
    """One speaker by id, or a ``NotFoundError`` fit to show."""
    speaker = session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFoundError(f"There is no speaker #{speaker_id}.")
    return speaker


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
        add_alias(session, target, source.name, AliasKind.ADMIN, None)
    move_followers(session, TargetKind.SPEAKER, source.id, target.id)  # type: ignore[arg-type]
    target.affiliation = target.affiliation or source.affiliation
    target.role = target.role or source.role
    session.add(target)
    session.flush()
    record_change(session=session, entity="speaker", entity_id=target.id, action="merge",  # type: ignore[arg-type]
                  actor=actor, old_value=source.name, new_value=target.name, related_id=source.id)
    session.delete(source)
    session.flush()
    ids = refingerprint(session, target)
    moved = {c.id for c in claims}
    return SpeakerChange(target.id, target.name, tuple(i for i in ids if i in moved))  # type: ignore[arg-type]


def rename_speaker(*, session: Session, speaker_id: int, name: str, actor: Actor) -> SpeakerChange:
    """Give a speaker a new display name; the old one stays an alias so mentions still find them."""
    speaker = get_speaker(session=session, speaker_id=speaker_id)
    new = visible_name(name, limit=MAX_NAME, what="speaker's name")
    _refuse_taken(session, speaker, new, "merge the two instead")
    old = speaker.name
    speaker.name = new
    session.add(speaker)
    session.flush()
    add_alias(session, speaker, new, AliasKind.NAME, None)
    if speaker.kind == SpeakerKind.PERSON.value and (form := parse_name(new)) and form.is_full:
        add_alias(session, speaker, form.surname, AliasKind.SURNAME, None)
    record_change(session=session, entity="speaker", entity_id=speaker.id, action="rename",  # type: ignore[arg-type]
                  actor=actor, old_value=old, new_value=new)
    ids = refingerprint(session, speaker)
    return SpeakerChange(speaker.id, speaker.name, tuple(ids))  # type: ignore[arg-type]


def _refuse_taken(session: Session, speaker: Speaker, name: str, advice: str) -> None:
    """``InvalidArgumentError`` when another speaker is called ``name`` or goes by it as a full name
    or an admin's alias (with or without a title: "Mr. Donald Trump" is Donald Trump's), since the
    name would then find two people and "/claims Donald Trump" would become a question."""
    form = parse_name(name)
    keys = {name_key(name)} | ({name_key(form.full)} if form is not None and form.is_full else set())
    others = [entity_named(session, name)]
    for key in keys - {""}:
        others += entities_with(session, key, FULL_NAME_KINDS)
    other = next((o for o in others if o is not None and o.id != speaker.id), None)
    if other is not None and name_key(other.name) in keys:
        raise InvalidArgumentError(f"There is already a speaker called {name!r} (#{other.id}); {advice}.")
    if other is not None:
        raise InvalidArgumentError(f"{other.name!r} (#{other.id}) already goes by {name!r}; {advice}.")


def add_speaker_alias(*, session: Session, speaker_id: int, alias: str, actor: Actor) -> SpeakerChange:
    """Teach the store another name for a speaker ("AOC", "the Fed chair"), recorded with its author.
    The rules of a rename apply: visible letters, and never a name another speaker goes by."""
    speaker = get_speaker(session=session, speaker_id=speaker_id)
    text = visible_name(alias, limit=MAX_NAME, what="speaker's alias")
    if not name_key(text):
        raise InvalidArgumentError("Give the alias to add.")
    _refuse_taken(session, speaker, text, "choose another alias")
    add_alias(session, speaker, text, AliasKind.ADMIN, None)
    record_change(session=session, entity="speaker", entity_id=speaker.id, action="alias",  # type: ignore[arg-type]
                  actor=actor, new_value=text)
    ids = session.exec(select(Claim.id).where(Claim.speaker_id == speaker.id)).all()
    return SpeakerChange(speaker.id, speaker.name, tuple(i for i in ids if i is not None))  # type: ignore[arg-type]
