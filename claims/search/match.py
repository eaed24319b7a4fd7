"""Question matching: find the stored claims that answer a user's question, best first.

Two stages. An inverted index with BM25 (``claims.search.index``) proposes a few dozen candidates in
about a millisecond; then a learned re-ranker (``claims.search.rerank``) orders them on the evidence
``claims.search.features`` measures, and a calibrated probability decides whether the best of them
answers the question at all, so a question the store cannot answer gets no match instead of the
least bad one. Match scores are those probabilities.

The matcher keeps no claim text: per document it holds flat arrays (claim id, speaker, topic,
date) beside the index, which is what lets it hold a million claims and be saved and loaded
quickly (``claims.search.snapshot``). The store builds ``ClaimDoc`` values and keeps the matcher
current through ``upsert`` and ``remove``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from claims.catalog import Catalog
from claims.search.analyse import marked_index_terms
from claims.search.candidates import LEXICAL, RELATED, SIMILAR, Candidates, lexical_ties
from claims.search.columns import Column
from claims.search.documents import ClaimDoc, Match
from claims.search.features import DocInfo, extract
from claims.search.gate import Gate, load_gate
from claims.search.index import CONTEXT, NAME, NUMBER, SPEAKER, TEXT, TITLE, TOPIC, InvertedIndex
from claims.search.query import Query, QueryParser, topic_key
from claims.search.rerank import Model, derive, load_model, load_semantic_model, select
from claims.search.semantic import SemanticIndex

__all__ = ["Matcher"]

# Field weights in BM25: a word of the claim counts fully, its title and labels a little less and
# its context sentences less again (they say where the claim was made, not what it says).
TITLE_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.3
SPEAKER_WEIGHT = 1.0
TOPIC_WEIGHT = 0.5
ROLE_WEIGHT = 0.5

DEPTH = 40
"""Candidates re-ranked per question."""
DENSE = 20
"""Further candidates from semantic search (nearest claim vectors), with the extra."""
DENSE_FLOOR = 0.25
"""A semantic neighbour less similar than this (cosine) is not worth ranking."""
OFFER_FLOOR = 0.05
"""The calibrated probability at which a claim that does not answer a question is still offered
as one of the closest ("Not sure. The closest claims I have: ..."): below it a claim shares only
a stray word with the question."""

class _RecentPasses:
    """One question's candidate sets, computed as far as anyone has asked for them and kept."""

    def __init__(self, key: tuple[str, int, int], source: Iterator[Candidates]) -> None:
        self.key = key
        self._source = source
        self._seen: list[Candidates] = []
        self._done = False
        self.broken = False

    def __iter__(self) -> Iterator[Candidates]:
        position = 0
        while True:
            if position < len(self._seen):
                yield self._seen[position]
                position += 1
            elif self._done:
                return
            else:
                try:
                    found = next(self._source, None)
                except BaseException:
                    self.broken = True  # a failed pass is computed afresh next time, not skipped
                    raise
                if found is None:
                    self._done = True
                else:
                    self._seen.append(found)


class Matcher:
    """Answers questions from an in-memory index of claims; cheap to update one claim at a time."""

    def __init__(
        self,
        catalog: Catalog,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        *,
        model: Model | None = None,
        semantic: SemanticIndex | None = None,
        semantic_model: Model | None = None,
        gate: Gate | None = None,
    ) -> None:
        self._catalog = catalog
        self._gate = gate or load_gate()
        self._synonyms = dict(synonyms or {})
        self._parser = QueryParser(catalog, synonyms)
        self._model = model or load_model()
        self._semantic = semantic
        self._semantic_model = semantic_model or (load_semantic_model() if semantic else None)
        self._index = InvertedIndex()
        self._number: dict[int, int] = {}  # claim id -> document number
        # per document number, live or not
        self._claim = Column(np.int64)
        self._speaker = Column(np.int32)  # index into _speakers, -1 for none
        self._topic = Column(np.int32)  # index into _topics, -1 for none
        self._published = Column(np.float64)  # POSIX seconds, NaN when unknown
        self._other_topics: dict[int, tuple[int, ...]] = {}
        # speakers and topics seen, and how many live claims each speaker has
        self._speakers: list[str] = []  # speaker keys
        self._speaker_display: list[str] = []
        self._speaker_aliases: list[tuple[str, ...]] = []
        self._speaker_ids: dict[str, int] = {}  # key -> index
        self._speaker_claims = Column(np.int64)
        self._topics: list[str] = []  # topic keys (slugs)
        self._topic_names: list[str | None] = []
        self._topic_ids: dict[str, int] = {}
        self._changes = 0  # bumped by every change to what candidates a question gets
        self._recent: _RecentPasses | None = None

    @classmethod
    def build(
        cls,
        docs: Iterable[ClaimDoc],
        *,
        catalog: Catalog,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        model: Model | None = None,
        semantic: SemanticIndex | None = None,
        semantic_model: Model | None = None,
        gate: Gate | None = None,
    ) -> Matcher:
        """Index many claims at once (start-up): one vectorised pass builds the postings. With
        ``semantic``, claims whose text has no vector there yet become pending (see ``fill``)."""
        matcher = cls(catalog, synonyms, model=model, semantic=semantic, semantic_model=semantic_model,
                      gate=gate)
        latest: dict[int, ClaimDoc] = {}
        for doc in docs:
            latest[doc.id] = doc
        numbers = matcher._index.bulk_add(matcher._admit(doc) for doc in latest.values())
        for doc, number in zip(latest.values(), numbers, strict=True):
            matcher._number[doc.id] = number
        if semantic is not None:
            semantic.verify(latest.values())
        return matcher

    @property
    def semantic(self) -> SemanticIndex | None:
        """The claim vectors this matcher ranks with (``None``: lexical only)."""
        return self._semantic

    def attach_semantic(self, semantic: SemanticIndex, semantic_model: Model | None = None) -> None:
        """Rank with ``semantic`` from now on: for a matcher loaded from a snapshot, which holds no
        claim text. Until ``semantic.verify`` has seen every live claim (the service streams them
        from the store in the background) questions whose candidates lack vectors rank lexically."""
        semantic.expect(self._number)
        self._changes += 1
        self._semantic = semantic
        self._semantic_model = semantic_model or load_semantic_model()

    def __len__(self) -> int:
        return len(self._number)

    def upsert(self, doc: ClaimDoc) -> None:
        """Add a claim, or replace it after a revision; touches only this claim's postings."""
        self._changes += 1
        old = self._number.pop(doc.id, None)
        if old is not None:
            self._forget(old)
        self._number[doc.id] = self._index.add(self._admit(doc))
        if self._semantic is not None:
            self._semantic.note(doc)
        self._maybe_compact()

    def remove(self, claim_id: int) -> None:
        """Forget a retracted or merged claim; unknown ids are ignored."""
        self._changes += 1
        number = self._number.pop(claim_id, None)
        if self._semantic is not None:
            self._semantic.forget(claim_id)
        if number is None:
            return
        self._forget(number)
        self._maybe_compact()

    def ask(self, question: str, *, limit: int = 3) -> list[Match]:
        """The claims that answer ``question``, best first; ``[]`` when none answers it."""
        if limit <= 0:
            return []
        for found in self.passes(question):
            out = self._answers(found, limit)
            if out:
                return out
        return []

    def related(self, question: str, *, limit: int = 3) -> list[Match]:
        """The closest claims to a question none answers, likeliest first: "not sure", but not a
        dead end. A reader whose wording the no-match decision distrusts still sees the claims it
        came closest to, offered as such rather than as answers.

        Lexically a claim is offered when the calibrated probability that it answers reaches
        ``OFFER_FLOOR`` (a question about nothing we hold gets no offer); with the semantic extra
        also when its cosine with the question reaches ``RELATED``. ``score`` is that probability
        (the cosine for a claim offered for its meaning alone); callers show it to nobody.
        """
        if limit <= 0:
            return []
        best: dict[int, Match] = {}
        for found in self.passes(question):  # each pass's best few, then the best of them all
            for match in itertools.islice(self._offers(found), limit):
                if match.claim_id not in best or best[match.claim_id].score < match.score:
                    best[match.claim_id] = match
        return sorted(best.values(), key=lambda m: -m.score)[:limit]

    def passes(self, question: str) -> Iterator[Candidates]:
        """The candidate sets ``ask`` decides on, in turn: when the question asks for one
        speaker's statements, first that speaker's claims, then everyone's.

        The speaker is a preference, not a filter. "Did Rubio say ..." must still find the claim
        that extraction attributed to someone else or to nobody, and "what did Trump's spokesman
        say" names Trump but asks about his spokesman. The speaker's own claims are judged first,
        among themselves (the ranker's features compare a candidate with its rivals), so that
        whenever one of them answers the answer is theirs. In the wider pass the speaker's name
        is one more word the claim must cover, so the gate keeps it from answering with someone
        else's claim about another person; such a claim is offered, not answered.

        The sets are kept for the latest question until the index changes: a question nothing
        answers is judged by ``ask`` and then again by ``related``, which would otherwise repeat
        the whole first stage and feature extraction."""
        pending = len(self._semantic.store) if self._semantic is not None else 0
        key = (question, self._changes, pending)
        recent = self._recent
        if recent is None or recent.key != key or recent.broken:
            recent = self._recent = _RecentPasses(key, self._passes(question))
        return iter(recent)

    def _passes(self, question: str) -> Iterator[Candidates]:
        found = self.candidates(question)
        if found is not None:
            yield found
            if found.query.subject is None:
                return
        wider = self.candidates(question, subject=False)
        if wider is not None and (found is None or wider.numbers != found.numbers):
            yield wider

    def _answers(self, found: Candidates, limit: int) -> list[Match]:
        """The candidates that answer, best first (none unless the best clears the bar)."""
        model, scores, probs = self._scored(found)
        allowed = np.array([found.answerable(i) for i in range(len(probs))], bool)
        if not found.semantic:  # with the extra, the cosine speaks for words the question lacks
            allowed &= self._gate.passes(found.raw, found.missing)
        probs = np.where(allowed, probs, 0.0)
        published = self._published.data[np.asarray(found.numbers, np.int64)]
        recency = np.nan_to_num(published, nan=-np.inf)
        out: list[Match] = []
        ceiling = 1.0
        for i in select(model, scores, probs, recency, limit):
            ceiling = min(ceiling, float(probs[i]))  # shown scores never rise down the list
            out.append(Match(found.claim_ids[i], round(ceiling, 4), self._why(found, i)))
        return out

    def _scored(self, found: Candidates) -> tuple[Model, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The model that ranks these candidates (with a cosine, the semantic one), its scores and
        calibrated probabilities."""
        model = self._semantic_model if found.semantic and self._semantic_model else self._model
        scores = model.scores(found.features)
        return model, scores, model.probabilities(found.features, scores)

    def _offers(self, found: Candidates) -> Iterator[Match]:
        """The candidates close enough to offer, best ranked first (see ``related``)."""
        _, scores, probs = self._scored(found)
        for i in np.argsort(-scores, kind="stable").tolist():
            close = found.semantic and found.raw[i, LEXICAL] >= RELATED
            if probs[i] >= OFFER_FLOOR or close:
                score = float(probs[i]) if probs[i] >= OFFER_FLOOR else float(found.raw[i, LEXICAL])
                yield Match(found.claim_ids[i], round(score, 4), self._why(found, i))

    def first_stage(self, question: str, *, limit: int = 5) -> list[int]:
        """Claim ids in BM25 order, without re-ranking or the no-match decision (benchmarks)."""
        found = self.candidates(question)
        if found is None:
            return []
        order = np.argsort(-found.features[:, 0], kind="stable")
        return [found.claim_ids[i] for i in order[:limit]]

    def candidates(self, question: str, *, depth: int = DEPTH, dense: int = DENSE,
                   subject: bool = True) -> Candidates | None:
        """The first stage's candidates for ``question`` and their features (``None`` if none);
        with ``subject=False`` from every speaker's claims, whoever the question asks about.

        With semantic matching the nearest claim vectors join the BM25 candidates and every
        candidate gets its cosine, unless one of them is still waiting for its vector: then the
        question is ranked lexically, on the BM25 candidates alone."""
        if not self._number or not question or question.isspace():
            return None
        semantic = self._semantic if self._semantic is not None and len(self._semantic.store) else None
        embedding = semantic.start_question_vector(question) if semantic is not None else None
        query = self._parser.parse(question, self._index)
        if not subject:
            query.subject = None
        if query.empty:
            return None
        numbers = self._retrieve(query, depth)
        vector = embedding.result() if embedding is not None else None
        lexical = len(numbers)
        if vector is not None:
            numbers += self._nearest(query, vector, dense, set(numbers))
        claim_ids = [int(c) for c in self._claim.data[np.asarray(numbers, np.int64)]]
        if semantic is not None and not semantic.ready(claim_ids):
            numbers, claim_ids, vector = numbers[:lexical], claim_ids[:lexical], None
        if not numbers:
            return None
        infos = [self._info(n) for n in numbers]
        raw, matched, grounded, missing = extract(self._index, query, numbers, infos)
        if vector is not None:
            assert semantic is not None
            cosine = semantic.store.cosines(vector, claim_ids).astype(np.float64)
            raw = np.column_stack((raw, lexical_ties(raw, cosine)))
        return Candidates(query, numbers, claim_ids, derive(raw), matched, raw, tuple(grounded), missing)

    def _nearest(self, query: Query, vector: npt.NDArray[np.float32], k: int, seen: set[int]) -> list[int]:
        """Document numbers of the claims nearest in meaning, not among ``seen``, best first."""
        assert self._semantic is not None
        subject = self._speaker_ids.get(query.subject) if query.subject is not None else None
        ids, cosines = self._semantic.store.nearest(vector, k + len(seen) if subject is None else 4 * k)
        out: list[int] = []
        for claim_id, cosine in zip(ids.tolist(), cosines.tolist(), strict=True):
            number = self._number.get(claim_id)
            if number is None or number in seen or cosine < DENSE_FLOOR:
                continue
            if subject is not None and self._speaker.data[number] != subject:
                continue
            out.append(number)
            if len(out) >= k:
                break
        return out

    # -- persistence (``claims.search.snapshot`` saves and loads this state) ----------------------

    def export_state(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        """Flat arrays and small tables that ``from_state`` turns back into this matcher."""
        arrays, scalars = self._index.export_state()
        others = sorted(self._other_topics.items())
        arrays.update({
            "claim": self._claim.view(), "speaker": self._speaker.view(),
            "topic": self._topic.view(), "published": self._published.view(),
            "other_doc": np.array([n for n, _ in others], np.int64),
            "other_off": np.cumsum([0, *(len(t) for _, t in others)]).astype(np.int64),
            "other_ids": np.array([i for _, t in others for i in t], np.int32),
        })
        tables = {
            "index": scalars,
            "speakers": [self._speaker_display, [list(a) for a in self._speaker_aliases]],
            "topics": [self._topics, self._topic_names],
        }
        return arrays, tables

    @classmethod
    def from_state(
        cls,
        arrays: Mapping[str, npt.NDArray[Any]],
        tables: Mapping[str, Any],
        *,
        catalog: Catalog,
        synonyms: Mapping[str, Sequence[str]] | None = None,
    ) -> Matcher:
        """A matcher from ``export_state`` output; speakers and topics are re-registered with
        today's catalog and synonyms."""
        matcher = cls(catalog, synonyms)
        matcher._index = InvertedIndex.restore(arrays, tables["index"])
        docs = len(matcher._index.alive)
        for name in ("claim", "speaker", "topic", "published"):
            if len(arrays[name]) != docs:
                raise ValueError(f"{name} has {len(arrays[name])} rows for {docs} documents")
            setattr(matcher, f"_{name}", Column.of(arrays[name]))
        display, aliases = tables["speakers"]
        for name, known in zip(display, aliases, strict=True):
            key = matcher._parser.add_speaker(name, known)
            matcher._speaker_ids.setdefault(key, len(matcher._speakers))
            matcher._speakers.append(key)
            matcher._speaker_display.append(name)
            matcher._speaker_aliases.append(tuple(known))
        keys, names = tables["topics"]
        for key, name in zip(keys, names, strict=True):
            matcher._topic_ids[key] = len(matcher._topics)
            matcher._topics.append(key)
            matcher._topic_names.append(name)
            matcher._parser.add_topic(key, name)
        off, ids = arrays["other_off"], arrays["other_ids"]
        matcher._other_topics = {
            int(n): tuple(int(t) for t in ids[off[i] : off[i + 1]])
            for i, n in enumerate(arrays["other_doc"])
        }
        alive = np.asarray(matcher._index.alive.view(), bool)
        live = np.flatnonzero(alive)
        matcher._number = dict(zip(np.asarray(arrays["claim"])[live].tolist(), live.tolist(), strict=True))
        speakers = np.asarray(arrays["speaker"])[live]
        counts = np.bincount(speakers[speakers >= 0], minlength=len(matcher._speakers))
        matcher._speaker_claims = Column.of(counts.astype(np.int64))
        return matcher

    # -- indexing ------------------------------------------------------------------------------

    def _admit(self, doc: ClaimDoc) -> dict[str, tuple[float, int]]:
        """Register a claim's speaker, topics and metadata; returns its weighted index fields."""
        speaker = self._speaker_index(doc) if doc.speaker else -1
        topic = self._topic_index(doc.topic, doc.topic_name) if doc.topic or doc.topic_name else -1
        number = len(self._claim)
        self._claim.append(doc.id)
        self._speaker.append(speaker)
        self._topic.append(topic)
        self._published.append(doc.published_at.timestamp() if doc.published_at else math.nan)
        if doc.other_topics:
            others = tuple(self._topic_index(None, name) for name in doc.other_topics)
            self._other_topics[number] = others
        if speaker >= 0:
            self._speaker_claims.data[speaker] += 1
        return self._fields(doc)

    def _speaker_index(self, doc: ClaimDoc) -> int:
        assert doc.speaker is not None
        key = self._parser.add_speaker(doc.speaker, doc.speaker_aliases)
        index = self._speaker_ids.get(key)
        if index is None:
            index = self._speaker_ids[key] = len(self._speakers)
            self._speakers.append(key)
            self._speaker_display.append(doc.speaker)
            self._speaker_aliases.append(tuple(doc.speaker_aliases))
            self._speaker_claims.append(0)
        elif doc.speaker_aliases and not set(doc.speaker_aliases) <= set(self._speaker_aliases[index]):
            merged = dict.fromkeys((*self._speaker_aliases[index], *doc.speaker_aliases))
            self._speaker_aliases[index] = tuple(merged)
        return index

    def _topic_index(self, slug: str | None, name: str | None) -> int:
        key = slug or self._topic_slug(name or "")
        index = self._topic_ids.get(key)
        if index is None:
            index = self._topic_ids[key] = len(self._topics)
            self._topics.append(key)
            self._topic_names.append(name)
            self._parser.add_topic(key, name)
        elif name and not self._topic_names[index]:
            self._topic_names[index] = name
            self._parser.add_topic(key, name)
        return index

    def _topic_slug(self, name: str) -> str:
        """A further topic known by display name: the catalog's slug if it has one."""
        wanted = name.casefold()
        entry = next((t for t in self._catalog.topics if t.name.casefold() == wanted), None)
        return entry.slug if entry is not None else topic_key(name)

    def _fields(self, doc: ClaimDoc) -> dict[str, tuple[float, int]]:
        fields: dict[str, tuple[float, int]] = {}

        def put(text: str | None, weight: float, flag: int, once: bool = False) -> None:
            if not text:
                return
            for term, name, number in marked_index_terms(text):
                tf, flags = fields.get(term, (0.0, 0))
                if once and flags & flag:
                    continue
                marks = (NAME if name else 0) | (NUMBER if number else 0)
                fields[term] = (tf + weight, flags | flag | marks)

        put(doc.text, 1.0, TEXT)
        put(doc.title, TITLE_WEIGHT, TITLE)
        put(doc.context, CONTEXT_WEIGHT, CONTEXT)
        for name in dict.fromkeys((doc.speaker, *doc.speaker_aliases) if doc.speaker else ()):
            put(name, SPEAKER_WEIGHT, SPEAKER, once=True)
        # "what did the governor say about the polls?": a role the speaker was described by is a
        # label word of their claims (never a name the parser resolves: many held the role)
        for role in dict.fromkeys(doc.speaker_roles if doc.speaker else ()):
            put(role, ROLE_WEIGHT, SPEAKER, once=True)
        for name in dict.fromkeys((doc.topic_name or (doc.topic or "").replace("-", " "),
                                   *doc.other_topics)):
            put(name, TOPIC_WEIGHT, TOPIC, once=True)
        return fields

    def _forget(self, number: int) -> None:
        speaker = int(self._speaker.data[number])
        if speaker >= 0 and self._index.is_alive(number):
            self._speaker_claims.data[speaker] -= 1
        self._index.remove(number)

    def _maybe_compact(self) -> None:
        if not self._index.needs_compaction():
            return
        kept = self._index.compact()
        for name in ("_claim", "_speaker", "_topic", "_published"):
            column: Column = getattr(self, name)
            setattr(self, name, Column.of(column.view()[kept].copy()))
        renumber = {int(old): new for new, old in enumerate(kept.tolist())}
        self._other_topics = {
            renumber[n]: t for n, t in self._other_topics.items() if n in renumber
        }
        self._number = {int(c): n for n, c in enumerate(self._claim.view().tolist())}

    def _info(self, number: int) -> DocInfo:
        speaker = int(self._speaker.data[number])
        topic = int(self._topic.data[number])
        topics = {self._topics[t] for t in (topic, *self._other_topics.get(number, ())) if t >= 0}
        return DocInfo(self._speakers[speaker] if speaker >= 0 else None, frozenset(topics))

    # -- retrieval -----------------------------------------------------------------------------

    def _retrieve(self, query: Query, depth: int) -> list[int]:
        """Live candidates by approximate BM25, restricted to the subject speaker if any."""
        subject = self._speaker_ids.get(query.subject) if query.subject is not None else None
        if query.subject is not None and (
            subject is None or not self._speaker_claims.data[subject]
        ):
            query.subject = None  # nothing stored from them: claims that mention them will do
            subject = None
        pool, scores = self._index.candidates(query.weighted_terms(), depth)
        if not len(pool):
            return []
        keep = self._index.alive.data[pool].astype(bool)
        if subject is not None:
            keep &= self._speaker.data[pool] == subject
        pool, scores = pool[keep], scores[keep]
        if len(pool) > depth:
            top = np.argpartition(-scores, depth - 1)[:depth]
            pool, scores = pool[top], scores[top]
        order = np.lexsort((pool, -scores))
        return [int(n) for n in pool[order]]

    def _why(self, found: Candidates, i: int) -> str:
        query = found.query
        number = found.numbers[i]
        speaker = int(self._speaker.data[number])
        topic = int(self._topic.data[number])
        parts: list[str] = []
        if query.subject is not None:
            parts.append(f"speaker: {self._parser.speaker_name(query.subject)}")
        elif speaker >= 0 and self._speakers[speaker] in query.speakers:
            parts.append(f"speaker: {self._speaker_display[speaker]}")
        if topic >= 0 and self._topics[topic] in query.topics:
            parts.append(f"topic: {self._topic_names[topic] or self._topics[topic]}")
        if found.matched[i]:
            parts.append("terms: " + ", ".join(dict.fromkeys(found.matched[i])))
        cosine = found.cosine(i)
        if cosine is not None and cosine >= SIMILAR:
            parts.append(f"similar in meaning ({cosine:.2f})")
        if query.notes:
            parts.append("read " + ", ".join(query.notes))
        return "; ".join(parts) or "matched"
