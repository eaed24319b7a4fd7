"""``ClaimService`` itself: opening (and migrating) the store, and the groups of use cases put
together into the one door."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from claims.catalog import Catalog, load_catalog
from claims.errors import ClaimbotError
from claims.follow.searches import Searcher
from claims.search.encoder import Encoder
from claims.search.live import LiveIndex
from claims.search.rerank import Model
from claims.search.synonyms import load_synonyms
from claims.service.browsing import Browsing
from claims.service.changes import Changes
from claims.service.editorial import Editorial
from claims.service.following import Following
from claims.service.ingest import Ingest
from claims.service.memo import ReadMemo
from claims.service.pages import Pages
from claims.service.positions import Positions
from claims.service.questions import Questions
from claims.service.retention import Retention
from claims.service.tipline import Tipline
from claims.service.transfer import Transfer
from claims.settings import Settings
from claims.store import db
from claims.tipline.askers import asker_salt, random_salt


class ClaimService(Pages, Tipline, Questions, Ingest, Browsing, Transfer, Changes, Editorial, Following,
                   Retention, Positions):
    """claimbot for one process. Build it with ``ClaimService.open(settings)``."""

    def __init__(self, settings: Settings, engine: Engine, catalog: Catalog, *,
                 semantic_encoder: Encoder | None = None, semantic_weights: Model | None = None) -> None:
        self.settings = settings
        self._encoder = semantic_encoder
        self._encoder_opened = semantic_encoder is not None
        self.semantic_weights = semantic_weights
        self._semantic_failed = None
        self.semantic = None
        self.engine = engine
        self.catalog = catalog
        self.synonyms = load_synonyms(settings.config_dir)
        self.index = LiveIndex(sessions=self.session, build=self._build_matcher,
                               restore=self._restore_matcher, snapshot=settings.index_snapshot())
        self.searcher = Searcher(catalog, self.synonyms)
        self._asker_salt = asker_salt(settings) or random_salt()
        self._memo = ReadMemo()

    @classmethod
    def open(cls, settings: Settings, *, migrate_empty: bool = True,
             semantic_encoder: Encoder | None = None,
             semantic_weights: Model | None = None) -> ClaimService:
        """Open the store, creating the schema on a brand-new database and refusing an outdated one.

        ``semantic_encoder`` replaces the configured model, and ``semantic_weights`` the ranker
        weights chosen for it (a stand-in encoder in tests has no weights of its own).

        The index is not built here (seconds at 100,000 claims): ``load_index`` does it, so a
        command that never answers questions never pays for it.
        """
        engine = db.make_engine(settings.resolved_database_url(), busy_seconds=settings.database_busy_seconds)
        try:
            if migrate_empty and db.current_revision(engine) is None:
                db.upgrade(engine, asker_salt=asker_salt(settings))
            db.check_schema(engine)
        except OperationalError as exc:
            engine.dispose()
            raise ClaimbotError(f"Cannot open the database: {exc.orig}") from exc
        except ClaimbotError:
            engine.dispose()
            raise
        return cls(settings, engine, load_catalog(settings.config_dir), semantic_encoder=semantic_encoder,
                   semantic_weights=semantic_weights)

    @staticmethod
    def upgrade_schema(settings: Settings) -> str | None:
        """Migrate the store to the schema this code needs (``claimbot db upgrade``)."""
        engine = db.make_engine(settings.resolved_database_url(), busy_seconds=settings.database_busy_seconds)
        try:
            db.upgrade(engine, asker_salt=asker_salt(settings))
            return db.current_revision(engine)
        finally:
            engine.dispose()

    @staticmethod
    def schema_status(settings: Settings) -> tuple[str | None, str]:
        """The schema revision the store is at, and the one this code needs."""
        engine = db.make_engine(settings.resolved_database_url(), busy_seconds=settings.database_busy_seconds)
        try:
            return db.current_revision(engine), db.head_revision()
        finally:
            engine.dispose()

    @staticmethod
    def database_problem(exc: BaseException) -> str | None:
        """What to tell an operator about a failure of the database itself, or ``None`` when
        ``exc`` is not one (``claimbot`` reports it; the bot logs it)."""
        return db.database_problem(exc)

    def close(self) -> None:
        self.engine.dispose()
