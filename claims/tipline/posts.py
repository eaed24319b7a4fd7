"""Posts readers forward or paste: what kind of message it is, the statements in it worth checking,
and each statement matched to the claims we track.

A forwarded post is not a question. Matching it whole would let its longest tangent decide the
answer; a rumour usually makes a few separate assertions, and a reader wants to know about each.
So a post is cut into statements: the claims the extractor finds (quotes and reported speech,
with their speakers, exactly as ingested articles are read) and, for sentences that attribute
nothing ("Greenland will be sold next month."), the sentences themselves. Each statement is
matched on its own against the index; a claim found by several statements is shown once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from claims.catalog import Catalog
from claims.extract.attribution import ExtractedClaim, extract_claims
from claims.extract.sentences import Paragraph, find_quotes, sentences
from claims.search.documents import Match
from claims.store.views import ClaimView
from claims.tipline.links import find_urls, without_urls

MAX_STATEMENTS = 15
"""Statements checked per post; a longer post is checked on its first fifteen."""
MIN_WORDS = 4
"""Sentences shorter than this ("Share this!", "Wow.") assert nothing worth matching."""
MATCHES_PER_STATEMENT = 2
SECOND_MATCH_SHARE = 0.85
"""A statement's second match is shown only when it scores at least this share of the first."""
POST_MIN_SCORE = 0.74
"""The lowest matcher score a match for a whole post must reach (see ``match_post``); tuned on
CheckThat! 2020 train with ``tests/bench/bench_tipline_posts.py``."""
STATEMENT_EXTRA = 0.10
"""How much more a single statement's match must score than a whole post's."""
LINK_COMMENT_WORDS = 8
NUDGE_WORDS = 6
"""A mention of at most this many words in reply to a message asks about that message."""
"""A link with at most this many other words ("is this true?") is a message about the link."""
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")
_LEADING_NOISE = re.compile(r"^[\W_]*(?:(?:breaking|urgent|update|fwd?)\b[\W_]*)*",
                            re.IGNORECASE)


class MessageKind(StrEnum):
    """How a message to the bot is handled."""

    QUESTION = "question"  # answered by the matcher as one question
    POST = "post"  # cut into statements, each checked
    LINK = "link"  # about the article(s) it links to


def kind_of(text: str, *, forwarded: bool, min_chars: int) -> MessageKind:
    """Forwarded posts and long texts are posts; a link with a short comment ("is this true?") is
    about the link, a link inside a longer text is part of a post; everything else stays a question."""
    rest = " ".join(without_urls(text).split())
    if find_urls(text):
        return MessageKind.POST if len(_WORD.findall(rest)) > LINK_COMMENT_WORDS else MessageKind.LINK
    if forwarded or len(rest) >= min_chars:
        return MessageKind.POST
    return MessageKind.QUESTION


def is_nudge(text: str, urls: Sequence[str] = ()) -> bool:
    """Whether a reply only nudges ("@bot is this true?"): a few words and no link of its own, so
    it asks about the message it replies to."""
    return len(text.split()) <= NUDGE_WORDS and not urls and not find_urls(text)


@dataclass(frozen=True, slots=True)
class Tip:
    """What a message asks the bot to look at: its own text, or the message it replies to."""

    text: str
    forwarded: bool
    urls: tuple[str, ...] = field(default=())  # links hidden behind words (text_link entities)
    nudge: bool = False  # taken from the replied-to message

    def kind(self, min_chars: int) -> MessageKind:
        """A question, a post or a link (``kind_of``), counting the hidden links as part of it."""
        return kind_of(f"{self.text} {' '.join(self.urls)}", forwarded=self.forwarded, min_chars=min_chars)


@dataclass(frozen=True, slots=True)
class Statement:
    """One thing a post asserts: an extracted claim (with its speaker) or a plain sentence."""

    text: str
    speaker: str | None = None
    quoted: bool = False

    @property
    def query(self) -> str:
        """What is matched: the speaker's name helps the matcher weigh who said it."""
        return f"{self.speaker}: {self.text}" if self.speaker else self.text


def statements_in(text: str, *, catalog: Catalog, most: int = MAX_STATEMENTS) -> list[Statement]:
    """The statements of a post in reading order: extracted claims where the extractor finds
    attributions, the sentence itself elsewhere; links left out, each statement once."""
    body = without_urls(text)
    claims = extract_claims(body, catalog=catalog)
    out: dict[str, Statement] = {}
    for start, end in _sentence_spans(body):
        inside = [c for c in claims if c.start < end and c.end > start]
        found = [_from_claim(c) for c in inside] if inside else [_from_sentence(body[start:end])]
        for st in found:
            if st is not None and st.text.casefold() not in out:
                out[st.text.casefold()] = st
        if len(out) >= most:
            break
    if not out:  # nothing long enough to be a statement: the whole (short) text is one
        whole = " ".join(body.split())
        if whole:
            out[whole.casefold()] = Statement(whole[:500])
    return list(out.values())[:most]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans over every non-empty line (a post's first line is not a headline to skip)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        start, end = pos, pos + len(line.rstrip())
        pos += len(line)
        while start < end and text[start].isspace():
            start += 1
        if start >= end:
            continue
        para = Paragraph(start, end, start, "body")
        quotes = find_quotes(text, start, end)
        spans.extend((s.start, s.end) for s in sentences(text, para, len(spans), quotes))
    return spans


def _from_claim(claim: ExtractedClaim) -> Statement | None:
    text = " ".join(claim.text.split())
    return Statement(text, claim.speaker, claim.kind == "direct") if text else None


def _from_sentence(sentence: str) -> Statement | None:
    text = _LEADING_NOISE.sub("", " ".join(sentence.split()))
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    return Statement(text[:500])


# ---------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class StatementCheck:
    """A statement and the tracked claims that match it, best first (empty: not tracked)."""

    statement: Statement
    found: tuple[tuple[Match, ClaimView], ...]


def select_matches(matches: list[Match], *, min_score: float = POST_MIN_SCORE) -> list[Match]:
    """The matches a statement keeps: its best, if it scores at least ``min_score``, and a second
    only when it scores nearly as well. A reader checking a rumour needs the claim it repeats, not
    everything on the same topic, so posts ask more of a match than questions do (the matcher's own
    threshold is tuned for questions; ``tests/bench/bench_tipline_posts.py`` tunes this one)."""
    if not matches or matches[0].score < min_score:
        return []
    best = matches[0].score
    return [m for m in matches if m.score >= max(min_score, SECOND_MATCH_SHARE * best)]


@dataclass(frozen=True, slots=True)
class PostMatches:
    """A post's statements with their matches, and what the post as a whole matches."""

    statements: tuple[StatementCheck, ...]
    whole: tuple[tuple[Match, ClaimView], ...]


def match_post(text: str, statements: list[Statement], *, ask: Callable[..., list[Match]],
               views: Callable[[list[int]], list[ClaimView]], min_score: float = POST_MIN_SCORE
               ) -> PostMatches:
    """Match the post as a whole at ``min_score`` and each statement on its own at
    ``min_score + STATEMENT_EXTRA``, keeping only live claims (``views`` loads them in one query).

    Both, because neither alone serves every post: a tweet-length post is matched best whole (on
    CheckThat! tweets the whole post found as many of its claims, with fewer wrong ones, than its
    statements did), while a post making several assertions needs each one checked. Statements
    must score higher because every extra query is another chance of a wrong match.
    """
    asked = [ask(st.query, limit=MATCHES_PER_STATEMENT) for st in statements]
    whole = ask(" ".join(without_urls(text).split())[:2000], limit=MATCHES_PER_STATEMENT)
    wanted = [m.claim_id for ms in [*asked, whole] for m in ms]
    live = {v.id: v for v in views(wanted) if v.status == "active"}

    def kept(ms: list[Match], floor: float) -> tuple[tuple[Match, ClaimView], ...]:
        return tuple((m, live[m.claim_id])
                     for m in select_matches([m for m in ms if m.claim_id in live], min_score=floor))

    checks = tuple(StatementCheck(st, kept(ms, min_score + STATEMENT_EXTRA))
                   for st, ms in zip(statements, asked, strict=True))
    return PostMatches(checks, kept(whole, min_score))
