"""What every part of ``ClaimService`` shares: the settings, the store's engine, the catalog and the
live index, and ``session()``, the one place a session is opened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from claims.catalog import Catalog
from claims.search.live import LiveIndex
from claims.settings import Settings
from claims.store import db
from claims.tipline.askers import asker_key

WRITE_BATCH_SECONDS = 0.2
"""Long writes (imports) commit this often, so SQLite's one write lock is never held for long."""


class ServiceBase:
    """The state ``ClaimService.__init__`` sets up, declared once for every group of use cases."""

    settings: Settings
    engine: Engine
    catalog: Catalog
    synonyms: dict[str, list[str]]
    index: LiveIndex
    _asker_salt: bytes
    """What readers' user ids are hashed with (``claims.tipline.askers``): the question log and
    subscriptions keep the pseudonym, never the id."""

    def asker(self, user_id: int | None) -> str | None:
        """The pseudonym stored for a Telegram user (``None`` for no user)."""
        return asker_key(user_id, self._asker_salt) if user_id is not None else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work, committed on success. Only the service and the jobs it starts use it."""
        with db.session_scope(self.engine) as session:
            yield session

    @contextmanager
    def short_write(self, *, wait_ms: int) -> Iterator[Session]:
        """A unit of work that may be dropped rather than delayed: it waits at most ``wait_ms`` for
        the write lock, then fails (``db.short_write``; the question log)."""
        with db.short_write(self.engine, wait_ms=wait_ms) as session:
            yield session
