"""Opening claimbot for one process: the store (migrated if brand new, refused if outdated) and the
editable reference data, from one settings object. The CLI, the bot and the console all start here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from claims.catalog import Catalog, load_catalog
from claims.errors import ClaimbotError
from claims.settings import Settings
from claims.store import db


@dataclass
class Runtime:
    """What a command, the bot or a job needs: settings, the store's engine, topics and speakers."""

    settings: Settings
    engine: Engine
    catalog: Catalog

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One session for one unit of work, committed on success."""
        with db.session_scope(self.engine) as session:
            yield session


def open_runtime(settings: Settings, *, migrate_empty: bool = True) -> Runtime:
    """Open the store, creating the schema on a brand-new database and refusing an outdated one."""
    engine = db.make_engine(settings.resolved_database_url(), busy_seconds=settings.database_busy_seconds)
    try:
        if migrate_empty and db.current_revision(engine) is None:
            db.upgrade(engine)
        db.check_schema(engine)
    except OperationalError as exc:
        engine.dispose()
        raise ClaimbotError(f"Cannot open the database: {exc.orig}") from exc
    except ClaimbotError:
        engine.dispose()
        raise
    return Runtime(settings=settings, engine=engine, catalog=load_catalog(settings.config_dir))
