"""Engines, sessions and schema migrations for the claim store.

SQLite is the embedded default (WAL, busy timeout, foreign keys on); PostgreSQL is used as it is.
Alembic owns the schema: ``upgrade()`` migrates, ``check_schema()`` refuses an outdated database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

from claims.errors import SchemaOutdatedError
from claims.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

SessionFactory = Callable[[], AbstractContextManager[Session]]
"""What code below the service receives instead of an engine: ``ClaimService.session``, which opens
one unit of work (committed on success). Only the service opens sessions."""
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, *, busy_seconds: float = SQLITE_BUSY_TIMEOUT_MS / 1000, **kwargs: Any
                ) -> Engine:
    """An engine with the pragmas that make SQLite safe for a bot and a CLI side by side.

    SQLite waits up to ``busy_seconds`` for another process's write to finish before it reports
    "database is locked". Statement parameters are kept out of error messages and logs
    (``hide_parameters``): they hold users' questions, notes and article text.
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": busy_seconds}
        if ":memory:" in url or url in {"sqlite://", "sqlite:///"}:
            kwargs.setdefault("poolclass", StaticPool)
        engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas(int(busy_seconds * 1000)))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def _sqlite_pragmas(busy_ms: int) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return set_pragmas


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One session for one unit of work (an update, a job, a CLI command): commit or roll back."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def short_write(engine: Engine, *, wait_ms: int) -> Iterator[Session]:
    """A unit of work that waits at most ``wait_ms`` for the write lock, then fails.

    For writes that may be dropped rather than delayed (the question log). On SQLite the busy
    timeout of this connection is lowered for the transaction and put back before the connection
    returns to the pool; on PostgreSQL ``lock_timeout`` is set for the transaction only.
    """
    sqlite = engine.dialect.name == "sqlite"
    with Session(engine, expire_on_commit=False) as session:
        conn = session.connection()
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
        else:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(wait_ms)}ms'")
        try:
            yield session
            session.flush()  # the write (and its wait for the lock) happens here, under the short timeout
        except BaseException:
            _patient(conn, sqlite)
            session.rollback()
            raise
        _patient(conn, sqlite)
        session.commit()


def _patient(conn: sa.Connection, sqlite: bool) -> None:
    """Give a SQLite connection its normal busy timeout back (it may serve any caller next)."""
    if sqlite:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def create_all(engine: Engine) -> None:
    """Create tables straight from the models: for tests' throwaway databases only."""
    SQLModel.metadata.create_all(engine)


def _alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head", *, asker_salt: bytes | None = None) -> None:
    """Bring the schema up to ``revision`` (``claimbot db upgrade``).

    ``asker_salt`` is what migrations that pseudonymise stored user ids hash them with
    (``claims.tipline.askers``); without it they use a random one.
    """
    cfg = _alembic_config(engine)
    cfg.attributes["asker_salt"] = asker_salt
    command.upgrade(cfg, revision)


def head_revision() -> str:
    """The newest migration this code ships."""
    script = ScriptDirectory.from_config(_alembic_config(sa.create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Refuse to run on a database whose schema this code does not match."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaOutdatedError(
            "The database has no claimbot schema yet. Run `claimbot db upgrade` first."
        )
    raise SchemaOutdatedError(
        f"The database schema is at revision {current}, this claimbot needs {head}. "
        "Run `claimbot db upgrade` (back up the database first)."
    )


def database_problem(exc: BaseException) -> str | None:
    """A sentence fit to show for a failure of the database itself (locked, unreachable, refusing
    the operation), or ``None`` when ``exc`` is something else."""
    if isinstance(exc, sa_exc.OperationalError) and "locked" in str(exc.orig).lower():
        return ("The database is locked by another process (the bot or another claimbot command) "
                "and stayed locked; try again when it has finished.")
    if isinstance(exc, sa_exc.OperationalError):
        return f"The database could not be used ({_first_line(exc.orig)})."
    if isinstance(exc, sa_exc.DBAPIError):
        return f"The database refused the operation ({type(exc.orig).__name__}); nothing was changed."
    return None


def _first_line(value: object) -> str:
    return str(value).strip().splitlines()[0][:200] if str(value).strip() else type(value).__name__
