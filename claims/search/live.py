"""The matcher kept in step with the store by reading the revision log, whoever wrote to it.

Every change to a claim (ingest, import, an admin's edit, verdict, retraction or merge, in this
process, the CLI, or another replica) appends a ``ClaimRevision`` row. The log is therefore the
matcher's change feed: each process remembers the highest revision id it has indexed and, after its
own writes and on a short timer, re-reads the claims behind newer revisions. Nobody has to remember
to notify the index, and a change made elsewhere reaches this process within one catch-up interval.

PostgreSQL hands out ids when rows are inserted but they become visible when their transaction
commits, so a lower id can appear after a higher one ("commit-order gaps"). ``RevisionCursor``
keeps ids above its mark that it has already applied, watches the holes below them, and gives up on
a hole only after ``gap_timeout`` (a rolled-back transaction or a skipped sequence value).
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


@dataclass
class RevisionCursor:
    """How far into the revision log this process has indexed.

    Every id at or below ``mark`` is applied (or was a hole given up on); ``applied`` holds ids
    above the mark already applied; ``holes`` the missing ids below the highest applied one, with
    when they were first noticed.
    """

    mark: int = 0
    applied: set[int] = field(default_factory=set)
    holes: dict[int, float] = field(default_factory=dict)
    gap_timeout: float = GAP_TIMEOUT_SECONDS

    def fresh(self, rows: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
        """Of ``(revision id, claim id)`` rows above the mark, the ones not applied yet:
        their revision ids and their claim ids (in log order, claims once each)."""
        ids: list[int] = []
        claims: dict[int, None] = {}
        for rev_id, claim_id in rows:
            if rev_id > self.mark and rev_id not in self.applied:
                ids.append(rev_id)
                claims[claim_id] = None
        return ids, list(claims)

    def advance(self, applied: Iterable[int], *, now: float) -> None:
        """Record applied ids, note new holes, give up on old ones, and move the mark up."""
        self.applied.update(applied)
        for rev_id in applied:
            self.holes.pop(rev_id, None)
        top = max(self.applied, default=self.mark)
        for missing in range(self.mark + 1, top):
            if missing not in self.applied:
                self.holes.setdefault(missing, now)
        for hole, since in list(self.holes.items()):
            if now - since >= self.gap_timeout:
                del self.holes[hole]
                self.applied.add(hole)  # treated as applied: nothing will ever come for it
        while self.mark + 1 in self.applied:
            self.mark += 1
            self.applied.discard(self.mark)

    @property
    def low(self) -> int:
        """The lowest id worth asking for again: the mark (holes lie above it)."""
        return self.mark


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
        """Index every live claim. The mark is read first, so a change committed while the index is
        being built is applied again by the next catch-up (upserts are idempotent)."""
        with Session(self._engine) as session:
            mark = int(session.execute(sa.select(sa.func.coalesce(sa.func.max(col(ClaimRevision.id)), 0)))
                       .scalar_one())
            matcher = self._build(claim_docs(session=session))
        with self._lock:
            self._matcher = matcher
            self.cursor = RevisionCursor(mark=mark)

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

    def catch_up(self) -> int:
        """Apply every revision committed since the last catch-up; returns how many claims changed.

        One catch-up at a time: a second caller returns at once (the running one covers its writes
        unless they committed after its read, and then the next timer tick does).
        """
        if self._matcher is None or not self._catching_up.acquire(blocking=False):
            return 0
        try:
            with Session(self._engine) as session:
                rows = session.execute(
                    sa.select(col(ClaimRevision.id), col(ClaimRevision.claim_id))
                    .where(col(ClaimRevision.id) > self.cursor.low)
                    .order_by(col(ClaimRevision.id))
                ).all()
                rev_ids, claim_ids = self.cursor.fresh((int(r), int(c)) for r, c in rows)
                docs = {d.id: d for d in claim_docs(session=session, ids=claim_ids)} if claim_ids else {}
            with self._lock:
                matcher = self._matcher
                for claim_id in claim_ids:
                    doc = docs.get(claim_id)
                    if doc is not None:
                        matcher.upsert(doc)
                    else:  # retracted, merged or gone: no longer an answer
                        matcher.remove(claim_id)
            self.cursor.advance(rev_ids, now=self._clock())
            if claim_ids:
                log.debug("index caught up with %d revisions (%d claims); mark %d", len(rev_ids),
                          len(claim_ids), self.cursor.mark)
            return len(claim_ids)
        finally:
            self._catching_up.release()
