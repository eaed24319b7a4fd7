"""Reading position links: the earlier claim by the same speaker on the same subject that a claim
follows, and whether it changed position (``claims.positions`` writes them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func

from claims.store.models import Article, Claim, ClaimAppearance, PositionLink


@dataclass(frozen=True, slots=True)
class Earlier:
    """The claim a later one follows: what was said then, and when."""

    claim_id: int
    text: str
    said_at: datetime
    changed: bool
    detail: str | None


def earlier_of(*, session: Session, claim_ids: Sequence[int]) -> dict[int, Earlier]:
    """The earlier claim each of these claims follows (the claim card's "Earlier, on ...")."""
    claim_ids = list(claim_ids)
    if not claim_ids:
        return {}
    rows = session.connection().execute(
        sa.select(col(PositionLink.claim_id), col(PositionLink.earlier_id), col(PositionLink.changed),
                  col(PositionLink.cleared_at), col(PositionLink.detail))
        .where(col(PositionLink.claim_id).in_(claim_ids))
    ).all()
    texts = dict(session.connection().execute(
        sa.select(col(Claim.id), col(Claim.text)).where(col(Claim.id).in_([r[1] for r in rows]))
    ).all()) if rows else {}
    when = _said_at(session, [r[1] for r in rows])
    return {cid: Earlier(claim_id=eid, text=texts.get(eid, ""), said_at=when.get(eid) or _EPOCH,
                         changed=bool(changed) and cleared is None, detail=detail)
            for cid, eid, changed, cleared, detail in rows}


def _said_at(session: Session, claim_ids: list[int]) -> dict[int, datetime]:
    if not claim_ids:
        return {}
    rows = session.connection().execute(
        sa.select(col(Claim.id), func.min(col(Article.published_at)), col(Claim.created_at))
        .join(ClaimAppearance, col(ClaimAppearance.claim_id) == Claim.id)
        .join(Article, col(Article.id) == ClaimAppearance.article_id)
        .where(col(Claim.id).in_(claim_ids)).group_by(col(Claim.id), col(Claim.created_at))
    ).all()
    return {cid: published or created for cid, published, created in rows}  # type: ignore[misc]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
