"""Sentence embeddings for semantic matching, from the optional ``claimbot[semantic]`` extra.

An ``Encoder`` turns texts into unit-length float32 vectors whose dot product is their cosine
similarity. The one real implementation wraps sentence-transformers; it is imported only when an
encoder is opened, so the core install (no torch) never loads it and a store without the extra
behaves exactly as before. Tests use small deterministic stand-ins with the same interface.

``CLAIMBOT_SEMANTIC_MODEL`` names the model: a sentence-transformers name (downloaded once into
the Hugging Face cache by the library, never by claimbot's tests) or a local folder; ``off``
disables semantic matching.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
OFF = frozenset({"", "off", "none", "no", "false", "0"})
BATCH = 64
"""Texts embedded at once: big enough for the matrix kernels, small enough to report progress."""
MAX_TOKENS = 128
"""Longer texts are cut here; a claim's meaning is in its first sentence or two."""

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Anything that embeds texts as unit vectors of one fixed width."""

    @property
    def name(self) -> str:
        """What produced the vectors: vectors of different encoders are never mixed."""

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One unit-length float32 row per text."""


def semantic_disabled(setting: str) -> bool:
    """``off`` (and empty, ``none``, ``false``) turns semantic matching off."""
    return setting.strip().lower() in OFF


def extra_installed() -> bool:
    """Whether ``claimbot[semantic]`` (sentence-transformers) can be imported."""
    import importlib.util

    try:
        return importlib.util.find_spec("sentence_transformers") is not None
    except (ImportError, ValueError):  # a broken or stubbed-out module counts as absent
        return False


def open_encoder(setting: str, *, threads: int = 1) -> Encoder | None:
    """The encoder the settings ask for, or ``None`` when semantic matching is off or the extra is
    not installed (logged once: claimbot then matches lexically, exactly as without the extra)."""
    if semantic_disabled(setting):
        return None
    if not extra_installed():
        log.info("semantic matching needs the extra: pip install \"claimbot[semantic]\"; "
                 "matching lexically")
        return None
    return SentenceEncoder(setting.strip(), threads=threads)


class SentenceEncoder:
    """A sentence-transformers model on the CPU, loaded on first use.

    Torch runs on ``threads`` threads (1 by default): a question is one short sequence, and on a
    machine whose cores are busy several spinning threads make it slower, not faster.
    """

    def __init__(self, model: str, *, threads: int = 1) -> None:
        self._model_name = model
        self._threads = threads
        self._model: Any = None
        self._dim: int | None = None

    @property
    def name(self) -> str:
        """The setting as given: vectors computed under another setting are computed again (a
        different name or folder may hold a different model)."""
        return self._model_name

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        assert self._dim is not None
        return self._dim

    def encode(self, texts: Sequence[str]) -> Vectors:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(out, dtype=np.float32)

    def _load(self) -> Any:
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(max(1, self._threads))
            _limit_blas_threads(max(1, self._threads))
            _quiet_loading()
            model = SentenceTransformer(self._model_name, device="cpu")
            model.max_seq_length = min(model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
            # newer sentence-transformers name it get_embedding_dimension and deprecate the old name
            measure = getattr(model, "get_embedding_dimension", None)
            dim = measure() if measure else model.get_sentence_embedding_dimension()
            self._dim = int(dim) if dim else int(model.encode(["x"]).shape[1])
            self._model = model
        return self._model


def _limit_blas_threads(threads: int) -> None:
    """numpy's BLAS (OpenBLAS) keeps its worker threads spinning for a while after each product,
    and a question's vector search is a product: the spinning threads then take the cores torch
    needs for the next question, which doubled the time per question at 100,000 claims. One pool of
    ``threads`` for both keeps them from competing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=threads, user_api="blas")


def _quiet_loading() -> None:
    """transformers draws a "Loading weights" bar on stderr; claimbot draws its own bars."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        return
    disable = getattr(hf_logging, "disable_progress_bar", None)
    if disable is not None:
        disable()


def encode_in_batches(encoder: Encoder, texts: Sequence[str], *, batch: int = BATCH,
                      progress: Callable[[int], None] | None = None) -> Vectors:
    """Embed many texts a batch at a time, reporting each batch's size to ``progress``."""
    parts = []
    for start in range(0, len(texts), batch):
        chunk = texts[start:start + batch]
        parts.append(encoder.encode(chunk))
        if progress is not None:
            progress(len(chunk))
    return np.vstack(parts) if parts else np.zeros((0, encoder.dim), np.float32)
