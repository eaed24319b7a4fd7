"""Question matching: find the stored claims that answer a user's question, best first.

Two stages, because a fuzzy comparison with every claim is both slow (linear in the claims) and
poor (partial matches tie thousands of claims): an inverted index with BM25 (``claims.search.index``)
proposes a few dozen candidates in about a millisecond, then each candidate is rescored exactly on
evidence a reader would accept: how much of the question it covers, how much of the claim the
question restates, fuzzy similarity, the speaker and topic asked about, and recency. The combined
score lies in [0, 1] and is calibrated so that a question the store cannot answer gets no match
instead of the least bad one.

The matcher holds only ``ClaimDoc`` values in memory; the store builds them and keeps the matcher
current through ``upsert`` and ``remove``.
"""

from __future__ import annotations

import heapq
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from claims.catalog import Catalog
from claims.errors import ConfigError
from claims.search.index import InvertedIndex
from claims.search.query import Query, QueryParser, content_stems, index_terms, speaker_key
from claims.settings import config_file

__all__ = ["ClaimDoc", "Match", "Matcher", "load_synonyms"]

# Field weights: a word of the claim counts fully, its title and labels a little less.
TITLE_WEIGHT = 1.0
SPEAKER_WEIGHT = 1.0
TOPIC_WEIGHT = 0.5

DEPTH = 40
"""Candidates rescored exactly per question."""

# Rescoring: weights of the evidence (they sum to 1) and bonuses on top. Tuned jointly on the
# labelled questions and CheckThat! 2020 train (never dev): short questions are judged by how much
# of them a claim covers, pasted texts by how much matched evidence they hold in absolute terms.
W_EVIDENCE = 0.30  # max(share of the question covered, saturated matched idf mass)
W_CLAIM = 0.20  # idf-weighted share of the claim's words found in the question
W_FUZZY = 0.20  # rapidfuzz token_set_ratio of stems: typo- and order-tolerant overlap
W_BM25 = 1.2  # exact BM25 relative to the best candidate: the ranking backbone (the sum is renormalised)
MASS_SCALE = 15.0  # matched idf mass at which evidence reaches 1 - 1/e
SPEAKER_BONUS = 0.10
TOPIC_BONUS = 0.08
RECENCY_BONUS = 0.03
RECENCY_HALF_LIFE_DAYS = 180.0
BACKGROUND_DOCS = 500
"""Pretend-background collection for word weights, so a small index doesn't overrate unseen words."""

THRESHOLD = 0.28
"""A candidate whose score before the relative BM25 share is below this is not an answer.

The relative share always crowns the best candidate, however poor, so it must not decide whether
there is an answer at all (calibrated on the off-topic questions in tests/claims/questions)."""
MIN_EVIDENCE = 0.45
"""An answer that shares neither speaker nor topic with the question must cover at least this share
of it (or hold as much matched evidence): one shared common word ("way", "work") is no answer."""
RELATIVE_CUT = 0.6
"""Further answers must score at least this fraction of the best one."""


@dataclass(frozen=True, slots=True)
class ClaimDoc:
    """What the matcher indexes for one claim."""

    id: int
    text: str
    speaker: str | None = None
    speaker_aliases: tuple[str, ...] = ()
    topic: str | None = None  # slug, e.g. "ceasefire"
    topic_name: str | None = None  # e.g. "Cease-fire"
    title: str | None = None  # source article title
    published_at: datetime | None = None  # tz-aware UTC
    context: str | None = None  # the claim's context sentence(s): indexed at a lower weight
    other_topics: tuple[str, ...] = ()  # display names of the claim's further topics


@dataclass(frozen=True, slots=True)
class Match:
    """One answer to a question."""

    claim_id: int
    score: float  # in [0, 1]
    why: str  # short explanation: which terms/speaker/topic matched


def load_synonyms(config_dir: Path) -> dict[str, list[str]]:
    """Read ``synonyms.toml``: each word or phrase with its equivalents (a folder without one uses
    the shipped default; no file at all means none).

    Equivalence is symmetric in the matcher, so each group needs writing down only once.
    """
    path = config_file(config_dir, "synonyms.toml")
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path.name} is not valid TOML: {exc}") from exc
    table = doc.get("synonyms", doc)
    out: dict[str, list[str]] = {}
    for head, equivalents in table.items():
        if not isinstance(equivalents, list) or not all(isinstance(e, str) for e in equivalents):
            raise ConfigError(f"config: synonyms for {head!r} must be a list of strings")
        out[head] = list(equivalents)
    return out


LABEL_CREDIT = 0.5
"""A question word found only in the title, speaker or topic of a claim counts this much."""
TOPIC_CREDIT = 0.8
"""... unless it names the claim's topic and the question is about that topic."""


@lru_cache(maxsize=32_768)
def _claim_stems(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(content_stems(text)))


@lru_cache(maxsize=32_768)
def _claim_terms(text: str) -> frozenset[str]:
    return frozenset(index_terms(text))


@dataclass(slots=True)
class _Scored:
    doc: int
    score: float
    coverage: float
    matched: list[str]
    speaker: bool
    topic: bool
    claim_coverage: float = 0.0
    fuzzy: float = 0.0
    bm25: float = 0.0
    mass: float = 0.0  # matched idf mass (unsaturated)
    absolute: float = 0.0  # the score before the relative BM25 share: what decides "no match"


class Matcher:
    """Answers questions from an in-memory index of claims; cheap to update one claim at a time."""

    def __init__(
        self, catalog: Catalog, synonyms: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self._catalog = catalog
        self._parser = QueryParser(catalog, synonyms)
        self._index = InvertedIndex(self._recount)
        self._docs: list[ClaimDoc | None] = []
        self._number: dict[int, int] = {}  # claim id -> document number
        self._speaker_keys: dict[str, str] = {}  # speaker as stored -> comparison key
        self._speaker_claims: dict[str, int] = {}  # comparison key -> live claims

    @classmethod
    def build(
        cls,
        docs: Iterable[ClaimDoc],
        *,
        catalog: Catalog,
        synonyms: Mapping[str, Sequence[str]] | None = None,
    ) -> Matcher:
        """Index many claims at once (start-up): one pass, one consistent BM25 length norm."""
        matcher = cls(catalog, synonyms)
        latest: dict[int, ClaimDoc] = {}
        for doc in docs:
            latest[doc.id] = doc
        for doc in latest.values():
            matcher._register(doc)
            matcher._number[doc.id] = len(matcher._docs)
            matcher._docs.append(doc)
            matcher._count_speaker(doc, 1)
        matcher._index.bulk_add(matcher._counts(doc) for doc in latest.values())
        return matcher

    def __len__(self) -> int:
        return len(self._number)

    def upsert(self, doc: ClaimDoc) -> None:
        """Add a claim, or replace it after a revision; touches only this claim's postings."""
        old = self._number.pop(doc.id, None)
        if old is not None:
            self._forget(old)
        self._register(doc)
        self._number[doc.id] = len(self._docs)
        self._docs.append(doc)
        self._count_speaker(doc, 1)
        self._index.add(self._counts(doc))
        self._maybe_compact()

    def remove(self, claim_id: int) -> None:
        """Forget a retracted or merged claim; unknown ids are ignored."""
        number = self._number.pop(claim_id, None)
        if number is None:
            return
        self._forget(number)
        self._maybe_compact()

    def ask(self, question: str, *, limit: int = 3) -> list[Match]:
        """The claims that answer ``question``, best first; ``[]`` when none answers it."""
        if limit <= 0 or not self._number or not question or question.isspace():
            return []
        query = self._parser.parse(question, self._index)
        if query.empty:
            return []
        scored = self._rescore(query, self._candidates(query))
        if not scored:
            return []
        scored.sort(key=lambda s: (-s.score, s.doc))
        best = scored[0].score
        out: list[Match] = []
        for s in scored:
            if len(out) >= limit or s.score < RELATIVE_CUT * best:
                break
            anchored = s.speaker or s.topic or query.subject is not None
            if s.absolute < THRESHOLD or (not anchored and self._evidence(s) < MIN_EVIDENCE):
                break
            doc = self._docs[s.doc]
            assert doc is not None
            out.append(Match(doc.id, round(s.score, 4), self._why(query, s)))
        return out

    # -- indexing ------------------------------------------------------------------------------

    def _register(self, doc: ClaimDoc) -> None:
        if doc.speaker:
            if doc.speaker not in self._speaker_keys:
                self._speaker_keys[doc.speaker] = self._parser.add_speaker(
                    doc.speaker, doc.speaker_aliases
                )
            elif doc.speaker_aliases:
                self._parser.add_speaker(doc.speaker, doc.speaker_aliases)
        if doc.topic:
            self._parser.add_topic(doc.topic, doc.topic_name)

    def _forget(self, number: int) -> None:
        doc = self._docs[number]
        if doc is not None:
            self._count_speaker(doc, -1)
        self._index.remove(number)
        self._docs[number] = None

    def _count_speaker(self, doc: ClaimDoc, delta: int) -> None:
        key = self._speaker_of(doc)
        if key is not None:
            self._speaker_claims[key] = self._speaker_claims.get(key, 0) + delta

    def _counts(self, doc: ClaimDoc) -> dict[str, float]:
        counts: dict[str, float] = {}
        for term in index_terms(doc.text):
            counts[term] = counts.get(term, 0.0) + 1.0
        if doc.title:
            for term in index_terms(doc.title):
                counts[term] = counts.get(term, 0.0) + TITLE_WEIGHT
        labels: dict[str, float] = {}
        if doc.speaker:
            for name in (doc.speaker, *doc.speaker_aliases):
                for term in index_terms(name):
                    labels[term] = SPEAKER_WEIGHT
        if doc.topic_name or doc.topic:
            for term in index_terms(doc.topic_name or doc.topic.replace("-", " ")):  # type: ignore[union-attr]
                labels.setdefault(term, TOPIC_WEIGHT)
        for term, weight in labels.items():
            counts[term] = counts.get(term, 0.0) + weight
        return counts

    def _recount(self, number: int) -> dict[str, float]:
        doc = self._docs[number]
        return self._counts(doc) if doc is not None else {}

    def _maybe_compact(self) -> None:
        if not self._index.needs_compaction():
            return
        mapping = self._index.compact()
        self._docs = [self._docs[old] for old in mapping]
        self._number = {doc.id: n for n, doc in enumerate(self._docs) if doc is not None}

    def _speaker_of(self, doc: ClaimDoc) -> str | None:
        if not doc.speaker:
            return None
        key = self._speaker_keys.get(doc.speaker)
        return key if key is not None else speaker_key(doc.speaker)

    # -- retrieval and rescoring ---------------------------------------------------------------

    def _candidates(self, query: Query) -> list[int]:
        weighted: dict[str, float] = {}
        for concept in query.concepts:
            for term, weight in concept.alts.items():
                if weight > weighted.get(term, 0.0):
                    weighted[term] = weight
        if query.subject is not None and not self._speaker_claims.get(query.subject):
            query.subject = None  # nothing stored from them: claims that mention them will do
        acc = self._index.candidates(weighted, DEPTH)
        docs = self._docs
        subject = query.subject
        if subject is not None:
            acc = {
                n: s
                for n, s in acc.items()
                if (d := docs[n]) is not None and self._speaker_of(d) == subject
            }
        ranked = heapq.nlargest(2 * DEPTH, acc, key=acc.__getitem__)
        return [n for n in ranked if docs[n] is not None][:DEPTH]

    def _rescore(self, query: Query, numbers: list[int]) -> list[_Scored]:
        index = self._index
        concepts = [
            c for c in query.concepts if query.subject is None or c.speaker != query.subject
        ]
        weights: list[float] = []
        for c in concepts:
            # A misspelling or synonym nobody used weighs as the known words it stands for; a
            # concept with no known word at all keeps its full weight and counts against coverage.
            known = [t for t in c.alts if index.df(t)]
            weights.append(max(self._weight(t) for t in (known or c.alts)))
        total = sum(weights)
        asked = {t for c in query.concepts for t in c.alts}
        newest = max(
            (d.published_at for n in numbers if (d := self._docs[n]) and d.published_at),
            default=None,
        )
        out: list[_Scored] = []
        for number in numbers:
            doc = self._docs[number]
            assert doc is not None
            got = bm25 = 0.0
            matched: list[str] = []
            own = _claim_terms(doc.text)
            doc_speaker = self._speaker_of(doc)
            on_topic = (
                _claim_terms(doc.topic_name)
                if doc.topic is not None and doc.topic in query.topics and doc.topic_name
                else frozenset()
            )  # the topic asked about is the claim's: its name is nearly as good as its words
            for concept, weight in zip(concepts, weights, strict=True):
                best = lexical = 0.0
                via = ""
                for term, w in concept.alts.items():
                    impact = index.impact(term, number)
                    if not impact:
                        continue
                    lexical = max(lexical, w * impact * index.idf(term))
                    if term not in own:
                        if concept.speaker is not None:
                            if concept.speaker != doc_speaker:
                                continue  # a name in the title is not the named person speaking
                        else:  # the person named is the one speaking: as good as their words
                            w *= TOPIC_CREDIT if term in on_topic else LABEL_CREDIT
                    if w > best:
                        best, via = w, term
                bm25 += lexical
                if best:
                    got += weight * best
                    first = next(iter(concept.alts))
                    matched.append(concept.surface if via == first else f"{concept.surface}~{via}")
            coverage = got / total if total else 1.0
            stems = _claim_stems(doc.text)
            claim_total = sum(self._weight(t) for t in stems) or 1.0
            claim_coverage = sum(self._weight(t) for t in stems if t in asked) / claim_total
            fuzzy = fuzz.token_set_ratio(query.text, " ".join(stems)) / 100.0 if total else 1.0
            speaker = bool(query.speakers) and self._speaker_of(doc) in query.speakers
            topic = doc.topic is not None and doc.topic in query.topics
            bonus = (SPEAKER_BONUS if speaker else 0.0) + (TOPIC_BONUS if topic else 0.0)
            if newest is not None and doc.published_at is not None:
                age = (newest - doc.published_at).total_seconds() / 86_400.0
                bonus += RECENCY_BONUS * math.exp(-math.log(2) * age / RECENCY_HALF_LIFE_DAYS)
            evidence = max(coverage, 1.0 - math.exp(-got / MASS_SCALE))
            score = W_EVIDENCE * evidence + W_CLAIM * claim_coverage + W_FUZZY * fuzzy + bonus
            out.append(
                _Scored(
                    number, score, coverage, matched, speaker, topic, claim_coverage, fuzzy, bm25,
                    got,
                )
            )
        top = max((s.bm25 for s in out), default=0.0)
        for s in out:
            relative = s.bm25 / top if top else 1.0
            s.absolute = s.score
            s.score = min(1.0, max(0.0, (s.score + W_BM25 * relative) / (1.0 + W_BM25)))
        return out

    @staticmethod
    def _evidence(s: _Scored) -> float:
        return max(s.coverage, 1.0 - math.exp(-s.mass / MASS_SCALE))

    def _weight(self, term: str) -> float:
        """How telling a word is: idf against the index plus a background of unseen documents."""
        n = len(self._index) + BACKGROUND_DOCS
        return math.log(1.0 + n / (self._index.df(term) + 0.5))

    def _why(self, query: Query, s: _Scored) -> str:
        doc = self._docs[s.doc]
        assert doc is not None
        parts: list[str] = []
        if query.subject is not None:
            parts.append(f"speaker: {self._parser.speaker_name(query.subject)}")
        elif s.speaker and doc.speaker:
            parts.append(f"speaker: {doc.speaker}")
        if s.topic and doc.topic:
            parts.append(f"topic: {doc.topic_name or self._parser.topic_name(doc.topic)}")
        if s.matched:
            parts.append("terms: " + ", ".join(dict.fromkeys(s.matched)))
        if query.notes:
            parts.append("read " + ", ".join(query.notes))
        return "; ".join(parts) or "matched"
