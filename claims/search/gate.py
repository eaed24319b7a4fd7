"""The answer gate: three signals that mean "this claim does not answer the question" in any world.

The calibrator (``claims.search.rerank``) learned what a right answer looks like from CheckThat!
tweets and our own labelled questions, and its probability does not transfer: on everyday questions
about other news it is sure of claims that share one common word with a question. The gate is a
veto beside it, built from evidence that means the same thing whatever the store holds:

* ``cover``: the share of the question's content (idf-weighted; words the store has never seen
  count at full weight) that the claim covers in any of its fields;
* ``unmatched``: the weight of the most telling question word the claim lacks, relative to the
  question's most telling word (a name, a number or a rare word that is missing). A word the store
  has never seen weighs most, unless the claim has a word it is a typing slip of
  (``features.slipped``): "constituion" is not missing from a claim about the constitution;
* ``names_missed``: the share of the question's names the claim lacks.

Each is monotone (more cover, fewer missing words: more likely an answer), and the three limits are
chosen by leave-one-world-out (``tests/bench/choose_gate.py``): fitted on all worlds but one and
judged on the one left out, so a limit that only suits one world shows up as a loss on it. The
gate applies to questions of up to ``max_words`` content words, also chosen so; longer, pasted
texts are judged by the calibrator's own long-text terms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from claims.search.features import RAW_FEATURES

GATE_PATH = Path(__file__).with_name("gate.json")

_COVER = [RAW_FEATURES.index(f) for f in ("cover_text", "cover_title", "cover_context", "cover_label")]
_UNMATCHED = RAW_FEATURES.index("unmatched_rare")
_NAMES_MISSED = RAW_FEATURES.index("names_missed")
_QUESTION_LEN = RAW_FEATURES.index("question_len")


def signals(raw: npt.NDArray[np.float64],
            missing: npt.NDArray[np.float64] | None = None) -> npt.NDArray[np.float64]:
    """Per candidate: cover, unmatched, names_missed (columns of raw features as ``RAW_FEATURES``).
    ``missing`` (``features.extract``) stands for ``unmatched`` when given: the same, except that a
    word the store has never seen is not missing from a claim that has a slip of it."""
    unmatched = raw[:, _UNMATCHED] if missing is None else missing
    return np.column_stack((raw[:, _COVER].sum(axis=1), unmatched, raw[:, _NAMES_MISSED]))


def question_words(raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """How many words each candidate's question has (``question_len`` is their ``log1p``)."""
    return np.expm1(raw[:, _QUESTION_LEN])


@dataclass(frozen=True)
class Gate:
    """Limits a typed question's answer must meet, whatever its calibrated probability."""

    min_cover: float = 0.0
    max_unmatched: float = 1.0
    max_names_missed: float = 1.0
    max_words: float = 12.0  # longer questions are pasted texts: the calibrator alone judges them

    def allows(self, sig: npt.NDArray[np.float64], words: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """``passes`` on precomputed ``signals`` and ``question_words`` (for choosing limits)."""
        ok = (sig[:, 0] >= self.min_cover - 1e-9) & (sig[:, 1] <= self.max_unmatched + 1e-9) & (
            sig[:, 2] <= self.max_names_missed + 1e-9)
        return ok | (words > self.max_words + 1e-9)

    def passes(self, raw: npt.NDArray[np.float64],
               missing: npt.NDArray[np.float64] | None = None) -> npt.NDArray[np.bool_]:
        """Which candidates may be answers."""
        if not len(raw):
            return np.zeros(0, bool)
        return self.allows(signals(raw, missing), question_words(raw))

    def to_json(self) -> dict[str, float]:
        return {"min_cover": self.min_cover, "max_unmatched": self.max_unmatched,
                "max_names_missed": self.max_names_missed, "max_words": self.max_words}


@lru_cache(maxsize=2)
def load_gate(path: Path = GATE_PATH) -> Gate:
    """The shipped limits (read once); no file means no gate."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Gate()
    return Gate(float(doc["min_cover"]), float(doc["max_unmatched"]), float(doc["max_names_missed"]),
                float(doc["max_words"]))
