"""An in-memory inverted index with BM25 scoring, built for incremental updates at 1M documents.

Postings are two parallel ``array`` columns per term (document number, term impact), 8 bytes per
posting instead of a Python object each, which is what keeps a million claims in a few hundred MB.
Document numbers only grow, so every posting list stays sorted: membership of one document in a
term is a binary search, which is what lets the scorer skip long lists (MaxScore, below) and rescore
a short candidate list exactly.

Removal leaves a tombstone; lists are compacted once tombstones make up a quarter of the index.
Impacts bake in the average document length at insertion; when it drifts (a small index that grew)
the index is rebuilt by recounting the live documents (the owner supplies ``recount``), which only
ever happens while it is small.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping

from claims.search.query import near_terms

K1 = 1.2
B = 0.75
_REBUILD_DRIFT = 0.2
LONG_LIST = 5_000
"""Posting lists longer than this are probed, not scanned, once there are enough candidates."""
PROBE_FACTOR = 8
"""Probe this many times ``depth`` of the best candidates so far."""


class InvertedIndex:
    """BM25 over weighted term counts; documents are numbered internally from 0 upwards."""

    def __init__(
        self, recount: Callable[[int], Mapping[str, float]], k1: float = K1, b: float = B
    ) -> None:
        self._recount = recount
        self.k1 = k1
        self.b = b
        self._ids: dict[str, array] = {}
        self._imp: dict[str, array] = {}
        self._by_initial: dict[str, set[str]] = {}
        self._lengths = array("f")
        self._alive = bytearray()
        self._live = 0
        self._total_length = 0.0
        self._avgdl_at_insert = 1.0

    # -- size and statistics -------------------------------------------------------------------

    def __len__(self) -> int:
        return self._live

    @property
    def capacity(self) -> int:
        """Document numbers handed out so far (live and removed)."""
        return len(self._alive)

    def df(self, term: str) -> int:
        """Postings of ``term`` (removed documents count until compaction)."""
        ids = self._ids.get(term)
        return len(ids) if ids is not None else 0

    def idf(self, term: str) -> float:
        """BM25 idf, never negative; an unseen term gets the idf of the rarest possible term."""
        n = max(self._live, 1)
        df = min(self.df(term), n)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def is_alive(self, doc: int) -> bool:
        return 0 <= doc < len(self._alive) and bool(self._alive[doc])

    def near(self, term: str, max_distance: int) -> list[tuple[str, int]]:
        """Index terms within ``max_distance`` edits of ``term`` sharing its first letter."""
        bucket = self._by_initial.get(term[:1])
        if not bucket:
            return []
        return near_terms(term, bucket, max_distance)

    # -- updates -------------------------------------------------------------------------------

    def add(self, counts: Mapping[str, float]) -> int:
        """Index one document given its weighted term counts; returns its document number."""
        doc = len(self._alive)
        length = float(sum(counts.values())) or 1.0
        self._alive.append(1)
        self._lengths.append(length)
        self._live += 1
        self._total_length += length
        if self._live == 1 or self._drifted():
            self._avgdl_at_insert = self._total_length / self._live
            if doc:
                self._rebuild()
                return doc
        self._post(doc, counts, length)
        return doc

    def bulk_add(self, batch: Iterable[Mapping[str, float]]) -> list[int]:
        """Add many documents with one consistent average length (the start-up path)."""
        start = len(self._alive)
        pending: list[Mapping[str, float]] = []
        for counts in batch:
            length = float(sum(counts.values())) or 1.0
            self._alive.append(1)
            self._lengths.append(length)
            self._live += 1
            self._total_length += length
            if not start:
                pending.append(counts)
        if start:
            self._rebuild()
        else:
            self._avgdl_at_insert = self._total_length / max(self._live, 1) or 1.0
            for doc, counts in enumerate(pending):
                self._post(doc, counts, self._lengths[doc])
        return list(range(start, len(self._alive)))

    def remove(self, doc: int) -> None:
        """Tombstone a document; compacts storage when a quarter of it is dead."""
        if not self.is_alive(doc):
            return
        self._alive[doc] = 0
        self._live -= 1
        self._total_length -= self._lengths[doc]

    def needs_compaction(self) -> bool:
        dead = len(self._alive) - self._live
        return dead > 1000 and dead > len(self._alive) // 4

    def compact(self) -> dict[int, int]:
        """Renumber live documents densely; returns old number -> new number.

        ``recount`` is still called with the old numbers while the lists are rebuilt.
        """
        mapping = {doc: new for new, doc in enumerate(d for d, a in enumerate(self._alive) if a)}
        old = list(mapping)
        self._lengths = array("f", (self._lengths[doc] for doc in old))
        self._alive = bytearray(b"\x01" * len(old))
        self._rebuild(old)
        return mapping

    def _drifted(self) -> bool:
        avgdl = self._total_length / max(self._live, 1)
        return abs(avgdl / self._avgdl_at_insert - 1.0) > _REBUILD_DRIFT

    def _rebuild(self, numbering: list[int] | None = None) -> None:
        """Recompute every posting; ``numbering[new] = old`` when documents were renumbered."""
        self._ids = {}
        self._imp = {}
        self._by_initial = {}
        self._avgdl_at_insert = self._total_length / max(self._live, 1) or 1.0
        for doc, alive in enumerate(self._alive):
            if alive:
                old = numbering[doc] if numbering is not None else doc
                self._post(doc, self._recount(old), self._lengths[doc])

    def _post(self, doc: int, counts: Mapping[str, float], length: float) -> None:
        k1 = self.k1
        norm = k1 * (1.0 - self.b + self.b * length / self._avgdl_at_insert)
        ids_of = self._ids
        for term, tf in counts.items():
            ids = ids_of.get(term)
            if ids is None:
                ids = ids_of[term] = array("I")
                self._imp[term] = array("f")
                self._by_initial.setdefault(term[:1], set()).add(term)
            ids.append(doc)
            self._imp[term].append(tf * (k1 + 1.0) / (tf + norm))

    # -- scoring -------------------------------------------------------------------------------

    def impact(self, term: str, doc: int) -> float:
        """The BM25 term-frequency factor of ``term`` in ``doc`` (0 when absent), by bisection."""
        ids = self._ids.get(term)
        if ids is None:
            return 0.0
        at = bisect_left(ids, doc)
        if at < len(ids) and ids[at] == doc:
            return self._imp[term][at]
        return 0.0

    def candidates(self, weighted: Mapping[str, float], depth: int) -> dict[int, float]:
        """Approximate BM25 scores of the documents that can reach the top ``depth``.

        Terms are visited rarest first. A term's whole posting list is scanned only while it can
        still bring new documents into the top ``depth`` (MaxScore) and it is not a long list;
        otherwise only the best documents found so far are probed in it by bisection. A question
        full of common words therefore costs about one scan of its rarest word. Removed documents
        may appear in the result: the caller drops them after selection, which is cheaper.
        """
        terms = [(t, w * self.idf(t)) for t, w in weighted.items() if w > 0 and t in self._ids]
        terms.sort(key=lambda tw: len(self._ids[tw[0]]))
        bound = [0.0] * (len(terms) + 1)
        for i in range(len(terms) - 1, -1, -1):
            bound[i] = bound[i + 1] + terms[i][1] * (self.k1 + 1.0)
        acc: dict[int, float] = {}
        for i, (term, weight) in enumerate(terms):
            ids, imps = self._ids[term], self._imp[term]
            n = len(ids)
            probe: list[int] | None = None
            if len(acc) >= depth and (n > LONG_LIST or n > 8 * len(acc)):
                best = heapq.nlargest(PROBE_FACTOR * depth, acc.items(), key=_second)
                if n > LONG_LIST or best[min(depth, len(best)) - 1][1] >= bound[i]:
                    probe = [doc for doc, _ in best]
            if probe is not None:
                for doc in probe:
                    at = bisect_left(ids, doc)
                    if at < n and ids[at] == doc:
                        acc[doc] += weight * imps[at]
            else:
                get = acc.get
                for doc, imp in zip(ids, imps, strict=True):
                    acc[doc] = get(doc, 0.0) + weight * imp
        return acc


def _second(item: tuple[int, float]) -> float:
    return item[1]
