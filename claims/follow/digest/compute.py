"""Computing digests: many subscriptions at once, up to a settled horizon, joined per chat.

Digests for many subscriptions are computed together with a fixed number of queries: the revisions
after the oldest watermark are loaded once (``claims.follow.digest.revisions``), indexed by topic,
speaker, claim and saved search, and each subscription takes its slice with a binary search; the
slices are folded into items by ``claims.follow.digest.items``.

A topic's digest covers the claims filed under it as main or further topic. A saved search's digest
covers the changed claims the matcher answers its phrase with (``claims.follow.searches``); without a
``Searcher`` saved searches are left out, and their watermark must not move (``enqueue_digests``
skips them likewise).

A chat gets one digest per run however many of its subscriptions are due (``DigestBatch.for_chat``):
their slices are joined, so a change that concerns a followed topic and a followed speaker at once
is told once.

Only revisions older than ``SETTLE`` are covered: on PostgreSQL a revision id is taken when the row
is inserted but becomes visible at commit, so a lower id can appear after a higher one was already
read. Waiting a few seconds past the newest revision lets such stragglers land before the watermark
moves past them (ingestion commits one article at a time, which keeps that window short).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func

from claims.follow.digest.items import DigestContext
from claims.follow.digest.model import Digest
from claims.follow.digest.revisions import RevisionRow, further_topic_ids, load_revisions, search_hits
from claims.follow.searches import Searcher
from claims.follow.targets import Target, target_labels
from claims.store.models import ClaimRevision, Subscription, TargetKind, utcnow

SETTLE = timedelta(seconds=15)


def horizon(*, session: Session, now: datetime | None = None, settle: timedelta = SETTLE) -> int:
    """The newest revision id a digest may cover now: revisions older than ``settle``."""
    cutoff = (now or utcnow()) - settle
    value = session.execute(
        sa.select(func.coalesce(func.max(ClaimRevision.id), 0)).where(
            col(ClaimRevision.created_at) <= cutoff
        )
    ).scalar_one()
    return int(value)


def compute_digests(
    *,
    session: Session,
    subscriptions: Sequence[Subscription],
    upto_revision_id: int | None = None,
    now: datetime | None = None,
    settle: timedelta = SETTLE,
    searcher: Searcher | None = None,
) -> dict[int, Digest]:
    """Digests of many subscriptions by subscription id; subscriptions with no changes are absent.

    Covers revisions after each watermark up to ``upto_revision_id`` (default: ``horizon``).
    Saved searches need ``searcher``; without one they get no digest.
    """
    return compute_digest_batch(session=session, subscriptions=subscriptions,
                                upto_revision_id=upto_revision_id, now=now, settle=settle,
                                searcher=searcher).digests


@dataclass
class DigestBatch:
    """Digests computed together: one per subscription, and joined per chat on request."""

    digests: dict[int, Digest]
    _selected: dict[int, list[RevisionRow]]
    _ctx: DigestContext | None

    def for_chat(self, subscription_ids: Sequence[int]) -> Digest | None:
        """One digest for several subscriptions of one chat, each changed claim once.

        The lowest subscription id anchors it: its watermark gives the outbox key (the anchor's
        watermark moves on every digest it anchors, so keys never repeat) and its time zone the
        dates. The others' targets are listed in ``also``. ``None`` when none of them changed.
        """
        ids = sorted(i for i in subscription_ids if i in self.digests)
        if not ids or self._ctx is None:
            return None
        if len(ids) == 1:
            return self.digests[ids[0]]
        revs = sorted({r.id: r for i in ids for r in self._selected[i]}.values(), key=lambda r: r.id)
        groups = self._ctx.groups(revs)
        if not groups:
            return None
        return replace(self.digests[ids[0]], groups=groups,
                       also=tuple(self.digests[i].target for i in ids[1:]))


def compute_digest_batch(
    *,
    session: Session,
    subscriptions: Sequence[Subscription],
    upto_revision_id: int | None = None,
    now: datetime | None = None,
    settle: timedelta = SETTLE,
    searcher: Searcher | None = None,
) -> DigestBatch:
    """Each subscription's digest, keeping what is needed to join a chat's digests into one.

    Saved searches need ``searcher``; without one they get no digest.
    """
    empty = DigestBatch(digests={}, _selected={}, _ctx=None)
    if searcher is None:
        subscriptions = [s for s in subscriptions if s.target_kind != TargetKind.SEARCH.value]
    if not subscriptions:
        return empty
    hi = upto_revision_id if upto_revision_id is not None else horizon(
        session=session, now=now, settle=settle
    )
    pending = [s for s in subscriptions if s.watermark_revision_id < hi]
    if not pending:
        return empty
    lo = min(s.watermark_revision_id for s in pending)
    revs = load_revisions(session, pending, lo, hi)
    if not revs:
        return empty

    further = further_topic_ids(session, {r.claim_id for r in revs})
    found = search_hits(session, pending, revs, searcher) if searcher is not None else {}
    index: dict[tuple[str, int], list[RevisionRow]] = defaultdict(list)
    for rev in revs:
        index[(TargetKind.CLAIM.value, rev.claim_id)].append(rev)
        for topic_id in {rev.topic_id, *further.get(rev.claim_id, ())} - {None}:
            index[(TargetKind.TOPIC.value, topic_id)].append(rev)  # type: ignore[arg-type]
        if rev.speaker_id is not None:
            index[(TargetKind.SPEAKER.value, rev.speaker_id)].append(rev)
        for search_id in found.get(rev.claim_id, ()):
            index[(TargetKind.SEARCH.value, search_id)].append(rev)
    ids = {key: [r.id for r in value] for key, value in index.items()}

    ctx = DigestContext.load(session, revs)
    labels = target_labels(session=session, refs=[(s.target_kind, s.target_id) for s in pending])
    out: dict[int, Digest] = {}
    chosen: dict[int, list[RevisionRow]] = {}
    for sub in pending:
        key = (sub.target_kind, sub.target_id)
        if key not in index:
            continue
        start = bisect_right(ids[key], sub.watermark_revision_id)
        selected = index[key][start:]
        if not selected:
            continue
        groups = ctx.groups(selected)
        if not groups:
            continue
        kind = TargetKind(sub.target_kind)
        chosen[sub.id] = selected  # type: ignore[index]
        out[sub.id] = Digest(  # type: ignore[index]
            subscription_id=sub.id,  # type: ignore[arg-type]
            chat_id=sub.chat_id,
            target=labels.get(key) or Target(kind, sub.target_id, f"{kind.value} #{sub.target_id}"),
            timezone=sub.timezone,
            from_revision_id=sub.watermark_revision_id,
            to_revision_id=hi,
            groups=groups,
        )
    return DigestBatch(digests=out, _selected=chosen, _ctx=ctx)

