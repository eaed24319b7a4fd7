"""Claims that carry on from the one before: quote-only sentences and interview answers.

Why it exists: a quotation often runs over several sentences or paragraphs with its speaker named
once ("“...,” she said. “...”"), and an interview's answers (after an "edited and condensed" note)
name no speaker at all. Neither has a cue to attribute by; both inherit the speaker of the claim
before them, which only makes sense once the sentence's own attributions found nothing.
"""

from __future__ import annotations

from claims.extract.article import ArticleState
from claims.extract.claim import Draft
from claims.extract.sentences import Quote, Sentence
from claims.extract.speakers import Resolved


def continue_quote(art: ArticleState, sent: Sentence, no: int, quotes: list[Quote]) -> None:
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


def attribute_answer(art: ArticleState, sent: Sentence, no: int, who: Resolved) -> None:
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
