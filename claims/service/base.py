"""What every part of ``ClaimService`` shares: the settings, the store's engine, the catalog, the
live index and the sub-services, and ``session()``, the one place a session is opened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from claims.catalog import Catalog
from claims.editorial import EditorialService
from claims.follow.service import FollowService
from claims.search.live import LiveIndex
from claims.settings import Settings
from claims.store import db
from claims.tipline.service import TiplineService

WRITE_BATCH_SECONDS = 0.2
"""Long writes (imports) commit this often, so SQLite's one write lock is never held for long."""


class ServiceBase:
    """The state ``ClaimService.__init__`` sets up, declared once for every group of use cases."""

    settings: Settings
    engine: Engine
    catalog: Catalog
    synonyms: dict[str, list[str]]
    index: LiveIndex
    follow: FollowService
    """Subscriptions, time zones and digests: the other half of the door."""
    editorial: EditorialService
    """Speakers and topics as admins curate them: merge, rename, alias, hide."""
    tipline: TiplineService
    """Forwarded posts, links, inline answers and unanswered questions (``claims.tipline``)."""

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work, committed on success. Only the service and the jobs it starts use it."""
        with db.session_scope(self.engine) as session:
            yield session
