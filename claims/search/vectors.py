"""Claim vectors for semantic matching: one float16 row per claim, searchable in a few milliseconds.

Each live claim has one unit-length vector from the configured encoder (``claims.search.encoder``)
and the fingerprint of the text it was computed from, so a vector is recomputed only when that
text changes (an edit), not when a verdict or a date does. Rows are float16: 768 bytes per claim
for all-MiniLM-L6-v2 instead of 1.5 KB, at a cosine error below 0.001.

Nearest neighbours: scoring every float16 row costs over 100 ms at 100,000 claims (numpy has no
fast float16 kernels), so the store also keeps a *sketch*: each vector projected onto its leading
principal components (``SKETCH_DIMS`` float32 numbers per claim). A question is scored against
all sketches (a 100,000 x 48 product, about 2 ms), and the best ``RESCORE`` are scored again with
their full vectors. The sketch basis is fitted on the claims themselves and refitted whenever the
store has doubled since; below ``EXACT_UP_TO`` claims every full vector is scored.

The store is saved in the snapshot layout of ``claims.search.snapshot`` (its own magic, the model
name and width in the header): ``save(path, mark=...)`` and ``VectorStore.load(path)``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claims.search.columns import Column
from claims.search.snapshot import SnapshotError, read_arrays, write_arrays

MAGIC = b"CLAIMVEC"
STORED = np.float16
SKETCH_DIMS = 48
EXACT_UP_TO = 2048
"""Up to this many claims every full vector is scored; past it the sketch narrows the search."""
RESCORE = 256
"""Claims the sketch hands on to exact scoring (of the best by sketch score)."""
FIT_SAMPLE = 8192
"""Vectors the sketch basis is fitted on (spread evenly over the store)."""

MAX_DIM = 16384
"""The widest vectors a file may claim to hold (encoders give 384 to 4096)."""

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


def fingerprint(text: str) -> int:
    """A 63-bit fingerprint of the embedded text: a changed text needs a new vector."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little") >> 1


class _Rows:
    """A growable 2-D array (rows appended in batches; capacity doubles)."""

    __slots__ = ("_n", "data")

    def __init__(self, width: int, dtype: Any, data: npt.NDArray[Any] | None = None) -> None:
        self.data = data if data is not None else np.zeros((0, width), dtype)
        self._n = len(self.data)

    def __len__(self) -> int:
        return self._n

    def view(self) -> npt.NDArray[Any]:
        return self.data[: self._n]

    def extend(self, rows: npt.NDArray[Any]) -> None:
        need = self._n + len(rows)
        if need > len(self.data):
            grown = np.zeros((max(need, 2 * len(self.data), 64), self.data.shape[1]), self.data.dtype)
            grown[: self._n] = self.data[: self._n]
            self.data = grown
        self.data[self._n : need] = rows
        self._n = need


class VectorStore:
    """Claim vectors by claim id, with a sketch for fast nearest-neighbour search; thread-safe."""

    def __init__(self, model: str, dim: int) -> None:
        self.model = model
        self.dim = dim
        self._lock = threading.RLock()
        self._vectors = _Rows(dim, STORED)
        self._ids = Column(np.int64)
        self._keys = Column(np.int64)  # text fingerprint per row
        self._alive = Column(np.bool_)
        self._row: dict[int, int] = {}  # claim id -> row
        self._mean: F32 | None = None
        self._basis: F32 | None = None  # dim x SKETCH_DIMS
        self._sketch = _Rows(min(SKETCH_DIMS, dim), np.float32)
        self._fitted_on = 0

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._row

    def key(self, claim_id: int) -> int | None:
        """The fingerprint of the text the claim's vector was computed from (``None``: no vector)."""
        with self._lock:
            row = self._row.get(claim_id)
            return None if row is None else int(self._keys.data[row])

    def claim_ids(self) -> list[int]:
        with self._lock:
            return list(self._row)

    # -- changes -------------------------------------------------------------------------------

    def upsert_many(self, claim_ids: Sequence[int], keys: Sequence[int], vectors: F32) -> None:
        """Store (or replace) the vectors of these claims; rows must be unit length."""
        if len(claim_ids) != len(keys) or len(claim_ids) != len(vectors):
            raise ValueError("claim ids, keys and vectors differ in number")
        if len(vectors) and vectors.shape[1] != self.dim:
            raise ValueError(f"vectors have width {vectors.shape[1]}, the store {self.dim}")
        latest = {int(c): i for i, c in enumerate(claim_ids)}  # a claim given twice: its last vector
        order = sorted(latest.values())
        with self._lock:
            for i in order:
                self._drop(int(claim_ids[i]))
            start = len(self._ids)
            rows = np.asarray(vectors, np.float32)[order]
            self._vectors.extend(rows.astype(STORED))
            self._ids.extend(int(claim_ids[i]) for i in order)
            self._keys.extend(int(keys[i]) for i in order)
            self._alive.extend(True for _ in order)
            for offset, i in enumerate(order):
                self._row[int(claim_ids[i])] = start + offset
            if self._basis is not None:
                self._sketch.extend(self._project(rows))
            self._maintain()

    def remove(self, claim_id: int) -> None:
        """Forget a claim's vector (retracted, merged or gone); unknown ids are ignored."""
        with self._lock:
            self._drop(claim_id)
            self._maintain()

    def _drop(self, claim_id: int) -> None:
        row = self._row.pop(claim_id, None)
        if row is not None:
            self._alive.data[row] = False

    def _maintain(self) -> None:
        """Compact once a third of the rows are dead; refit the sketch once the store doubled."""
        rows, live = len(self._ids), len(self._row)
        if rows > 1024 and rows - live > live // 2:
            self._compact()
        if live > EXACT_UP_TO and (self._basis is None or live >= 2 * self._fitted_on):
            self._fit_sketch()

    def _compact(self) -> None:
        kept = np.flatnonzero(self._alive.view())
        self._vectors = _Rows(self.dim, STORED, self._vectors.view()[kept].copy())
        self._ids = Column.of(self._ids.view()[kept].copy())
        self._keys = Column.of(self._keys.view()[kept].copy())
        self._alive = Column.of(np.ones(len(kept), np.bool_))
        if self._basis is not None:
            self._sketch = _Rows(self._sketch.data.shape[1], np.float32, self._sketch.view()[kept].copy())
        self._row = {int(c): r for r, c in enumerate(self._ids.view().tolist())}

    def _fit_sketch(self) -> None:
        """Principal components of an even sample of the live vectors; every row re-projected."""
        live = np.flatnonzero(self._alive.view())
        sample = live[np.linspace(0, len(live) - 1, min(FIT_SAMPLE, len(live))).astype(np.int64)]
        x = self._vectors.data[sample].astype(np.float32)
        mean = x.mean(axis=0)
        _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
        self._mean = mean.astype(np.float32)
        self._basis = np.ascontiguousarray(vt[:SKETCH_DIMS].T, dtype=np.float32)
        rows = self._vectors.view()
        sketch = np.zeros((len(rows), self._basis.shape[1]), np.float32)
        for start in range(0, len(sketch), 16384):
            sketch[start:start + 16384] = self._project(rows[start:start + 16384])
        self._sketch = _Rows(sketch.shape[1], np.float32, sketch)
        self._fitted_on = len(live)

    def _project(self, rows: npt.NDArray[Any]) -> F32:
        assert self._basis is not None
        assert self._mean is not None
        return ((rows.astype(np.float32) - self._mean) @ self._basis).astype(np.float32)

    # -- questions -----------------------------------------------------------------------------

    def cosines(self, query: F32, claim_ids: Iterable[int]) -> F32:
        """Cosine of ``query`` with each claim's vector; NaN for a claim without one."""
        with self._lock:
            rows = np.array([self._row.get(int(c), -1) for c in claim_ids], np.int64)
            out = np.full(len(rows), np.nan, np.float32)
            have = rows >= 0
            if have.any():
                out[have] = self._vectors.data[rows[have]].astype(np.float32) @ query
            return out

    def vectors(self, claim_ids: Sequence[int]) -> F32:
        """The stored vectors of these claims as float32 rows (``KeyError`` for one without)."""
        with self._lock:
            rows = np.array([self._row[int(c)] for c in claim_ids], np.int64)
            return self._vectors.data[rows].astype(np.float32)

    def nearest(self, query: F32, k: int) -> tuple[I64, F32]:
        """The ``k`` claims whose vectors are closest to ``query``: claim ids and cosines, best first."""
        with self._lock:
            n = len(self._ids)
            if not self._row or k <= 0:
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            alive = self._alive.view()
            if self._basis is None or len(self._row) <= EXACT_UP_TO:
                rows = np.flatnonzero(alive)
            else:
                rough = np.einsum("ij,j->i", self._sketch.view(), query @ self._basis)  # no BLAS pool
                rough[~alive] = -np.inf
                wanted = min(max(RESCORE, 4 * k), n)
                rows = np.argpartition(-rough, wanted - 1)[:wanted]
                rows = rows[alive[rows]]
            scores = self._vectors.data[rows].astype(np.float32) @ query
            top = min(k, len(rows))
            best = np.argpartition(-scores, top - 1)[:top] if top < len(rows) else np.arange(len(rows))
            best = best[np.lexsort((rows[best], -scores[best]))]
            return self._ids.data[rows[best]].astype(np.int64), scores[best].astype(np.float32)

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path: Path, *, mark: int) -> None:
        """Write the live vectors to ``path`` atomically, tagged with a revision ``mark``."""
        with self._lock:
            live = np.flatnonzero(self._alive.view())
            arrays: dict[str, npt.NDArray[Any]] = {
                "ids": self._ids.view()[live], "keys": self._keys.view()[live],
                "vectors": self._vectors.view()[live],
            }
            if self._basis is not None and self._mean is not None:
                arrays.update(mean=self._mean, basis=self._basis, sketch=self._sketch.view()[live])
            tables = {"model": self.model, "dim": self.dim, "fitted_on": self._fitted_on}
        write_arrays(path, arrays, tables, mark=mark, magic=MAGIC)

    @classmethod
    def load(cls, path: Path, *, model: str | None = None) -> tuple[VectorStore, int]:
        """The store saved at ``path`` and its mark. ``SnapshotError`` when the file is missing,
        corrupt, or (given ``model``) holds another model's vectors: recompute them then."""
        arrays, tables, mark = read_arrays(path, magic=MAGIC)
        try:
            store = cls(str(tables["model"]), int(tables["dim"]))
            if not 0 < store.dim <= MAX_DIM:
                raise ValueError(f"width {store.dim}")
            if model is not None and store.model != model:
                raise SnapshotError(f"The vectors in {path.name} come from the model {store.model}, "
                                    f"not {model}; they will be computed again.")
            ids, keys, vectors = arrays["ids"], arrays["keys"], arrays["vectors"]
            if vectors.shape != (len(ids), store.dim) or len(keys) != len(ids):
                raise ValueError("array shapes disagree")
            store._vectors = _Rows(store.dim, STORED, np.asarray(vectors))
            store._ids = Column.of(np.asarray(ids))
            store._keys = Column.of(np.asarray(keys))
            store._alive = Column.of(np.ones(len(ids), np.bool_))
            store._row = {int(c): r for r, c in enumerate(np.asarray(ids).tolist())}
            if len(store._row) != len(ids):
                raise ValueError("a claim appears twice")
            if "basis" in arrays:
                store._mean = np.asarray(arrays["mean"], np.float32)
                store._basis = np.asarray(arrays["basis"], np.float32)
                store._sketch = _Rows(store._basis.shape[1], np.float32, np.asarray(arrays["sketch"]))
                store._fitted_on = int(tables.get("fitted_on", len(ids)))
                if store._sketch.view().shape != (len(ids), store._basis.shape[1]):
                    raise ValueError("sketch shape disagrees")
        except SnapshotError:
            raise
        except Exception as exc:  # tables that passed the checksum yet do not fit together
            raise SnapshotError(
                f"The vector file {path.name} is inconsistent ({type(exc).__name__}: {exc})."[:300]
            ) from exc
        return store, mark
