"""Whether a cue word really reports a statement, and with which polarity.

Why it exists: a speech verb in the text is not always someone putting something on the record.
Three shapes look like an attribution and are not, or not plainly:

* the report is negated: "officials have **not said** the FBI is reopening ...", "she **declined to
  say** whether ...". Nobody claimed the content; storing it would say the opposite of the article;
* the cue word is a noun or sits inside a noun phrase: "North Korea's **claims** about ...",
  "Oz's **show** proved ...", "everything Trump **says** is a lie", "what Trump **says** his plan
  would do". The sentence is about the words, in the article's own voice;
* the verb denies or disputes: "she **denied** that she mishandled classified information". The
  content is what the speaker rejects, so the claim must keep the denial with it, never stand as
  the plain assertion (:func:`denial`).

These are rules over the words next to the cue (negation scope is the verb group: at most two
words between the negation and the verb, no punctuation), so they carry over to any article.
"""

from __future__ import annotations

import re

_NEGATED = re.compile(
    r"(?:\b(?:not|never|no\s+longer|declined\s+to|refused\s+to|won[’']t|wouldn[’']t|didn[’']t|"
    r"doesn[’']t|don[’']t|hasn[’']t|haven[’']t|hadn[’']t|isn[’']t|aren[’']t|wasn[’']t|"
    r"weren[’']t|can[’']t|couldn[’']t)|n[’']t)\s+(?:[a-z]+\s+){0,2}$",
    re.IGNORECASE,
)
"""A negation in the verb group right before the cue: "have not said", "did not publicly say"."""
_NOUN_BEFORE = re.compile(
    r"(?:[’']s|s[’']|\b(?:the|a|an|his|her|their|its|our|my|your|this|these|those|such|"
    r"upcoming|latest))\s+$",
    re.IGNORECASE,
)
"""A possessive or determiner right before the cue makes it a noun ("Korea's claims", "the show")."""
_FREE_RELATIVE = re.compile(
    r"\b(?:what|whatever|everything|anything|nothing|something)\s+(?:[\w’'.-]+\s+){1,3}$",
    re.IGNORECASE,
)
""""what Trump says", "everything he says": the cue heads a noun phrase, not a report."""
_OBJECT_RELATIVE = re.compile(r"\b(?:which|whom)\s+(?:[\w’'.-]+\s+){1,4}$", re.IGNORECASE)
""""from which he has repeatedly threatened", "which Democrats say": the verb's content is the
relative clause's antecedent, far from the verb; such a sentence is about the antecedent."""
_PASSIVE = re.compile(
    r"\b(?:was|were|is|are|be|been|being|get|gets|got)\s+(?:(?:also|once|not|never|widely|later|"
    r"first|often|repeatedly|reportedly|previously|recently)\s+)?$",
    re.IGNORECASE,
)
""""Mr. Quiros was accused of ...", "Reagan was once asked ...": the subject is who the words were
about or put to, never who spoke them."""
_COPULA_AFTER = re.compile(r"^\s+(?:is|was|are|were|isn[’']t|wasn[’']t|has\s+been|will\s+be)\b")
"""A cue followed by a finite "is"/"was" has no clause after it: "Everything Trump says is a lie"."""
DENIALS = frozenset(
    [
        "denied", "denies", "deny", "denying", "disputed", "disputes", "dispute", "disputing",
        "dismissed", "dismisses", "rejected", "rejects", "refuted", "refutes",
    ]
)  # fmt: skip


def negated(text: str, lo: int, cue_start: int) -> bool:
    """Whether the cue at ``cue_start`` is negated in its own verb group ("has not said")."""
    lo = max(lo, cue_start - 60)
    return _NEGATED.search(text[lo:cue_start]) is not None


_LIST_AFTER = re.compile(r"(?:,|\s+(?:and|or)\s)")
_NOUN_FORMS = frozenset(
    ["shows", "reports", "claims", "calls", "promises", "notes", "answers", "posts", "doubts", "fears",
     "hopes", "tweets", "demands", "estimates"]
)  # fmt: skip
"""Cue words that are also plural nouns: before "and" or a comma they are one item of a list."""


def verb_use(text: str, sent_start: int, cue_start: int, cue_end: int) -> bool:
    """Whether the cue word at ``cue_start`` is a reporting verb here, not a noun or a noun phrase."""
    before = text[max(sent_start, cue_start - 60) : cue_start]
    if _NOUN_BEFORE.search(before):
        return False
    if _FREE_RELATIVE.search(before) and not re.search(r"[,;:]", before[-30:]):
        return False
    if _OBJECT_RELATIVE.search(before):
        return False
    if _PASSIVE.search(before) and not text[cue_start:cue_end].endswith("ing"):
        return False  # "is warning" is progressive, "was warned" passive
    if _LIST_AFTER.match(text[cue_end : cue_end + 12]) and text[cue_start:cue_end].lower() in _NOUN_FORMS:
        return False  # "books, plays, television shows and movies": a plural noun in a list
    return _COPULA_AFTER.match(text[cue_end : cue_end + 20]) is None


def denial(verb: str) -> bool:
    """Whether a cue denies or disputes its content (the claim must keep the denial with it)."""
    return verb.lower() in DENIALS
