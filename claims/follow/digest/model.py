"""What a digest holds: the changed claims of one subscription (or one chat), grouped by topic.

Why it exists: digests are computed in ``claims.follow.digest.compute`` and read by the bot's HTML
renderer, the plain-text renderer and the outbox; this plain data is the contract between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from claims.follow.targets import Target
from claims.store.positions import Earlier
from claims.store.views import SourceView


@dataclass(frozen=True, slots=True)
class DigestItem:
    """Everything that happened to one claim within one digest.

    ``text_before`` is set when the wording changed (not for new claims); ``verdict`` is set when
    the verdict changed (``verdict_before`` then holds the old one) or, for a new claim, when it
    arrived already judged. ``merged_into`` is set on a duplicate folded into another claim,
    ``merged_from`` on the claim that absorbed others.
    """

    claim_id: int
    speaker: str | None
    topic: str | None
    topic_name: str | None
    text: str
    new: bool
    text_before: str | None
    verdict_before: str | None
    verdict: str | None
    retracted: bool
    merged_into: int | None
    merged_from: tuple[int, ...]
    note: str | None
    source: SourceView | None
    at: datetime
    revision_id: int
    removed_from: SourceView | None = None
    """The article whose updated version no longer contains the claim."""
    changed_from: Earlier | None = None
    """For a new claim that contradicts its speaker's earlier claim on the subject: that claim."""

    @property
    def kinds(self) -> tuple[str, ...]:
        """What happened, in reading order: new, revised, verdict, retracted, merged, removed."""
        out = []
        if self.new and self.changed_from is not None:
            out.append("changed_position")
        if self.new:
            out.append("new")
        if self.text_before is not None:
            out.append("revised")
        if self.verdict_before is not None:
            out.append("verdict")
        if self.retracted:
            out.append("retracted")
        if self.merged_into is not None or self.merged_from:
            out.append("merged")
        if self.removed_from is not None:
            out.append("removed")
        return tuple(out)


@dataclass(frozen=True, slots=True)
class DigestGroup:
    """The items of one topic (``topic`` None: claims without a topic), newest first."""

    topic: str | None
    topic_name: str | None
    items: tuple[DigestItem, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """One subscription's changes in ``(from_revision_id, to_revision_id]``, grouped by topic."""

    subscription_id: int
    chat_id: int
    target: Target
    timezone: str
    from_revision_id: int
    to_revision_id: int
    groups: tuple[DigestGroup, ...]
    also: tuple[Target, ...] = ()
    """Further targets of the same chat folded into this digest (one digest per chat per run)."""

    @property
    def targets(self) -> tuple[Target, ...]:
        return (self.target, *self.also)

    @property
    def label(self) -> str:
        """What the digest is about: "Greenland", or "Greenland, Donald Trump"."""
        return ", ".join(t.label for t in self.targets)

    @property
    def key(self) -> str:
        """Identifies the digest in the outbox: the watermark it starts from.

        Two processes computing the same subscription's digest from the same watermark get the
        same key (whatever their horizon), so the outbox's unique constraint keeps one of them.
        """
        return f"after-{self.from_revision_id}"

    @property
    def items(self) -> list[DigestItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)

