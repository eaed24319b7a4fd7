"""What makes a claim understandable on its own: the speaker's names, the context and resolved text.

A claim is shown and searched away from its article. "He did not want to drag NATO into that" says
nothing without the sentence before it, and a question about "the NATO chief" must find a speaker
the article also calls "Mark Rutte", "Mr. Rutte" and "NATO Secretary General". So each claim carries:

* ``speaker_aliases``: every form the article uses for its speaker (full name, surname, honorific
  and surname, role phrases tied to that person in this article);
* ``context``: the sentence(s) before the claim when the claim refers back ("he", "it", "that",
  "the deal");
* ``resolved_text``: the claim with its pronoun subjects replaced by the person in brackets,
  "[Rutte] did not want to ...", only where the article makes the referent certain.
"""

from __future__ import annotations

import re

from claims.extract.speakers import Entity

_HONORIFIC_FORMS = {
    "mr": "Mr.", "mrs": "Mrs.", "ms": "Ms.", "dr": "Dr.", "prof": "Prof.", "rev": "Rev.",
    "miss": "Miss", "lord": "Lord", "lady": "Lady",
}  # fmt: skip
# Words that point back to something the claim does not name.
_REFERS_BACK = re.compile(
    r"(?<![\w’'-])(?:he|she|they|him|her|them|his|their|it|its|this|that|these|those|there|"
    r"the\s+(?:deal|plan|agreement|proposal|idea|move|decision|bill|law|issue|question|"
    r"matter|offer|talks|measure|policy|report|case|effort|program|programme|project|"
    r"request|demand|comments?|remarks?|statement|claim|allegations?|accusations?))(?![\w’'-])",
    re.IGNORECASE,
)
# "that" as a conjunction or relative ("said that", "the fact that") refers to nothing.
_THAT_CLAUSE = re.compile(r"(?:\w+\s+)?that\s+(?:the|a|an|he|she|it|they|we|i|you|there|this)\b", re.I)
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


def refers_back(claim: str) -> bool:
    """Whether a claim leans on something said before it (a pronoun or a bare "the deal")."""
    for m in _REFERS_BACK.finditer(claim):
        word = m.group(0).lower()
        if word == "that" and _THAT_CLAUSE.match(claim, max(0, m.start() - 20)) is not None:
            tail = claim[m.end() : m.end() + 12]
            if re.match(r"\s+(?:the|a|an|he|she|it|they|we|i|you|there|this)\b", tail, re.I):
                continue  # "said that the ...": a conjunction
        return True
    return False


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
        if ent.kind != "organisation":
            return None
        short = speaker
    else:
        want = {"he": "male", "she": "female"}[pronoun]
        if ent.kind != "person" or ent.gender not in (None, want):
            return None
        short = speaker.split()[-1] if len(speaker.split()) >= 2 else speaker
    return f"{claim[: m.start()]}[{short}]{claim[m.end() :]}"


def context_for(claim: str, previous: list[str]) -> str | None:
    """The sentence(s) before the claim when the claim refers back, else None.

    ``previous`` holds the sentences before the claim's sentence, nearest last; one is usually
    enough, a second is added when the nearest is itself short ("It did.").
    """
    if not previous or not refers_back(claim):
        return None
    picked = [previous[-1]]
    if len(previous[-1].split()) < 8 and len(previous) >= 2:
        picked.insert(0, previous[-2])
    return " ".join(p.strip() for p in picked)
