"""One question's candidates with their features, and the cosine levels that speak of meaning.

The matcher's first stage (BM25, plus the nearest claim vectors with the semantic extra) produces
a ``Candidates``; the re-ranker orders it and the calibrator decides whether its best answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from claims.search.features import RAW_FEATURES
from claims.search.query import Query


@dataclass(frozen=True, slots=True)
class Candidates:
    """One question's candidates with their features (what ``ask`` decides on; for training)."""

    query: Query
    numbers: list[int]  # internal document numbers
    claim_ids: list[int]
    features: npt.NDArray[np.float64]  # columns as ``rerank.FEATURES`` or ``SEMANTIC_FEATURES``
    matched: list[list[str]]
    raw: npt.NDArray[np.float64]  # columns as ``RAW_FEATURES`` (plus the cosine, if semantic)
    grounded: tuple[bool, ...] = ()  # matches a content word as typed (see ``features.extract``)
    missing: npt.NDArray[np.float64] | None = None  # the answer gate's signal (``features.extract``)

    def answerable(self, i: int) -> bool:
        """Whether candidate ``i`` may be an answer at all: a claim reached only through our
        guesses (corrected spellings) is at most offered, never answered, unless the sentence
        model finds it similar in meaning to the question."""
        if not self.grounded or self.grounded[i]:
            return True
        return self.semantic and float(self.raw[i, LEXICAL]) >= SIMILAR

    @property
    def semantic(self) -> bool:
        return self.raw.shape[1] > LEXICAL

    def cosine(self, i: int) -> float | None:
        return float(self.raw[i, LEXICAL]) if self.semantic else None


LEXICAL = len(RAW_FEATURES)
SIMILAR = 0.5
"""A cosine at which ``why`` says the claim is similar in meaning to the question."""
RELATED = 0.4
"""The cosine a claim needs to be offered as close in meaning to a question none answers. (On the
training questions of tests/claims/questions: 2 of 105 everyday chat questions reach it, 37 of 67
near misses that share a subject with a stored claim, and 84% of the training paraphrases, whose
intended claim reaches it in 71% of cases.)"""


def lexical_ties(raw: npt.NDArray[np.float64], cosine: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Claims the question matches lexically in exactly the same way (say, texts that differ only
    in quote marks) get the same cosine, their best: the encoder must not reorder them on
    tokenisation noise, so claimbot's own order (recency, then the first stage's) still decides."""
    out = cosine.copy()
    groups: dict[bytes, list[int]] = {}
    for i in np.flatnonzero(raw[:, 0] > 0).tolist():
        groups.setdefault(raw[i].tobytes(), []).append(i)
    for rows in groups.values():
        if len(rows) > 1:
            out[rows] = out[rows].max()
    return out
