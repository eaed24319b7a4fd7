"""Core SQL helpers shared by enqueueing and the outbox: dialect checks and conditional updates.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlmodel import Session

from claims.store.models import (
    DigestOutbox,
)


def core(session: Session, statement: Any) -> Any:
    """Run a Core statement without the ORM syncing the identity map (O(rows in session) per UPDATE);
    callers expire what they loaded instead."""
    return session.execute(statement, execution_options={"synchronize_session": False})


def rowcount(result: object) -> int:
    """Rows an UPDATE matched (``Session.execute`` is typed as returning a plain ``Result``)."""
    return int(cast(CursorResult[Any], result).rowcount)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_ignoring_duplicates(session: Session) -> sa.Insert:
    table = DigestOutbox.__table__  # type: ignore[attr-defined]
    keys = ["subscription_id", "digest_key"]
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
