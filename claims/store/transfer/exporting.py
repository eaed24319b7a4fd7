"""Claims out as JSON Lines: live claims streamed in batches, each line holding the import fields,
so that export then import round-trips."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, col, select

from claims.store.models import Claim, ClaimStatus, Verdict
from claims.store.views import _views, claim_to_json


def iter_claims(*, session: Session, batch: int = 1000, verdict_only: bool = False
                ) -> Iterator[Any]:
    """Live claims in id order, as views, a batch at a time."""
    last = 0
    while True:
        stmt = (
            select(Claim)
            .where(Claim.status == ClaimStatus.ACTIVE.value, col(Claim.id) > last)
            .order_by(col(Claim.id))
            .limit(batch)
        )
        if verdict_only:
            stmt = stmt.where(Claim.verdict != Verdict.UNVERIFIED.value)
        rows = session.exec(stmt).all()
        if not rows:
            return
        yield from _views(session, rows)
        last = rows[-1].id  # type: ignore[assignment]


def export_record(view: Any) -> dict[str, Any]:
    """One export line: the import fields, so that export then import round-trips."""
    src = view.first_source
    data = claim_to_json(view)
    data.update(
        {
            "title": src.title if src else None,
            "source_url": src.url if src else None,
            "published_at": src.published_at.isoformat() if src and src.published_at else None,
        }
    )
    return data
