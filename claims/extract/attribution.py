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
   quote-aware sentences; :mod:`claims.extract.article` holds that state for the rules below.
2. :mod:`claims.extract.registry` builds the article's name registry (full names, honorifics, roles,
   appositive descriptions; how names are written is :mod:`claims.extract.names`);
   :mod:`claims.extract.descriptions` names speakers that are descriptions, organisations or carry
   an outlet prefix.
3. Each sentence is scanned for cues outside quotations (here); each cue's speaker phrase is found
   around it (:mod:`claims.extract.speaker_phrases`) and resolved by the registry, its content by
   :mod:`claims.extract.content` (span arithmetic in :mod:`claims.extract.spans`); compound subjects
   share the claim. "According to X" and "NAME: ..." are :mod:`claims.extract.verbless`; quotes
   that continue a speaker's previous quote are joined to it and interview answers go to the
   interviewee (:mod:`claims.extract.continuations`); a quotation quoted inside another goes to
   its inner speaker (:mod:`claims.extract.nested`). The speaker shapes passed between these
   steps are :mod:`claims.extract.speakers`.
4. :mod:`claims.extract.claim` turns drafts into :class:`ExtractedClaim` objects with topic, speaker
   aliases, context and resolved text.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from claims.catalog import Catalog
from claims.extract.article import ArticleState
from claims.extract.claim import ClaimKind, Draft, ExtractedClaim, finish
from claims.extract.content import attribute_content
from claims.extract.continuations import attribute_answer, continue_quote
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
from claims.extract.nested import credit_inner_quotes
from claims.extract.polarity import negated, verb_use
from claims.extract.sentences import Quote, Sentence
from claims.extract.speaker_phrases import classify, clause_subject, subject_after, subject_before
from claims.extract.speakers import Mention, Resolved
from claims.extract.verbless import (
    ACCORDING,
    attribute_according,
    attribute_colon,
    attribute_headline,
    attribute_in_source,
)

__all__ = ["ClaimKind", "ExtractedClaim", "extract_claims"]

log = logging.getLogger(__name__)


# --- speech verbs ----------------------------------------------------------------------------------

_CUE = CUE_RE
# "called for", "calls on": a demand, not a statement; "states"/"reports" as nouns are excluded by
# requiring a subject.
_NOT_CUE_AFTER = re.compile(r"^\s+(?:for|on|off|in|up|out|back|into)\b")
_WITH_SUBJECT = re.compile(r"(?:^|[,\s])with\s+([^,;:“”\"]{2,60}?)\s*$")
_LOOSE_CLASSES = frozenset(["belief", "finding", "stance", "question"])


def extract_claims(
    text: str, *, catalog: Catalog, published_at: datetime | None = None, cues: CuePolicy = "tracked"
) -> list[ExtractedClaim]:
    """Every claim in ``text``, in reading order; never raises on text, never leaves its bounds.

    ``cues="tracked"`` keeps the attributions the cue policy tracks (see :mod:`claims.extract.cues`);
    ``cues="all"`` also returns wants, plans, refusals and endorsements.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    art = ArticleState(text, catalog, cues)
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
                    attribute_answer(art, sent, no, interviewee)
                continue
            colon = sent.start == para.body_start and attribute_colon(art, sent, no)
            if para.kind == "headline" and (colon or attribute_headline(art, sent, no)):
                continue
            _sentence(art, sent, no)
        except Exception:  # one odd sentence must not lose the whole article; the bug is logged
            log.exception("claim extraction failed on sentence at %d..%d", sent.start, sent.end)
    credit_inner_quotes(art)
    return finish(art.text, art.sents, art.drafts, art.catalog, published_at)


# --- per sentence ----------------------------------------------------------------------------------


def _sentence(art: ArticleState, sent: Sentence, no: int) -> None:
    """Every attribution in one sentence: by "according to", by speech verb, else a continued quote."""
    text, masked = art.speaker_text, art.masked
    quotes = art.quotes_in(sent)
    used: list[tuple[int, int]] = []  # content spans already claimed in this sentence
    previous: Mention | None = None
    found = False
    subject = clause_subject(text, sent.start, sent.end)
    spoke = False

    for m in ACCORDING.finditer(masked, sent.start, sent.end):
        found |= attribute_according(art, sent, no, m, quotes)
    if not found:
        found |= attribute_in_source(art, sent, no, quotes)

    for m in _CUE.finditer(masked, sent.start, sent.end):
        verb = m.group(0)
        kind = CUES[verb][0]
        cls = cue_class_at(verb, text[m.end() : m.end() + 5])
        following = text[m.end() : m.end() + 40]  # a slice: "^" never matches at a search offset
        if _NOT_CUE_AFTER.match(following) and kind == "object":
            continue
        if cls in _LOOSE_CLASSES and NOT_CUE_AFTER.match(following):
            continue
        if not verb_use(text, sent.start, m.start(), m.end()):
            continue
        if not tracked(cls, art.policy):
            continue
        if any(a <= m.start() < b for a, b in used):
            continue
        participle = verb in PARTICIPLES
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
                # "Obama praised Clinton's record and said ...": the verbs share the clause's subject.
                mention = previous or subject
        if mention is None:
            continue
        previous = mention
        spoke = True
        if negated(text, mention.end if not inverted else sent.start, m.start()):
            # "Officials have not said the FBI is reopening ...": nobody claimed it.
            continue
        res = art.resolve(mention)
        if res.entity is not None and mention.role and mention.role != "organisation":
            # "Pierre Dupont, the union's treasurer," lets a later "the treasurer" find him.
            res.entity.roles.add(mention.role.lower())
            res.entity.add_form(mention.role)
        art.registry.note_subject(res.entity, m.start())
        before_drafts = len(art.drafts)
        found |= attribute_content(art, sent, no, m, kind, mention, res, inverted, quotes, used)
        if not inverted and len(art.drafts) > before_drafts:
            _share_with_co_subjects(art, floor, mention, art.drafts[before_drafts:])

    if art.policy == "all":
        spoke |= _learned(art, sent, no, quotes, used)

    if not spoke and subject is not None:
        # A sentence about someone ("Mrs. Clinton ... did not address ...") makes them the
        # referent of a following "she said"; a sentence with a speaker already did that.
        art.registry.note_subject(art.registry.resolve(subject, speaking=False).entity, sent.start)
    if not found:
        continue_quote(art, sent, no, quotes)


def _learned(
    art: ArticleState, sent: Sentence, no: int, quotes: list[Quote], used: list[tuple[int, int]]
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
        made |= attribute_content(art, sent, no, m, "say", mention, res, False, quotes, used)
    return made


_CO_SUBJECT_TAIL = re.compile(r"(?:,\s*|\s+)and\s+$")


def _share_with_co_subjects(art: ArticleState, floor: int, mention: Mention, drafts: list[Draft]) -> None:
    """ "Mr. Trump and Mr. Putin agreed that ...": the claim is each speaker's, one claim apiece."""
    text = art.speaker_text
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
