"""An on-disk cache of sentence embeddings for the benchmark and training scripts.

Embedding the 24,000 CheckThat! claims takes minutes on two cores; every script run after the first
reads them from ``/tmp/claimbot-embeddings`` instead. Entries are keyed by the SHA-1 of the text and
the model's name, so a changed text or model is simply embedded again. Benchmarks only: claimbot
itself keeps its vectors with its index (``claims.search.vectors``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from claims.search.encoder import Encoder, Vectors, encode_in_batches

CACHE_DIR = Path("/tmp/claimbot-embeddings")


class CachedEncoder:
    """An ``Encoder`` that remembers what it embedded, in memory and on disk (``save``)."""

    def __init__(self, encoder: Encoder, folder: Path = CACHE_DIR) -> None:
        self._encoder = encoder
        self._path = folder / f"{hashlib.sha1(encoder.name.encode()).hexdigest()[:16]}.npz"
        self._keys: dict[str, int] = {}
        self._rows: list[np.ndarray] = []
        self._dirty = False
        self._read()

    def _read(self) -> None:
        """Add what the file holds and this cache lacks (another script may have saved since)."""
        if self._path.is_file():
            with np.load(self._path) as data:
                keys = json.loads(bytes(data["keys"]).decode())
                matrix = data["vectors"]
            for key, row in zip(keys, matrix, strict=True):
                if key not in self._keys:
                    self._keys[key] = len(self._rows)
                    self._rows.append(row)

    @property
    def name(self) -> str:
        return self._encoder.name

    @property
    def dim(self) -> int:
        return self._encoder.dim

    def encode(self, texts: Sequence[str], *, progress: object = None) -> Vectors:
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._keys))
        if missing:
            fresh = encode_in_batches(self._encoder, missing, progress=progress)  # type: ignore[arg-type]
            for text, row in zip(missing, fresh, strict=True):
                self._keys[hashlib.sha1(text.encode()).hexdigest()] = len(self._rows)
                self._rows.append(row)
            self._dirty = True
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.vstack([self._rows[self._keys[k]] for k in keys]).astype(np.float32)

    def known(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The cached vector of each text, ``None`` where none is cached (nothing is embedded)."""
        rows = (self._keys.get(hashlib.sha1(t.encode()).hexdigest()) for t in texts)
        return [None if r is None else self._rows[r] for r in rows]

    def save(self) -> None:
        if not self._dirty:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._read()  # scripts running side by side on one model keep each other's vectors
        keys = sorted(self._keys, key=self._keys.__getitem__)
        tmp = self._path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=np.frombuffer(json.dumps(keys).encode(), np.uint8),
                 vectors=np.vstack(self._rows).astype(np.float32))
        tmp.replace(self._path)
        self._dirty = False
