"""A tiny deterministic stand-in for a sentence encoder, so the semantic logic is tested on every
run without the extra (no torch, no model files).

Words of one *concept* (``CONCEPTS``) share an axis, so "Danish island" and "Greenland" land close
together as they would with a real model; every other word hashes onto the remaining axes. It is
a mock of the model only: the vector store, the matcher, the ranking and the service around it are
the real code. ``calls`` counts the texts embedded, so tests can tell reuse from recomputation.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from claims.search.encoder import Vectors

CONCEPTS = (
    frozenset({"greenland", "island", "arctic", "danish", "denmark", "nuuk"}),
    frozenset({"ceasefire", "cease", "truce", "pause", "halt", "hostilities"}),
    frozenset({"nato", "alliance", "allies", "ally"}),
    frozenset({"tariffs", "tariff", "levies", "duties", "duty"}),
    frozenset({"buy", "acquire", "purchase", "get", "sale", "sell"}),
    frozenset({"health", "obamacare", "insurance", "coverage", "premiums"}),
)
DIM = 32


class ConceptEncoder:
    """Bag of concepts and hashed words; ``quote_noise`` also hashes quote marks (a real model's
    tokeniser sees them), to test that such noise never reorders lexically tied claims."""

    def __init__(self, *, quote_noise: bool = False, name: str = "concept-standin") -> None:
        self._quote_noise = quote_noise
        self._name = name
        self.calls = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return DIM

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.calls += len(texts)
        out = np.zeros((len(texts), DIM), np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                concept = next((i for i, c in enumerate(CONCEPTS) if word in c), None)
                if concept is not None:
                    out[row, concept] += 1.0
                else:
                    out[row, len(CONCEPTS) + zlib.crc32(word.encode()) % (DIM - len(CONCEPTS))] += 0.15
            if self._quote_noise:
                for mark in re.findall(r"[\"“”‘’']", text):
                    out[row, DIM - 1 - zlib.crc32(mark.encode()) % 3] += 0.3
            norm = float(np.linalg.norm(out[row]))
            if norm == 0.0:
                out[row, DIM - 1] = 1.0
            else:
                out[row] /= norm
        return out
