"""A claim as extraction hands it on, and how a draft found in the text becomes one.

:class:`ExtractedClaim` is the extractor's output (ingest stores it); :class:`Draft` is a claim
being built while an article is read, as spans over the text. :func:`finish` turns the drafts into
claims once the whole article is read: joined split quotes, trimmed spans, the topic, the weekday
the statement was made, and what makes the claim understandable on its own (aliases, context,
resolved text; see :mod:`claims.extract.context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from claims.catalog import Catalog
from claims.extract.context import context_for, resolved_text, short_name, speaker_aliases
from claims.extract.sentences import Sentence
from claims.extract.speakers import Resolved
from claims.extract.topics import classifier_for

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
    cue: str | None = None  # the speech verb as written ("said", "according to"), if any
    published_at: datetime | None = None  # the article's publication time, kept with the claim
    said_on: date | None = None  # a weekday named in the sentence, resolved against published_at
    # The open world (filled by the extractor, stored by ingest; empty when unknown):
    speaker_aliases: tuple[str, ...] = ()  # every form this article uses for the speaker: full
    # name, surname, honorific + surname, role phrases ("NATO Secretary General", "the Dutch leader")
    speaker_affiliation: str | None = None  # who the speaker speaks for or works at ("Fox News")
    context: str | None = None  # the sentence(s) before the claim that make it understandable
    resolved_text: str | None = None  # ``text`` with pronouns and bare references resolved in
    # brackets: "[Rutte] did not want to drag NATO into [the Greenland question]"


@dataclass(slots=True)
class Draft:
    """A claim being built; becomes an :class:`ExtractedClaim` once topics are known."""

    parts: list[tuple[int, int]]
    kind: ClaimKind
    resolved: Resolved
    mention: str
    sentence: Sentence
    sentence_no: int
    confidence: float
    cue: str | None
    quotes: list[tuple[int, int]] = field(default_factory=list)
    lead: str | None = None  # the verb phrase the claim only means something in ("called",
    # "accused the mayor of"); "" when the claim text starts at the verb and needs only the speaker
    last_no: int = -1  # the last sentence a quotation running over paragraphs reached


# --- finishing -------------------------------------------------------------------------------------

_WEEKDAYS = {
    d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
_WEEKDAY_RE = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")


_ANONYMITY = re.compile(
    r"^(?:(?:by|from)\s+[^,]{0,60}?\s+)?(?:who\s+)?(?:spoke|speaking|talked|on)\s+(?:on\s+)?(?:the\s+)?"
    r"(?:condition\s+(?:of|that)|anonymity)|^(?:he|she|they)\s+(?:was|were)\s+not\s+authorized",
    re.IGNORECASE,
)
"""A claim that only says why its source is unnamed is not a claim."""
_ANONYMITY_TAIL = re.compile(
    r",?\s+(?:who\s+)?(?:spoke|speaking|talked)\s+on\s+(?:the\s+)?condition\s+of\s+anonymity", re.IGNORECASE
)
"""Where a claim runs on into why its source is unnamed; the claim ends there."""


def _said_on(sentence: str, published_at: datetime | None) -> date | None:
    """The date a weekday in the sentence stands for: the latest such day on or before publication."""
    if published_at is None:
        return None
    m = _WEEKDAY_RE.search(sentence)
    if not m:
        return None
    pub = published_at.date()
    back = (pub.weekday() - _WEEKDAYS[m.group(1).lower()]) % 7
    return pub - timedelta(days=back)


def _join(text: str, parts: list[tuple[int, int]]) -> str:
    """Split-quote parts as one statement: a part cut off by the attribution gets its full stop."""
    pieces: list[str] = []
    for a, b in parts:
        piece = text[a:b].strip().rstrip(",").strip()
        if not piece:
            continue
        if pieces and piece[:1].isupper() and not pieces[-1].endswith((".", "!", "?", "…")):
            pieces[-1] += "."
        pieces.append(piece)
    return " ".join(pieces)


def _clean(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace and a dangling comma inside the span, keeping it inside the text."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end


def finish(
    text: str, sents: list[Sentence], drafts: list[Draft], catalog: Catalog, published_at: datetime | None
) -> list[ExtractedClaim]:
    """The drafts as claims in reading order: spans trimmed, duplicates dropped, topic and context."""
    topics = classifier_for(catalog)
    out: list[ExtractedClaim] = []
    seen: set[tuple[int, int, str | None]] = set()
    first_of_paragraph: dict[int, int] = {}
    for i, s in enumerate(sents):
        first_of_paragraph.setdefault(s.paragraph, i)
    for d in sorted(drafts, key=lambda d: (d.parts[0][0], d.parts[-1][1])):
        parts = [_clean(text, a, b) for a, b in d.parts]
        parts = [(a, b) for a, b in parts if b > a]
        if not parts:
            continue
        start, end = parts[0][0], parts[-1][1]
        cut = _ANONYMITY_TAIL.search(text, start, end) if len(parts) == 1 else None
        if cut is not None:
            end = _clean(text, start, cut.start())[1]
            parts = [(start, end)]
        if (start, end, d.resolved.name) in seen:
            continue
        seen.add((start, end, d.resolved.name))
        claim_text = text[start:end] if len(parts) == 1 else _join(text, parts)
        claim_text = claim_text.strip().rstrip(",").strip()
        if len(claim_text) < 2 or _ANONYMITY.match(claim_text):
            continue  # "... on the condition of anonymity because ...": why a source is unnamed
        sent = d.sentence
        sentence_text = text[sent.start : sent.end]
        context = [
            text[s.start : s.end]
            for s in sents[max(0, d.sentence_no - 1) : d.sentence_no + 2]
            if s is not sent and s.paragraph == sent.paragraph
        ]
        first = first_of_paragraph[sent.paragraph]
        wider = [text[sents[first - 1].start : sents[first - 1].end]] if first else []
        if d.resolved.role:
            # The speaker's description ("chairman of Mrs. Clinton's campaign") is not the topic.
            sentence_text_for_topic = re.sub(
                re.escape(d.resolved.role), " ", sentence_text, flags=re.IGNORECASE
            )
        else:
            sentence_text_for_topic = sentence_text
        quote = None
        if d.quotes:
            quote = " … ".join(text[a:b].strip().rstrip(",").strip() for a, b in d.quotes)
        res = d.resolved
        ent = res.entity
        previous = [text[s.start : s.end] for s in sents[max(0, d.sentence_no - 4) : d.sentence_no]]
        resolved = resolved_text(claim_text, d.kind, res.name, ent)
        if d.lead is not None:
            # The frame the words only mean something in: "[Sánchez called] the position ...".
            frame = " ".join(p for p in (short_name(res, d.mention), d.lead) if p)
            resolved = f"[{frame}] {resolved or claim_text}"
        confidence = d.confidence
        if res.name is None:
            confidence = min(confidence, 0.4)
        out.append(
            ExtractedClaim(
                text=claim_text,
                kind=d.kind,
                speaker=res.name,
                speaker_mention=d.mention,
                topic=topics.classify(claim_text, sentence_text_for_topic, context, wider),
                sentence=sentence_text,
                sentence_index=d.sentence_no,
                start=start,
                end=end,
                confidence=round(max(0.0, min(1.0, confidence)), 3),
                quote=quote if quote else (claim_text if d.kind == "direct" else None),
                speaker_kind=res.kind,
                speaker_role=res.role,
                cue=d.cue,
                published_at=published_at,
                said_on=_said_on(sentence_text, published_at),
                speaker_aliases=speaker_aliases(ent, res.kind, res.name or ""),
                speaker_affiliation=res.affiliation,
                context=context_for(claim_text, d.kind, sentence_text, previous, res.name),
                resolved_text=resolved,
            )
        )
    return out
