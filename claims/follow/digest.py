"""What changed for a subscription since its watermark: new, revised, re-judged, retracted, merged claims.

A digest is plain data (``Digest`` of ``DigestGroup`` of ``DigestItem``); the bot renders it as
Telegram HTML. ``render_text`` is a plain-text rendering (no markup) for the outbox when no other
renderer is given, for logs and for the benchmark.

Digests for many subscriptions are computed together with a fixed number of queries: the revisions
after the oldest watermark are loaded once, indexed by topic, speaker and claim, and each
subscription takes its slice with a binary search. Several changes to one claim in one digest are
folded into one item (first "before", last "after").

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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func

from claims.follow.searches import Searcher
from claims.follow.subscriptions import Target, target_labels
from claims.store.models import (
    Article,
    ChangeKind,
    Claim,
    ClaimAppearance,
    ClaimRevision,
    ClaimTopic,
    SavedSearch,
    Speaker,
    Subscription,
    TargetKind,
    Topic,
    utcnow,
)
from claims.wording import count

SETTLE = timedelta(seconds=15)
MESSAGE_LIMIT = 4096
ITEM_TEXT_CHARS = 700
"""Claim text in the plain-text rendering; the full text is a ``/claim ID`` away."""
_CHUNK = 900
_NEW = {ChangeKind.CREATED.value, ChangeKind.IMPORTED.value}
_TEXT = {ChangeKind.TEXT.value, ChangeKind.EDITED.value}


@dataclass(frozen=True, slots=True)
class DigestSource:
    article_id: int
    url: str | None
    title: str | None
    outlet: str | None
    published_at: datetime | None


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
    source: DigestSource | None
    at: datetime
    revision_id: int
    removed_from: DigestSource | None = None
    """The article whose updated version no longer contains the claim."""

    @property
    def kinds(self) -> tuple[str, ...]:
        """What happened, in reading order: new, revised, verdict, retracted, merged, removed."""
        out = []
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


@dataclass(frozen=True, slots=True)
class _Rev:
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


# ---------------------------------------------------------------------------- computing


def horizon(*, session: Session, now: datetime | None = None, settle: timedelta = SETTLE) -> int:
    """The newest revision id a digest may cover now: revisions older than ``settle``."""
    cutoff = (now or utcnow()) - settle
    value = session.execute(
        sa.select(func.coalesce(func.max(ClaimRevision.id), 0)).where(
            col(ClaimRevision.created_at) <= cutoff
        )
    ).scalar_one()
    return int(value)


def compute_digest(
    *,
    session: Session,
    subscription: Subscription,
    upto_revision_id: int | None = None,
    now: datetime | None = None,
    settle: timedelta = SETTLE,
    searcher: Searcher | None = None,
) -> Digest | None:
    """One subscription's digest, or None when nothing it follows changed."""
    return compute_digests(
        session=session, subscriptions=[subscription], upto_revision_id=upto_revision_id, now=now,
        settle=settle, searcher=searcher,
    ).get(subscription.id)  # type: ignore[arg-type]


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
    _selected: dict[int, list[_Rev]]
    _ctx: _Context | None

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
    revs = _load_revisions(session, pending, lo, hi)
    if not revs:
        return empty

    further = _further_topics(session, {r.claim_id for r in revs})
    found = _search_hits(session, pending, revs, searcher) if searcher is not None else {}
    index: dict[tuple[str, int], list[_Rev]] = defaultdict(list)
    for rev in revs:
        index[(TargetKind.CLAIM.value, rev.claim_id)].append(rev)
        for topic_id in {rev.topic_id, *further.get(rev.claim_id, ())} - {None}:
            index[(TargetKind.TOPIC.value, topic_id)].append(rev)  # type: ignore[arg-type]
        if rev.speaker_id is not None:
            index[(TargetKind.SPEAKER.value, rev.speaker_id)].append(rev)
        for search_id in found.get(rev.claim_id, ()):
            index[(TargetKind.SEARCH.value, search_id)].append(rev)
    ids = {key: [r.id for r in value] for key, value in index.items()}

    ctx = _Context.load(session, revs)
    labels = target_labels(session=session, refs=[(s.target_kind, s.target_id) for s in pending])
    out: dict[int, Digest] = {}
    chosen: dict[int, list[_Rev]] = {}
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


def _load_revisions(session: Session, subs: Sequence[Subscription], lo: int, hi: int) -> list[_Rev]:
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
        sa.select(*_columns(
            ClaimRevision.id, ClaimRevision.claim_id, ClaimRevision.change, ClaimRevision.old_text,
            ClaimRevision.new_text, ClaimRevision.old_verdict, ClaimRevision.new_verdict,
            ClaimRevision.reason, ClaimRevision.article_id, ClaimRevision.related_claim_id,
            ClaimRevision.created_at, Claim.topic_id, Claim.speaker_id,
        ))
        .join(Claim, col(Claim.id) == ClaimRevision.claim_id)
        .where(col(ClaimRevision.id) > lo, col(ClaimRevision.id) <= hi, sa.or_(*conditions))
        .order_by(col(ClaimRevision.id))
    )
    return [_Rev(*row) for row in session.execute(stmt)]


def _further_topics(session: Session, claim_ids: set[int]) -> dict[int, set[int]]:
    """The further topics (beside the main one) of these claims."""
    out: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(sorted(claim_ids)):
        for claim_id, topic_id in session.execute(
            sa.select(*_columns(ClaimTopic.claim_id, ClaimTopic.topic_id))
            .where(col(ClaimTopic.claim_id).in_(chunk))
        ):
            out[claim_id].add(topic_id)
    return out


def _search_hits(
    session: Session, subs: Sequence[Subscription], revs: Sequence[_Rev], searcher: Searcher
) -> dict[int, set[int]]:
    """For each changed claim, the saved searches (ids) whose phrase the matcher answers with it."""
    search_ids = sorted({s.target_id for s in subs if s.target_kind == TargetKind.SEARCH.value})
    if not search_ids:
        return {}
    phrases = {
        int(sid): str(phrase)
        for sid, phrase in session.execute(
            sa.select(*_columns(SavedSearch.id, SavedSearch.phrase))
            .where(col(SavedSearch.id).in_(search_ids))
        )
    }
    hits = searcher.matching(session=session, phrases=phrases, claim_ids=sorted({r.claim_id for r in revs}))
    out: dict[int, set[int]] = defaultdict(set)
    for search_id, claim_ids in hits.items():
        for claim_id in claim_ids:
            out[claim_id].add(search_id)
    return out


def _columns(*attributes: Any) -> list[Any]:
    """Model attributes as select columns (keeps the type checker out of SQLModel's field types)."""
    return list(attributes)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Context:
    """Claims, speakers, topics and articles the loaded revisions refer to, fetched once."""

    def __init__(self) -> None:
        self.claims: dict[int, Any] = {}
        self.speakers: dict[int, str] = {}
        self.topics: dict[int, tuple[str, str]] = {}
        self.articles: dict[int, DigestSource] = {}
        self.first_article: dict[int, int] = {}
        self._items: dict[tuple[int, int, int], DigestItem | None] = {}

    @classmethod
    def load(cls, session: Session, revs: Sequence[_Rev]) -> _Context:
        ctx = cls()
        claim_ids = sorted({r.claim_id for r in revs})
        for chunk in _chunks(claim_ids):
            for row in session.execute(
                sa.select(*_columns(Claim.id, Claim.text, Claim.verdict, Claim.verdict_note, Claim.status,
                                    Claim.merged_into_id, Claim.speaker_id, Claim.topic_id))
                .where(col(Claim.id).in_(chunk))
            ):
                ctx.claims[row.id] = row
            for claim_id, article_id in session.execute(
                sa.select(*_columns(ClaimAppearance.claim_id, func.min(ClaimAppearance.article_id)))
                .where(col(ClaimAppearance.claim_id).in_(chunk))
                .group_by(col(ClaimAppearance.claim_id))
            ):
                ctx.first_article[claim_id] = article_id
        speaker_ids = sorted({c.speaker_id for c in ctx.claims.values() if c.speaker_id is not None})
        for chunk in _chunks(speaker_ids):
            for sid, name in session.execute(
                sa.select(*_columns(Speaker.id, Speaker.name)).where(col(Speaker.id).in_(chunk))
            ):
                ctx.speakers[sid] = name
        topic_ids = sorted({c.topic_id for c in ctx.claims.values() if c.topic_id is not None})
        for chunk in _chunks(topic_ids):
            for tid, slug, name in session.execute(
                sa.select(*_columns(Topic.id, Topic.slug, Topic.name)).where(col(Topic.id).in_(chunk))
            ):
                ctx.topics[tid] = (slug, name)
        article_ids = sorted({r.article_id for r in revs if r.article_id} | set(ctx.first_article.values()))
        for chunk in _chunks(article_ids):
            for art in session.execute(
                sa.select(*_columns(Article.id, Article.url, Article.canonical_url, Article.title,
                                    Article.outlet, Article.published_at))
                .where(col(Article.id).in_(chunk))
            ):
                ctx.articles[art.id] = DigestSource(
                    article_id=art.id, url=art.canonical_url or art.url, title=art.title,
                    outlet=art.outlet, published_at=art.published_at,
                )
        return ctx

    def groups(self, revs: Sequence[_Rev]) -> tuple[DigestGroup, ...]:
        """Revisions (oldest first) folded into items per claim, grouped by topic, newest first."""
        per_claim: dict[int, list[_Rev]] = {}
        for rev in revs:
            per_claim.setdefault(rev.claim_id, []).append(rev)
        items = [
            item for claim_revs in per_claim.values() if (item := self._item(claim_revs)) is not None
        ]
        items = _drop_mirrored_merges(items)
        if not items:
            return ()
        items.sort(key=lambda i: (i.revision_id, i.claim_id), reverse=True)
        by_topic: dict[str | None, list[DigestItem]] = {}
        for item in items:
            by_topic.setdefault(item.topic, []).append(item)
        return tuple(
            DigestGroup(topic=topic, topic_name=group[0].topic_name, items=tuple(group))
            for topic, group in by_topic.items()
        )

    def _item(self, revs: Sequence[_Rev]) -> DigestItem | None:
        key = (revs[0].claim_id, revs[0].id, revs[-1].id)
        if key not in self._items:
            self._items[key] = self._build_item(revs)
        return self._items[key]

    def _build_item(self, revs: Sequence[_Rev]) -> DigestItem | None:
        claim = self.claims.get(revs[0].claim_id)
        if claim is None:  # pragma: no cover - revisions always have their claim
            return None
        new = any(r.change in _NEW for r in revs)
        text = next((r.new_text for r in reversed(revs) if r.new_text is not None), claim.text)
        text_revs = [r for r in revs if r.change in _TEXT]
        text_before = None
        if text_revs and not new and text_revs[0].old_text != text:
            text_before = text_revs[0].old_text
        verdict_revs = [r for r in revs if r.new_verdict is not None]
        verdict = verdict_before = None
        if verdict_revs:
            verdict = verdict_revs[-1].new_verdict
            if new:
                verdict = None if verdict == "unverified" else verdict
            else:
                verdict_before = next((r.old_verdict for r in verdict_revs if r.old_verdict), None)
                if verdict_before == verdict:
                    verdict = verdict_before = None
        retracted = any(r.change == ChangeKind.RETRACTED.value for r in revs)
        merged_into = None
        merged_from: list[int] = []
        for r in revs:
            if r.change != ChangeKind.MERGED.value or r.related_claim_id is None:
                continue
            if claim.merged_into_id == r.related_claim_id:
                merged_into = r.related_claim_id
            else:
                merged_from.append(r.related_claim_id)
        removed = next((r for r in reversed(revs) if r.change == ChangeKind.REMOVED.value), None)
        removed_from = self.articles.get(removed.article_id) if removed and removed.article_id else None
        if not (new or text_before is not None or verdict_before is not None or retracted
                or merged_into is not None or merged_from or removed_from is not None):
            return None
        article_id = next((r.article_id for r in reversed(revs) if r.article_id), None)
        article_id = article_id or self.first_article.get(claim.id)
        topic = self.topics.get(claim.topic_id) if claim.topic_id is not None else None
        return DigestItem(
            claim_id=claim.id,
            speaker=self.speakers.get(claim.speaker_id) if claim.speaker_id is not None else None,
            topic=topic[0] if topic else None,
            topic_name=topic[1] if topic else None,
            text=text,
            new=new,
            text_before=text_before,
            verdict_before=verdict_before,
            verdict=verdict,
            retracted=retracted,
            merged_into=merged_into,
            merged_from=tuple(merged_from),
            note=next((r.reason for r in reversed(revs) if r.reason), None),
            source=self.articles.get(article_id) if article_id else None,
            at=revs[-1].created_at,
            revision_id=revs[-1].id,
            removed_from=removed_from,
        )


def _drop_mirrored_merges(items: list[DigestItem]) -> list[DigestItem]:
    """A merge shows once, on the duplicate ("#5 merged into #3"), when both claims are in view."""
    shown = {(i.claim_id, i.merged_into) for i in items if i.merged_into is not None}
    if not shown:
        return items
    out = []
    for item in items:
        if item.merged_from:
            rest = tuple(src for src in item.merged_from if (src, item.claim_id) not in shown)
            if rest != item.merged_from:
                item = replace(item, merged_from=rest)
                if not item.kinds:
                    continue
        out.append(item)
    return out


# ---------------------------------------------------------------------------- plain-text rendering


def _short(text: str, limit: int = ITEM_TEXT_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def item_lines(item: DigestItem) -> list[str]:
    """One item as plain-text lines (no markup: the bot's HTML renderer is separate)."""
    who = f"{item.speaker}: " if item.speaker else ""
    lines: list[str] = []
    if item.new:
        lines.append(f"NEW #{item.claim_id} {who}“{_short(item.text)}”")
    elif item.text_before is not None:
        lines.append(f"REVISED #{item.claim_id} {who}“{_short(item.text_before, ITEM_TEXT_CHARS // 2)}”"
                     f" -> “{_short(item.text, ITEM_TEXT_CHARS // 2)}”")
    else:
        lines.append(f"#{item.claim_id} {who}“{_short(item.text)}”")
    if item.verdict is not None:
        before = f"{item.verdict_before} -> " if item.verdict_before else ""
        lines.append(f"  Verdict: {before}{item.verdict}")
    if item.retracted:
        lines.append("  RETRACTED")
    if item.merged_into is not None:
        lines.append(f"  MERGED into #{item.merged_into}")
    if item.merged_from:
        lines.append("  Merged in: " + ", ".join(f"#{c}" for c in item.merged_from))
    if item.removed_from is not None:
        title = item.removed_from.title or item.removed_from.outlet or "the article"
        lines.append(f"  NO LONGER IN THE ARTICLE: {_short(title, 200)}"
                     + (f" {item.removed_from.url}" if item.removed_from.url else ""))
    if item.note:
        lines.append(f"  Note: {_short(item.note, 300)}")
    if item.source:
        title = item.source.title or item.source.outlet or "source"
        lines.append(f"  Source: {_short(title, 200)}" + (f" {item.source.url}" if item.source.url else ""))
    lines.append(f"  /claim {item.claim_id} · /history {item.claim_id}")
    return lines


def render_text(digest: Digest, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The digest as plain-text messages, each under ``limit`` characters, cut between items."""
    header = f"What changed: {digest.label} ({count(digest.count, 'update')})"
    blocks: list[str] = []
    for group in digest.groups:
        heading = f"[{group.topic_name or 'Other'}]"
        for n, item in enumerate(group.items):
            body = "\n".join(item_lines(item))
            blocks.append(f"\n{heading}\n{body}" if n == 0 else body)
    return list(_pack(header, blocks, limit))


def _pack(header: str, blocks: Iterable[str], limit: int) -> Iterator[str]:
    current = header
    for block in blocks:
        block = block if len(block) < limit - 20 else block[: limit - 21] + "…"
        if len(current) + 2 + len(block) > limit:
            yield current
            current = "(continued)"
        current = f"{current}\n\n{block}" if current else block
    yield current
