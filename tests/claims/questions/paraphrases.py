"""The paraphrase set: questions that mean a stored claim but share few of its words.

The claims are those of the shipped samples (``claims/samples``) and of the extraction gold
articles (``tests/claims/gold``), ingested through the service like any article. Each question in
``paraphrases.toml`` names its right answers by a phrase of their text (``about``), so the set does
not depend on claim ids. Written for the semantic extra (issue 16): "Does the president want to buy
the Danish island?" means the Greenland claims but says neither Trump nor Greenland.

Used by ``tests/claims/search/test_semantic_model.py`` and ``tests/bench/bench_semantic.py``; never for
training.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from claims.ingest.sources import parse_document
from claims.normalize import normalize_text
from claims.samples import samples
from claims.search.documents import Match
from claims.service import ClaimService

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent / "gold"
GOLD_ARTICLES = ("clintons_health", "html_shelter", "interview_frederiksen", "wire_tariffs")


@dataclass(frozen=True, slots=True)
class Paraphrase:
    text: str
    about: tuple[str, ...]  # phrases of the claims that answer it (any one is right)


def ingest_corpus(service: ClaimService) -> None:
    """The three samples and the four gold articles of the repository, into ``service``'s store."""
    for item in samples():
        service.ingest(item.article())
    for stem in GOLD_ARTICLES:
        spec = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
        path = GOLD / spec["article"]
        article = parse_document(path.read_bytes(), url=f"https://gold.claimbot.example/{stem}",
                                 name=path.name)
        service.ingest(replace(article, published_at=datetime.fromisoformat(spec["published_at"])))


def load_questions() -> list[Paraphrase]:
    with (HERE / "paraphrases.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    return [Paraphrase(q["text"], tuple(q["about"])) for q in doc["q"]]


def answers(service: ClaimService, questions: Sequence[Paraphrase]) -> list[frozenset[int]]:
    """Each question's right answers as claim ids (every live claim whose text has an ``about``)."""
    texts = {v.id: normalize_text(v.text) for v in service.claims()}
    out = []
    for q in questions:
        phrases = [normalize_text(p) for p in q.about]
        ids = frozenset(c for c, t in texts.items() if any(p in t for p in phrases))
        if not ids:
            raise ValueError(f"no stored claim contains {q.about!r}")
        out.append(ids)
    return out


@dataclass(frozen=True, slots=True)
class Score:
    top1: float
    top3: float
    misses: tuple[tuple[str, tuple[int, ...]], ...]


def score(ask: Callable[[str], list[Match]], questions: Sequence[Paraphrase],
          expected: Sequence[frozenset[int]]) -> Score:
    top1 = top3 = 0
    misses = []
    for q, right in zip(questions, expected, strict=True):
        got = tuple(m.claim_id for m in ask(q.text)[:3])
        top1 += bool(got) and got[0] in right
        top3 += any(g in right for g in got)
        if not got or got[0] not in right:
            misses.append((q.text, got))
    n = len(questions) or 1
    return Score(top1 / n, top3 / n, tuple(misses))
