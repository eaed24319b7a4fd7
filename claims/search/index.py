"""An inverted index with BM25 scoring in numpy: fast to query, to update and to save at 1M documents.

Two segments. The *base* is a compressed-sparse-row table (per term: document numbers, ascending,
and weighted term counts) built in one vectorised pass; it can be memory-mapped from a snapshot.
The *tail* holds the postings of documents added since, one small ``array`` pair per term, and is
folded into the base (``merge``) once it grows past an eighth of it. A forward index (per document:
its terms, counts and the fields they came from) makes merging, compaction and rescoring possible
without re-reading any text.

BM25's length normalisation is applied at query time from the current average document length, so
an index grown one document at a time scores exactly like one built at once. Removal leaves a
tombstone; once tombstones make up a quarter of the documents the index is compacted and
renumbered (the caller gets the old-to-new mapping).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from claims.search.columns import Column

K1 = 1.2
B = 0.75
LONG_LIST = 20_000
"""Posting lists longer than this are probed, not scanned, once there are enough candidates."""
PROBE_FACTOR = 8
"""Probe this many times ``depth`` of the best candidates so far."""

# Where a term of a document came from (bit flags in the forward index).
TEXT, TITLE, SPEAKER, TOPIC, CONTEXT, NAME, NUMBER = 1, 2, 4, 8, 16, 32, 64
LABELS = SPEAKER | TOPIC

Ints = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float32]


class InvertedIndex:
    """BM25 over weighted term counts; documents are numbered internally from 0 upwards."""

    def __init__(self, k1: float = K1, b: float = B) -> None:
        self.k1 = k1
        self.b = b
        self.vocab: list[str] = []
        self.term_ids: dict[str, int] = {}
        self.df = Column(np.int32)  # postings per term (removed documents count until merged)
        self._by_initial: dict[str, set[str]] | None = None
        # documents
        self.lengths = Column(np.float32)
        self.alive = Column(np.uint8)
        self._live = 0
        self._total_length = 0.0
        # forward index: per document, its distinct terms with counts and field flags
        self.fwd_off = Column(np.int64, [0])
        self.fwd_term = Column(np.int32)
        self.fwd_tf = Column(np.float32)
        self.fwd_flag = Column(np.uint8)
        # base segment (CSR over terms) and tail segment
        self.base_docs = 0  # documents numbered below this are in the base
        self.base_off: npt.NDArray[np.int64] = np.zeros(1, np.int64)
        self.base_doc: Ints = np.zeros(0, np.int32)
        self.base_tf: Floats = np.zeros(0, np.float32)
        self._tail: dict[int, tuple[array, array]] = {}
        self._tail_postings = 0
        self._norm: Floats = np.zeros(0, np.float32)
        self._norm_avgdl = 0.0
        self._acc: Floats = np.zeros(0, np.float32)
        self._mark: npt.NDArray[np.bool_] = np.zeros(0, np.bool_)

    # -- size and statistics -------------------------------------------------------------------

    def __len__(self) -> int:
        return self._live

    @property
    def capacity(self) -> int:
        """Document numbers handed out so far (live and removed)."""
        return len(self.alive)

    @property
    def avgdl(self) -> float:
        return self._total_length / self._live if self._live else 1.0

    def term_df(self, term: str) -> int:
        """Postings of ``term`` (removed documents count until the next merge)."""
        tid = self.term_ids.get(term)
        return int(self.df.data[tid]) if tid is not None else 0

    def idf_of(self, df: int) -> float:
        """BM25 idf, never negative."""
        n = max(self._live, 1)
        df = min(df, n)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        return self.idf_of(self.term_df(term))

    def is_alive(self, doc: int) -> bool:
        return 0 <= doc < len(self.alive) and bool(self.alive.data[doc])

    def near(self, term: str, max_distance: int) -> list[tuple[str, int]]:
        """Index terms within ``max_distance`` edits of ``term`` sharing its first letter."""
        from claims.search.spelling import near_terms

        if self._by_initial is None:
            self._by_initial = {}
            for known in self.vocab:
                self._by_initial.setdefault(known[:1], set()).add(known)
        bucket = self._by_initial.get(term[:1])
        return near_terms(term, bucket, max_distance) if bucket else []

    # -- updates -------------------------------------------------------------------------------

    def _term_id(self, term: str) -> int:
        tid = self.term_ids.get(term)
        if tid is None:
            tid = self.term_ids[term] = len(self.vocab)
            self.vocab.append(term)
            self.df.append(0)
            if self._by_initial is not None:
                self._by_initial.setdefault(term[:1], set()).add(term)
        return tid

    def _forward(self, fields: Mapping[str, tuple[float, int]]) -> tuple[int, float]:
        """Append one document's forward entries; returns its number and length."""
        doc = len(self.alive)
        length = float(sum(tf for tf, _ in fields.values())) or 1.0
        tids = [self._term_id(t) for t in fields]
        self.fwd_term.extend(tids)
        self.fwd_tf.extend(tf for tf, _ in fields.values())
        self.fwd_flag.extend(flag for _, flag in fields.values())
        self.fwd_off.append(len(self.fwd_term))
        self.lengths.append(length)
        self.alive.append(1)
        self._live += 1
        self._total_length += length
        return doc, length

    def add(self, fields: Mapping[str, tuple[float, int]]) -> int:
        """Index one document given ``term -> (weighted count, field flags)``; returns its number."""
        doc, _ = self._forward(fields)
        df = self.df.data
        for term, (tf, _) in fields.items():
            tid = self.term_ids[term]
            df[tid] += 1
            pair = self._tail.get(tid)
            if pair is None:
                pair = self._tail[tid] = (array("i"), array("f"))
            pair[0].append(doc)
            pair[1].append(tf)
        self._tail_postings += len(fields)
        if self._tail_postings > max(50_000, len(self.base_doc) // 8):
            self.merge()
        return doc

    def bulk_add(self, batch: Iterable[Mapping[str, tuple[float, int]]]) -> range:
        """Add many documents and fold them into the base in one vectorised pass (start-up)."""
        start = len(self.alive)
        for fields in batch:
            self._forward(fields)
        self.merge()
        return range(start, len(self.alive))

    def remove(self, doc: int) -> None:
        """Tombstone a document (its postings go at the next merge)."""
        if not self.is_alive(doc):
            return
        self.alive.data[doc] = 0
        self._live -= 1
        self._total_length -= float(self.lengths.data[doc])

    def needs_compaction(self) -> bool:
        dead = len(self.alive) - self._live
        return dead > 1000 and dead > len(self.alive) // 4

    def compact(self) -> npt.NDArray[np.int64]:
        """Drop removed documents and renumber the rest densely; returns the kept old numbers
        (``kept[new] == old``)."""
        alive = self.alive.view().astype(bool)
        kept = np.flatnonzero(alive).astype(np.int64)
        off = self.fwd_off.view()
        counts = np.diff(off)[kept]
        entries = _ranges(off[kept], counts)
        self.fwd_term = Column.of(self.fwd_term.view()[entries])
        self.fwd_tf = Column.of(self.fwd_tf.view()[entries])
        self.fwd_flag = Column.of(self.fwd_flag.view()[entries])
        self.fwd_off = Column.of(np.concatenate(([0], np.cumsum(counts))).astype(np.int64))
        self.lengths = Column.of(self.lengths.view()[kept])
        self.alive = Column.of(np.ones(len(kept), np.uint8))
        self.base_docs = 0
        self.merge()
        return kept

    def merge(self) -> None:
        """Rebuild the base from the forward index of live documents; empties the tail."""
        off = self.fwd_off.view()
        n_docs = len(self.alive)
        counts = np.diff(off)
        owner = np.repeat(np.arange(n_docs, dtype=np.int32), counts)
        live = self.alive.view().astype(bool)[owner]
        terms = self.fwd_term.view()[live]
        order = np.argsort(terms, kind="stable")  # stable: documents stay ascending per term
        self.base_doc = owner[live][order]
        self.base_tf = self.fwd_tf.view()[live][order]
        df = np.bincount(terms, minlength=len(self.vocab)).astype(np.int32)
        self.base_off = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        self.df = Column.of(df)
        self.base_docs = n_docs
        self._tail = {}
        self._tail_postings = 0
        self._norm_avgdl = 0.0

    # -- persistence ---------------------------------------------------------------------------

    def export_state(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        """Arrays and scalars that ``restore`` turns back into this index (merges the tail)."""
        if self._tail:
            self.merge()
        arrays = {
            "vocab": np.frombuffer("\n".join(self.vocab).encode("utf-8"), np.uint8),
            "df": self.df.view(), "lengths": self.lengths.view(), "alive": self.alive.view(),
            "fwd_off": self.fwd_off.view(), "fwd_term": self.fwd_term.view(),
            "fwd_tf": self.fwd_tf.view(), "fwd_flag": self.fwd_flag.view(),
            "base_off": self.base_off, "base_doc": self.base_doc, "base_tf": self.base_tf,
        }
        scalars = {"k1": self.k1, "b": self.b, "live": self._live,
                   "total_length": self._total_length, "base_docs": self.base_docs,
                   "terms": len(self.vocab)}
        return arrays, scalars

    @classmethod
    def restore(cls, arrays: Mapping[str, npt.NDArray[Any]], scalars: Mapping[str, Any]) -> InvertedIndex:
        """An index from ``export_state`` output (arrays may be memory-mapped)."""
        index = cls(float(scalars["k1"]), float(scalars["b"]))
        blob = bytes(arrays["vocab"]).decode("utf-8")
        index.vocab = blob.split("\n") if blob else []
        if len(index.vocab) != int(scalars["terms"]):
            raise ValueError("vocabulary size does not match")
        index.term_ids = dict(zip(index.vocab, range(len(index.vocab)), strict=True))
        for name in ("df", "lengths", "alive", "fwd_off", "fwd_term", "fwd_tf", "fwd_flag"):
            setattr(index, name, Column.of(arrays[name]))
        index.base_off, index.base_doc = arrays["base_off"], arrays["base_doc"]
        index.base_tf = arrays["base_tf"]
        index._live = int(scalars["live"])
        index._total_length = float(scalars["total_length"])
        index.base_docs = int(scalars["base_docs"])
        docs = len(index.alive)
        if (len(index.lengths) != docs or len(index.fwd_off) != docs + 1
                or len(index.df) != len(index.vocab) or len(index.base_off) != len(index.vocab) + 1
                or index.base_docs != docs):
            raise ValueError("array sizes do not match")
        return index

    # -- scoring -------------------------------------------------------------------------------

    def norms(self) -> Floats:
        """Per-document BM25 length norms, refreshed when the average length has moved."""
        avgdl = self.avgdl
        if len(self._norm) != len(self.lengths) or abs(avgdl / (self._norm_avgdl or 1.0) - 1) > 0.01:
            self._norm = (self.k1 * (1.0 - self.b + self.b * self.lengths.view() / avgdl)).astype(
                np.float32
            )
            self._norm_avgdl = avgdl
        return self._norm

    def postings(self, tid: int) -> list[tuple[Ints, Floats]]:
        """The posting lists of a term: the base slice, then the tail (document numbers ascend)."""
        out: list[tuple[Ints, Floats]] = []
        if tid + 1 < len(self.base_off):
            lo, hi = int(self.base_off[tid]), int(self.base_off[tid + 1])
            if hi > lo:
                out.append((self.base_doc[lo:hi], self.base_tf[lo:hi]))
        pair = self._tail.get(tid)
        if pair is not None:
            out.append(
                (np.frombuffer(pair[0], np.int32).copy(), np.frombuffer(pair[1], np.float32).copy())
            )
        return out

    def impacts(self, docs: Ints, tfs: Floats) -> Floats:
        """BM25 term-frequency factors of postings."""
        return tfs * (self.k1 + 1.0) / (tfs + self.norms()[docs])

    def candidates(self, weighted: Mapping[str, float], depth: int) -> tuple[Ints, Floats]:
        """Approximate BM25 scores of the documents that can reach the top ``depth``.

        Terms are visited rarest first and their lists scanned, except that a long list met when
        there are enough candidates already is only probed for the best of them (by bisection),
        so a question full of common words costs about one scan of its rarest word. Removed
        documents may appear in the result: the caller drops them after selection.
        """
        terms = [
            (tid, w * self.idf_of(int(self.df.data[tid])))
            for t, w in weighted.items()
            if w > 0 and (tid := self.term_ids.get(t)) is not None and self.df.data[tid] > 0
        ]
        terms.sort(key=lambda tw: int(self.df.data[tw[0]]))
        if len(self._acc) < len(self.alive):
            self._acc = np.zeros(max(len(self.alive), 2 * len(self._acc)), np.float32)
            self._mark = np.zeros(len(self._acc), np.bool_)
        acc = self._acc
        touched: list[Ints] = []
        seen = 0
        best: Ints | None = None
        for tid, weight in terms:
            for docs, tfs in self.postings(tid):
                if seen >= depth and len(docs) > LONG_LIST:
                    if best is None:
                        pool = self._distinct(touched)
                        k = min(PROBE_FACTOR * depth, len(pool))
                        best = pool[np.argpartition(-acc[pool], k - 1)[:k]]
                    at = np.searchsorted(docs, best)
                    at[at >= len(docs)] = 0
                    hit = docs[at] == best
                    found = best[hit]
                    acc[found] += weight * self.impacts(found, tfs[at[hit]])
                else:
                    acc[docs] += weight * self.impacts(docs, tfs)
                    touched.append(docs)
                    seen += len(docs)
        if not touched:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        pool = self._distinct(touched) if len(touched) > 1 else touched[0]
        scores = acc[pool].copy()
        acc[pool] = 0.0
        return pool, scores

    def _distinct(self, lists: list[Ints]) -> Ints:
        """The sorted distinct documents of these posting lists: each marked in a scratch array the
        size of the index, then read back in order. Sorting the lists joined cost a millisecond a
        call on a question of common words at 100,000 claims (``np.unique`` hashes, slower still);
        this is a pass over the postings and one over the marks. The scratch array is shared, as
        ``_acc`` is: questions hold the index's lock."""
        mark = self._mark
        for docs in lists:
            mark[docs] = True
        pool = np.flatnonzero(mark).astype(np.int32)
        mark[pool] = False
        return pool

    def forward(self, doc: int) -> tuple[Ints, Floats, npt.NDArray[np.uint8]]:
        """A document's distinct terms (ids), weighted counts and field flags."""
        lo, hi = int(self.fwd_off.data[doc]), int(self.fwd_off.data[doc + 1])
        return self.fwd_term.data[lo:hi], self.fwd_tf.data[lo:hi], self.fwd_flag.data[lo:hi]


def _ranges(starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Concatenated ``range(start, start + count)`` for each pair, vectorised."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64)
    ends = np.cumsum(counts)
    shift = np.repeat(starts - (ends - counts), counts)
    return np.arange(total, dtype=np.int64) + shift
