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

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from claims.search.match import Match, Matcher
from claims.store.models import ClaimRevision
from claims.store.views import claim_docs

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


class LiveIndex:
    """A ``Matcher`` plus the revision-log cursor that keeps it current; safe across threads.

    Questions are answered under a lock that catch-up only takes while it applies changes it has
    already read, so a catch-up never makes a question wait on the database.
    """

    def __init__(self, *, engine: Engine, build: Callable[[Iterable], Matcher],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._build = build
        self._clock = clock
        self._lock = threading.RLock()
        self._catching_up = threading.Lock()
        self._matcher: Matcher | None = None
        self.cursor = RevisionCursor()

    # -- building ------------------------------------------------------------------------------

    def load(self) -> None:
        """Index every live claim. The top revision id is read first, so a change committed while
        the index is being built is applied again by the next catch-up (upserts are idempotent)."""
        with Session(self._engine) as session:
            top = int(session.execute(sa.select(sa.func.coalesce(sa.func.max(col(ClaimRevision.id)), 0)))
                      .scalar_one())
            matcher = self._build(claim_docs(session=session))
        with self._lock:
            self._matcher = matcher
            self.cursor = RevisionCursor(top=top)

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

    def catch_up(self, *, budget_seconds: float = CATCH_UP_BUDGET_SECONDS) -> int:
        """Apply revisions committed since the last catch-up; returns how many claims changed.

        Work goes in chunks, each read without the lock and applied under it, so questions keep
        being answered during a catch-up of 100,000 imported claims; after ``budget_seconds`` it
        stops and the next call carries on. One catch-up at a time: a second caller returns at once.
        """
        if self._matcher is None or not self._catching_up.acquire(blocking=False):
            return 0
        try:
            deadline = self._clock() + budget_seconds
            changed = 0
            while True:
                claims, more = self._catch_up_chunk()
                changed += claims
                if not more or self._clock() >= deadline:
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
