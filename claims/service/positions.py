"""Who said what over time, for ``ClaimService``: a speaker's timeline (``/timeline``, ``claimbot
timeline``), recent changes of position (``/changes``) and an admin clearing a wrong flag."""

from __future__ import annotations

from sqlmodel import Session

from claims.errors import InvalidArgumentError, NotFoundError
from claims.positions import links
from claims.positions.questions import timeline_question
from claims.positions.timeline import (
    PositionChange,
    Timeline,
    TimelineEntry,
    TimelineGroup,
    recent_changes,
    speaker_timeline,
)
from claims.service.index import IndexUpkeep
from claims.store.history import Actor
from claims.store.models import Speaker, Topic
from claims.store.names import resolve_speaker, resolve_topic

__all__ = ["PositionChange", "Positions", "Timeline", "TimelineEntry", "TimelineGroup"]


class Positions(IndexUpkeep):
    """Timelines and changed positions."""

    def timeline(self, speaker: str, *, topic: str | None = None, about: str | None = None,
                 limit: int | None = None, offset: int = 0) -> Timeline:
        """``speaker``'s claims in the order they were made; ``topic`` must name a topic, ``about``
        is any phrase the claims (or their topic) must mention."""
        with self.session() as session:
            who = resolve_speaker(session=session, text=speaker)
            subject = resolve_topic(session=session, text=topic, catalog=self.catalog) if topic else None
            return speaker_timeline(session=session, speaker=who, topic=subject, about=about,
                                    limit=limit, offset=offset)

    def timeline_for(self, text: str, *, limit: int | None = None, offset: int = 0) -> Timeline:
        """``/timeline Putin cease-fire``: the longest leading words that name a speaker, then a topic
        if the rest names one, else the rest as a phrase."""
        words = text.split()
        with self.session() as session:
            who, rest = _speaker_prefix(session, words)
            subject, about = self._subject(session, rest)
            return speaker_timeline(session=session, speaker=who, topic=subject, about=about,
                                    limit=limit, offset=offset)

    def timeline_question(self, text: str, *, limit: int | None = None) -> Timeline | None:
        """A question about someone's record over time, answered with their timeline; None when the
        question is not of that form or names no known speaker (the matcher answers it then)."""
        asked = timeline_question(text)
        if asked is None:
            return None
        with self.session() as session:
            try:
                who = resolve_speaker(session=session, text=asked.speaker)
            except (NotFoundError, InvalidArgumentError):  # unknown or ambiguous: the matcher answers
                return None
            subject, about = self._subject(session, asked.subject)
            return speaker_timeline(session=session, speaker=who, topic=subject, about=about, limit=limit)

    def _subject(self, session: Session, text: str | None) -> tuple[Topic | None, str | None]:
        """What narrows a timeline: a topic when ``text`` names one, else ``text`` as a phrase."""
        if not text:
            return None, None
        try:
            return resolve_topic(session=session, text=text, catalog=self.catalog), None
        except NotFoundError:
            return None, text

    def timeline_page(self, speaker_id: int, topic_id: int | None, *, limit: int,
                      offset: int) -> Timeline:
        """A later page of a timeline (its page buttons carry the speaker's and topic's ids)."""
        with self.session() as session:
            who = session.get(Speaker, speaker_id)
            subject = session.get(Topic, topic_id) if topic_id is not None else None
            if who is None or (topic_id is not None and subject is None):
                raise NotFoundError("That timeline is no longer available; ask again with /timeline.")
            return speaker_timeline(session=session, speaker=who, topic=subject, limit=limit, offset=offset)

    def position_changes(self, *, limit: int, offset: int = 0) -> tuple[list[PositionChange], int]:
        """Recent changes of position, most recently said first, and how many there are."""
        with self.session() as session:
            return recent_changes(session=session, limit=limit, offset=offset)

    def clear_position_flag(self, claim_id: int, *, reason: str | None, actor: Actor) -> int:
        """An admin's "not a change of position": recorded as a revision; returns the earlier claim."""
        with self.session() as session:
            link = links.clear_flag(session=session, claim_id=claim_id, reason=reason, actor=actor)
            earlier = link.earlier_id
        self.catch_up()
        return earlier


def _speaker_prefix(session: Session, words: list[str]) -> tuple[Speaker, str]:
    """The speaker named by the most leading words; what follows is the subject."""
    if not words:
        raise NotFoundError("Whose timeline? Name a speaker, e.g. /timeline Trump Greenland.")
    error: Exception | None = None
    for end in range(len(words), 0, -1):
        try:
            return resolve_speaker(session=session, text=" ".join(words[:end])), " ".join(words[end:])
        except NotFoundError as exc:
            error = error or exc
    assert error is not None
    raise error
