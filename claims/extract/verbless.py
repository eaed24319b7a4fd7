"""Attributions without a speech verb: "according to X", "in X's poll, ...", "NAME: ..." and a
title-case headline's "Name Says ...".

Why it exists: these conventions name a source by position, not by a verb, so the cue scan of
:mod:`claims.extract.attribution` never sees them. "According to X" marks the clause before or after
it as X's; a fronted "In a new CNN poll, ..." or "In a statement, ..." marks the clause after it as
the poll's or the statement's; a paragraph or headline opening with a known name, or a shouted
transcript name, and a colon ("KATE BOLDUAN: ...", "Sanders: Endorsements prove ...") gives the
rest of it to that name.
"""

from __future__ import annotations

import re

from claims.extract.article import COLON_SPEAKER, HEADLINE_SAYS, ArticleState, record_reported
from claims.extract.cues import CUE_RE
from claims.extract.names import looks_like_name
from claims.extract.sentences import Quote, Sentence
from claims.extract.spans import content_end
from claims.extract.speaker_phrases import classify
from claims.extract.speakers import Mention

ACCORDING = re.compile(r"(?<!\w)[Aa]ccording to\s+")
"""Where an "according to" attribution starts; its source phrase follows."""
_COLON_LABELS = frozenset(
    ["update", "updated", "note", "editor", "editors", "related", "watch", "read", "photo", "photos",
     "video", "live", "breaking", "exclusive", "analysis", "opinion", "review", "correction",
     "source", "sources", "credit", "listen", "q", "a", "question", "answer", "transcript", "poll",
     "chart", "map", "graphic", "timeline", "factbox", "explainer", "fact", "check", "warning"]
)  # fmt: skip


_TITLE_CASE_SMALL = frozenset(["For", "On", "To", "Of", "With", "About", "Against", "In", "At", "And", "A"])
"""Small words capitalised only in a title-case headline: "Big Win For Bernie:" names no speaker."""
_SOURCE_TAIL = re.compile(r"\s+(?:who|whom|which|that|speaking)\b.*$", re.DOTALL)
"""What follows the source's noun phrase: "officials [who spoke on the condition of anonymity]"."""


def attribute_according(
    art: ArticleState, sent: Sentence, no: int, m: re.Match[str], quotes: list[Quote]
) -> bool:
    """ "According to X, ..." and "..., according to X." attributions."""
    text = art.text
    src = re.match(r"([^,.;:“”\"]{2,80})", text[m.end() : sent.end])
    if not src:
        return False
    phrase = _SOURCE_TAIL.sub("", src.group(1)).strip()
    mention = classify(phrase, m.end())
    if mention is None:
        return False
    res = art.resolve(mention)
    src_end = m.end() + src.end()
    if m.start() <= sent.start + 1 or not text[sent.start : m.start()].strip(" ,"):
        start = src_end
        while start < sent.end and text[start] in " ,":
            start += 1
        end = content_end(art, start, sent.end)
        parts = [(start, end)]
    else:
        end = m.start()
        while end > sent.start and text[end - 1] in " ,":
            end -= 1
        parts = [(sent.start, end)]
    if len(text[parts[0][0] : parts[0][1]].split()) < 3:
        return False
    return record_reported(art, sent, no, parts, mention, res, "according to", quotes, [], 0.9)


_IN_SOURCE = re.compile(
    r"(?:(?:But|And|Yet|Still|Meanwhile),?\s+)?(?:In|At)\s+((?:(?:an?|the|its|their|his|her|one|another|"
    r"this|that|[A-Z][\w.&/’'-]*’s|[A-Z][\w.&/’'-]*'s)\s)?[^,;:“”\"]{0,80}?"
    r"\b(?:poll|survey|study|report|analysis|memo|letter|filing|complaint|lawsuit|ruling|projection|"
    r"forecast|estimate|findings|data|audit|review)s?)\b([^,;:“”\"]{0,80}),\s+"
    r"(?:(?:conducted|released|taken|published|issued)\b[^,;:“”\"]{0,60},\s+)?"
)
"""A fronted source frame: "In a new CNN/ORC poll released Monday, ..." gives what follows to it."""
_SOURCE_MODIFIER = re.compile(r"\s+(?:released|conducted|taken|published|issued|out|by|of|from|for)\b.*$")


def attribute_in_source(art: ArticleState, sent: Sentence, no: int, quotes: list[Quote]) -> bool:
    """ "In a Quinnipiac poll released Monday, Clinton leads by 5 points": the poll's claim.

    Only when the rest of the sentence has no speech verb of its own ("In a statement, the mayor
    said ..." is the mayor's claim, found by the cue scan).
    """
    text = art.text
    m = _IN_SOURCE.match(text, sent.start, sent.end)
    if m is None:
        return False
    start, end = m.end(), sent.end
    while end > start and text[end - 1] in " .":
        end -= 1
    if len(text[start:end].split()) < 4 or CUE_RE.search(art.masked, start, end):
        return False
    phrase = _SOURCE_MODIFIER.sub("", m.group(1)).strip()
    mention = classify(phrase, m.start(1))
    if mention is None or mention.form == "pronoun":
        return False
    res = art.resolve(mention)
    return record_reported(art, sent, no, [(start, end)], mention, res, "in", quotes, [], 0.85)


def attribute_headline(art: ArticleState, sent: Sentence, no: int) -> bool:
    """A title-case headline "Glenn Beck Says Trump Poses A Threat": the named speaker's claim (a
    fronted phrase before a comma, "Railing Against Trump, Sanders Vows ...", is not the speaker)."""
    text = art.text
    para = art.paras[sent.paragraph]
    m = HEADLINE_SAYS.match(text, sent.start, para.end)
    if m is None:
        return False
    mention = classify(m.group("who"), m.start("who"))
    if mention is None or mention.form not in ("name", "role", "generic"):
        return False
    lo, hi = m.start("what"), m.end("what")
    while hi > lo and text[hi - 1] in " .":
        hi -= 1
    if len(text[lo:hi].split()) < 2:
        return False
    quotes = art.quotes_in(Sentence(sent.start, para.end, sent.paragraph))
    res = art.resolve(mention)
    return record_reported(art, sent, no, [(lo, hi)], mention, res, m.group("verb").lower(), quotes, [], 0.8)


def attribute_colon(art: ArticleState, sent: Sentence, no: int) -> bool:
    """A paragraph or headline opening "Name: ..." (a transcript turn, a headline's speaker)."""
    text = art.text
    para = art.paras[sent.paragraph]
    m = COLON_SPEAKER.match(text, sent.start, para.end)
    if m is None:
        return False
    who = m.group(1)
    words = who.split()
    if any(w.lower().strip(".’'s") in _COLON_LABELS for w in words) or not looks_like_name(who):
        return False
    if any(w in _TITLE_CASE_SMALL for w in words[1:]):
        return False  # "Big Win For Bernie: ...", "CNN President On Trump: ...": a headline's topic
    mention = classify(who, m.start(1))
    if mention is None or mention.form != "name":
        return False
    known = art.registry.lookup(who, m.start(1))
    shouting = who.isupper() and len(words) >= 2  # "KATE BOLDUAN:" in a transcript
    if not (known or shouting or (len(words) >= 2 and para.kind == "headline")):
        return False
    res = art.resolve(Mention(who.title() if shouting else who, m.start(1), m.end(1), "name"))
    lo, hi = m.end(), para.end
    while hi > lo and text[hi - 1] in " .":
        hi -= 1
    if len(text[lo:hi].split()) < 2:
        return False
    quotes = art.quotes_in(Sentence(sent.start, para.end, sent.paragraph))
    return record_reported(art, sent, no, [(lo, hi)], mention, res, ":", quotes, [], 0.8)
