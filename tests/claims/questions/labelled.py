"""Loads the labelled question set: claims from ``articles.toml``, questions from ``questions.toml``.

Shared by ``tests/claims/test_match.py``, ``tests/bench/train_ranker.py`` and
``tests/bench/bench_match_quality.py`` so that the tests, training and the benchmark agree.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from claims.catalog import Catalog
from claims.search.documents import ClaimDoc
from claims.search.match import Matcher

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    expect: tuple[int, ...]  # any of these is a right answer; () = nothing should match
    kind: str


def load_docs(catalog: Catalog) -> list[ClaimDoc]:
    """The fixture claims as the store would hand them to the matcher."""
    with (HERE / "articles.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    out: list[ClaimDoc] = []
    for article in doc["article"]:
        for claim in article["claim"]:
            entry = catalog.speaker_by_alias(claim["speaker"])
            out.append(
                ClaimDoc(
                    id=claim["id"],
                    text=claim["text"],
                    speaker=claim["speaker"],
                    speaker_aliases=entry.aliases if entry else (),
                    topic=claim["topic"],
                    topic_name=catalog.topic_name(claim["topic"]),
                    title=article["title"],
                    published_at=article["published_at"],
                )
            )
    return out


def load_questions() -> list[Question]:
    """The labelled questions, then the off-topic ones of ``offtopic.toml`` (expecting nothing)."""
    with (HERE / "questions.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    out = [Question(q["text"], tuple(q["expect"]), q.get("kind", "")) for q in doc["q"]]
    with (HERE / "offtopic.toml").open("rb") as fh:
        off = tomllib.load(fh)
    for section, groups in off.items():
        for name, texts in groups.items():
            kind = f"near-miss {name}" if section == "near" else "off-topic"
            out.extend(Question(text, (), kind) for text in texts)
    return out


@dataclass(frozen=True, slots=True)
class Quality:
    answerable: int
    top1: float
    top3: float
    off_topic: int
    off_topic_answered: int
    misses: tuple[tuple[Question, tuple[int, ...]], ...]
    answered_or_offered: float = 0.0  # the intended claim answered, or else among the offers

    @property
    def off_topic_rate(self) -> float:
        return self.off_topic_answered / self.off_topic if self.off_topic else 0.0


def evaluate(matcher: Matcher, questions: list[Question]) -> Quality:
    """Top-1 and top-3 over answerable questions; answered share of the off-topic ones."""
    top1 = top3 = answerable = off = off_answered = reached = 0
    misses: list[tuple[Question, tuple[int, ...]]] = []
    for q in questions:
        got = tuple(m.claim_id for m in matcher.ask(q.text, limit=3))
        if not q.expect:
            off += 1
            off_answered += bool(got)
            if got:
                misses.append((q, got))
            continue
        answerable += 1
        hit1 = bool(got) and got[0] in q.expect
        hit3 = any(g in q.expect for g in got)
        top1 += hit1
        top3 += hit3
        offers = () if got else tuple(m.claim_id for m in matcher.related(q.text, limit=3))
        reached += hit3 or any(o in q.expect for o in offers)
        if not hit1:
            misses.append((q, got))
    return Quality(
        answerable=answerable,
        top1=top1 / answerable if answerable else 0.0,
        top3=top3 / answerable if answerable else 0.0,
        off_topic=off,
        off_topic_answered=off_answered,
        misses=tuple(misses),
        answered_or_offered=reached / answerable if answerable else 0.0,
    )
