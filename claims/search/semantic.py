"""Semantic matching: the encoder, the claim vectors, and which claims still wait for a vector.

``SemanticIndex`` sits beside the lexical index inside the ``Matcher``. The matcher tells it about
every claim it indexes (``note``) or forgets (``forget``); a claim whose text has no vector yet is
*pending*. Embedding is slow (milliseconds per claim), so it never happens while a question waits:
``fill`` embeds pending claims in batches, outside any lock the matcher holds, and stores their
vectors. Until a question's candidates all have vectors the matcher ranks it lexically, exactly as
without the extra, so a claim is answerable the moment it is indexed and gains semantic matching
once embedded.

Vectors are saved in a file of their own (``claims.search.vectors``) beside the index snapshot.
Several processes may share that file: before embedding, ``fill`` adopts the vectors another
process (``claimbot import``, ``claimbot semantic backfill``) has written for the claims it is
waiting on, and its own saves keep what the file holds for claims it has not caught up with yet.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from claims.search.encoder import BATCH, Encoder, Vectors
from claims.search.snapshot import SnapshotError, set_aside
from claims.search.vectors import VectorStore, fingerprint

if TYPE_CHECKING:
    from claims.search.documents import ClaimDoc

log = logging.getLogger(__name__)

SAVE_EVERY_SECONDS = 60.0
"""A process that embeds claims saves the vector file at most this often (and when it is done)."""


def embedded_text(doc: ClaimDoc) -> str:
    """What a claim's vector is computed from: who said what. (Chosen on the training paraphrases
    of ``tests/claims/questions``: "X said ..." placed the right claim in the top 3 by cosine alone
    for 84% of them, the text alone for 71%; adding the article's title lowered it.)"""
    return f"{doc.speaker} said {doc.text}" if doc.speaker else doc.text


@dataclass(frozen=True, slots=True)
class FillReport:
    """What one ``fill`` did."""

    embedded: int  # claims this process embedded
    adopted: int  # claims whose vectors another process had saved
    pending: int  # claims still waiting


class SemanticIndex:
    """Claim vectors kept in step with the matcher; embeds in batches, saves to ``path``."""

    def __init__(self, encoder: Encoder, *, path: Path | None = None,
                 store: VectorStore | None = None) -> None:
        self.encoder = encoder
        self.path = path
        self.store = store or VectorStore(encoder.name, encoder.dim)
        self._pending: dict[int, tuple[int, str]] = {}  # claim id -> (fingerprint, text)
        self._removed: set[int] = set()  # forgotten since the file was read: not kept from it
        self._lock = threading.Lock()
        self._file_state: tuple[int, int] | None = None  # (mtime_ns, size) when last read/written
        self._unsaved = 0
        self._saved_at = time.monotonic()
        self.mark = 0
        self.verified = False
        """Whether every live claim has been noted since the vectors were loaded."""
        self._worker: ThreadPoolExecutor | None = None

    @classmethod
    def open(cls, encoder: Encoder, path: Path | None) -> SemanticIndex:
        """The vectors saved at ``path`` (none yet, another model's, or an unreadable file: start
        empty, and say why unless there simply was no file)."""
        index = cls(encoder, path=path)
        if path is not None and path.exists():
            try:
                index.store, index.mark = VectorStore.load(path, model=encoder.name)
                index._file_state = _state(path)
            except SnapshotError as exc:
                aside = set_aside(path)
                log.warning("%s Claim vectors will be computed again%s.", exc,
                            f" (the file is kept as {aside.name})" if aside else "")
        return index

    # -- following the matcher -------------------------------------------------------------------

    def note(self, doc: ClaimDoc) -> None:
        """A claim was indexed or revised: it needs a vector unless its text already has one."""
        text = embedded_text(doc)
        key = fingerprint(text)
        with self._lock:
            self._removed.discard(doc.id)
            if self.store.key(doc.id) == key:
                self._pending.pop(doc.id, None)
            else:
                self._pending[doc.id] = (key, text)

    def verify(self, docs: Iterable[ClaimDoc]) -> None:
        """Every live claim, from the store: each needs a vector unless its text has one, and
        vectors of claims not among them (retracted while this process was down) are dropped."""
        seen: set[int] = set()
        for doc in docs:
            self.note(doc)
            seen.add(doc.id)
        for claim_id in self.store.claim_ids():
            if claim_id not in seen:
                self.store.remove(claim_id)
                with self._lock:
                    self._removed.add(claim_id)
        self.verified = True

    def expect(self, claim_ids: Iterable[int]) -> None:
        """The matcher was loaded from a snapshot and holds these claims without their texts:
        ``verify`` must see them all before their vectors are trusted as current."""
        self.verified = False

    def forget(self, claim_id: int) -> None:
        """A claim was retracted, merged or deleted."""
        with self._lock:
            self._pending.pop(claim_id, None)
            self._removed.add(claim_id)
        self.store.remove(claim_id)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def ready(self, claim_ids: Iterable[int]) -> bool:
        """Whether every one of these claims has its current vector."""
        pending, store = self._pending, self.store
        return not any(c in pending or c not in store for c in claim_ids)

    # -- questions -------------------------------------------------------------------------------

    def question_vector(self, question: str) -> Vectors:
        return self.encoder.encode([question])[0]

    def start_question_vector(self, question: str) -> Future[Vectors]:
        """Embed ``question`` on a worker thread while the caller does its lexical retrieval (torch
        releases the interpreter lock, so the two overlap on a second core)."""
        if self._worker is None:
            with self._lock:
                if self._worker is None:
                    self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="question-vector")
        return self._worker.submit(self.question_vector, question)

    # -- embedding -------------------------------------------------------------------------------

    def fill(self, *, budget_seconds: float | None = None, limit: int | None = None,
             batch: int = BATCH, progress: Callable[[int], None] | None = None,
             checkpoint_seconds: float = SAVE_EVERY_SECONDS) -> FillReport:
        """Give pending claims their vectors: first those another process saved, then by embedding
        ``batch`` at a time until none is left, ``limit`` are done or ``budget_seconds`` pass.

        The file is saved every ``checkpoint_seconds`` while embedding and once at the end, so an
        interrupted run keeps what it computed (the next one resumes from there)."""
        started = time.monotonic()
        adopted = self.adopt_saved()
        if progress is not None and adopted:
            progress(adopted)
        embedded = 0
        while limit is None or embedded < limit:
            if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
                break
            with self._lock:
                take = batch if limit is None else min(batch, limit - embedded)
                work = list(islice(self._pending.items(), take))
            if not work:
                break
            vectors = self.encoder.encode([text for _, (_, text) in work])
            with self._lock:  # a claim edited or removed meanwhile keeps waiting (or is gone)
                fresh = [i for i, (cid, entry) in enumerate(work) if self._pending.get(cid) == entry]
                for i in fresh:
                    del self._pending[work[i][0]]
            self.store.upsert_many([work[i][0] for i in fresh], [work[i][1][0] for i in fresh],
                                   vectors[fresh])
            embedded += len(work)
            self._unsaved += len(fresh)
            if progress is not None:
                progress(len(work))
            if time.monotonic() - self._saved_at >= checkpoint_seconds:
                self.save()
        if self._unsaved and (not self._pending or time.monotonic() - self._saved_at >= checkpoint_seconds):
            self.save()
        return FillReport(embedded=embedded, adopted=adopted, pending=len(self._pending))

    def adopt_saved(self) -> int:
        """Take the vectors another process saved for claims pending here (only if the file changed
        since this process last read or wrote it)."""
        if self.path is None or not self._pending or _state(self.path) in (None, self._file_state):
            return 0
        saved = self._read_file()
        if saved is None:
            return 0
        with self._lock:
            wanted = [(cid, key) for cid, (key, _) in self._pending.items() if saved.key(cid) == key]
        if not wanted:
            return 0
        ids = [cid for cid, _ in wanted]
        vectors = saved.vectors(ids)
        with self._lock:
            keep = [i for i, (cid, key) in enumerate(wanted) if self._pending.get(cid, (None,))[0] == key]
            for i in keep:
                del self._pending[ids[i]]
        self.store.upsert_many([ids[i] for i in keep], [wanted[i][1] for i in keep], vectors[keep])
        return len(keep)

    # -- persistence -----------------------------------------------------------------------------

    def save(self, path: Path | None = None, *, mark: int | None = None) -> None:
        """Write the vectors to ``path`` (default: this index's file), keeping what the file holds
        for claims this process has not seen yet, so processes sharing it lose no one's work."""
        path = path or self.path
        if path is None:
            return
        if mark is not None:
            self.mark = mark
        saved = self._read_file() if path == self.path and path.exists() else None
        if saved is not None:
            with self._lock:
                known = set(self.store.claim_ids()) | set(self._pending) | self._removed
            others = [cid for cid in saved.claim_ids() if cid not in known]
            if others:
                keys = [saved.key(cid) or 0 for cid in others]
                self.store.upsert_many(others, keys, saved.vectors(others))
        path.parent.mkdir(parents=True, exist_ok=True)
        self.store.save(path, mark=self.mark)
        if path == self.path:
            self._file_state = _state(path)
            with self._lock:
                self._removed.clear()
        self._unsaved = 0
        self._saved_at = time.monotonic()

    def _read_file(self) -> VectorStore | None:
        assert self.path is not None
        try:
            store, _ = VectorStore.load(self.path, model=self.encoder.name)
        except SnapshotError as exc:
            aside = set_aside(self.path)
            log.warning("%s%s", exc, f" (the file is kept as {aside.name})" if aside else "")
            return None
        self._file_state = _state(self.path)
        return store


def _state(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size
