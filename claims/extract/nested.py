"""A quotation inside a quotation: the inner words belong to the person the outer speaker quotes.

Why it exists: “Jones told me, ‘We will never pay for it,’ and I believed him,” Smith said. The
outer quotation is Smith's account; the inner one is Jones's statement, and crediting it to Smith
would put words in the wrong mouth. The cue scan of :mod:`claims.extract.attribution` never looks
inside quotations (their contents are masked), so this pass reads each direct claim's quotation for
a speech verb that introduces a single-quoted inner quotation, and records the inner words as a
direct claim of the inner speaker, resolved by the article's registry. A pronoun ("he told me")
resolves the way any pronoun does; "I" is the outer speaker and needs no second claim.
"""

from __future__ import annotations

import re

from claims.extract.article import ArticleState
from claims.extract.claim import Draft
from claims.extract.speaker_phrases import classify

_INNER = re.compile(
    r"(?P<who>(?:[A-Z][\w’'.-]*[ \t]+){0,3}[A-Z][\w’'.-]*|he|she|they)[ \t]+"
    r"(?:(?:then|also|just|once|later)[ \t]+)?"
    r"(?P<verb>said|says|told[ \t]+(?:me|us|him|her|them|reporters)|asked|wrote|added|replied|"
    r"answered|warned|insisted|shouted|yelled|texted|tweeted)"
    r"[ \t]*[,:]?[ \t]*‘(?P<words>[^‘’]{8,}?)[,.!?]?’"
)
"""An inner speaker, a speech verb and the single-quoted words it introduces."""


def credit_inner_quotes(art: ArticleState) -> None:
    """Add a direct claim for every quotation quoted inside another speaker's quotation."""
    text = art.text
    for d in list(art.drafts):
        if d.kind != "direct":
            continue
        for lo, hi in d.parts:
            for m in _INNER.finditer(text, lo, hi):
                mention = classify(m.group("who"), m.start("who"))
                if mention is None:
                    continue
                res = art.resolve(mention)
                if res.name is None or res.name == d.resolved.name:
                    continue
                inner = (m.start("words"), m.end("words"))
                art.drafts.append(
                    Draft(
                        parts=[inner],
                        kind="direct",
                        resolved=res,
                        mention=mention.text,
                        sentence=d.sentence,
                        sentence_no=d.sentence_no,
                        confidence=d.confidence * 0.9,
                        cue=m.group("verb").split()[0],
                        quotes=[inner],
                    )
                )
