"""The log of admins' changes to speakers and topics: who merged, renamed, aliased or hid what.

Claims keep their own history (``ClaimRevision``); speakers and topics are reference data whose
changes are rarer but just as much an editorial act, so each one is recorded with its author.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from claims.store.history import Actor
from claims.store.models import EntityChange


@dataclass(frozen=True, slots=True)
class ChangeView:
    """One recorded change, as ``/speaker`` and topic admin replies and audits show it."""

    entity: str
    entity_id: int
    action: str
    old_value: str | None
    new_value: str | None
    related_id: int | None
    admin_id: int | None
    admin_name: str | None
    at: datetime


def record_change(
    *,
    session: Session,
    entity: str,
    entity_id: int,
    action: str,
    actor: Actor,
    old_value: str | None = None,
    new_value: str | None = None,
    related_id: int | None = None,
) -> ChangeView:
    """Append one change to the log (values cut to what the columns hold)."""
    row = EntityChange(
        entity=entity, entity_id=entity_id, action=action,
        old_value=old_value[:300] if old_value else old_value,
        new_value=new_value[:300] if new_value else new_value,
        related_id=related_id, admin_id=actor.id,
        admin_name=actor.name[:200] if actor.name else actor.name,
    )
    session.add(row)
    session.flush()
    return _view(row)


def changes(*, session: Session, entity: str, entity_id: int | None = None) -> list[ChangeView]:
    """Recorded changes to speakers or topics (one of them with ``entity_id``), oldest first."""
    stmt = select(EntityChange).where(EntityChange.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(EntityChange.entity_id == entity_id)
    return [_view(r) for r in session.exec(stmt.order_by(col(EntityChange.id)))]


def _view(row: EntityChange) -> ChangeView:
    return ChangeView(
        entity=row.entity, entity_id=row.entity_id, action=row.action, old_value=row.old_value,
        new_value=row.new_value, related_id=row.related_id, admin_id=row.admin_id,
        admin_name=row.admin_name, at=row.created_at,
    )
