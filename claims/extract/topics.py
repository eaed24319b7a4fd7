"""Topic assignment from the catalog's keywords: a main topic and any further ones per claim.

A claim is filed under the topics whose keywords it mentions; a short quote ("We have to do it")
often names no topic at all, so its sentence and the sentences around it are consulted before
falling back to the catalog's fallback topic. Keywords match on word boundaries, any case, with
hyphen, space or nothing between their parts ("cease-fire" = "ceasefire" = "cease fire") and an
optional plural ending. A longer keyword hides the shorter ones it contains ("trade war" is not also
"war"), and counts for each of its words, because it is more specific.

Some keywords are *weak* (``weak`` in ``topics.toml``): "Russia" belongs to the Ukraine war only in
a story that is about that war. A weak keyword counts only when a strong keyword of the same topic
appears near the claim (its sentence and paragraph) or, at ingest, when its article is clearly about
that topic; alone it files nothing. Weak keywords need not be among the keywords the matcher reads
to understand questions ("Republicans" supports the election topic without making every question
about Republicans a question about elections).

A configured topic needs real evidence, not one loose keyword: the claim's own words file it, but
a keyword only in the claim's sentence or paragraph counts when the article mentions the topic at
least twice (``MIN_MENTIONS``), and a claim inherits its article's topic only when the article keeps
returning to it (``ARTICLE_MIN_DENSITY``). "Peace talks", once, in a 2016 story about 1972 does not
make a claim a cease-fire claim.

``classify`` gives the extractor one topic; ``assign`` gives ingest the main topic and the further
ones, using the whole article as the last resort: a claim that names no topic inherits the topic its
article is clearly about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from claims.catalog import Catalog, TopicEntry

ARTICLE_MIN_HITS = 3.0
"""Strong keyword weight an article needs before its claims may inherit its topic."""
ARTICLE_MIN_SHARE = 0.5
"""... and the share of all strong keyword weight in the article that topic must hold."""
ARTICLE_MIN_DENSITY = 0.08
"""... and its strong keyword weight per sentence: a story that mentions NATO three times in sixty
sentences is not a story about NATO (tuned on PolNeAR train, where stories about a subject run
0.1-0.26 and passing mentions 0.01-0.06)."""
MIN_MENTIONS = 2
"""Strong keyword mentions an article needs before its sentences' keywords file a claim: one loose
mention ("peace talks" in a story about 1972) is not a subject of the story."""
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?:\s|$)")


@dataclass(frozen=True, slots=True)
class TopicAssignment:
    """The topics of one claim: the main one (``None``: nothing configured fits) and further ones."""

    main: str | None
    further: tuple[str, ...] = ()

    @property
    def slugs(self) -> tuple[str, ...]:
        return ((self.main,) if self.main else ()) + self.further


@dataclass(slots=True)
class _Hits:
    strong: float = 0.0
    weak: float = 0.0
    mentions: int = 0
    """How many times a strong keyword occurs (``strong`` weighs longer keywords more)."""


class TopicClassifier:
    """Compiled keyword patterns for one catalog; build once with :func:`classifier_for`."""

    def __init__(self, topics: tuple[TopicEntry, ...], fallback: str) -> None:
        self.fallback = fallback
        self._slugs = [t.slug for t in topics]
        self._last_article: tuple[str, int | None] | None = None
        self._last_mentions: tuple[str, dict[int, int]] | None = None
        alternatives: list[str] = []
        self._group_topic: dict[str, tuple[int, float, bool]] = {}
        keyed = []
        for ti, topic in enumerate(topics):
            weak = {_key(w) for w in topic.weak}
            for kw in dict.fromkeys((*topic.keywords, *topic.weak)):
                words = re.findall(r"\w+", kw)
                if words:
                    keyed.append((len("".join(words)), ti, words, _key(kw) in weak))
        # Longest keywords first, so the regex alternation prefers them at the same position.
        keyed.sort(key=lambda k: -k[0])
        for gi, (_, ti, words, is_weak) in enumerate(keyed):
            name = f"k{gi}"
            body = r"[\s\-‐‑–]?".join(re.escape(w) for w in words)
            alternatives.append(f"(?P<{name}>{body}(?:e?s)?)")
            self._group_topic[name] = (ti, float(len(words)), is_weak)
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
            if alternatives
            else None
        )

    def _hits(self, texts: Sequence[str]) -> dict[int, _Hits]:
        out: dict[int, _Hits] = {}
        if self._pattern is None:
            return out
        for text in texts:
            for m in self._pattern.finditer(text or ""):
                name = m.lastgroup
                if name is None:
                    continue
                ti, weight, weak = self._group_topic[name]
                hits = out.setdefault(ti, _Hits())
                if weak:
                    hits.weak += weight
                else:
                    hits.strong += weight
                    hits.mentions += 1
        return out

    def scores(self, text: str, support: Sequence[str] = (), backed: frozenset[int] = frozenset()
               ) -> dict[int, float]:
        """Keyword weight per topic index found in ``text``.

        Weak keywords count only for topics with a strong keyword in ``text`` or in ``support``,
        or listed in ``backed``.
        """
        return self._weigh(self._hits((text,)), lambda: backed | self._strong(support))

    def _strong(self, texts: Sequence[str]) -> frozenset[int]:
        return frozenset(ti for ti, h in self._hits(texts).items() if h.strong)

    @staticmethod
    def _weigh(hits: dict[int, _Hits], backed: Callable[[], frozenset[int]]) -> dict[int, float]:
        """Strong weight; a backed topic with only weak keywords here gets half their weight
        (``backed`` is asked only when needed). Weak words never outweigh another topic's strong
        ones: "vote" beside "election" does not make a Greenland claim an election claim."""
        out: dict[int, float] = {}
        for ti, h in hits.items():
            if h.strong:
                out[ti] = h.strong
            elif h.weak and ti in backed():
                out[ti] = h.weak / 2
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
        return self.assign(claim, sentence, context, wider).main or self.fallback

    def assign(
        self,
        claim: str,
        sentence: str = "",
        context: Sequence[str] = (),
        wider: Sequence[str] = (),
        article: str = "",
        *,
        from_article: bool = True,
    ) -> TopicAssignment:
        """The main topic and further topics of a claim.

        Every topic the claim or its sentence names is one of its topics, the strongest (the claim's
        own words first) being the main one. A claim whose sentence names none takes its main topic
        from its paragraph, then from ``wider``, then (``from_article``) from the article when the
        article is clearly about one topic. Weak keywords count when the same topic has a strong
        keyword anywhere in these texts, or the article is clearly about it.
        """
        known: list[frozenset[int]] = []

        def backed() -> frozenset[int]:  # scanned only when a weak keyword needs it
            if not known:
                dominant = self._article_topic(article)
                extra = frozenset({dominant}) if dominant is not None else frozenset()
                known.append(self._strong((claim, sentence, *context, *wider)) | extra)
            return known[0]

        own = self._weigh(self._hits((claim,)), backed)
        near = self._weigh(self._hits((sentence,)), backed) if sentence else {}
        if article:  # the sentence's words count when the article returns to the subject
            near = {ti: s for ti, s in near.items() if ti in own or self._mentioned(ti, article)}
        if own or near:
            merged = dict(near)
            for ti, s in own.items():
                merged[ti] = 100.0 + s  # the claim's own words decide
            ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
            return TopicAssignment(self._slugs[ranked[0][0]],
                                   tuple(self._slugs[ti] for ti, _ in ranked[1:]))
        for texts in (tuple(context), tuple(wider)):
            total = self._weigh(self._hits(texts), backed)
            if article:
                total = {ti: s for ti, s in total.items() if self._mentioned(ti, article)}
            if total:
                best = max(total.items(), key=lambda kv: (kv[1], -kv[0]))
                return TopicAssignment(self._slugs[best[0]])
        return TopicAssignment(self.article_topic(article) if from_article else None)

    def supported(self, slug: str, article: str) -> bool:
        """Whether an article mentions a topic often enough (``MIN_MENTIONS`` strong keywords) for
        a claim to inherit it from the sentences around it; without an article, always."""
        if not article or slug not in self._slugs:
            return True
        return self._mentioned(self._slugs.index(slug), article)

    def _mentioned(self, ti: int, article: str) -> bool:
        last = self._last_mentions
        if last is None or last[0] is not article:
            last = (article, {t: h.mentions for t, h in self._hits((article,)).items()})
            self._last_mentions = last
        return last[1].get(ti, 0) >= MIN_MENTIONS

    def article_topic(self, article: str) -> str | None:
        """The topic an article is clearly about (most strong keywords, by a margin), if any."""
        ti = self._article_topic(article)
        return self._slugs[ti] if ti is not None else None

    def _article_topic(self, article: str) -> int | None:
        if not article:
            return None
        last = self._last_article
        if last is not None and last[0] is article:  # every claim of an article asks again
            return last[1]
        hits = {ti: h.strong for ti, h in self._hits((article,)).items() if h.strong}
        total = sum(hits.values())
        found = None
        if hits:
            ti, best = max(hits.items(), key=lambda kv: (kv[1], -kv[0]))
            sentences = max(1, len(_SENTENCE_END.findall(article)))
            found = ti if (best >= ARTICLE_MIN_HITS and best / total >= ARTICLE_MIN_SHARE
                           and best / sentences >= ARTICLE_MIN_DENSITY) else None
        self._last_article = (article, found)
        return found


def _key(keyword: str) -> str:
    return " ".join(re.findall(r"\w+", keyword.casefold()))


def classifier_for(catalog: Catalog) -> TopicClassifier:
    """The classifier for a catalog, compiled once per distinct topic list."""
    return _compiled(catalog.topics, catalog.fallback_topic)


@lru_cache(maxsize=8)
def _compiled(topics: tuple[TopicEntry, ...], fallback: str) -> TopicClassifier:
    return TopicClassifier(topics, fallback)
