"""Live claims as the matcher indexes them, and how many there are.

Why it exists: the matcher's index is built from every live claim at start-up (100,000+ claims,
streamed in batches with a fixed number of queries per batch) and updated from just the changed
ones afterwards; both read the same document shape (``claims.search.documents.ClaimDoc``), with hidden
topics left out and speakers' name aliases in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from claims.store.aliases import NAME_ALIASES, aliases_by_speaker
from claims.store.models import AliasKind, Article, Claim, ClaimAppearance, ClaimStatus, Speaker, Topic
from claims.store.topics import further_topics

if TYPE_CHECKING:
    from claims.search.documents import ClaimDoc


def live_claim_count(*, session: Session) -> int:
    """How many claims can be answers (what building the index has to go through)."""
    return int(session.execute(
        sa.select(func.count()).select_from(Claim).where(col(Claim.status) == ClaimStatus.ACTIVE.value)
    ).scalar_one())


def claim_docs(
    *, session: Session, ids: Sequence[int] | None = None, batch: int = 5000
) -> Iterator[ClaimDoc]:
    """Live claims as the matcher indexes them: all of them streamed in batches (100,000+ claims)
    at start-up, or just ``ids`` after an ingest or an admin's change."""
    from claims.search.documents import ClaimDoc

    speakers = {s.id: s for s in session.exec(select(Speaker))}
    topics = {t.id: t for t in session.exec(select(Topic))}
    aliases = aliases_by_speaker(session=session, speaker_ids=[i for i in speakers if i is not None],
                                 kinds=NAME_ALIASES)
    roles = aliases_by_speaker(session=session, speaker_ids=[i for i in speakers if i is not None],
                               kinds=(AliasKind.ROLE,))
    first_source = (
        select(
            ClaimAppearance.claim_id,
            func.min(col(ClaimAppearance.article_id)).label("article_id"),
        )
        .group_by(col(ClaimAppearance.claim_id))
        .subquery()
    )
    stmt = (
        sa.select(col(Claim.id), col(Claim.text), col(Claim.speaker_id), col(Claim.topic_id),
                  col(Article.title), col(Article.published_at), col(Claim.created_at),
                  col(Claim.context))
        .outerjoin(first_source, first_source.c.claim_id == Claim.id)
        .outerjoin(Article, col(Article.id) == first_source.c.article_id)
        .where(col(Claim.status) == ClaimStatus.ACTIVE.value)
        .order_by(col(Claim.id))
        .execution_options(yield_per=batch)
    )
    if ids is not None:
        stmt = stmt.where(col(Claim.id).in_(list(ids)))
    for chunk in _batches(session.execute(stmt), batch):
        further = further_topics(session=session, claim_ids=[row[0] for row in chunk])
        for cid, text, sid, tid, title, published, created, context in chunk:
            sp = speakers.get(sid) if sid else None
            tp = topics.get(tid) if tid else None
            yield ClaimDoc(
                id=cid,
                text=text,
                speaker=sp.name if sp else None,
                speaker_aliases=aliases.get(sid, ()) if sp else (),
                topic=tp.slug if tp and not tp.hidden else None,
                topic_name=tp.name if tp and not tp.hidden else None,
                title=title,
                published_at=published or created,
                context=context,
                other_topics=tuple(t.name for t in further.get(cid, []) if t.id != tid),
                speaker_roles=roles.get(sid, ()) if sp else (),
            )


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Rows in lists of ``size``, so per-batch lookups stay a fixed number of queries."""
    chunk: list[Any] = []
    for row in rows:
        chunk.append(tuple(row))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
