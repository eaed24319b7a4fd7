"""Keeping the live index ready and current: loaded from its snapshot or rebuilt, caught up from the
revision log after every write (this process's and everyone else's), saved at shutdown."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from claims.search import snapshot
from claims.search.live import Progress
from claims.search.match import Matcher
from claims.service.semantic import FILL_AT_LOAD, SemanticMatching

log = logging.getLogger(__name__)


class IndexUpkeep(SemanticMatching):
    """The index side of ``ClaimService``; every write ends with ``catch_up()``."""

    def _build_matcher(self, docs: Iterable) -> Matcher:
        semantic = self.semantic_index()
        return Matcher.build(docs, catalog=self.catalog, synonyms=self.synonyms, semantic=semantic,
                             semantic_model=self.semantic_weights if semantic is not None else None)

    def _restore_matcher(self, path: Path) -> tuple[Matcher, int]:
        matcher, mark = snapshot.load(path, catalog=self.catalog, synonyms=self.synonyms)
        if (semantic := self.semantic_index()) is not None:
            # the next fill_vectors() checks every claim's text
            matcher.attach_semantic(semantic, self.semantic_weights)
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
