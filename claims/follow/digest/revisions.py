"""Which revisions a batch of subscriptions covers, loaded with a fixed number of queries.

Why it exists: digests for 10,000 subscriptions must not cost a query each. The revisions after the
oldest watermark are loaded once for every target any subscription follows (topics as main or
further topic, speakers, claims; every claim for saved searches, which the matcher then narrows),
and ``claims.follow.digest.compute`` slices them per subscription.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from claims.follow.searches import Searcher
from claims.store.models import Claim, ClaimRevision, ClaimTopic, SavedSearch, Subscription, TargetKind

CHUNK = 900
"""Ids per ``IN (...)`` list: well under every database's limit on bound parameters."""


@dataclass(frozen=True, slots=True)
class RevisionRow:
    """One revision with its claim's topic and speaker: what indexing and folding need, no more."""

    id: int
    claim_id: int
    change: str
    old_text: str | None
    new_text: str | None
    old_verdict: str | None
    new_verdict: str | None
    reason: str | None
    article_id: int | None
    related_claim_id: int | None
    created_at: datetime
    topic_id: int | None
    speaker_id: int | None


def load_revisions(session: Session, subs: Sequence[Subscription], lo: int, hi: int) -> list[RevisionRow]:
    """Revisions in ``(lo, hi]`` of claims any of ``subs`` follows, oldest first."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for sub in subs:
        wanted[sub.target_kind].add(sub.target_id)
    conditions: list[Any] = []
    if wanted.get(TargetKind.SEARCH.value):
        conditions.append(sa.true())  # any claim may answer a phrase
    if ids := wanted.get(TargetKind.TOPIC.value):
        conditions.append(col(Claim.topic_id).in_(sorted(ids)))
        conditions.append(col(Claim.id).in_(
            sa.select(col(ClaimTopic.claim_id)).where(col(ClaimTopic.topic_id).in_(sorted(ids)))))
    if ids := wanted.get(TargetKind.SPEAKER.value):
        conditions.append(col(Claim.speaker_id).in_(sorted(ids)))
    if ids := wanted.get(TargetKind.CLAIM.value):
        conditions.append(col(ClaimRevision.claim_id).in_(sorted(ids)))
    stmt = (
        sa.select(*columns(
            ClaimRevision.id, ClaimRevision.claim_id, ClaimRevision.change, ClaimRevision.old_text,
            ClaimRevision.new_text, ClaimRevision.old_verdict, ClaimRevision.new_verdict,
            ClaimRevision.reason, ClaimRevision.article_id, ClaimRevision.related_claim_id,
            ClaimRevision.created_at, Claim.topic_id, Claim.speaker_id,
        ))
        .join(Claim, col(Claim.id) == ClaimRevision.claim_id)
        .where(col(ClaimRevision.id) > lo, col(ClaimRevision.id) <= hi, sa.or_(*conditions))
        .order_by(col(ClaimRevision.id))
    )
    return [RevisionRow(*row) for row in session.execute(stmt)]


def further_topic_ids(session: Session, claim_ids: set[int]) -> dict[int, set[int]]:
    """The further topics (beside the main one) of these claims."""
    out: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(sorted(claim_ids)):
        for claim_id, topic_id in session.execute(
            sa.select(*columns(ClaimTopic.claim_id, ClaimTopic.topic_id))
            .where(col(ClaimTopic.claim_id).in_(chunk))
        ):
            out[claim_id].add(topic_id)
    return out


def search_hits(
    session: Session, subs: Sequence[Subscription], revs: Sequence[RevisionRow], searcher: Searcher
) -> dict[int, set[int]]:
    """For each changed claim, the saved searches (ids) whose phrase the matcher answers with it."""
    search_ids = sorted({s.target_id for s in subs if s.target_kind == TargetKind.SEARCH.value})
    if not search_ids:
        return {}
    phrases = {
        int(sid): str(phrase)
        for sid, phrase in session.execute(
            sa.select(*columns(SavedSearch.id, SavedSearch.phrase))
            .where(col(SavedSearch.id).in_(search_ids))
        )
    }
    hits = searcher.matching(session=session, phrases=phrases, claim_ids=sorted({r.claim_id for r in revs}))
    out: dict[int, set[int]] = defaultdict(set)
    for search_id, claim_ids in hits.items():
        for claim_id in claim_ids:
            out[claim_id].add(search_id)
    return out


def columns(*attributes: Any) -> list[Any]:
    """Model attributes as select columns (keeps the type checker out of SQLModel's field types)."""
    return list(attributes)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``, one ``IN (...)`` query each."""
    for i in range(0, len(items), size):
        yield items[i : i + size]

