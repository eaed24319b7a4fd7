"""What one speech verb reports: the quotation or clause it attributes to its speaker.

Why it exists: once a cue and its speaker are found (:mod:`claims.extract.attribution`), the content
takes one of four shapes, tried in order:

A. a quotation right before the attribution ("“...,” Mr. Trump said"), possibly split around it;
B. a parenthetical attribution inside the content ("Mr. Putin's response, he said, was ...");
C. content before a trailing attribution ("..., the European Commission said on Wednesday.");
D. content after the verb ("X said that ...", "X said: “...”", "commended Y for ...").

The span arithmetic those cases share is in :mod:`claims.extract.spans`.
"""

from __future__ import annotations

import re

from claims.extract.article import ArticleState, record_direct, record_reported
from claims.extract.cues import FRAMED, cue_class
from claims.extract.polarity import denial
from claims.extract.sentences import Quote, Sentence
from claims.extract.spans import (
    after_cue,
    content_end,
    content_start,
    only_appositive,
    pre_region,
    quote_at,
    skip_appositive,
)
from claims.extract.speakers import Mention, Resolved

_OBJECT_REASON = re.compile(r"([^,;:“”\"]{1,60}?)\s+(?:for|of)\s+(\S)")
_REASON_VERBS = frozenset(
    [
        "commended", "commends", "praised", "praises", "criticized", "criticised", "criticizes",
        "slammed", "blasted", "attacked", "mocked", "ridiculed", "condemned", "denounced", "decried",
        "blamed", "blames", "accused", "accuses", "accusing", "thanked", "defended", "defends",
    ]
)  # fmt: skip
"""Verbs whose object is who the claim is about, with the claim after "for"/"of"."""
_CLAUSE_START = re.compile(
    r"(?![“\"‘']?(?:to|of|for|on|at|in|about|with|from|by|as|into|over|against|upon|much|little)\s)"
)
"""Content that does not open with a preposition reads as a clause of its own."""
_VERB_GROUP = re.compile(r"[ \t]*(?:[a-z]+[ \t]+){0,3}")
"""Only verb-group words between a subject and its verb ("has repeatedly", "also")."""
_PARTICIPLE_AFTER = re.compile(r"^(?:,\s*[”\"’']{0,2}|[”\"’']{1,2},?)\s+([a-z]+ing)\b")
_FINITE = re.compile(
    r"\b(?:is|are|was|were|be|been|will|would|can|could|should|shall|may|might|must|has|have|had|do|"
    r"does|did|[a-z]{2,}ed|isn[’']t|wasn[’']t|won[’']t|don[’']t|doesn[’']t|didn[’']t|can[’']t|"
    r"[’']s|[’']re|[’']ll|[’']d)\b",
    re.IGNORECASE,
)
_DETERMINERS = frozenset(
    ["the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "these"]
)


def _clause_like(content: str) -> bool:
    """Whether reported content holds a finite verb after its first word (a clause, not a noun
    phrase): an auxiliary, a past tense, or a present "-s" verb right after a one- or two-word
    subject ("Mexico pays", "the plan works"; "her silence on the fares" has none)."""
    words = content.split()
    if len(words) < 2:
        return False
    if _FINITE.search(" ".join(words[1:25])):
        return True
    for i in (1, 2):
        verb = i < len(words) and re.fullmatch(r"[a-z]{2,}[^s\W]s[,.]?", words[i]) is not None
        if verb and words[i - 1].lower() not in _DETERMINERS:
            return i == 1 or words[0].lower() in _DETERMINERS or words[0][:1].isupper()
    return False


_NON_RESTRICTIVE = re.compile(r",\s+who\s+(?:[a-z]+\s+){0,2}$")
"""A speech verb in a relative clause set off by commas: ", who said ...,"."""
_SUBORDINATE = re.compile(
    r"\b(?:after|when|as|while|before|since|because|although|though|if|once|until|unless|whereas)\s"
    r"[^,;:—–“”\"]*$",
    re.IGNORECASE,
)
"""A subordinate clause opened before the speaker and not yet closed by a comma."""
_PRO_FORM = re.compile(
    r"(?:so|as\s+much|otherwise|the\s+same|likewise)\b(?:\s+(?:on|in|at|last|this|yesterday|today|earlier|"
    r"later|again|too|publicly|privately|repeatedly)\b[^,;]*)?[.!?]?$",
    re.IGNORECASE,
)
"""Content that only points at a statement made elsewhere ("said so on Monday")."""
_PREPOSITIONS = frozenset(
    [
        "of", "in", "on", "at", "to", "from", "with", "for", "about", "during", "after", "before",
        "by", "over", "under", "via", "as",
    ]
)  # fmt: skip


def attribute_content(
    art: ArticleState,
    sent: Sentence,
    no: int,
    m: re.Match[str],
    kind: str,
    mention: Mention,
    res: Resolved,
    inverted: bool,
    quotes: list[Quote],
    used: list[tuple[int, int]],
) -> bool:
    """Find the content for one speech verb and record the claim(s); True if any was made."""
    text = art.text
    verb = m.group(0)
    who_start = m.start() if inverted else mention.start
    cue_end = mention.end if inverted else m.end()
    if inverted:
        # Skip the speaker's appositive: "said Carsten Brzeski, global head of macro at ING."
        cue_end = skip_appositive(text, cue_end, sent.end)
    # Case A: a quotation right before the attribution ("“...,” Mr. Trump said").
    pre_quote = next(
        (q for q in reversed(quotes) if q.end <= who_start and only_appositive(text[q.end : who_start])),
        None,
    )
    after = after_cue(text, cue_end, sent.end, kind)
    if pre_quote is not None:
        draft = record_direct(art, sent, no, pre_quote, mention, res, verb)
        used.append((pre_quote.start, m.end()))
        # A split quote: “…,” he said, “…” or he said: “…”
        nxt = quote_at(quotes, text, after, sent.end)
        if nxt is not None:
            draft.parts.append((nxt.inner_start, nxt.inner_end))
            draft.quotes.append((nxt.inner_start, nxt.inner_end))
            used.append((nxt.start, nxt.end))
        return True

    pre_lo, pre_hi = pre_region(text, sent, quotes, who_start)
    tail = text[after : sent.end]
    participle_after = _PARTICIPLE_AFTER.match(text[after : after + 40]) is not None
    tail_is_end = not tail.strip(' .,;:!?)”"’') or participle_after
    parenthetical = (
        pre_hi > pre_lo
        and re.match(r"^,\s+[a-z]", tail) is not None
        and not participle_after
        and tail.split()[1] not in _PREPOSITIONS
        if len(tail.split()) > 1
        else False
    )
    if tail.strip().startswith(":") and not tail.strip(" :.\n"):
        return False  # "In a speech last July, he said:": what he said is the next paragraph
    long_pre = len(text[pre_lo:pre_hi].split()) >= 3
    if long_pre and (tail_is_end or inverted) and kind != "object":
        # Case C: "..., the European Commission said on Wednesday."
        return record_reported(art, sent, no, [(pre_lo, pre_hi)], mention, res, verb, quotes, used, 0.8)
    if parenthetical:
        # Case B: "Mr. Putin's response, he said, was “very predictable.”"
        post_lo = after + len(tail) - len(tail[1:].lstrip())
        post_hi = content_end(art, post_lo, sent.end)
        return record_reported(
            art,
            sent,
            no,
            [(pre_lo, pre_hi), (post_lo, post_hi)],
            mention,
            res,
            verb,
            quotes,
            used,
            0.8,
        )
    if inverted:
        return False
    # Case D: the content follows the verb.
    start = content_start(text, cue_end, sent.end, kind, verb)
    if start is None:
        return False
    end = content_end(art, start, sent.end)
    if _NON_RESTRICTIVE.search(text, max(sent.start, m.start() - 40), m.start()):
        # "Beck, who said the race was over, left": the relative clause ends at its comma.
        comma = text.find(", ", start, end)
        if comma > start:
            end = comma
    sub = _SUBORDINATE.search(text, max(sent.start, who_start - 80), who_start)
    opened = max([sent.start] + [text.rfind(c, sent.start, sub.start()) + 1 for c in ":;—–"]) if sub else 0
    if sub and len(text[opened : sub.start()].split()) <= 4:
        # "When Sanders accused Clinton of ..., she said ...": the speech verb is in a fronted
        # subordinate clause, whose content ends where the main clause begins.
        comma = text.find(", ", start, end)
        if comma > start:
            end = comma
    lead = None
    if kind == "object":
        # "called the law “a disaster”", "accused the mayor of hiding ...", "praised Rutte for
        # doing ...": the verb and its object are the frame the rest only means something in.
        reason = _OBJECT_REASON.match(text, start, end) if verb.lower() in _REASON_VERBS else None
        if reason:
            start = reason.start(2)
        lead = " ".join(text[m.start() : start].split())
    elif cue_class(verb) in FRAMED or (not _CLAUSE_START.match(text, start) and kind != "ask"):
        # "tells his supporters at a rally to “go and vote”": not a clause on its own.
        lead = re.sub(r"\s+that$", "", " ".join(text[m.start() : start].split()))
    elif kind == "say" and not _clause_like(text[start:end]) and not quote_at(quotes, text, start, sent.end):
        # "Gore has maintained his silence", "testified voluntarily in 1998": no clause follows the
        # verb, so the verb stays as the frame ("[Gore maintained] his silence ...").
        lead = " ".join(text[m.start() : start].split())
    if denial(verb):
        # "she denied that she mishandled ...": the denial stays in the claim, never the bare
        # assertion. The subject is kept when it stands right before the verb.
        between = text[mention.end : m.start()]
        start = mention.start if mention.end <= m.start() and _VERB_GROUP.fullmatch(between) else m.start()
        lead = "" if start == m.start() else None
    q = quote_at(quotes, text, start, sent.end)
    if q is not None and q.end >= end - 1 and q.start <= start + 2:
        record_direct(art, sent, no, q, mention, res, verb).lead = lead
        used.append((m.start(), q.end))
        return True
    if len(text[start:end].split()) < 2 and not any(start <= x.start < end for x in quotes):
        return False
    if _PRO_FORM.match(text[start:end]):
        return False  # "the campaign said so on Monday": the claim is elsewhere, not in these words
    made = record_reported(art, sent, no, [(start, end)], mention, res, verb, quotes, used, 1.0)
    if made and lead is not None:
        art.drafts[-1].lead = lead
    return made
