"""Claim extraction: direct quotes and reported speech, with speaker, topic and exact spans.

PLACEHOLDER first version (issue 2): direct quotes attributed with "X said". The extraction issue
replaces the body; the ``ExtractedClaim`` contract and ``extract_claims`` signature stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from claims.catalog import Catalog

ClaimKind = Literal["direct", "reported"]


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One statement found in an article; offsets index the article text given to the extractor."""

    text: str  # the statement itself: quote content, or the reported clause
    kind: ClaimKind
    speaker: str | None  # canonical name (catalog name, or full name from the first mention)
    speaker_mention: str  # the speaker as written at this claim ("he", "Mr. Putin")
    topic: str  # topic slug, or the catalog's fallback
    sentence: str
    sentence_index: int
    start: int  # span of ``text`` in the article: article_text[start:end] == text (modulo quotes)
    end: int
    confidence: float  # 0..1
    quote: str | None = None  # exact quoted words for direct quotes (and partial quotes)
    speaker_kind: str = "person"  # person or organisation
    speaker_role: str | None = None  # role as described in the article, if any


_QUOTE = re.compile(r"[“\"]([^”\"]{10,}?)[”\"]\s*,?\s*([A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)\s+said")


def extract_claims(
    text: str, *, catalog: Catalog, published_at: datetime | None = None
) -> list[ExtractedClaim]:
    """Every claim in ``text``, in reading order."""
    out: list[ExtractedClaim] = []
    for m in _QUOTE.finditer(text):
        mention = m.group(2)
        entry = catalog.speaker_by_alias(mention)
        speaker = entry.name if entry else mention.removeprefix("Mr. ").removeprefix("Ms. ")
        quote = m.group(1).strip().rstrip(",")
        topic = _topic(quote, catalog)
        start = m.start(1)
        out.append(
            ExtractedClaim(
                text=quote,
                kind="direct",
                speaker=speaker,
                speaker_mention=mention,
                topic=topic,
                sentence=m.group(0),
                sentence_index=text.count("\n", 0, m.start()),
                start=start,
                end=start + len(quote),
                confidence=0.6,
                quote=quote,
            )
        )
    return out


def _topic(text: str, catalog: Catalog) -> str:
    low = text.casefold()
    for topic in catalog.topics:
        if any(k.casefold() in low for k in topic.keywords):
            return topic.slug
    return catalog.fallback_topic
