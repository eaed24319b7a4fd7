"""One article's extraction state, and the drafts every attribution rule records on it.

Why it exists: the rules (speech verbs, "according to", "NAME: ...", continued quotes, interview
answers) all read the same per-article state: the text, the text with quotation contents masked
(so a cue inside a quote is never taken for an attribution), the quotations per paragraph, the
quote-aware sentences and the article's speaker registry. They all record their findings the same
way, as direct or reported :class:`~claims.extract.claim.Draft` objects. Both live here, so each
rule module depends on this one and none on another.
"""

from __future__ import annotations

import re

from claims.catalog import Catalog
from claims.extract.claim import Draft
from claims.extract.cues import CuePolicy
from claims.extract.registry import Registry
from claims.extract.sentences import Quote, Sentence, find_quotes, opens_with_quote, paragraphs, sentences
from claims.extract.speakers import Mention, Resolved

COLON_SPEAKER = re.compile(
    r"((?:[A-Z][\w.’'-]*[ \t]+){0,3}[A-Z][\w.’'-]*[A-Za-z])[ \t]*:[ \t]+(?=[“\"‘'A-Z0-9])"
)
"""A paragraph or headline opening "Name: ..." (a transcript turn, a headline's speaker)."""
HEADLINE_SAYS = re.compile(
    r"(?:[^:;“”\"\n]{1,60},[ \t]+)?(?P<who>[A-Z][^:;,“”\"]{1,60}?)[ \t]+"
    r"(?P<verb>Says|Said|Tells|Told|Warns|Warned|Claims|Claimed|Admits|"
    r"Admitted|Denies|Denied|Insists|Vows|Vowed|Predicts|Predicted|Argues|Suggests|Thinks|Believes|"
    r"Confirms|Confirmed)[ \t]+(?P<what>\S[^\n]{5,})"
)
"""A title-case headline "Clinton Says Russians Hacked DNC": the verb is capitalised like every word."""

_AFFILIATION_TAG = re.compile(
    r"(?<=[\w.])\s\((?:[DRI]|[A-Z][a-z]{1,4}\.?)(?:[-–][A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\)"
)
"""A party and state tag after a name: "Sen. John Cornyn (R-Texas)", "Martin O'Malley (D)"."""


class ArticleState:
    """State for one article: text, masked text (quote contents hidden), registry, drafts."""

    def __init__(self, text: str, catalog: Catalog, policy: CuePolicy = "tracked") -> None:
        self.text = text
        self.catalog = catalog
        self.policy = policy
        self.paras = paragraphs(text)
        self.quotes: list[list[Quote]] = []
        self.sents: list[Sentence] = []
        chars = list(text)
        self.unclosed: set[int] = set()  # inner ends of quotes that run on into the next paragraph
        for pi, para in enumerate(self.paras):
            nxt = self.paras[pi + 1] if pi + 1 < len(self.paras) else None
            runs_on = nxt is not None and opens_with_quote(text, nxt.body_start)
            qs = find_quotes(text, para.body_start, para.end, runs_on=runs_on)
            self.unclosed.update(q.inner_end for q in qs if not q.closed and runs_on)
            self.quotes.append(qs)
            for q in qs:
                last = q.inner_end - 1
                for i in range(q.inner_start, q.inner_end):
                    if not (i == last and text[i] in ",.?!"):
                        chars[i] = "x"
            if para.kind != "headline":
                self.sents.extend(sentences(text, para, pi, qs))
            elif COLON_SPEAKER.match(text, para.body_start, para.end) or HEADLINE_SAYS.match(
                text, para.body_start, para.end
            ):
                # "Sanders: Endorsements prove Clinton 'candidate of the establishment'"
                self.sents.append(Sentence(para.body_start, para.end, pi))
        self.masked = "".join(chars)
        # The text speaker phrases are read from: party tags blanked, so "Sen. John Cornyn (R-Texas)
        # told" reads as a name before its verb; offsets are those of ``text``.
        self.speaker_text = _AFFILIATION_TAG.sub(lambda m: " " * len(m.group(0)), text)
        self.registry = Registry(text, catalog)
        self.drafts: list[Draft] = []

    # -- helpers ---------------------------------------------------------------------------------

    def quotes_in(self, s: Sentence) -> list[Quote]:
        return [q for q in self.quotes[s.paragraph] if q.start >= s.start and q.end <= s.end]

    def resolve(self, mention: Mention) -> Resolved:
        return self.registry.resolve(mention)


def record_direct(
    art: ArticleState, sent: Sentence, no: int, q: Quote, mention: Mention, res: Resolved, verb: str
) -> Draft:
    """Record quotation ``q`` as said by ``mention``; returned so a split quote can add its rest."""
    draft = Draft(
        parts=[(q.inner_start, q.inner_end)],
        kind="direct",
        resolved=res,
        mention=mention.text,
        sentence=sent,
        sentence_no=no,
        confidence=res.confidence,
        cue=verb,
        quotes=[(q.inner_start, q.inner_end)],
    )
    art.drafts.append(draft)
    return draft


def record_reported(
    art: ArticleState,
    sent: Sentence,
    no: int,
    parts: list[tuple[int, int]],
    mention: Mention,
    res: Resolved,
    verb: str,
    quotes: list[Quote],
    used: list[tuple[int, int]],
    factor: float,
) -> bool:
    """Record reported content ``parts`` unless a rule already took this span; True if recorded.

    ``factor`` scales the confidence by how sure the rule is of the content's bounds.
    """
    parts = [(a, b) for a, b in parts if b > a]
    if not parts:
        return False
    lo, hi = parts[0][0], parts[-1][1]
    if any(a == lo and b == hi for a, b in used):
        return False
    inner = [(q.inner_start, q.inner_end) for q in quotes if lo <= q.start and q.end <= hi + 1]
    art.drafts.append(
        Draft(
            parts=parts,
            kind="reported",
            resolved=res,
            mention=mention.text,
            sentence=sent,
            sentence_no=no,
            confidence=res.confidence * 0.9 * factor,
            cue=verb,
            quotes=inner,
        )
    )
    used.append((lo, hi))
    return True
