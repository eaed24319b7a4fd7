"""What the matcher indexes for one claim (``ClaimDoc``, built by the store) and what it answers
with (``Match``): the two values that cross between the store, the matcher and its callers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ClaimDoc:
    """What the matcher indexes for one claim."""

    id: int
    text: str
    speaker: str | None = None
    speaker_aliases: tuple[str, ...] = ()
    topic: str | None = None  # slug, e.g. "ceasefire"
    topic_name: str | None = None  # e.g. "Cease-fire"
    title: str | None = None  # source article title
    published_at: datetime | None = None  # tz-aware UTC
    context: str | None = None  # the claim's context sentence(s): indexed at a lower weight
    other_topics: tuple[str, ...] = ()  # display names of the claim's further topics
    speaker_roles: tuple[str, ...] = ()  # roles the speaker was described by ("the governor")


@dataclass(frozen=True, slots=True)
class Match:
    """One answer to a question."""

    claim_id: int
    score: float  # in [0, 1]
    why: str  # short explanation: which terms/speaker/topic matched
