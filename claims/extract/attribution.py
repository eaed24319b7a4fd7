"""Claim extraction: direct quotes and reported speech, with speaker, topic and exact spans.

Rules first: news attribution follows a small number of conventions ("“...,” Mr. X said",
"X said that ...", "..., X said", "X said: “...”", "according to X", "NAME: ..." in transcripts and
headlines), and rules over those conventions are fast, deterministic and explainable to an editor.
The cue words, their shapes and the cue policy (which attributions are trackable claims) are in
:mod:`claims.extract.cues`. For the long tail of rarer cues a small averaged perceptron
(:mod:`claims.extract.cue_model`, weights shipped in the package) proposes further cues when the
caller asks for every attribution (``cues="all"``). Measured quality: ``tests/bench/bench_polnear.py``
(PolNeAR) and ``tests/bench/bench_extract.py`` (gold files, speed).

Pipeline, per article:
1. :mod:`claims.extract.sentences` drops page chrome, finds quotations (a quote left open at the end
   of a paragraph runs on into the next one that opens with a quotation mark) and splits
   quote-aware sentences.
2. :mod:`claims.extract.speakers` builds the article's name registry (full names, honorifics, roles,
   appositive descriptions); :mod:`claims.extract.descriptions` names speakers that are descriptions,
   organisations or carry an outlet prefix.
3. Each sentence is scanned for cues outside quotations; each cue's speaker phrase and content span
   are found by the attribution pattern around it; compound subjects share the claim; quotes that
   continue a speaker's previous quote are joined to it; interview answers go to the interviewee.
4. :mod:`claims.extract.claim` turns drafts into :class:`ExtractedClaim` objects with topic, speaker
   aliases, context and resolved text.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from claims.catalog import Catalog
from claims.extract.claim import ClaimKind, Draft, ExtractedClaim, finish
from claims.extract.cue_model import THRESHOLD, candidates, load_model
from claims.extract.cues import (
    CUE_RE,
    CUES,
    NOT_CUE_AFTER,
    PARTICIPLES,
    CuePolicy,
    cue_class_at,
    tracked,
)
from claims.extract.sentences import Quote, Sentence, find_quotes, opens_with_quote, paragraphs, sentences
from claims.extract.speakers import (
    Mention,
    Registry,
    Resolved,
    classify,
    clause_subject,
    looks_like_name,
    subject_after,
    subject_before,
)

__all__ = ["ClaimKind", "ExtractedClaim", "extract_claims"]

log = logging.getLogger(__name__)


# --- speech verbs ----------------------------------------------------------------------------------

_VERB_KIND: dict[str, str] = {w: shape for w, (shape, _cls) in CUES.items()}
_PARTICIPLES = PARTICIPLES
_CUE = CUE_RE
_ACCORDING = re.compile(r"(?<!\w)[Aa]ccording to\s+")
# "called for", "calls on": a demand, not a statement; "states"/"reports" as nouns are excluded by
# requiring a subject.
_NOT_CUE_AFTER = re.compile(r"^\s+(?:for|on|off|in|up|out|back|into)\b")
_OBJECT_FOR = re.compile(r"([^,;:“”\"]{1,60}?)\s+for\s+(\S)")
_WITH_SUBJECT = re.compile(r"(?:^|[,\s])with\s+([^,;:“”\"]{2,60}?)\s*$")
_LOOSE_CLASSES = frozenset(["belief", "finding", "stance", "question"])

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
    r"^(?:\s*,?\s+(?:in|at|on|during|with|to|after|before|from|of|about|over)\s+[^,;:“”\"]{0,60}?)?"
    r"\s*,?\s+that\s+"
)
_EXPRESSED = re.compile(r"^\s+(?:\w+\s+)?(?:hope|confidence|concern|doubt|optimism|belief)\s+that\s+")
_PARTICIPLE_AFTER = re.compile(r"^(?:,\s*[”\"’']{0,2}|[”\"’']{1,2},?)\s+([a-z]+ing)\b")
_PREPOSITIONS = frozenset(
    [
        "of", "in", "on", "at", "to", "from", "with", "for", "about", "during", "after", "before",
        "by", "over", "under", "via", "as",
    ]
)  # fmt: skip


class _Article:
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
            elif _COLON_SPEAKER.match(text, para.body_start, para.end):
                # "Sanders: Endorsements prove Clinton 'candidate of the establishment'"
                self.sents.append(Sentence(para.body_start, para.end, pi))
        self.masked = "".join(chars)
        self.registry = Registry(text, catalog)
        self.drafts: list[Draft] = []

    # -- helpers ---------------------------------------------------------------------------------

    def quotes_in(self, s: Sentence) -> list[Quote]:
        return [q for q in self.quotes[s.paragraph] if q.start >= s.start and q.end <= s.end]

    def resolve(self, mention: Mention) -> Resolved:
        return self.registry.resolve(mention)


def extract_claims(
    text: str, *, catalog: Catalog, published_at: datetime | None = None, cues: CuePolicy = "tracked"
) -> list[ExtractedClaim]:
    """Every claim in ``text``, in reading order; never raises on text, never leaves its bounds.

    ``cues="tracked"`` keeps the attributions the cue policy tracks (see :mod:`claims.extract.cues`);
    ``cues="all"`` also returns wants, plans, refusals and endorsements.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    art = _Article(text, catalog, cues)
    interviewee_checked = False
    interviewee: Resolved | None = None
    for no, sent in enumerate(art.sents):
        para = art.paras[sent.paragraph]
        try:
            if para.kind == "answer":
                if not interviewee_checked:
                    interviewee_checked = True
                    ent = art.registry.most_salient_person(para.start)
                    if ent is not None:
                        interviewee = Resolved(ent.name, ent.kind, None, 0.7, ent)
                if interviewee is not None:
                    _answer(art, sent, no, interviewee)
                continue
            colon = sent.start == para.body_start and _colon(art, sent, no)
            if colon and para.kind == "headline":
                continue
            _sentence(art, sent, no)
        except Exception:  # one odd sentence must not lose the whole article; the bug is logged
            log.exception("claim extraction failed on sentence at %d..%d", sent.start, sent.end)
    return finish(art.text, art.sents, art.drafts, art.catalog, published_at)


# --- per sentence ----------------------------------------------------------------------------------


def _sentence(art: _Article, sent: Sentence, no: int) -> None:
    text, masked = art.text, art.masked
    quotes = art.quotes_in(sent)
    used: list[tuple[int, int]] = []  # content spans already claimed in this sentence
    previous: Mention | None = None
    found = False
    subject = clause_subject(text, sent.start, sent.end)
    spoke = False

    for m in _ACCORDING.finditer(masked, sent.start, sent.end):
        found |= _according(art, sent, no, m, quotes)

    for m in _CUE.finditer(masked, sent.start, sent.end):
        verb = m.group(0)
        kind = CUES[verb][0]
        cls = cue_class_at(verb, text[m.end() : m.end() + 5])
        if _NOT_CUE_AFTER.match(text, m.end()) and kind == "object":
            continue
        if cls in _LOOSE_CLASSES and NOT_CUE_AFTER.match(text, m.end()):
            continue
        if not tracked(cls, art.policy):
            continue
        if any(a <= m.start() < b for a, b in used):
            continue
        participle = verb in _PARTICIPLES
        floor = sent.start
        for q in quotes:
            if q.end <= m.start():
                floor = max(floor, q.end)
        mention: Mention | None = None
        inverted = False
        before = text[floor : m.start()].rstrip()
        if participle:
            mention = (
                subject_before(text, floor, m.start())
                if before and not before.endswith(("before", "after", "while", "by", ","))
                else None
            )
            with_who = _WITH_SUBJECT.search(before)
            if with_who:
                # "..., with Ms. Okafor saying the city ...": the participle's own subject.
                mention = classify(with_who.group(1), floor + with_who.start(1))
            elif mention is None or mention.form != "pronoun":
                lo = sent.start
                for b in re.finditer(r",\s+but\s+|;\s+", masked[sent.start : m.start()]):
                    lo = sent.start + b.end()
                lo = max(lo, floor if floor > sent.start else lo)
                mention = clause_subject(text, lo, m.start()) or previous
        else:
            if not before or before.endswith(("”", '"', "’", "'")):
                mention = subject_after(text, m.end(), sent.end)
                inverted = mention is not None
            if mention is None:
                mention = subject_before(text, floor, m.start())
            if mention is None and before.endswith(","):
                mention = subject_after(text, m.end(), sent.end)
                inverted = mention is not None
            if mention is None and re.search(r"(?:^|\s)(?:and|but)(?:\s+also)?$", before):
                mention = previous
        if mention is None:
            continue
        previous = mention
        spoke = True
        res = art.resolve(mention)
        if res.entity is not None and mention.role and mention.role != "organisation":
            # "Pierre Dupont, the union's treasurer," lets a later "the treasurer" find him.
            res.entity.roles.add(mention.role.lower())
            res.entity.add_form(mention.role)
        art.registry.note_subject(res.entity, m.start())
        before_drafts = len(art.drafts)
        found |= _attribute(art, sent, no, m, kind, mention, res, inverted, quotes, used)
        if not inverted and len(art.drafts) > before_drafts:
            _share_with_co_subjects(art, floor, mention, art.drafts[before_drafts:])

    if art.policy == "all":
        spoke |= _learned(art, sent, no, quotes, used)

    if not spoke and subject is not None:
        # A sentence about someone ("Mrs. Clinton ... did not address ...") makes them the
        # referent of a following "she said"; a sentence with a speaker already did that.
        art.registry.note_subject(art.resolve(subject).entity, sent.start)
    if not found:
        _continuation(art, sent, no, quotes)


def _learned(
    art: _Article, sent: Sentence, no: int, quotes: list[Quote], used: list[tuple[int, int]]
) -> bool:
    """Cues the rules do not know, proposed by the learned model (stance class: ``cues="all"``)."""
    model = load_model()
    if not model.weights:
        return False
    text = art.text
    made = False
    spans = [(q.start, q.end) for q in quotes]
    for c in candidates(text, sent.start, sent.end, spans, model.vocab):
        if any(a <= c.start < b for a, b in used) or model.score(c.features) <= THRESHOLD:
            continue
        floor = max([sent.start] + [q.end for q in quotes if q.end <= c.start])
        mention = subject_before(text, floor, c.start)
        if mention is None:
            continue
        m = re.compile(re.escape(c.word)).match(text, c.start)
        if m is None:
            continue
        res = art.resolve(mention)
        made |= _attribute(art, sent, no, m, "say", mention, res, False, quotes, used)
    return made


_CO_SUBJECT_TAIL = re.compile(r"(?:,\s*|\s+)and\s+$")


def _share_with_co_subjects(art: _Article, floor: int, mention: Mention, drafts: list[Draft]) -> None:
    """ "Mr. Trump and Mr. Putin agreed that ...": the claim is each speaker's, one claim apiece."""
    text = art.text
    tail = _CO_SUBJECT_TAIL.search(text, floor, mention.start)
    if tail is None or tail.end() != mention.start:
        return
    head = text[floor : tail.start()]
    lo = max(head.rfind("; "), head.rfind(" — ")) + 1
    others: list[Mention] = []
    for part in re.finditer(r"[^,]+", head[lo:]):
        phrase = part.group(0).strip()
        if not phrase:
            continue
        at = floor + lo + part.start() + part.group(0).index(phrase)
        co = classify(phrase, at)
        if co is None or co.form not in ("name", "role"):
            others = []  # "Prices rose and Mr. Putin said": a clause, not a list of speakers
            continue
        others.append(co)
    for co in others:
        res = art.resolve(co)
        if res.name is None or res.name == (drafts[0].resolved.name if drafts else None):
            continue
        for d in drafts:
            art.drafts.append(
                Draft(
                    parts=list(d.parts),
                    kind=d.kind,
                    resolved=res,
                    mention=co.text,
                    sentence=d.sentence,
                    sentence_no=d.sentence_no,
                    confidence=d.confidence * 0.95,
                    cue=d.cue,
                    quotes=list(d.quotes),
                )
            )


def _attribute(
    art: _Article,
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
        cue_end = _skip_appositive(text, cue_end, sent.end)
    # Case A: a quotation right before the attribution ("“...,” Mr. Trump said").
    pre_quote = next(
        (q for q in reversed(quotes) if q.end <= who_start and _only_appositive(text[q.end : who_start])),
        None,
    )
    after = _after_cue(text, cue_end, sent.end, kind)
    if pre_quote is not None:
        draft = _direct(art, sent, no, pre_quote, mention, res, verb)
        used.append((pre_quote.start, m.end()))
        # A split quote: “…,” he said, “…” or he said: “…”
        nxt = _quote_at(quotes, text, after, sent.end)
        if nxt is not None:
            draft.parts.append((nxt.inner_start, nxt.inner_end))
            draft.quotes.append((nxt.inner_start, nxt.inner_end))
            used.append((nxt.start, nxt.end))
        return True

    pre_lo, pre_hi = _pre_region(text, sent, quotes, who_start)
    tail = text[after : sent.end]
    tail_is_end = not tail.strip(' .,;:!?)”"’') or _PARTICIPLE_AFTER.match(text, after) is not None
    parenthetical = (
        pre_hi > pre_lo
        and re.match(r"^,\s+[a-z]", tail) is not None
        and not _PARTICIPLE_AFTER.match(text, after)
        and tail.split()[1] not in _PREPOSITIONS
        if len(tail.split()) > 1
        else False
    )
    long_pre = len(text[pre_lo:pre_hi].split()) >= 3
    if long_pre and (tail_is_end or inverted) and kind != "object":
        # Case C: "..., the European Commission said on Wednesday."
        return _reported(art, sent, no, [(pre_lo, pre_hi)], mention, res, verb, quotes, used, 0.8)
    if parenthetical:
        # Case B: "Mr. Putin's response, he said, was “very predictable.”"
        post_lo = after + len(tail) - len(tail[1:].lstrip())
        post_hi = _content_end(art, post_lo, sent.end)
        return _reported(
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
    start = _content_start(text, cue_end, sent.end, kind)
    if start is None:
        return False
    end = _content_end(art, start, sent.end)
    reason = _OBJECT_FOR.match(text, start, end) if kind == "object" else None
    lead = None
    if reason:
        # "commended Mr. Rutte for “doing a fantastic job”": the praise is the claim, the person
        # praised is who it is about.
        lead = f"{verb} {reason.group(1).strip()} for"
        start = reason.start(2)
    q = _quote_at(quotes, text, start, sent.end)
    if q is not None and q.end >= end - 1 and q.start <= start + 2:
        _direct(art, sent, no, q, mention, res, verb).lead = lead
        used.append((m.start(), q.end))
        return True
    if len(text[start:end].split()) < 2 and not any(start <= x.start < end for x in quotes):
        return False
    made = _reported(art, sent, no, [(start, end)], mention, res, verb, quotes, used, 1.0)
    if made and lead:
        art.drafts[-1].lead = lead
    return made


def _only_appositive(between: str) -> bool:
    """Whether the text between a quote and its speaker is empty or a role ("the spokesman, ")."""
    rest = between.strip(" ,")
    if not rest:
        return True
    return (
        between.rstrip().endswith(",")
        and len(rest.split()) <= 8
        and re.search(r"[“”\".;:]|\b(?:and|but|because|while)\b", rest) is None
    )


def _skip_appositive(text: str, pos: int, limit: int) -> int:
    m = re.match(r",\s*[^,.;“”\"]{1,80}(?=[,.;]|$)", text[pos:limit])
    return pos + m.end() if m else pos


def _after_cue(text: str, pos: int, limit: int, kind: str) -> int:
    """Offset just after the verb and its adverbials ("said in a statement on Monday")."""
    m = _ADVERBIALS_AFTER.match(text[pos:limit])
    end = pos + m.end() if m else pos
    if kind == "tell":
        # "..., Ms. Okafor told reporters." - the addressee ends the attribution.
        t = _TELL_OBJECT.match(text[end:limit])
        if t and not text[end + t.end() : limit].strip(' .,;:!?)”"’'):
            return end + t.end()
    return end


def _quote_at(quotes: list[Quote], text: str, pos: int, limit: int) -> Quote | None:
    """The quotation starting at ``pos`` after optional ``,`` or ``:`` and spaces."""
    m = re.match(r"[\s,:—–-]*", text[pos:limit])
    at = pos + (m.end() if m else 0)
    return next((q for q in quotes if q.start == at), None)


def _content_start(text: str, pos: int, limit: int, kind: str) -> int | None:
    """Where the reported content begins after a verb, or None if the verb reports nothing."""
    seg = text[pos:limit]
    m = _ADVERBIALS_AFTER.match(seg)
    off = m.end() if m else 0
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
        ex = _EXPRESSED.match(seg[off:])
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
    r",\s+(?:while|as|but|although|though|whereas|according\s+to)\s"
    r"|\s+while\s"
    r"|;\s"
    r"|(?:,|,[”\"']{1,2}|[”\"']{1,2},)\s+(?=[a-z]+ing\s)"
    r"|,\s+(?:he|she|they|it)\s+(?:said|added|says)\b"
    r"|,?\s+(?:and|but)\s+(?:also\s+)?(?=(?:"
    + "|".join(
        v
        for v in sorted(_VERB_KIND, key=len, reverse=True)
        if _VERB_KIND[v] != "that" and v not in _PARTICIPLES and CUES[v][1] in ("statement", "assertion")
    )
    + r"|acknowledged|acknowledges|agreed|emphasized|stressed|promised|vowed)\b)"
)


def _content_end(art: _Article, start: int, limit: int) -> int:
    """End of the content starting at ``start``: the first clause boundary outside quotes."""
    m = _END_BOUNDARY.search(art.masked, start, limit)
    end = m.start() if m else limit
    while end > start and art.text[end - 1] in " \t.,;:":
        end -= 1
    return end


def _pre_region(text: str, sent: Sentence, quotes: list[Quote], who_start: int) -> tuple[int, int]:
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


def _direct(
    art: _Article, sent: Sentence, no: int, q: Quote, mention: Mention, res: Resolved, verb: str
) -> Draft:
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


def _reported(
    art: _Article,
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


def _according(art: _Article, sent: Sentence, no: int, m: re.Match[str], quotes: list[Quote]) -> bool:
    """ "According to X, ..." and "..., according to X." attributions."""
    text = art.text
    src = re.match(r"([^,.;:“”\"]{2,80})", text[m.end() : sent.end])
    if not src:
        return False
    phrase = src.group(1).strip()
    mention = classify(phrase, m.end())
    if mention is None:
        return False
    res = art.resolve(mention)
    src_end = m.end() + src.end()
    if m.start() <= sent.start + 1 or not text[sent.start : m.start()].strip(" ,"):
        start = src_end
        while start < sent.end and text[start] in " ,":
            start += 1
        end = _content_end(art, start, sent.end)
        parts = [(start, end)]
    else:
        end = m.start()
        while end > sent.start and text[end - 1] in " ,":
            end -= 1
        parts = [(sent.start, end)]
    if len(text[parts[0][0] : parts[0][1]].split()) < 3:
        return False
    return _reported(art, sent, no, parts, mention, res, "according to", quotes, [], 0.9)


_COLON_SPEAKER = re.compile(
    r"((?:[A-Z][\w.’'-]*[ \t]+){0,3}[A-Z][\w.’'-]*[A-Za-z])[ \t]*:[ \t]+(?=[“\"‘'A-Z0-9])"
)
_COLON_LABELS = frozenset(
    ["update", "updated", "note", "editor", "editors", "related", "watch", "read", "photo", "photos",
     "video", "live", "breaking", "exclusive", "analysis", "opinion", "review", "correction",
     "source", "sources", "credit", "listen", "q", "a", "question", "answer", "transcript", "poll",
     "chart", "map", "graphic", "timeline", "factbox", "explainer", "fact", "check", "warning"]
)  # fmt: skip


def _colon(art: _Article, sent: Sentence, no: int) -> bool:
    """A paragraph or headline opening "Name: ..." (a transcript turn, a headline's speaker)."""
    text = art.text
    para = art.paras[sent.paragraph]
    m = _COLON_SPEAKER.match(text, sent.start, para.end)
    if m is None:
        return False
    who = m.group(1)
    words = who.split()
    if any(w.lower().strip(".’'s") in _COLON_LABELS for w in words) or not looks_like_name(who):
        return False
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
    return _reported(art, sent, no, [(lo, hi)], mention, res, ":", quotes, [], 0.8)


def _continuation(art: _Article, sent: Sentence, no: int, quotes: list[Quote]) -> None:
    """A sentence that is only a quotation continues the previous speaker's quote."""
    text = art.text
    if not quotes or not art.drafts:
        return
    q = quotes[0]
    if text[sent.start : q.start].strip() or text[q.end : sent.end].strip(" .,"):
        return
    prev = art.drafts[-1]
    if prev.kind != "direct" or (prev.resolved.name is None and prev.mention == ""):
        return
    last_no = max(prev.sentence_no, prev.last_no)
    last_para = art.sents[last_no].paragraph
    same_para = last_para == sent.paragraph and last_no == no - 1
    if same_para:
        prev.parts.append((q.inner_start, q.inner_end))
        prev.quotes.append((q.inner_start, q.inner_end))
        prev.last_no = no
        return
    # A quote-only paragraph right after the speaker's quoted paragraph.
    if last_para == sent.paragraph - 1 and sent.start == art.paras[sent.paragraph].body_start:
        if prev.parts and prev.parts[-1][1] in art.unclosed:
            # The previous paragraph's quote had no closing mark: the same quotation goes on.
            prev.parts.append((q.inner_start, q.inner_end))
            prev.quotes.append((q.inner_start, q.inner_end))
            prev.last_no = no
            return
        art.drafts.append(
            Draft(
                parts=[(q.inner_start, q.inner_end)],
                kind="direct",
                resolved=prev.resolved,
                mention=prev.mention,
                sentence=sent,
                sentence_no=no,
                confidence=prev.confidence * 0.8,
                cue=None,
                quotes=[(q.inner_start, q.inner_end)],
            )
        )


def _answer(art: _Article, sent: Sentence, no: int, who: Resolved) -> None:
    """An interview answer (after an "edited and condensed" note) is the interviewee's."""
    prev = art.drafts[-1] if art.drafts else None
    if prev is not None and prev.cue == "answer" and prev.sentence.paragraph == sent.paragraph:
        prev.parts.append((sent.start, sent.end))
        return
    ent = who.entity
    art.drafts.append(
        Draft(
            parts=[(sent.start, sent.end)],
            kind="direct",
            resolved=who,
            mention=ent.name.split()[-1] if ent else (who.name or ""),
            sentence=sent,
            sentence_no=no,
            confidence=0.6,
            cue="answer",
        )
    )
