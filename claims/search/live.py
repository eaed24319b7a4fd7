"""The matcher kept in step with the store by reading the revision log, whoever wrote to it.

Every change to a claim (ingest, import, an admin's edit, verdict, retraction or merge, in this
process, the CLI, or another replica) appends a ``ClaimRevision`` row. The log is therefore the
matcher's change feed: each process remembers the highest revision id it has indexed and, after its
own writes and on a short timer, re-reads the claims behind newer revisions. Nobody has to remember
to notify the index, and a change made elsewhere reaches this process within one catch-up interval.

PostgreSQL hands out ids when rows are inserted but they become visible when their transaction
commits, so a lower id can appear after a higher one ("commit-order gaps"). ``RevisionCursor``
remembers the holes below the highest id it has applied and asks for them again until they show up,
giving up on one only after ``gap_timeout`` (a rolled-back transaction or a skipped sequence value).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from claims.search.documents import ClaimDoc, Match
from claims.search.match import Matcher
from claims.search.snapshot import SnapshotError, set_aside
from claims.store.models import ClaimRevision
from claims.store.views import claim_docs, live_claim_count

log = logging.getLogger(__name__)

GAP_TIMEOUT_SECONDS = 300.0
"""How long a hole in the revision ids is waited for before it is taken for a rollback."""
CATCH_UP_CHUNK = 2000
"""Revisions read and applied at a time: a chunk holds the index's lock for a few milliseconds."""
APPLY_AT_ONCE = 100
"""Changes applied under one hold of the index's lock: a question waits at most for these."""
CATCH_UP_BUDGET_SECONDS = 1.0
"""One catch-up stops after about this long (the next one carries on), so the job never overlaps."""


@dataclass
class RevisionCursor:
    """How far into the revision log this process has indexed.

    Every id at or below ``top`` has been applied, except the ``holes``: ids below ``top`` that were
    not visible yet when a higher one was read (with when they were first missed). A hole is asked
    for again at every catch-up until it shows up or ``gap_timeout`` passes (a rolled-back
    transaction leaves a hole that never fills).
    """

    top: int = 0
    holes: dict[int, float] = field(default_factory=dict)
    gap_timeout: float = GAP_TIMEOUT_SECONDS

    def advance(self, seen: Iterable[int], *, now: float) -> None:
        """Record the revision ids just applied: fill holes, note new ones, give up on old ones."""
        ids = sorted(set(seen))
        for rev_id in ids:
            self.holes.pop(rev_id, None)
        if ids and ids[-1] > self.top:
            present = set(ids)
            for missing in range(self.top + 1, ids[-1]):
                if missing not in present:
                    self.holes.setdefault(missing, now)
            self.top = ids[-1]
        for hole, since in list(self.holes.items()):
            if now - since >= self.gap_timeout:
                del self.holes[hole]


Progress = Callable[[int, int], None]
"""Told ``(claims indexed so far, claims in all)`` while the index is rebuilt from the store."""


class LiveIndex:
    """A ``Matcher`` plus the revision-log cursor that keeps it current; safe across threads.

    Questions are answered under a lock that catch-up only takes while it applies changes it has
    already read, so a catch-up never makes a question wait on the database.

    With a ``snapshot`` path the index is saved there (``save``) and loaded from there at start,
    then caught up from the revision log: seconds of rebuilding become a fraction of a second. A
    missing, old-format or corrupt snapshot is rebuilt from the store, never trusted.
    """

    def __init__(self, *, engine: Engine, build: Callable[[Iterable[ClaimDoc]], Matcher],
                 restore: Callable[[Path], tuple[Matcher, int]] | None = None,
                 snapshot: Path | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._build = build
        self._restore = restore
        self.snapshot = snapshot
        self._clock = clock
        self._lock = threading.RLock()
        self._catching_up = threading.Lock()
        self._matcher: Matcher | None = None
        self.cursor = RevisionCursor()
        self._unsaved = 0
        self._saved_at = clock()

    # -- building ------------------------------------------------------------------------------

    def load(self, *, progress: Progress | None = None) -> str:
        """Make the index ready: from the snapshot when there is a usable one, else from the store.

        Returns how: ``"snapshot"`` or ``"built"``. After a snapshot, everything committed since it
        was saved is caught up before the first question.
        """
        path = self._snapshot_path()
        if path is not None and self._restore is not None and path.exists():
            try:
                matcher, mark = self._restore(path)
            except Exception as exc:  # the file is a cache from disk: any failure means "rebuild"
                aside = set_aside(path)
                reason = exc if isinstance(exc, SnapshotError) else type(exc).__name__
                log.warning("rebuilding the index from the store: %s (the file is kept as %s)", reason,
                            aside.name if aside else "it was")
            else:
                with self._lock:
                    self._matcher = matcher
                    self.cursor = RevisionCursor(top=mark)
                self.catch_up(budget_seconds=None)
                return "snapshot"
        self.rebuild(progress=progress)
        return "built"

    def rebuild(self, *, progress: Progress | None = None) -> None:
        """Index every live claim from the store, then save a snapshot if there is a place for one.

        The top revision id is read first, so a change committed while the index is being built
        is applied again by the next catch-up (upserts are idempotent)."""
        with Session(self._engine) as session:
            top = int(session.execute(sa.select(sa.func.coalesce(sa.func.max(col(ClaimRevision.id)), 0)))
                      .scalar_one())
            total = live_claim_count(session=session) if progress else 0
            docs = claim_docs(session=session)
            matcher = self._build(_counted(docs, total, progress) if progress else docs)
        with self._lock:
            self._matcher = matcher
            self.cursor = RevisionCursor(top=top)
        self._unsaved = 1  # a fresh build is worth saving
        self.save()

    def save(self) -> bool:
        """Write the snapshot (atomically) if there is a place for one and something changed.

        The mark saved is below any hole the cursor still waits for, so a revision that commits
        late is re-read after a restart rather than lost."""
        if self.snapshot is None or self._matcher is None or not self._unsaved:
            return False
        path = self._snapshot_path()
        if path is None:
            return False
        with self._lock:
            mark = min(self.cursor.holes) - 1 if self.cursor.holes else self.cursor.top
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._matcher.save(path, mark=mark)
            except OSError as exc:
                log.warning("could not save the index snapshot to %s: %s", path, exc)
                return False
            self._unsaved = 0
            self._saved_at = self._clock()
        for stale in path.parent.glob(f"{self.snapshot.name}.*"):
            if stale != path and not stale.name.endswith((".tmp", ".bad")):
                stale.unlink(missing_ok=True)  # another store's, since replaced at this address
        return True

    def _snapshot_path(self) -> Path | None:
        """The snapshot file of this very store: the configured path plus a fingerprint of the
        store's first revision (its id and time). A database replaced at the same address (deleted
        and started again, restored from elsewhere) has another fingerprint, so a snapshot of the
        old one is never loaded over it. ``None`` when there is no place or nothing to save."""
        if self.snapshot is None:
            return None
        with Session(self._engine) as session:
            first = session.execute(
                sa.select(col(ClaimRevision.id), col(ClaimRevision.created_at))
                .order_by(col(ClaimRevision.id)).limit(1)
            ).first()
        if first is None:
            return None
        digest = hashlib.sha256(f"{first[0]}|{first[1].isoformat()}".encode()).hexdigest()[:12]
        return self.snapshot.with_name(f"{self.snapshot.name}.{digest}")

    def save_if_due(self, *, every_seconds: float) -> bool:
        """Save when changes have waited ``every_seconds`` since the last save (a periodic job)."""
        if self._unsaved and self._clock() - self._saved_at >= every_seconds:
            return self.save()
        return False

    @property
    def loaded(self) -> bool:
        return self._matcher is not None

    def __len__(self) -> int:
        return len(self._matcher) if self._matcher is not None else 0

    # -- answering -----------------------------------------------------------------------------

    def ask(self, question: str, *, limit: int = 3) -> list[Match]:
        with self._lock:
            if self._matcher is None:
                raise RuntimeError("the index is not loaded yet")
            return self._matcher.ask(question, limit=limit)

    def related(self, question: str, *, limit: int = 3) -> list[Match]:
        with self._lock:
            if self._matcher is None:
                raise RuntimeError("the index is not loaded yet")
            return self._matcher.related(question, limit=limit)

    # -- keeping up ----------------------------------------------------------------------------

    def refresh(self, claim_ids: Iterable[int]) -> None:
        """Re-read these claims now: a speaker or topic change alters what they are indexed under
        without adding a revision (other processes see it when they next load the index)."""
        ids = list(dict.fromkeys(claim_ids))
        if self._matcher is None or not ids:
            return
        with Session(self._engine) as session:
            docs = {d.id: d for d in claim_docs(session=session, ids=ids)}
        for start in range(0, len(ids), APPLY_AT_ONCE):
            with self._lock:
                for claim_id in ids[start:start + APPLY_AT_ONCE]:
                    doc = docs.get(claim_id)
                    if doc is not None:
                        self._matcher.upsert(doc)
                    else:
                        self._matcher.remove(claim_id)

    def catch_up(self, *, budget_seconds: float | None = CATCH_UP_BUDGET_SECONDS) -> int:
        """Apply revisions committed since the last catch-up; returns how many claims changed.

        Work goes in chunks, each read without the lock and applied under it, so questions keep
        being answered during a catch-up of 100,000 imported claims; after ``budget_seconds`` it
        stops and the next call carries on (``None``: no limit). One catch-up at a time: a second
        caller returns at once.
        """
        if self._matcher is None or not self._catching_up.acquire(blocking=False):
            return 0
        try:
            deadline = None if budget_seconds is None else self._clock() + budget_seconds
            changed = 0
            while True:
                claims, more = self._catch_up_chunk()
                changed += claims
                self._unsaved += claims
                if not more or (deadline is not None and self._clock() >= deadline):
                    return changed
        finally:
            self._catching_up.release()

    def _catch_up_chunk(self) -> tuple[int, bool]:
        """One chunk of the log: its claims re-read and applied. Returns (claims, more to come)."""
        cursor = self.cursor
        with Session(self._engine) as session:
            rows = list(session.execute(
                sa.select(col(ClaimRevision.id), col(ClaimRevision.claim_id))
                .where(col(ClaimRevision.id) > cursor.top)
                .order_by(col(ClaimRevision.id))
                .limit(CATCH_UP_CHUNK)
            ))
            more = len(rows) >= CATCH_UP_CHUNK
            if cursor.holes:
                rows += session.execute(
                    sa.select(col(ClaimRevision.id), col(ClaimRevision.claim_id))
                    .where(col(ClaimRevision.id).in_(sorted(cursor.holes)[:CATCH_UP_CHUNK]))
                ).all()
            claim_ids = list(dict.fromkeys(int(c) for _, c in rows))
            docs = {d.id: d for d in claim_docs(session=session, ids=claim_ids)} if claim_ids else {}
        matcher = self._matcher
        assert matcher is not None
        for start in range(0, len(claim_ids), APPLY_AT_ONCE):  # questions slip in between
            with self._lock:
                for claim_id in claim_ids[start:start + APPLY_AT_ONCE]:
                    doc = docs.get(claim_id)
                    if doc is not None:
                        matcher.upsert(doc)
                    else:  # retracted, merged or gone: no longer an answer
                        matcher.remove(claim_id)
        cursor.advance((int(r) for r, _ in rows), now=self._clock())
        if claim_ids:
            log.debug("index caught up with %d revisions (%d claims); top %d, %d holes", len(rows),
                      len(claim_ids), cursor.top, len(cursor.holes))
        return len(claim_ids), more


def _counted(docs: Iterable[ClaimDoc], total: int, progress: Progress) -> Iterator[ClaimDoc]:
    """``docs`` as they are, telling ``progress`` every thousand."""
    done = 0
    for doc in docs:
        yield doc
        done += 1
        if done % 1000 == 0:
            progress(done, total)
    progress(done, total)
