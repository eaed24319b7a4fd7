"""When a claim was said, kept in ``Claim.said_at``: its earliest source's publication date, or when
it was recorded if no source has a date, and None while no source reports it.

Timelines, position links and claim cards order a speaker's claims by this date. Computing it at
read time grouped every appearance of every claim of the speaker (a thousand claims: a thousand
groups for a ten-line page); stored, it is one index (``ix_claim_speaker_said``). It changes only
when a claim gains an appearance (ingest, import, merge, restore) or an article's date changes
(an updated article), and those paths call ``refresh_said_at``.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col, func

from claims.store.models import Article, Claim, ClaimAppearance

_CHUNK = 900
"""Ids per statement: under SQLite's bound-parameter limit."""


def said_at_expression() -> sa.ColumnElement[object]:
    """``Claim.said_at`` as SQL over the claim's appearances (correlated to the claim row)."""
    claim = Claim.__table__  # type: ignore[attr-defined]
    reported = sa.exists().where(col(ClaimAppearance.claim_id) == claim.c.id)
    earliest = (
        sa.select(func.min(col(Article.published_at)))
        .join(ClaimAppearance, col(ClaimAppearance.article_id) == Article.id)
        .where(col(ClaimAppearance.claim_id) == claim.c.id)
        .scalar_subquery()
    )
    return sa.case((reported, func.coalesce(earliest, claim.c.created_at)), else_=sa.null())


def refresh_said_at(*, session: Session, claim_ids: Iterable[int] | None = None,
                    article_id: int | None = None) -> None:
    """Recompute ``said_at`` for these claims, for every claim that appears in ``article_id``, or
    (neither given) for every claim. Claims already loaded in the session see the new value."""
    claim = Claim.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    if claim_ids is None and article_id is None:
        conn.execute(sa.update(claim).values(said_at=said_at_expression()))
        _expire(session, None)
        return
    ids = set(claim_ids or ())
    if article_id is not None:
        ids.update(conn.execute(sa.select(col(ClaimAppearance.claim_id))
                                .where(col(ClaimAppearance.article_id) == article_id)).scalars())
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        conn.execute(sa.update(claim).where(claim.c.id.in_(chunk)).values(said_at=said_at_expression()))
    _expire(session, ids)


def _expire(session: Session, ids: set[int] | None) -> None:
    """The UPDATE went round the ORM: loaded claims read ``said_at`` afresh when next asked."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Claim) and (ids is None or obj.id in ids):
            session.expire(obj, ["said_at"])
