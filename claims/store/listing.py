"""Pages of claims for browsing (``/claims``): which claims a list shows, and one page of them with
the total, so a reader can page through a topic's or a speaker's claims.

The scope names its topic or speaker by id, and packs into one small number (``ClaimScope.code``)
that fits in a button's callback data beside the page number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, func

from claims.errors import NotFoundError
from claims.store.models import Claim, ClaimStatus, Speaker, Topic
from claims.store.topics import claims_in_topic, live_in_topic_count, unindexed
from claims.store.views import ClaimView, get_claims

ScopeKind = Literal["all", "topic", "speaker"]
FEW = 1000
"""A topic with at most this many live claims is listed from its own lookups and sorted; a bigger
one by walking live claims newest first, which fills a page after a few dozen rows."""
_KINDS: tuple[ScopeKind, ...] = ("all", "topic", "speaker")


@dataclass(frozen=True, slots=True)
class ClaimScope:
    """All live claims, or those of one topic or one speaker (by id)."""

    kind: ScopeKind = "all"
    id: int = 0

    @property
    def code(self) -> int:
        """One non-negative number for the scope (buttons carry numbers, not names)."""
        return self.id * len(_KINDS) + _KINDS.index(self.kind)

    @classmethod
    def from_code(cls, code: int) -> ClaimScope:
        kind = _KINDS[code % len(_KINDS)]
        return cls(kind, 0 if kind == "all" else code // len(_KINDS))


@dataclass(frozen=True, slots=True)
class ClaimPage:
    """One page of a scope's live claims, newest first."""

    scope: ClaimScope
    label: str
    """What the scope is, for headings: "" for all claims, "on Greenland", "by Donald Trump"."""
    views: tuple[ClaimView, ...]
    offset: int
    total: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.views) < self.total


def scope_of(topic: Topic | None = None, speaker: Speaker | None = None) -> ClaimScope:
    """The scope of a resolved topic or speaker (neither: every claim)."""
    if topic is not None and topic.id is not None:
        return ClaimScope("topic", topic.id)
    if speaker is not None and speaker.id is not None:
        return ClaimScope("speaker", speaker.id)
    return ClaimScope()


def claim_page(*, session: Session, scope: ClaimScope, limit: int, offset: int = 0,
               by_creation: bool = False) -> ClaimPage:
    """Live claims of ``scope``, newest first, ``limit`` from ``offset``, with how many there are.

    Newest means most recently changed, or with ``by_creation`` most recently recorded (a speaker's
    timeline on the web, where a new verdict must not move a claim to the top). The page's ids come
    off an index in that order (``Claim``'s ``ix_claim_*_updated`` and ``ix_claim_speaker_created``;
    a topic, main or further, has no one index: see ``FEW``), then one joined query reads those
    claims."""
    live = col(Claim.status) == ClaimStatus.ACTIVE.value
    where: list[sa.ColumnElement[bool]] = [live]
    counted: Any = sa.select(func.count()).select_from(Claim).where(live)
    label = ""
    if scope.kind == "topic":
        topic = session.get(Topic, scope.id)
        if topic is None:
            raise NotFoundError("That topic no longer exists. See /topics.")
        where, label = [live, claims_in_topic(scope.id)], f"on {topic.name}"  # main or further
        counted = sa.select(live_in_topic_count(scope.id))
    elif scope.kind == "speaker":
        speaker = session.get(Speaker, scope.id)
        if speaker is None:
            raise NotFoundError("That speaker no longer exists. See /speakers.")
        where = [live, col(Claim.speaker_id) == speaker.id]
        counted = sa.select(func.count()).select_from(Claim).where(*where)
        label = f"by {speaker.name}"
    total = int(session.execute(counted).scalar_one())
    if scope.kind == "topic" and total <= FEW:  # a small topic: its own lookups, its few sorted;
        # walking every live claim newest first for them took 40 ms at 100,000 claims
        where = [unindexed(col(Claim.status), ClaimStatus.ACTIVE.value), claims_in_topic(scope.id)]
    ids = session.execute(
        sa.select(col(Claim.id)).where(*where)
        .order_by(col(Claim.created_at if by_creation else Claim.updated_at).desc(), col(Claim.id).desc())
        .offset(offset).limit(limit)
    ).scalars().all()
    return ClaimPage(scope=scope, label=label, views=tuple(get_claims(session=session, claim_ids=ids)),
                     offset=offset, total=total)
