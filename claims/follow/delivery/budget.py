"""One send budget for the whole deployment, kept in the database so every replica shares it.

Why: Telegram counts messages per bot, not per process. Each runner's ``RateLimiter`` paces only its
own process, so two replicas at 25 messages a second each send 50, and 429s absorb the excess. Here
the overall pace lives in one ``SendBudget`` row: before each message a runner takes the next slot
with one atomic upsert,

    next_at = max(next_at, now) + interval        -- returning when the taken slot starts

so the slots handed to all replicas together are ``interval`` apart, whichever process takes them.
The upsert locks the row for the length of one statement (PostgreSQL's row lock; SQLite's write lock
on a single host), which is the whole of the coordination: no process holds a lock while it sends.

Times are seconds on the database's clock, the one clock all replicas see; a caller gets back how
long to wait, which it adds to its own monotonic clock, so clocks of different hosts never mix.
Tests pass ``clock`` to make that time controllable.

The budget spaces slots evenly (no burst allowance): after an idle spell the next slot is "now",
never a catch-up burst that would trip Telegram's per-second window. A slot a replica took and then
did not use (it died, or stopped) is simply not used; the budget never lends it to anyone twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from claims.follow.delivery.sql import retrying
from claims.store.db import SessionFactory
from claims.store.models import SendBudget

DIGESTS = "digests"
"""The budget row digest delivery shares (answers to users are paced apart, by PTB's limiter)."""

_TABLE: sa.Table = SendBudget.__table__  # type: ignore[attr-defined]


def _database_now(dialect: str) -> Any:
    """The database's wall clock in seconds since the epoch, as an SQL expression."""
    if dialect == "postgresql":
        # clock_timestamp, not now(): the time the row is updated, after any wait for its lock
        return sa.cast(sa.extract("epoch", sa.func.clock_timestamp()), sa.Float)
    return (sa.func.julianday("now") - 2440587.5) * 86400.0  # SQLite: milliseconds, one host


class SharedBudget:
    """Slots for sending, ``1 / per_second`` apart across every process using the same row.

    Each call is one short transaction of its own (``sessions`` opens it). With ``clock`` (seconds,
    any epoch, the same for every user of the row) tests decide what "now" is; without it the
    database's clock is used, which is what replicas on several hosts need.
    """

    def __init__(self, sessions: SessionFactory, *, per_second: float, name: str = DIGESTS,
                 clock: Callable[[], float] | None = None) -> None:
        if per_second <= 0:
            raise ValueError("a send budget needs a positive rate")
        self.sessions = sessions
        self.name = name
        self.interval = 1.0 / per_second
        self.clock = clock

    def _now(self, session: Session) -> Any:
        if self.clock is not None:
            return sa.literal(self.clock(), sa.Float)
        return _database_now(session.get_bind().dialect.name)

    def _push(self, session: Session, *, at_least: Any, step: float) -> Any:
        """``next_at = max(next_at, at_least) + step`` (the row created if missing), returning it."""
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            insert: Any = postgresql.insert(_TABLE)
            later = sa.func.greatest(_TABLE.c.next_at, at_least)
        else:
            insert = sqlite.insert(_TABLE)
            later = sa.func.max(_TABLE.c.next_at, at_least)
        return (
            insert.values(name=self.name, next_at=at_least + step)
            .on_conflict_do_update(index_elements=[_TABLE.c.name], set_={"next_at": later + step})
        )

    def take(self) -> float:
        """Take the next slot; returns the seconds until it starts (0.0: send now)."""
        def work(session: Session) -> float:
            now = self._now(session)
            statement = self._push(session, at_least=now, step=self.interval).returning(
                _TABLE.c.next_at - self.interval - now
            )
            return float(session.execute(statement).scalar_one())

        return max(0.0, retrying(self.sessions, work))

    def hold(self, seconds: float) -> None:
        """Telegram said 429 to the bot as a whole: no replica gets a slot for ``seconds`` from now."""
        def work(session: Session) -> None:
            session.execute(self._push(session, at_least=self._now(session) + seconds, step=0.0))

        retrying(self.sessions, work)
