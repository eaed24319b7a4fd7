"""Folding revisions into digest items: one item per changed claim, grouped by topic.

Why it exists: several changes to one claim in one digest are told once (first "before", last
"after"), with the claim's speaker, topic and source; a merge whose both claims are in view is
told once, on the duplicate. The claims, speakers, topics and articles the revisions refer to are
fetched once per batch (``DigestContext.load``) and items are cached, so joining a chat's digests
(``DigestBatch.for_chat``) costs no further queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func

from claims.follow.digest.model import DigestGroup, DigestItem
from claims.follow.digest.revisions import RevisionRow, chunks, columns
from claims.store.models import Article, ChangeKind, Claim, ClaimAppearance, Speaker, Topic
from claims.store.positions import Earlier, earlier_of
from claims.store.views import SourceView

_NEW = {ChangeKind.CREATED.value, ChangeKind.IMPORTED.value}
_TEXT = {ChangeKind.TEXT.value, ChangeKind.EDITED.value}


class DigestContext:
    """Claims, speakers, topics and articles the loaded revisions refer to, fetched once."""

    def __init__(self) -> None:
        self.claims: dict[int, Any] = {}
        self.speakers: dict[int, str] = {}
        self.topics: dict[int, tuple[str, str]] = {}
        self.articles: dict[int, SourceView] = {}
        self.first_article: dict[int, int] = {}
        self.changed_from: dict[int, Earlier] = {}
        self._items: dict[tuple[int, int, int], DigestItem | None] = {}

    @classmethod
    def load(cls, session: Session, revs: Sequence[RevisionRow]) -> DigestContext:
        ctx = cls()
        claim_ids = sorted({r.claim_id for r in revs})
        for chunk in chunks(claim_ids):
            for row in session.execute(
                sa.select(*columns(Claim.id, Claim.text, Claim.verdict, Claim.verdict_note, Claim.status,
                                   Claim.merged_into_id, Claim.speaker_id, Claim.topic_id))
                .where(col(Claim.id).in_(chunk))
            ):
                ctx.claims[row.id] = row
            for claim_id, article_id in session.execute(
                sa.select(*columns(ClaimAppearance.claim_id, func.min(ClaimAppearance.article_id)))
                .where(col(ClaimAppearance.claim_id).in_(chunk))
                .group_by(col(ClaimAppearance.claim_id))
            ):
                ctx.first_article[claim_id] = article_id
        new_ids = sorted({r.claim_id for r in revs if r.change in _NEW})
        for chunk in chunks(new_ids):
            found = earlier_of(session=session, claim_ids=chunk)
            ctx.changed_from.update((cid, e) for cid, e in found.items() if e.changed)
        speaker_ids = sorted({c.speaker_id for c in ctx.claims.values() if c.speaker_id is not None})
        for chunk in chunks(speaker_ids):
            for sid, name in session.execute(
                sa.select(*columns(Speaker.id, Speaker.name)).where(col(Speaker.id).in_(chunk))
            ):
                ctx.speakers[sid] = name
        topic_ids = sorted({c.topic_id for c in ctx.claims.values() if c.topic_id is not None})
        for chunk in chunks(topic_ids):
            for tid, slug, name in session.execute(
                sa.select(*columns(Topic.id, Topic.slug, Topic.name)).where(col(Topic.id).in_(chunk))
            ):
                ctx.topics[tid] = (slug, name)
        article_ids = sorted({r.article_id for r in revs if r.article_id} | set(ctx.first_article.values()))
        for chunk in chunks(article_ids):
            for art in session.execute(
                sa.select(*columns(Article.id, Article.url, Article.canonical_url, Article.title,
                                   Article.outlet, Article.published_at))
                .where(col(Article.id).in_(chunk))
            ):
                ctx.articles[art.id] = SourceView(
                    article_id=art.id, url=art.canonical_url or art.url, title=art.title,
                    outlet=art.outlet, published_at=art.published_at,
                )
        return ctx

    def groups(self, revs: Sequence[RevisionRow]) -> tuple[DigestGroup, ...]:
        """Revisions (oldest first) folded into items per claim, grouped by topic, newest first."""
        per_claim: dict[int, list[RevisionRow]] = {}
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

    def _item(self, revs: Sequence[RevisionRow]) -> DigestItem | None:
        key = (revs[0].claim_id, revs[0].id, revs[-1].id)
        if key not in self._items:
            self._items[key] = self._build_item(revs)
        return self._items[key]

    def _build_item(self, revs: Sequence[RevisionRow]) -> DigestItem | None:
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
            changed_from=self.changed_from.get(claim.id) if new else None,
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

