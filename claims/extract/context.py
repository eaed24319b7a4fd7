"""What makes a claim understandable on its own: the speaker's names, the context and resolved text.

A claim is shown and searched away from its article. "He did not want to drag NATO into that" says
nothing without the sentence before it, and a question about "the NATO chief" must find a speaker
the article also calls "Mark Rutte", "Mr. Rutte" and "NATO Secretary General". So each claim carries:

* ``speaker_aliases``: every form the article uses for its speaker (full name, surname, honorific
  and surname, role phrases tied to that person in this article);
* ``context``: the sentence that introduces what the claim refers back to ("it", "the deal", a
  "he" in a quotation), found by what it names rather than by being the sentence before, and the
  claim's own sentence when the claim is only part of it; none when nothing helps;
* ``resolved_text``: the claim with its pronoun subjects replaced by the person in brackets,
  "[Rutte] did not want to ...", only where the article makes the referent certain.
"""

from __future__ import annotations

import re

from claims.extract.speakers import Entity, Resolved

_HONORIFIC_FORMS = {
    "mr": "Mr.", "mrs": "Mrs.", "ms": "Ms.", "dr": "Dr.", "prof": "Prof.", "rev": "Rev.",
    "miss": "Miss", "lord": "Lord", "lady": "Lady",
}  # fmt: skip
_SUBJECT_PRONOUN = re.compile(
    r"(?<![\w’'-])(he|she|it)(?=\s+(?:[a-z]+n[’']t\s+|not\s+)?[a-z]+)", re.IGNORECASE
)


def speaker_aliases(ent: Entity | None, kind: str, mention: str) -> tuple[str, ...]:
    """Every form this article uses for the speaker, the canonical name first."""
    if ent is None:
        return (mention,) if mention and kind == "description" else ()
    out: list[str] = [ent.name]
    words = ent.name.split()
    if ent.kind == "person" and len(words) >= 2:
        surname = words[-1] if words[-1] not in ("Jr.", "Sr.", "Jr", "Sr", "II", "III") else words[-2]
        out.append(surname)
    elif ent.kind == "person" and words:
        surname = words[0]
    else:
        surname = ""
    if ent.kind == "person" and surname:
        honorifics = sorted(h for h in ent.honorifics if h in _HONORIFIC_FORMS)
        out.extend(f"{_HONORIFIC_FORMS[h]} {surname}" for h in honorifics)
    surname_of = words[-1] if words else ""
    for form in ent.forms:
        # A bare title ("President") is only an alias with the surname ("President Trump").
        out.append(f"{form} {surname_of}" if " " not in form and form[:1].isupper() else form)
    seen: set[str] = set()
    unique = []
    for a in out:
        if a and a.lower() not in seen and len(a) <= 120:
            seen.add(a.lower())
            unique.append(a)
    return tuple(unique)


_SUFFIXES = ("Jr.", "Sr.", "Jr", "Sr", "II", "III", "IV")


def short_name(res: Resolved, mention: str) -> str:
    """How a frame names the speaker: a person's surname, an organisation's name, else as written."""
    if not res.name:
        return mention
    words = res.name.split()
    if res.kind == "person" and len(words) >= 2:
        return words[-2] if words[-1] in _SUFFIXES and len(words) >= 3 else words[-1]
    return res.name


_EXPLETIVE_IT = re.compile(
    r"it\s+(?:is|was|'s|’s|would\s+be|will\s+be|has\s+been|had\s+been|seems|seemed|remains|"
    r"appears|appeared)\s+(?:not\s+|very\s+|too\s+|so\s+|more\s+|less\s+)?\w+\s+(?:that|to|for|whether|if|how)\b"
    r"|it\s+(?:is|was|'s|’s)\s+(?:time|possible|likely|unlikely|clear|unclear)\b",
    re.IGNORECASE,
)
"""An "it" that stands for what follows ("it is important that ..."), never for the speaker."""


def resolved_text(claim: str, kind: str, speaker: str | None, ent: Entity | None) -> str | None:
    """The claim with pronoun subjects resolved to the speaker in brackets, or None if nothing is.

    Reported speech keeps the speaker's third person ("he did not want ..."): a "he"/"she" that
    fits the speaker's gender and comes first is the speaker (news style names anyone else before
    using a pronoun for them). Direct quotes are left alone: "I" in a quote is already clear beside
    the speaker's name.
    """
    if kind != "reported" or not speaker or ent is None:
        return None
    m = _SUBJECT_PRONOUN.search(claim)
    if m is None or (m.start() > 0 and not claim[: m.start()].rstrip().endswith((",", "that", "and"))):
        return None
    pronoun = m.group(1).lower()
    if pronoun == "it":
        if ent.kind != "organisation" or _EXPLETIVE_IT.match(claim, m.start()):
            return None
        short = speaker
    else:
        want = {"he": "male", "she": "female"}[pronoun]
        if ent.kind != "person" or ent.gender not in (None, want):
            return None
        short = speaker.split()[-1] if len(speaker.split()) >= 2 else speaker
    return f"{claim[: m.start()]}[{short}]{claim[m.end() :]}"


_PERSON_PRONOUN = re.compile(r"(?<![\w’'-])(?:he|she|him|his|her|hers)(?![\w’'-])", re.IGNORECASE)
_THING_PRONOUN = re.compile(
    r"(?<![\w’'-])(?:it|its|they|them|their|this|these|those)(?![\w’'-])", re.IGNORECASE
)
_THAT_PRONOUN = re.compile(
    r"(?<![\w’'-])that(?=\s*(?:[.,;:!?”\"]|$|\s+(?:is|was|would|will|has|had|could|should|can|may|"
    r"might|must|does|did|means|meant)\b)|[’']s\b)",
    re.IGNORECASE,
)
"""Demonstrative "that" ("that is wrong", "do that."), never the conjunction ("said that the ...")."""
_DESCRIPTION = re.compile(
    r"(?<![\w’'-])(?:the|this|that|these|those)\s+(deal|plan|agreement|proposal|idea|move|decision|"
    r"bill|law|issue|question|matter|offer|talks|measure|policy|report|case|effort|program|"
    r"programme|project|request|demand|investigation|probe|inquiry|attack|shooting|incident|"
    r"video|letter|email|emails|ad|speech|debate|poll|survey|meeting|vote|ruling|election|"
    r"campaign|strike|agency|company|group|committee|court|country|city|state|network|show)"
    r"(?![\w’'-])",
    re.IGNORECASE,
)
"""A bare definite description the claim leans on ("the deal"): the sentence naming a deal helps."""
_NAME = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr)\.\s+[A-Z][\w’'-]+"
    r"|(?<!^)(?<![.!?]\s)\b[A-Z][a-z][\w’'-]*(?:\s+[A-Z][\w’'.-]+)+)"
)
_WINDOW = 4


def context_for(
    claim: str, kind: str, sentence: str, previous: list[str], speaker: str | None
) -> str | None:
    """What a reader needs beside the claim: the sentence that introduces what its pronouns and
    bare descriptions refer to, and the claim's own sentence when the claim is only part of it.

    ``previous`` holds the sentences before the claim's sentence, nearest last. The introducing
    sentence is the nearest one that names a description's noun ("the deal" -> the sentence with
    "deal"), a person for "he"/"she" that is not the speaker, or, for "it"/"they"/"this", the
    sentence right before. None when nothing needs introducing and the claim is its whole sentence:
    the sentence before is not context merely for being before.
    """
    parts: list[str] = []
    intro = introducing_sentence(claim, kind, previous, speaker)
    if intro:
        parts.append(" ".join(intro.split()))
    own = " ".join(sentence.split())
    if own and _bare(claim) != _bare(own):
        parts.append(own)
    return " ".join(parts) or None


def _bare(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text).strip().lower()


def introducing_sentence(claim: str, kind: str, previous: list[str], speaker: str | None) -> str | None:
    """The nearest earlier sentence that introduces what the claim refers back to, or None."""
    window = [p for p in previous[-_WINDOW:] if p.strip()]
    if not window:
        return None
    for m in _DESCRIPTION.finditer(claim):
        noun = m.group(1).lower()
        for sent in reversed(window):
            if re.search(rf"(?<![\w’'-]){re.escape(noun)}s?(?![\w’'-])", sent, re.IGNORECASE):
                return sent
    speaker_words = {w.lower() for w in (speaker or "").split()}
    # In reported speech "he"/"she" is the speaker; in a quotation the speaker is "I".
    if kind == "direct" and _PERSON_PRONOUN.search(claim):
        for sent in reversed(window):
            names = [n for n in _NAME.findall(sent) if not {w.lower() for w in n.split()} <= speaker_words]
            if names:
                return sent
    head = claim[:80]
    if _THING_PRONOUN.search(head) or _THAT_PRONOUN.search(head):
        return window[-1]
    return None
