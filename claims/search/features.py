"""The evidence a reader would weigh when a claim is offered as the answer to a question.

For each candidate claim the first stage found, ``extract`` measures how the two texts relate:
exact BM25 and its share of what the question could score, how much of the question the claim
covers and through which field (its own words, its article's title, its context, its speaker and
topic labels), how much of the claim the question restates, fuzzy similarity, the speaker and topic
asked about, relative length, and whether the question's numbers and names appear in the claim.

The learned re-ranker (``claims.search.rerank``) weighs these; nothing here decides an answer.
The training script computes features through the same function, so training and serving agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from claims.search.index import CONTEXT, NUMBER, SPEAKER, TEXT, TITLE, TOPIC, InvertedIndex
from claims.search.query import Concept, Query
from claims.search.spelling import slips_among, typing_distance

RAW_FEATURES = (
    "bm25",  # exact BM25 of the question's terms (the first stage's own measure)
    "bm25_share",  # BM25 as a share of what a claim containing every term could score
    "bm25_text",  # the part of BM25 earned by terms of the claim's own words
    "bm25_title",  # ... by terms found only in its title
    "cover_text",  # share of the question (idf-weighted) found in the claim's own words
    "cover_title",  # ... found only in its article's title
    "cover_context",  # ... found only in its context sentences
    "cover_label",  # ... found only in its speaker or topic labels
    "evidence",  # matched idf mass, saturated: long pasted texts are judged in absolute terms
    "claim_cover",  # share of the claim's words (idf-weighted) the question restates
    "fuzzy",  # token-set similarity of the two stem sets: order- and typo-tolerant
    "speaker",  # the question names the claim's speaker
    "subject",  # ... as the one whose statements it asks for
    "topic",  # the question names one of the claim's topics
    "length_ratio",  # log of claim words over question words
    "numbers_match",  # share of the question's numbers found in the claim
    "numbers_missed",  # share not found, when the claim states numbers of its own
    "names_match",  # share of the question's names found in the claim
    "names_missed",  # share of them not found
    "unmatched_rare",  # weight of the most telling question word the claim lacks, relative
    "question_len",  # log of the number of question words (constant per question)
    "corrected",  # the claim matches only through a corrected spelling or a synonym
)

MASS_SCALE = 15.0
"""Matched idf mass at which ``evidence`` reaches 1 - 1/e."""
BACKGROUND_DOCS = 500
"""Pretend-background collection for word weights, so a small index doesn't overrate rare words."""


@dataclass(frozen=True, slots=True)
class DocInfo:
    """What feature extraction needs to know about a candidate besides its terms."""

    speaker: str | None
    topics: frozenset[str]


MIN_SLIP_STEM = 5
"""The shortest claim stem a typed word's beginning is compared with (``_slip_in_stem``): shorter
stems begin too many unrelated words."""


def word_weights(index: InvertedIndex, dfs: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
    """How telling words are: idf against the index plus a background of unseen documents."""
    n = len(index) + BACKGROUND_DOCS
    return np.log1p(n / (dfs.astype(np.float64) + 0.5))


def extract(
    index: InvertedIndex, query: Query, docs: Sequence[int], infos: Sequence[DocInfo]
) -> tuple[npt.NDArray[np.float64], list[list[str]], list[bool], npt.NDArray[np.float64]]:
    """Raw features (one row per candidate, columns as ``RAW_FEATURES``), the question's words each
    claim's own text contains (what "why" may name), whether each claim matches at least one
    content word as typed (a claim reached only through guessed spellings is never an answer),
    and the answer gate's ``missing`` per claim (see ``slipped``)."""
    concepts = [c for c in query.concepts if query.subject is None or c.speaker != query.subject]
    alt_ids = [
        [(index.term_ids.get(t, -1), t, w) for t, w in c.alts.items()] for c in concepts
    ]
    weights: list[float] = []
    idfs: dict[int, float] = {}
    for alts in alt_ids:
        known = [tid for tid, _, _ in alts if tid >= 0 and index.df.data[tid] > 0]
        for tid in known:
            idfs[tid] = index.idf_of(int(index.df.data[tid]))
        dfs = np.array([index.df.data[tid] for tid in known] or [0], np.int32)
        # a misspelling or synonym nobody used weighs as the known words it stands for; a
        # concept with no known word at all keeps its full weight and counts against coverage
        weights.append(float(word_weights(index, dfs).max()))
    total = sum(weights) or 1.0
    top_weight = max(weights, default=1.0)
    ceiling = sum(
        max((w * idfs.get(tid, 0.0) for tid, _, w in alts), default=0.0) for alts in alt_ids
    ) * (index.k1 + 1.0) or 1.0
    asked = {index.term_ids.get(t, -1) for c in query.concepts for t in c.alts}
    number_ids = [i for n in query.numbers if (i := index.term_ids.get(n)) is not None]
    name_ids = [i for n in query.names if (i := index.term_ids.get(n)) is not None]
    norms = index.norms()
    k1 = index.k1
    question_len = math.log1p(len(query.concepts))
    rows = np.zeros((len(docs), len(RAW_FEATURES)), np.float64)
    missing = np.zeros(len(docs), np.float64)
    # a word as typed that the store has never seen, whatever our guesses at it ("truthfull",
    # guessed as "truthtel"): the claim may still have a slip of it
    unknown = [not (tid >= 0 and index.df.data[tid] > 0) for tid, _, _ in (alts[0] for alts in alt_ids)]
    matched_words: list[list[str]] = []
    grounded: list[bool] = []
    vocab = index.vocab
    forwards = [index.forward(doc) for doc in docs]
    slips_of = _slips(concepts, unknown, forwards, vocab)
    for row, (doc, info, (tids, tfs, flags)) in enumerate(zip(docs, infos, forwards, strict=True)):
        fwd = dict(zip(tids.tolist(), zip(tfs.tolist(), flags.tolist(), strict=True), strict=True))
        norm = float(norms[doc])
        bm25 = mass = bm25_text = bm25_title = 0.0
        cover = [0.0, 0.0, 0.0, 0.0]  # text, title, context, labels
        unmatched = 0.0
        indirect = False
        # "what did Rutte say?" asks for the speaker alone, and a claim of the speaker a question
        # asks about is grounded by that name, whatever the rest of it matches through
        typed = not concepts or (query.subject is not None and info.speaker == query.subject)
        matched: list[str] = []
        named: set[str] = set()  # people the question names whose name the claim has a word of
        lacking: list[tuple[Concept, float]] = []  # the words the claim lacks, with their weights
        for k, (concept, alts, weight) in enumerate(zip(concepts, alt_ids, weights, strict=True)):
            lexical = best = 0.0
            lexical_field = field = 4
            via = ""
            for tid, term, w in alts:
                entry = fwd.get(tid)
                if entry is None:
                    continue
                tf, flag = entry
                score = w * tf * (k1 + 1.0) / (tf + norm) * idfs.get(tid, 0.0)
                if score > lexical:
                    lexical, lexical_field = score, _field(flag)
                if flag & SPEAKER and concept.speaker is not None and concept.speaker != info.speaker:
                    flag &= ~SPEAKER  # a name in the labels is not that person speaking
                where = _field(flag)
                if where < 4 and (w > best or (w == best and where < field)):
                    best, field, via = w, where, term
                if where < 4 and concept.typed(term):
                    typed = True
            bm25 += lexical
            if lexical_field == 0:
                bm25_text += lexical
            elif lexical_field == 1:
                bm25_title += lexical
            if best:
                if concept.speaker is not None:
                    named.add(concept.speaker)
                cover[field] += weight * best
                mass += weight * best
                indirect = indirect or via != concept.term
                if field == 0:  # "why" names only words the claim itself contains
                    matched.append(concept.surface if via == concept.term else f"{concept.surface}~{via}")
            else:
                unmatched = max(unmatched, weight)
                if not (unknown[k] and not slips_of[k].isdisjoint(fwd)):
                    lacking.append((concept, weight))
        # "Mark Rutte" is not missing from a claim about "Rutte" (but "Bill Clinton" is from one
        # about "Clinton" when the store holds two: ``Concept.given_name``)
        slips = max((w for c, w in lacking if not (c.given_name and c.speaker in named)), default=0.0)
        text_ids = [t for t, (_, f) in fwd.items() if f & TEXT]
        text_w = word_weights(index, index.df.data[text_ids]) if text_ids else np.zeros(0)
        claim_total = float(text_w.sum()) or 1.0
        claim_cover = sum(w for t, w in zip(text_ids, text_w.tolist(), strict=True) if t in asked)
        stems = " ".join(vocab[t] for t in text_ids)
        q_numbers, q_names = query.numbers, query.names
        has_numbers = any(f & NUMBER for _, f in fwd.values())
        hit_numbers = sum(1 for i in number_ids if (e := fwd.get(i)) is not None and e[1] & NUMBER)
        hit_names = sum(1 for i in name_ids if i in fwd)
        rows[row] = (
            bm25,
            bm25 / ceiling,
            bm25_text / ceiling,
            bm25_title / ceiling,
            cover[0] / total,
            cover[1] / total,
            cover[2] / total,
            cover[3] / total,
            1.0 - math.exp(-mass / MASS_SCALE),
            claim_cover / claim_total,
            fuzz.token_set_ratio(query.text, stems) / 100.0 if concepts else 1.0,
            float(info.speaker is not None and info.speaker in query.speakers),
            float(query.subject is not None and info.speaker == query.subject),
            float(bool(info.topics.intersection(query.topics))),
            math.log((1.0 + len(text_ids)) / (1.0 + len(concepts))),
            hit_numbers / len(q_numbers) if q_numbers else 0.0,
            (len(q_numbers) - hit_numbers) / len(q_numbers) if q_numbers and has_numbers else 0.0,
            hit_names / len(q_names) if q_names else 0.0,
            (len(q_names) - hit_names) / len(q_names) if q_names else 0.0,
            unmatched / top_weight if top_weight else 0.0,
            question_len,
            float(indirect and not cover[0]),
        )
        missing[row] = slips / top_weight if top_weight else 0.0
        matched_words.append(matched)
        grounded.append(typed)
    return rows, matched_words, grounded, missing


def slipped(term: str, terms: Iterable[str]) -> bool:
    """Whether a question word the store has never seen is a typing slip of one of these (a
    candidate claim's words, as stems): "constituion" of "constitution", "truthfull" of "truth".

    The typo corrector (``QueryParser._correct``) must earn a correction against the whole
    store, because a guess there reaches any claim; here the claim already matches the rest of
    the question, so an unknown word one slip from its own words is no longer a word it lacks.
    A word unknown to the store and unlike any of the claim's (a banana in a question about
    Wall Street) still is: that is what the gate's ``missing`` signal measures."""
    return any(_slip_marks(term, list(terms)))


def _slip_marks(term: str, words: Sequence[str]) -> list[bool]:
    """``slipped`` for each word: within typing reach, or a stem the term starts with (a misspelt
    ending escapes the stemmer: "tremendusly" of "tremend"), or a stem of five letters or more that
    the term's beginning is one slip from ("constituion" of "constitut", "adminstration" of
    "administr": the slip sits in the stem, and the unstemmed ending hides it from the distance)."""
    if len(term) < 3 or term.isdigit():
        return [False] * len(words)
    near = slips_among(term, words)
    return [n or (len(w) >= max(4, len(term) / 2) and term.startswith(w)) or _slip_in_stem(term, w)
            for w, n in zip(words, near, strict=True)]


def _slip_in_stem(term: str, stem: str) -> bool:
    """Whether the typed term begins with ``stem`` written with one typing slip."""
    if len(stem) < MIN_SLIP_STEM or len(term) < len(stem) or term[0] != stem[0]:
        return False
    return any(typing_distance(term[:k], stem) <= 1 for k in (len(stem) - 1, len(stem), len(stem) + 1))


def _slips(concepts: Sequence[Concept], unknown: Sequence[bool],
           forwards: Sequence[tuple[npt.NDArray[Any], ...]], vocab: Sequence[str]) -> list[frozenset[int]]:
    """Per concept, the candidates' term ids its unknown word is a slip of (empty for known
    words), judged once per question over every candidate's words together."""
    if not any(unknown):
        return [frozenset()] * len(concepts)
    ids = sorted({int(t) for tids, *_ in forwards for t in tids.tolist()})
    words = [vocab[t] for t in ids]
    return [frozenset(t for t, hit in zip(ids, _slip_marks(c.term, words), strict=True) if hit) if u
            else frozenset() for c, u in zip(concepts, unknown, strict=True)]


def _field(flag: int) -> int:
    """Which field counts for a matched term: its own words first, then title, context, labels."""
    if flag & TEXT:
        return 0
    if flag & TITLE:
        return 1
    if flag & CONTEXT:
        return 2
    if flag & (SPEAKER | TOPIC):
        return 3
    return 4
