"""Where a speech verb's content begins and ends: the text spans around a cue.

Why it exists: every attribution rule needs the same span arithmetic. After the verb come
adverbials ("said in a statement on Monday") and, for "told", an addressee ("told reporters");
then "that", or a quotation, or the content itself, which runs to the first clause boundary outside
quotes. Before a trailing attribution ("..., the minister said") the content runs from the
sentence start. Keeping these boundaries in one place keeps the rules that use them
(:mod:`claims.extract.content`, :mod:`claims.extract.verbless`) about attribution, not offsets.
"""

from __future__ import annotations

import re

from claims.extract.article import ArticleState
from claims.extract.cues import CUES, PARTICIPLES
from claims.extract.sentences import Quote, Sentence

_VERB_KIND: dict[str, str] = {w: shape for w, (shape, _cls) in CUES.items()}
_ADVERBIALS_AFTER = re.compile(
    r"^(?:,?\s+(?:on\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?:\s+(?:night|morning|"
    r"afternoon|evening))?|,?\s+(?:in|at|during|after|on|via|over|from|before)\s+(?:a|an|the|his|"
    r"her|their|its)\s+(?:[\w’'.-]+\s+){0,3}?(?:statement|interview|post|speech|address|"
    r"conference|briefing|rally|hearing|meeting|event|email|e-mail|call|letter|video|op-ed|tweet|"
    r"message|report|appearance|session|debate|forum|filing|memo|release)(?:\s+(?:on|with|to)\s+"
    r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)?|\s+(?:publicly|privately|repeatedly|again|also|later|"
    r"earlier|today|yesterday|tonight|recently|previously|flatly|bluntly|simply|"
    r"last\s+(?:week|month|year|night)|this\s+(?:week|month|year|morning))|\s+to\s+(?:reporters|"
    r"journalists|supporters|the\s+press|lawmakers|the\s+crowd|an\s+audience))+"
)
_TELL_OBJECT = re.compile(
    r"^\s+(?:(?:the|a|an|his|her|their|its)\s+(?:[\w’'.-]+\s+)?[\w’'.-]+|[\w’'.-]+)"
    r"(?:\s+(?:in|at|from|on|during)\s+(?:the\s+)?[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*"
    r"(?:,\s+[A-Z][\w.’'-]*\.?(?:,)?)?)?"
)
_THAT_NEAR = re.compile(
    r"^(?:\s*,?\s+(?:in|at|on|during|with|to|after|before|from|of|about|over|since|until|for|"
    r"throughout|within|across|under|through|as)\s+[^,;:“”\"]{0,60}?)?"
    r"\s*,?\s+that\s+"
    r"(?!(?:would|will|is|was|could|can|should|has|had|may|might|must|does|did|seems|sounds|means|"
    r"makes|made|remains)\b)"
)
"""A complementiser "that" after the verb; "say that would be ..." is the pronoun, part of the content."""
_ADDRESSEE_THAT = re.compile(
    r"^\s+(?:(?:the|his|her|their|its|our)\s+)?(?:[a-z][\w’'-]*\s+){0,2}?[a-z][\w’'-]*\s+that\s+"
)
"""The addressee of a warning or promise before "that": "warned voters that", "assured allies that"."""
_ADDRESSEE_VERBS = re.compile(r"^(?:warn|remind|assur|promis|convinc|inform|persuad|caution|tell|told)")
_EXPRESSED = re.compile(r"^\s+(?:\w+\s+)?(?:hope|confidence|concern|doubt|optimism|belief)\s+that\s+")
_PRONOUN_CLAUSE = re.compile(
    r"^\s+(?=(?:he|she|they|we|it|there)\s+(?:(?:would|will|had|has|have|is|was|were|are|could|can|"
    r"did|does|do|not|also|never)\s+)*[a-z]+(?:ed|s)?\b)"
)
"""A clause opened by a subject pronoun after a verb with no "that": "announced they will ..."."""


def only_appositive(between: str) -> bool:
    """Whether the text between a quote and its speaker is empty or a role ("the spokesman, ")."""
    rest = between.strip(" ,")
    if not rest:
        return True
    return (
        between.rstrip().endswith(",")
        and len(rest.split()) <= 8
        and re.search(r"[“”\".;:]|\b(?:and|but|because|while)\b", rest) is None
    )


def skip_appositive(text: str, pos: int, limit: int) -> int:
    """Offset past the speaker's appositive (", global head of macro at ING"), if there is one."""
    m = re.match(r",\s*[^,.;“”\"]{1,80}(?=[,.;]|$)", text[pos:limit])
    return pos + m.end() if m else pos


def after_cue(text: str, pos: int, limit: int, kind: str) -> int:
    """Offset just after the verb and its adverbials ("said in a statement on Monday")."""
    m = _ADVERBIALS_AFTER.match(text[pos:limit])
    end = pos + m.end() if m else pos
    if kind == "tell":
        # "..., Ms. Okafor told reporters." - the addressee ends the attribution.
        t = _TELL_OBJECT.match(text[end:limit])
        if t and not text[end + t.end() : limit].strip(' .,;:!?)”"’'):
            return end + t.end()
    return end


def quote_at(quotes: list[Quote], text: str, pos: int, limit: int) -> Quote | None:
    """The quotation starting at ``pos`` after optional ``,`` or ``:`` and spaces."""
    m = re.match(r"[\s,:—–-]*", text[pos:limit])
    at = pos + (m.end() if m else 0)
    return next((q for q in quotes if q.start == at), None)


def content_start(text: str, pos: int, limit: int, kind: str, verb: str = "") -> int | None:
    """Where the reported content begins after a verb, or None if the verb reports nothing."""
    seg = text[pos:limit]
    m = _ADVERBIALS_AFTER.match(seg)
    off = m.end() if m else 0
    if _ADDRESSEE_VERBS.match(verb.lower()):
        addressee = _ADDRESSEE_THAT.match(seg[off:])
        if addressee:
            return pos + off + addressee.end()
    if kind == "tell":
        t = _TELL_OBJECT.match(seg[off:])
        if t:
            off += t.end()
            m2 = _ADVERBIALS_AFTER.match(seg[off:])
            off += m2.end() if m2 else 0
    that = _THAT_NEAR.match(seg[off:])
    if that:
        off += that.end()
    elif kind == "that":
        ex = _EXPRESSED.match(seg[off:]) or _PRONOUN_CLAUSE.match(seg[off:])
        if not ex:
            return None
        off += ex.end()
    rest = seg[off:]
    lead = len(rest) - len(rest.lstrip(" ,:—–"))
    off += lead
    if pos + off >= limit:
        return None
    return pos + off


_END_BOUNDARY = re.compile(
    r"(?:,\s*|\s+)(?:who\s+|and\s+)?(?:spoke|speaking|talked|talking|asked|requested|insisted\s+on)"
    r"(?:\s+on)?\s+(?:the\s+)?(?:condition\s+(?:of|that)|anonymity)"
    r"|,\s+(?:while|as|but|although|though|whereas|according\s+to)\s"
    r"|\s+while\s"
    r"|;\s"
    r"|(?:,|,[”\"']{1,2}|[”\"']{1,2},)\s+(?=[a-z]+ing\s)"
    r"|,\s+(?:he|she|they|it)\s+(?:said|added|says)\b"
    r"|,?\s+(?:and|but)\s+(?:also\s+)?(?=(?:"
    + "|".join(
        v
        for v in sorted(_VERB_KIND, key=len, reverse=True)
        if _VERB_KIND[v] != "that" and v not in PARTICIPLES and CUES[v][1] in ("statement", "assertion")
    )
    + r"|acknowledged|acknowledges|agreed|emphasized|stressed|promised|vowed)\b)"
)


def content_end(art: ArticleState, start: int, limit: int) -> int:
    """End of the content starting at ``start``: the first clause boundary outside quotes."""
    m = _END_BOUNDARY.search(art.masked, start, limit)
    while m is not None and len(art.text[start : m.start()].split()) < 2 and m.group(0).startswith(","):
        # "Millennials, numbering 75.3 million, surpassed ...": an appositive after the subject,
        # not the end of what was said.
        m = _END_BOUNDARY.search(art.masked, m.end(), limit)
    end = m.start() if m else limit
    while end > start and art.text[end - 1] in " \t.,;:":
        end -= 1
    return end


def pre_region(text: str, sent: Sentence, quotes: list[Quote], who_start: int) -> tuple[int, int]:
    """The content before a trailing attribution: sentence start up to ", <speaker> said"."""
    before = text[sent.start : who_start]
    stripped = before.rstrip()
    if not stripped.endswith(","):
        return (0, 0)
    hi = sent.start + len(stripped) - 1
    lo = sent.start
    seg = text[lo:hi]
    lead = len(seg) - len(seg.lstrip(" “\"'‘"))
    if seg.lstrip().startswith(("“", '"')):
        lead = len(seg) - len(seg.lstrip())
    lo += lead
    if len(text[lo:hi].split()) < 2:
        return (0, 0)
    return (lo, hi)
