"""Semantic matching, the optional extra (``claims.search.semantic``): the sentence encoder, the
claim vectors and their upkeep. Without the extra, or with ``CLAIMBOT_SEMANTIC_MODEL=off``,
``semantic_index()`` is None and none of this does anything."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from claims.errors import ConfigError
from claims.search.arrays import SnapshotError
from claims.search.encoder import BATCH, Encoder, extra_installed, open_encoder, semantic_disabled
from claims.search.rerank import MissingWeights, Model, semantic_model_for
from claims.search.semantic import FillReport, SemanticIndex, embedded_text
from claims.search.vectors import VectorStore, fingerprint
from claims.service.base import ServiceBase
from claims.store.views import claim_docs

log = logging.getLogger(__name__)

FILL_BUDGET_SECONDS = 0.5
"""Each catch-up embeds waiting claims for about this long (semantic extra): a 100k backlog drains
in the background without holding up the catch-up job for long."""

FILL_BATCH = 16
"""Claims embedded at once in the background: one batch is a fraction of a second."""

FILL_AT_LOAD = 256
"""A backlog this small is embedded before the first question (a one-off ``claimbot ask``)."""


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


class SemanticMatching(ServiceBase):
    """Claim vectors for ``ClaimService``: opened on first use, filled in the background."""

    semantic: SemanticIndex | None
    """Claim vectors (semantic extra), once the index or a backfill has opened them."""
    semantic_weights: Model | None
    """The semantic ranker weights trained for the encoder (``rerank.semantic_model_for``)."""
    _encoder: Encoder | None
    _encoder_opened: bool
    _semantic_failed: str | None

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
                semantic = SemanticIndex.open(encoder, self.vectors_path())  # loads the model
                if self.semantic_weights is None:
                    self.semantic_weights = semantic_model_for(encoder.name, encoder.dim)
                self.semantic = semantic
            except MissingWeights as exc:  # ranking on another model's weights would mislead
                self._semantic_failed = str(exc)
                log.warning("Semantic matching is off: %s", exc)
            except Exception as exc:  # a third-party model load: any failure means "lexical only"
                self._semantic_failed = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}" \
                    if str(exc) else type(exc).__name__
                log.warning("Semantic matching is off: the model %s could not be loaded (%s).",
                            self.settings.semantic_model, self._semantic_failed)
        return self.semantic

    def semantic_status(self) -> SemanticStatus:
        """What ``claimbot semantic status`` shows; reads the vector file without loading the model."""
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
            raise ConfigError(f"The semantic model {self.settings.semantic_model[:200]} cannot be "
                              f"used ({self._semantic_failed}).")
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
