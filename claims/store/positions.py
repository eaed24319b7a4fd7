"""Reading position links: the earlier claim by the same speaker on the same subject that a claim
follows, and whether it changed position (``claims.positions`` writes them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from claims.store.models import Claim, PositionLink


@dataclass(frozen=True, slots=True)
class Earlier:
    """The claim a later one follows: what was said then, and when."""

    claim_id: int
    text: str
    said_at: datetime
    changed: bool
    detail: str | None


_EARLIER = sa.alias(Claim.__table__, "earlier")  # type: ignore[attr-defined]
"""The earlier claim, beside the claim a query reads."""

EarlierColumns = tuple[int | None, bool | None, datetime | None, str | None, str | None, datetime | None]
"""What ``earlier_columns`` selects, in order: the earlier claim's id, the flag, when it was cleared,
its detail, and the earlier claim's text and date."""


def earlier_columns(claim_id: Any, stmt: Any) -> tuple[Any, list[Any]]:
    """``stmt`` outer-joined to the position link of the claim ``claim_id`` names and to the earlier
    claim, with the columns ``earlier_from`` reads: the link and its claim in the caller's query."""
    stmt = (stmt.outerjoin(PositionLink, col(PositionLink.claim_id) == claim_id)
            .outerjoin(_EARLIER, _EARLIER.c.id == PositionLink.earlier_id))
    return stmt, _link_columns()


def _link_columns() -> list[Any]:
    return [col(PositionLink.earlier_id), col(PositionLink.changed), col(PositionLink.cleared_at),
            col(PositionLink.detail), _EARLIER.c.text, _EARLIER.c.said_at]


def earlier_from(values: EarlierColumns | Sequence[Any]) -> Earlier | None:
    """The ``Earlier`` of one row's ``earlier_columns``; None when the claim follows none."""
    earlier_id, changed, cleared, detail, text, said = values
    if earlier_id is None:
        return None
    return Earlier(claim_id=earlier_id, text=text or "", said_at=said or _EPOCH,
                   changed=bool(changed) and cleared is None, detail=detail)


def earlier_of(*, session: Session, claim_ids: Sequence[int]) -> dict[int, Earlier]:
    """The earlier claim each of these claims follows (the claim card's "Earlier, on ..."): one
    query, the link joined to the earlier claim's words and stored date."""
    claim_ids = list(claim_ids)
    if not claim_ids:
        return {}
    rows = session.connection().execute(
        sa.select(col(PositionLink.claim_id), *_link_columns())
        .outerjoin(_EARLIER, _EARLIER.c.id == PositionLink.earlier_id)
        .where(col(PositionLink.claim_id).in_(claim_ids))
    ).all()
    found = {cid: earlier_from(rest) for cid, *rest in rows}
    return {cid: e for cid, e in found.items() if e is not None}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
