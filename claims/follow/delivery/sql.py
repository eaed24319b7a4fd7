"""Core SQL helpers shared by enqueueing, the outbox and the send budget: dialect checks, conditional
updates, and short transactions that wait out SQLite's write lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlmodel import Session

from claims.store.db import SessionFactory
from claims.store.models import (
    DigestOutbox,
)

T = TypeVar("T")


def retrying(sessions: SessionFactory, work: Callable[[Session], T]) -> T:
    """Run ``work`` in a transaction of its own; SQLite's "database is locked" is waited out (a
    runner's short writes must not fail because an import holds the write lock for a moment)."""
    for attempt in range(20):
        sqlite = False
        try:
            with sessions() as session:
                sqlite = session.get_bind().dialect.name == "sqlite"
                return work(session)
        except sa.exc.OperationalError as exc:
            if not sqlite or "locked" not in str(exc.orig) or attempt == 19:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


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
