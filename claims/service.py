"""The one door into the domain: ``ClaimService`` owns the store's engine, the catalog, the live
index and the fetch policy, opens every session, and offers one method per use case.

The bot's handlers and jobs, the offline console and the ``claimbot`` command all call these methods,
so a question is answered, an article ingested or a verdict recorded the same way whichever door it
came through. Methods are blocking (the bot runs them in a thread, off its event loop) and each is
one unit of work: one session, committed on success.

Nobody tells the index about changes: every write ends with ``catch_up()``, which reads the
revision log, and the bot also catches up on a short timer, which is how changes made by another
process (the CLI beside the bot, another replica) reach this one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from claims.catalog import Catalog, load_catalog
from claims.editorial import EditorialService
from claims.errors import ClaimbotError, ConfigError, NotFoundError
from claims.follow.delivery import (
    DeliveryStats,
    delivery_stats,
)
from claims.follow.searches import Searcher
from claims.follow.service import FollowService
from claims.follow.subscriptions import SubscriptionStats, subscription_stats
from claims.ingest import feeds as feed_store
from claims.ingest.pipeline import IngestReport, ingest_article
from claims.ingest.sources import ArticleInput, FetchPolicy, fetch_article, parse_document
from claims.search.encoder import BATCH, Encoder, open_encoder
from claims.search.live import LiveIndex, Progress
from claims.search.match import Match, Matcher, load_synonyms
from claims.search.questions import (
    Answer,
    QuestionStats,
    get_question,
    last_day,
    page_of_answers,
    question_stats,
)
from claims.search.semantic import FillReport, SemanticIndex
from claims.settings import Settings
from claims.store import archive, db, history, transfer
from claims.store.claimreview import ReviewSite, claimreview_record
from claims.store.history import Actor
from claims.store.listing import ClaimPage, ClaimScope, claim_page
from claims.store.models import QuestionKind, TargetKind, utcnow
from claims.store.names import resolve_name
from claims.store.views import (
    ClaimView,
    NameCount,
    RevisionView,
    StoreStats,
    claim_docs,
    claim_history,
    get_claim,
    get_claims,
    list_claims,
    speakers_with_counts,
    store_stats,
    topics_with_counts,
)
from claims.tipline.askers import asker_salt
from claims.tipline.service import TiplineService
from claims.tipline.unanswered import Unanswered, unanswered_groups

log = logging.getLogger(__name__)

STATS_UNANSWERED = timedelta(days=7)
"""The window of the unanswered questions ``/stats`` shows (``/unanswered DAYS`` chooses its own)."""
WRITE_BATCH_SECONDS = 0.2
"""Long writes (imports) commit this often, so SQLite's one write lock is never held for long."""
FILL_BUDGET_SECONDS = 0.5
"""Each catch-up embeds waiting claims for about this long (semantic extra): a 100k backlog drains
in the background without holding up the catch-up job for long."""
FILL_BATCH = 16
"""Claims embedded at once in the background: one batch is a fraction of a second."""
FILL_AT_LOAD = 256
"""A backlog this small is embedded before the first question (a one-off ``claimbot ask``)."""


@dataclass(frozen=True, slots=True)
class Stats:
    """Everything ``/stats`` shows."""

    store: StoreStats
    questions: QuestionStats
    subscribers: SubscriptionStats
    delivery: DeliveryStats
    unanswered: Unanswered



@dataclass(frozen=True, slots=True)
class SemanticStatus:
    """Semantic matching in this installation: ``claimbot semantic status``."""

    model: str
    enabled: bool  # the setting is not "off"
    extra_installed: bool
    path: Path | None  # the vector file
    claims: int  # live claims
    with_vectors: int  # ... whose current text has a saved vector
    problem: str | None = None  # why the vector file could not be read


@dataclass(frozen=True, slots=True)
class Ingested:
    """What one article did, with the new and revised claims to show."""

    report: IngestReport
    claims: tuple[ClaimView, ...]


class ClaimService:
    """claimbot for one process. Build it with ``ClaimService.open(settings)``."""

    def __init__(self, settings: Settings, engine: Engine, catalog: Catalog, *,
                 semantic_encoder: Encoder | None = None) -> None:
        self.settings = settings
        self._encoder = semantic_encoder
        self._encoder_opened = semantic_encoder is not None
        self._semantic_failed: str | None = None
        self.semantic: SemanticIndex | None = None
        """Claim vectors (semantic extra), once the index or a backfill has opened them."""
        self.engine = engine
        self.catalog = catalog
        self.synonyms = load_synonyms(settings.config_dir)
        self.index = LiveIndex(engine=engine, build=self._build_matcher, restore=self._restore_matcher,
                               snapshot=settings.index_snapshot())
        self.follow = FollowService(settings=settings, engine=engine, session=self.session,
                                    searcher=Searcher(catalog, self.synonyms))
        """Subscriptions, time zones and digests: the other half of the door."""
        self.editorial = EditorialService(catalog=catalog, session=self.session, refresh=self.index.refresh)
        """Speakers and topics as admins curate them: merge, rename, alias, hide."""
        self.tipline = TiplineService(settings=settings, engine=engine, catalog=catalog, index=self.index,
                                      session=self.session, ensure_index=self._ensure_index)
        """Forwarded posts, links, inline answers and unanswered questions (``claims.tipline``)."""

    @classmethod
    def open(cls, settings: Settings, *, migrate_empty: bool = True,
             semantic_encoder: Encoder | None = None) -> ClaimService:
        """Open the store, creating the schema on a brand-new database and refusing an outdated one.

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
        return cls(settings, engine, load_catalog(settings.config_dir), semantic_encoder=semantic_encoder)

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

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work, committed on success. Only this class and the jobs it starts use it."""
        with db.session_scope(self.engine) as session:
            yield session

    # ---------------------------------------------------------------------------- the index

    def _build_matcher(self, docs: Iterable) -> Matcher:
        return Matcher.build(docs, catalog=self.catalog, synonyms=self.synonyms,
                             semantic=self.semantic_index())

    def _restore_matcher(self, path: Path) -> tuple[Matcher, int]:
        matcher, mark = Matcher.load(path, catalog=self.catalog, synonyms=self.synonyms)
        if (semantic := self.semantic_index()) is not None:
            matcher.attach_semantic(semantic)  # the next fill_vectors() checks every claim's text
        return matcher, mark

    def load_index(self, *, progress: Progress | None = None) -> int:
        """Make the index ready (start-up, or the first question of a one-off command): from its
        snapshot and the revision log since, or rebuilt from the store (telling ``progress``)."""
        how = self.index.load(progress=progress)
        log.info("index ready (%s): %d claims", how, len(self.index))
        if self.semantic is not None and self.semantic.pending <= FILL_AT_LOAD:
            self.semantic.fill()
        return len(self.index)

    def save_index(self, *, every_seconds: float | None = None) -> bool:
        """Save the index snapshot (at shutdown), or only if changes have waited ``every_seconds``."""
        if every_seconds is None:
            return self.index.save()
        return self.index.save_if_due(every_seconds=every_seconds)

    def catch_up(self) -> int:
        """Bring the index up to the revision log: this process's writes and everyone else's."""
        changed = self.index.catch_up() if self.index.loaded else 0
        self.fill_vectors()
        return changed

    def _ensure_index(self) -> None:
        if not self.index.loaded:
            self.load_index()

    # ---------------------------------------------------------------------------- semantic matching
    # The optional extra (claims.search.semantic). Without it, or with CLAIMBOT_SEMANTIC_MODEL=off,
    # ``semantic_index()`` is None and none of this does anything.

    def semantic_encoder(self) -> Encoder | None:
        """The sentence encoder the settings ask for (``None``: semantic matching is unavailable)."""
        if not self._encoder_opened:
            self._encoder = open_encoder(self.settings.semantic_model, threads=self.settings.semantic_threads)
            self._encoder_opened = True
        return self._encoder

    def vectors_path(self) -> Path | None:
        """Where claim vectors are saved: beside the index snapshot (``claimbot.db.vectors`` beside
        a SQLite database, or in ``index_dir``); ``None`` for an in-memory store. Vectors are kept
        per claim with the fingerprint of their text, so the file needs no tie to one store."""
        snapshot = self.settings.index_snapshot()
        return snapshot.with_suffix(".vectors") if snapshot is not None else None

    def semantic_index(self) -> SemanticIndex | None:
        """The claim vectors, opened from their file on first use (``None`` without the extra, or
        when the model cannot be loaded: then claimbot matches lexically and says why once)."""
        if self.semantic is None and not self._semantic_failed and (encoder := self.semantic_encoder()):
            try:
                self.semantic = SemanticIndex.open(encoder, self.vectors_path())  # loads the model
            except Exception as exc:  # a third-party model load: any failure means "lexical only"
                self._semantic_failed = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}" \
                    if str(exc) else type(exc).__name__
                log.warning("Semantic matching is off: the model %s could not be loaded (%s).",
                            self.settings.semantic_model, self._semantic_failed)
        return self.semantic

    def semantic_status(self) -> SemanticStatus:
        """What ``claimbot semantic status`` shows; reads the vector file without loading the model."""
        from claims.search.encoder import extra_installed, semantic_disabled
        from claims.search.semantic import embedded_text
        from claims.search.snapshot import SnapshotError
        from claims.search.vectors import VectorStore, fingerprint

        path = self.vectors_path()
        saved: VectorStore | None = None
        problem = None
        if path is not None and path.exists():
            try:
                saved, _ = VectorStore.load(path, model=self.settings.semantic_model)
            except SnapshotError as exc:
                problem = str(exc)
        current = claims = 0
        with self.session() as session:
            for doc in claim_docs(session=session):
                claims += 1
                current += saved is not None and saved.key(doc.id) == fingerprint(embedded_text(doc))
        return SemanticStatus(model=self.settings.semantic_model,
                              enabled=not semantic_disabled(self.settings.semantic_model),
                              extra_installed=extra_installed(), path=path, claims=claims,
                              with_vectors=current, problem=problem)

    def fill_vectors(self, *, budget_seconds: float = FILL_BUDGET_SECONDS) -> FillReport | None:
        """Embed claims waiting for a vector for about ``budget_seconds`` (after every catch-up).
        The first call after a snapshot load first checks every live claim's text against its
        vector (``SemanticIndex.verify``)."""
        semantic = self.semantic
        if semantic is None:
            return None
        if not semantic.verified:
            with self.session() as session:
                semantic.verify(claim_docs(session=session))
        if not semantic.pending:
            return None
        return semantic.fill(budget_seconds=budget_seconds, batch=FILL_BATCH)

    def embed_claims(self, claim_ids: Iterable[int], *,
                     progress: Callable[[int], None] | None = None) -> FillReport | None:
        """Vectors for these claims now, saved to the vector file (``claimbot ingest``, the bot's
        /ingest): a running bot adopts them instead of computing them again."""
        semantic = self.semantic_index()
        ids = list(claim_ids)
        if semantic is None or not ids:
            return None
        with self.session() as session:
            for doc in claim_docs(session=session, ids=ids):
                semantic.note(doc)
        return semantic.fill(progress=progress, checkpoint_seconds=0.0)

    def semantic_backfill(self, *, progress: Callable[[int], None] | None = None,
                          started: Callable[[int], None] | None = None,
                          checkpoint_seconds: float = 30.0, batch: int = BATCH) -> FillReport:
        """Embed every live claim that has no current vector (``claimbot semantic backfill``, and
        after ``claimbot import``). ``started`` hears how many wait; the file is saved every
        ``checkpoint_seconds``, so an interrupted backfill resumes where it stopped."""
        semantic = self.semantic_index()
        if semantic is None and self._semantic_failed:
            raise ConfigError(f"The semantic model {self.settings.semantic_model[:200]} could not be "
                              f"loaded ({self._semantic_failed}).")
        if semantic is None:
            raise ConfigError(
                "Semantic matching is not available: install the extra (pip install "
                "\"claimbot[semantic]\") and leave CLAIMBOT_SEMANTIC_MODEL on."
            )
        with self.session() as session:
            semantic.verify(claim_docs(session=session))
        if started is not None:
            started(semantic.pending)
        return semantic.fill(progress=progress, checkpoint_seconds=checkpoint_seconds, batch=batch)

    # ---------------------------------------------------------------------------- questions

    def ask(self, question: str, *, user_id: int | None = None, chat_id: int | None = None,
            per_page: int = 3, log_it: bool = True) -> Answer:
        """The first page of claims answering ``question`` (or the topics we know), logged for /stats.

        The answer is read without holding a write lock; the log entry is written afterwards in a
        short transaction of its own and dropped (with a warning) if the store is busy, so a long
        import never makes a question wait or fail.
        """
        self._ensure_index()
        with self.session() as session:
            answer = page_of_answers(session=session, ask=self.index.ask, question=question, page=0,
                                     per_page=per_page)
            if not answer.claims:
                answer = answer.with_topics(topics_with_counts(session=session))
        if log_it:
            answer = answer.with_question_id(self._log_question(answer, user_id=user_id, chat_id=chat_id))
        return answer

    def _log_question(self, answer: Answer, *, user_id: int | None, chat_id: int | None) -> int | None:
        top = answer.matches[0].claim_id if answer.matches else None
        return self.tipline.log(answer.question, kind=QuestionKind.QUESTION, matches=len(answer.matches),
                                top_claim_id=top, user_id=user_id, chat_id=chat_id)

    def answer_page(self, question_id: int, page: int, *, per_page: int = 3) -> Answer | None:
        """A later page of a logged question's answers (``None`` if the question is not on record)."""
        self._ensure_index()
        with self.session() as session:
            row = get_question(session=session, question_id=question_id)
            if row is None or row.id is None:
                return None
            answer = page_of_answers(session=session, ask=self.index.ask, question=row.question,
                                     page=page, per_page=per_page)
        return answer.with_question_id(row.id)

    def find(self, questions: Iterable[str], *, limit: int = 3) -> Iterator[list[tuple[Match, ClaimView]]]:
        """For each question, its best claims with their scores (``claimbot ask``; not logged)."""
        self._ensure_index()
        with self.session() as session:
            for question in questions:
                answer = page_of_answers(session=session, ask=self.index.ask, question=question, page=0,
                                         per_page=limit)
                yield list(zip(answer.matches, answer.claims, strict=True))

    # ---------------------------------------------------------------------------- browsing

    def claim(self, claim_id: int) -> ClaimView:
        with self.session() as session:
            return get_claim(session=session, claim_id=claim_id)

    def history(self, claim_id: int) -> tuple[ClaimView, list[RevisionView]]:
        with self.session() as session:
            return (get_claim(session=session, claim_id=claim_id),
                    claim_history(session=session, claim_id=claim_id))

    def topics(self) -> list[NameCount]:
        with self.session() as session:
            return topics_with_counts(session=session)

    def speakers(self) -> list[NameCount]:
        with self.session() as session:
            return speakers_with_counts(session=session)

    def claims(self, *, topic: str | None = None, speaker: str | None = None,
               include_inactive: bool = False, limit: int | None = None, offset: int = 0) -> list[ClaimView]:
        """Claims newest first, filtered by topic and speaker names as users type them."""
        with self.session() as session:
            return list_claims(session=session, topic=topic, speaker=speaker,
                               include_inactive=include_inactive, limit=limit, offset=offset)

    def browse(self, wanted: str, *, limit: int, offset: int = 0) -> ClaimPage:
        """``/claims [NAME]``: the newest claims, or a topic's or a speaker's, with their total."""
        with self.session() as session:
            scope = self._browse_scope(session, wanted)
            return claim_page(session=session, scope=scope, limit=limit, offset=offset)

    def browse_page(self, scope: ClaimScope, *, limit: int, offset: int) -> ClaimPage:
        """A later page of a ``/claims`` list (its page buttons carry the scope)."""
        with self.session() as session:
            return claim_page(session=session, scope=scope, limit=limit, offset=offset)

    def _browse_scope(self, session: Session, wanted: str) -> ClaimScope:
        """What a typed name stands for: every claim (nothing typed), a topic or a speaker."""
        if not wanted:
            return ClaimScope()
        try:  # topics and speakers compete in one resolution: "Trump" is the speaker, not "Trump Tower"
            match = resolve_name(session=session, text=wanted, catalog=self.catalog)
        except NotFoundError:
            raise NotFoundError(
                f"I know no topic or speaker called “{wanted[:80]}”. See /topics and /speakers."
            ) from None
        return ClaimScope("topic" if match.kind is TargetKind.TOPIC else "speaker", match.id)

    def stats(self) -> Stats:
        with self.session() as session:
            return Stats(store=store_stats(session=session),
                         questions=question_stats(session=session, since=last_day()),
                         subscribers=subscription_stats(session=session),
                         delivery=delivery_stats(session=session),
                         unanswered=unanswered_groups(session=session, since=utcnow() - STATS_UNANSWERED,
                                                      most=5))

    # ---------------------------------------------------------------------------- ingest

    def fetch_policy(self) -> FetchPolicy:
        """Fetching limits from the settings; ``FetchPolicy.trusting(url)`` lets a URL the operator
        typed reach a private address while what it links to still follows the setting."""
        return FetchPolicy.from_settings(self.settings)

    def ingest(self, article: ArticleInput) -> Ingested:
        """Store one article and its claims, then index them."""
        with self.session() as session:
            report = ingest_article(article, session=session, catalog=self.catalog,
                                    max_chars=self.settings.max_article_chars,
                                    commit_every=WRITE_BATCH_SECONDS)
            session.flush()
            shown = get_claims(session=session, claim_ids=[*report.added, *report.revised])
        self.catch_up()
        return Ingested(report, tuple(shown))

    def ingest_url(self, url: str, *, operator: bool = False) -> Ingested:
        """Fetch an article (refusing private addresses unless allowed) and ingest it."""
        policy = self.fetch_policy()
        return self.ingest(fetch_article(url, policy=policy.trusting(url) if operator else policy))

    def ingest_document(self, raw: bytes, *, name: str) -> Ingested:
        """Ingest a sent file or pasted text (plain text or HTML); ``name`` is used in errors."""
        return self.ingest(parse_document(raw, name=name))

    def import_records(self, records: Iterable[transfer.ImportRecord], *,
                       progress: Callable[[int], None] | None = None) -> transfer.ImportReport:
        with self.session() as session:
            report = transfer.import_claims(records, session=session, catalog=self.catalog,
                                            progress=progress, commit_every=WRITE_BATCH_SECONDS)
        self.catch_up()
        return report

    @contextmanager
    def exported(self, *, verdict_only: bool = False) -> Iterator[Iterator[ClaimView]]:
        """Every claim, streamed in batches inside one read session."""
        with self.session() as session:
            yield transfer.iter_claims(session=session, verdict_only=verdict_only)

    def claim_reviews(self) -> list[dict[str, Any]]:
        """schema.org ClaimReview for every live claim with a verdict (empty: none has one yet)."""
        site = self.review_site()
        with self.exported(verdict_only=True) as views:
            return [claimreview_record(v, site=site, speaker_kind=self._speaker_kind(v.speaker))
                    for v in views]

    def review_site(self) -> ReviewSite:
        """Publisher and claim pages for ClaimReview, refused when the settings do not say them."""
        s = self.settings
        if not s.claim_url_template:
            raise ConfigError(
                "ClaimReview needs the address of each claim's fact-check page: set "
                "claim_url_template (CLAIMBOT_CLAIM_URL_TEMPLATE), for example "
                "https://factcheck.example.org/claims/{id}."
            )
        return ReviewSite(publisher=s.claimreview_publisher, publisher_url=s.claimreview_publisher_url,
                          claim_url_template=s.claim_url_template)

    def _speaker_kind(self, name: str | None) -> str:
        known = self.catalog.speaker_by_alias(name) if name else None
        return known.kind if known else "person"

    @contextmanager
    def archived(self) -> Iterator[Iterator[dict[str, Any]]]:
        """The whole store as archive lines (``export --format archive``), in one read session."""
        with self.session() as session:
            yield archive.export_archive(session=session)

    def restore(self, lines: Iterable[str], *,
                progress: Callable[[int], None] | None = None) -> archive.RestoreReport:
        """An archive into this (empty) store, all or nothing, then indexed."""
        with self.session() as session:
            report = archive.restore_archive(lines, session=session, progress=progress)
        self.catch_up()
        return report

    # ---------------------------------------------------------------------------- admin changes

    def _change(self, change: Callable[[Session], object], show: int) -> ClaimView:
        with self.session() as session:
            change(session)
            session.flush()
            view = get_claim(session=session, claim_id=show)
        self.catch_up()
        return view

    def edit(self, claim_id: int, text: str, *, actor: Actor) -> ClaimView:
        return self._change(lambda s: history.edit_claim(session=s, claim_id=claim_id, text=text,
                                                         actor=actor), claim_id)

    def set_verdict(self, claim_id: int, verdict: str, *, note: str | None, actor: Actor) -> ClaimView:
        return self._change(lambda s: history.set_verdict(session=s, claim_id=claim_id, verdict=verdict,
                                                          note=note, actor=actor), claim_id)

    def retract(self, claim_id: int, *, reason: str | None, actor: Actor) -> ClaimView:
        return self._change(lambda s: history.retract_claim(session=s, claim_id=claim_id, reason=reason,
                                                            actor=actor), claim_id)

    def merge(self, claim_id: int, into_id: int, *, actor: Actor) -> ClaimView:
        return self._change(lambda s: history.merge_claims(session=s, claim_id=claim_id, into_id=into_id,
                                                           actor=actor), into_id)

    # ---------------------------------------------------------------------------- feeds

    def feeds(self) -> list[feed_store.FeedView]:
        with self.session() as session:
            return feed_store.list_feeds(session=session)

    def add_feed(self, url: str, *, added_by: int | None) -> feed_store.FeedView:
        with self.session() as session:
            return feed_store.add_feed(session=session, url=url, added_by=added_by,
                                       policy=self.fetch_policy())

    def remove_feed(self, feed_id: int) -> feed_store.FeedView:
        with self.session() as session:
            return feed_store.remove_feed(session=session, feed_id=feed_id)

    def poll_feeds(self, *, every: timedelta) -> list[feed_store.PollReport]:
        """Poll every feed that is due, each in its own unit of work, then index what came in."""
        with self.session() as session:
            ids = feed_store.due_feeds(session=session, every=every)
        reports = []
        policy = self.fetch_policy()
        for feed_id in ids:
            try:
                with self.session() as session:
                    reports.append(feed_store.poll_feed(
                        session=session, feed_id=feed_id, catalog=self.catalog, policy=policy,
                        max_chars=self.settings.max_article_chars, commit_every=WRITE_BATCH_SECONDS))
            except NotFoundError:
                continue  # removed while we were polling the others
        self.catch_up()
        return reports

    # ---------------------------------------------------------------------------- the tipline
    # Posts, links, inline answers and the team's list live in ``self.tipline``; ingesting a
    # reader's link is here because it is an ingest.

    def ingest_link(self, link_id: int) -> Ingested:
        """An admin's Ingest button on a link a reader sent: fetch it, ingest it, and take it off the
        team's list."""
        done = self.ingest_url(self.tipline.link_url(link_id))
        self.tipline.link_ingested(link_id, done.report.article_id)
        return done
