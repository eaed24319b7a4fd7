"""Topic classification from the catalog's keywords.

A claim is filed under the topic whose keywords it mentions; a short quote ("We have to do it")
often names no topic at all, so its sentence and the sentences around it are consulted with less
weight before falling back to the catalog's fallback topic. Keywords match on word boundaries, any
case, with hyphen, space or nothing between their parts ("cease-fire" = "ceasefire" =
"cease fire") and an optional plural ending. A longer keyword hides the shorter ones it contains
("trade war" is not also "war"), and counts for each of its words, because it is more specific.
The claim decides when it names a topic; only if it names none is its sentence consulted, and only
then the neighbouring sentences of the same paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from claims.catalog import Catalog, TopicEntry


class TopicClassifier:
    """Compiled keyword patterns for one catalog; build once with :func:`classifier_for`."""

    def __init__(self, topics: tuple[TopicEntry, ...], fallback: str) -> None:
        self.fallback = fallback
        self._slugs = [t.slug for t in topics]
        alternatives: list[str] = []
        self._group_topic: dict[str, tuple[int, float]] = {}
        keyed = []
        for ti, topic in enumerate(topics):
            for kw in topic.keywords:
                words = re.findall(r"\w+", kw)
                if words:
                    keyed.append((len("".join(words)), ti, words))
        # Longest keywords first, so the regex alternation prefers them at the same position.
        keyed.sort(key=lambda k: -k[0])
        for gi, (_, ti, words) in enumerate(keyed):
            name = f"k{gi}"
            body = r"[\s\-‐‑–]?".join(re.escape(w) for w in words)
            alternatives.append(f"(?P<{name}>{body}(?:e?s)?)")
            self._group_topic[name] = (ti, float(len(words)))
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
            if alternatives
            else None
        )

    def scores(self, text: str) -> dict[int, float]:
        """Keyword weight per topic index found in ``text``."""
        out: dict[int, float] = {}
        if self._pattern is None or not text:
            return out
        for m in self._pattern.finditer(text):
            name = m.lastgroup
            if name is None:
                continue
            ti, weight = self._group_topic[name]
            out[ti] = out.get(ti, 0.0) + weight
        return out

    def classify(
        self,
        claim: str,
        sentence: str = "",
        context: Sequence[str] = (),
        wider: Sequence[str] = (),
    ) -> str:
        """The best topic slug for a claim, given its sentence and neighbouring sentences.

        The claim text decides when it names a topic; otherwise the sentence, then the
        neighbours in its paragraph, then ``wider`` (the sentence before the paragraph: a short
        quote often answers the question put just before it). Ties go to the topic listed first.
        """
        for texts in ((claim,), (sentence,), tuple(context), tuple(wider)):
            total: dict[int, float] = {}
            for t in texts:
                for ti, s in self.scores(t).items():
                    total[ti] = total.get(ti, 0.0) + s
            if total:
                best = max(total.items(), key=lambda kv: (kv[1], -kv[0]))
                return self._slugs[best[0]]
        return self.fallback


def classifier_for(catalog: Catalog) -> TopicClassifier:
    """The classifier for a catalog, compiled once per distinct topic list."""
    return _compiled(catalog.topics, catalog.fallback_topic)


@lru_cache(maxsize=8)
def _compiled(topics: tuple[TopicEntry, ...], fallback: str) -> TopicClassifier:
    return TopicClassifier(topics, fallback)
