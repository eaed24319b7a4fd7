"""Editorial use cases of ``ClaimService``: speakers and topics as editors curate them.

Each change tells the live index which claims it touched, because renaming a speaker or merging a
topic changes what a claim is indexed under.

Admins name speakers and topics as users do (surname, alias, slug, part of a name) or by ``#id``;
two names in one command are separated by a word: ``merge A into B``, ``rename A to B``,
``alias A as B``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError
from claims.normalize import unquote
from claims.service.base import ServiceBase
from claims.store import speakers as speaker_store
from claims.store import topics as topic_store
from claims.store.history import Actor, record_revision
from claims.store.models import ChangeKind, Claim, Speaker, TargetKind, Topic
from claims.store.names import AmbiguousNameError, resolve_name
from claims.store.topics import TopicActivity, topics_by_activity

SPEAKER_USAGE = ("Usage: /speaker merge NAME into NAME · /speaker rename NAME to NEW NAME · "
                 "/speaker alias NAME as ALIAS (names, surnames or #id)")
TOPIC_USAGE = ("Usage: /topic rename NAME to NEW NAME · /topic merge NAME into NAME · "
               "/topic hide NAME (names, slugs or #id)")
_ID = re.compile(r"^#\s*([0-9]{1,12})$")  # ASCII digits: int() reads others too


@dataclass(frozen=True, slots=True)
class EditorialResult:
    """What an admin's change did, in words fit to show, and how many claims it touched."""

    message: str
    claims: int


def split_command(text: str, *, separator: str, usage: str) -> tuple[str, str]:
    """``("Clinton", "Hillary Clinton")`` from ``Clinton into Hillary Clinton`` (separator "into")."""
    parts = re.split(rf"\s+{re.escape(separator)}\s+", " ".join(text.split()), maxsplit=1,
                     flags=re.IGNORECASE)
    names = [unquote(p) for p in parts]
    if len(names) != 2 or not names[0] or not names[1]:
        raise InvalidArgumentError(usage)
    return names[0], names[1]


class Editorial(ServiceBase):
    """Speaker and topic changes by admins, and topics by activity."""

    # -- topics --------------------------------------------------------------------------------

    def topics(self, *, limit: int | None = None) -> list[TopicActivity]:
        """Visible topics with live claims, the most active lately first (``/topics``)."""
        with self.session() as session:
            return topics_by_activity(session=session, limit=limit)

    def topic_command(self, action: str, text: str, *, actor: Actor) -> EditorialResult:
        """``/topic rename|merge|hide ...`` (discovered topics only; configured ones live in config)."""
        action = action.lower()
        with self.session() as session:
            if action == "rename":
                old, new = split_command(text, separator="to", usage=TOPIC_USAGE)
                topic = self._topic(session, old)
                change = topic_store.rename_topic(session=session, topic_id=topic.id,  # type: ignore[arg-type]
                                                  name=new, actor=actor)
                message = f"Topic renamed: {old} → {change.name}."
            elif action == "merge":
                old, into = split_command(text, separator="into", usage=TOPIC_USAGE)
                source, target = self._topic(session, old), self._topic(session, into)
                change = topic_store.merge_topics(session=session, topic_id=source.id,  # type: ignore[arg-type]
                                                  into_id=target.id, actor=actor)  # type: ignore[arg-type]
                message = f"Topic {source.name} merged into {change.name}."
            elif action == "hide" and text.strip():
                topic = self._topic(session, text)
                fallback = topic_store.topic_by_slug(session=session, slug=self.catalog.fallback_topic)
                change = topic_store.hide_topic(session=session, topic_id=topic.id,  # type: ignore[arg-type]
                                                actor=actor, fallback_id=fallback.id if fallback else None)
                message = f"Topic {change.name} hidden: no longer listed or assigned."
            else:
                raise InvalidArgumentError(TOPIC_USAGE)
            _relabelled(session, change.claim_ids, reason=message, actor=actor)
        self.index.refresh(change.claim_ids)
        return EditorialResult(f"{message} {_claims(len(change.claim_ids))}", len(change.claim_ids))

    # -- speakers ------------------------------------------------------------------------------

    def speaker_command(self, action: str, text: str, *, actor: Actor) -> EditorialResult:
        """``/speaker merge|rename|alias ...``, each recorded with its author."""
        action = action.lower()
        with self.session() as session:
            if action == "merge":
                old, into = split_command(text, separator="into", usage=SPEAKER_USAGE)
                source, target = self._speaker(session, old), self._speaker(session, into)
                change = speaker_store.merge_speakers(session=session, speaker_id=source.id,  # type: ignore[arg-type]
                                                      into_id=target.id, actor=actor)  # type: ignore[arg-type]
                message = f"Speaker {source.name} merged into {change.name}."
            elif action == "rename":
                old, new = split_command(text, separator="to", usage=SPEAKER_USAGE)
                speaker = self._speaker(session, old)
                was = speaker.name
                change = speaker_store.rename_speaker(session=session, speaker_id=speaker.id,  # type: ignore[arg-type]
                                                      name=new, actor=actor)
                message = f"Speaker renamed: {was} → {change.name} (the old name stays an alias)."
            elif action == "alias":
                name, alias = split_command(text, separator="as", usage=SPEAKER_USAGE)
                speaker = self._speaker(session, name)
                change = speaker_store.add_speaker_alias(session=session, speaker_id=speaker.id,  # type: ignore[arg-type]
                                                         alias=alias, actor=actor)
                message = f"{change.name} is now also found as “{alias}”."
            else:
                raise InvalidArgumentError(SPEAKER_USAGE)
            if action != "alias":  # an alias adds a way to find the speaker; no claim's label moves
                _relabelled(session, change.claim_ids, reason=message, actor=actor)
        self.index.refresh(change.claim_ids)
        return EditorialResult(f"{message} {_claims(len(change.claim_ids))}", len(change.claim_ids))

    # -- names ---------------------------------------------------------------------------------

    def _speaker(self, session: Session, text: str) -> Speaker:
        if m := _ID.match(text.strip()):
            return speaker_store.get_speaker(session=session, speaker_id=int(m.group(1)))
        match = _one(session, text, TargetKind.SPEAKER, self.catalog)
        return speaker_store.get_speaker(session=session, speaker_id=match)

    def _topic(self, session: Session, text: str) -> Topic:
        if m := _ID.match(text.strip()):
            return topic_store.get_topic(session=session, topic_id=int(m.group(1)))
        match = _one(session, text, TargetKind.TOPIC, self.catalog)
        return topic_store.get_topic(session=session, topic_id=match)


def _one(session: Session, text: str, kind: TargetKind, catalog: Catalog) -> int:
    """The id a typed name stands for; an ambiguous name lists the choices with their ids."""
    try:
        return resolve_name(session=session, text=text, kinds=(kind,), catalog=catalog).id
    except AmbiguousNameError as exc:
        names = ", ".join(f"{c.label} (#{c.id})" for c in exc.choices)
        raise InvalidArgumentError(f"{text[:60]!r} could mean: {names}. Give the #id.") from None


def _claims(n: int) -> str:
    return f"{n} claim{'s' * (n != 1)} updated."


def _relabelled(session: Session, claim_ids: Iterable[int], *, reason: str, actor: Actor) -> None:
    """A revision on every claim whose speaker or topic label an admin changed: the claim's history
    says so, and every process's index, which follows the revision log, relabels it."""
    ids = sorted(set(claim_ids))
    for start in range(0, len(ids), 900):
        for claim in session.exec(select(Claim).where(col(Claim.id).in_(ids[start:start + 900]))):
            record_revision(session=session, claim=claim, change=ChangeKind.RELABELLED, reason=reason,
                            actor=actor)
    session.flush()
