"""Speakers that are not (yet) a person's name: descriptions, organisations and outlet prefixes.

News names many sources without a name ("a campaign spokesman", "the company", "sources close to
the talks") and prefixes people with the outlet they work for ("Fox News's Ed Henry"). A claim keeps
such a speaker as written, normalised, instead of losing it: a description that the article never
ties to a person stays a description (kind ``description``), an institution is an organisation
(kind ``organisation``), and an outlet prefix becomes the person's affiliation, never part of a name.
"""

from __future__ import annotations

import re

ORG_HEADS = frozenset(
    [
        "commission", "department", "ministry", "agency", "association", "council", "committee",
        "party", "campaign", "post", "times", "journal", "news", "network", "institute",
        "university", "bank", "fund", "union", "kremlin", "house", "office", "bureau", "service",
        "services", "administration", "government", "court", "parliament", "congress", "senate",
        "police", "army", "navy", "company", "inc", "corp", "corporation", "group", "foundation",
        "organization", "organisation", "reuters", "press", "pentagon", "cabinet", "embassy",
        "states", "nations", "alliance", "board", "authority", "federation", "league", "coalition",
        "center", "centre", "watch", "tribune", "herald", "gazette", "magazine", "cnn", "nbc", "abc",
        "cbs", "bbc", "fox", "msnbc", "npr", "ap", "afp", "nato", "eu", "un", "who", "imf", "opec",
        "street", "avenue",
    ]
)  # fmt: skip
ORG_DESCRIPTORS = frozenset(
    [
        "association", "company", "firm", "group", "agency", "ministry", "department",
        "organization", "organisation", "union", "party", "campaign", "newspaper", "network", "bank",
        "institute", "commission", "committee", "council", "outlet", "broadcaster", "watchdog",
        "regulator", "tribunal", "court", "government",
    ]
)  # fmt: skip
_POSSESSIVE_WORD = re.compile(r"^(.+?)[’']s?$")
_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
# Institutions usually written with "the" in front and no other clue that they are not a person.
INSTITUTIONS = frozenset(
    ["white house", "kremlin", "pentagon", "vatican", "elysee", "élysée", "treasury", "fed",
     "federal reserve", "state department", "justice department", "supreme court", "downing street",
     "foreign office", "home office", "bundestag", "knesset", "duma", "commission", "senate",
     "house", "congress", "parliament", "cabinet", "government", "administration", "ministry",
     "police", "military", "army", "navy", "central bank", "un", "eu", "nato", "fbi", "cia",
     "nsa", "irs", "sec", "epa", "who", "imf", "opec", "dnc", "rnc", "gop"]
)  # fmt: skip


def _cap(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()  # "Channel 9's"


def split_possessive(phrase: str) -> tuple[str | None, str]:
    """ "Fox News's Ed Henry" -> ("Fox News", "Ed Henry"); a phrase without an inner possessive
    comes back whole with no owner. Only capitalised owners count ("the company's chief" does not).
    """
    words = phrase.split()
    for i, w in enumerate(words[:-1]):
        m = _POSSESSIVE_WORD.match(w)
        if (
            m
            and w[-2:] in ("’s", "'s", "s’", "s'")
            and all(_cap(x) for x in words[: i + 1])
            and _cap(words[0])
        ):
            owner = " ".join([*words[:i], m.group(1) if w[-2:] in ("’s", "'s") else w[:-1]])
            return owner, " ".join(words[i + 1 :])
    return None, phrase


def owner_like(phrase: str) -> bool:
    """Whether a possessive owner reads like a name ("Fox News", "Channel 9")."""
    words = phrase.split()
    return bool(words) and all(_cap(w) for w in words) and words[0][:1].isupper()


def is_institution(phrase: str) -> bool:
    """Whether a phrase names an institution rather than a person ("the Kremlin", "Acme Corp")."""
    core = _DETERMINER.sub("", phrase.strip()).lower().rstrip(".")
    words = core.split()
    if not words:
        return False
    if words[-1] in ORG_HEADS or words[-1] in ORG_DESCRIPTORS or words[-1] in INSTITUTIONS:
        return True
    return any(" ".join(words[i:]) in INSTITUTIONS for i in range(len(words)))


def organisation_name(phrase: str) -> str:
    """A normalised organisation name: no leading article, an owner after the institution.

    "the Kremlin" -> "Kremlin"; "Britain's Treasury" -> "Treasury (Britain)"; "the company" stays
    "the company" (a description, resolved elsewhere to the company it stands for when known).
    """
    text = phrase.strip().rstrip(",.")
    owner, rest = split_possessive(text)
    if owner and rest[:1].isupper():
        return f"{rest} ({owner})"
    core = _DETERMINER.sub("", text)
    if core[:1].isupper():
        return core
    return text[:1].lower() + text[1:]


def describe(phrase: str) -> tuple[str, str]:
    """The speaker name and kind for a description that names no person.

    "A campaign spokesman" -> ("a campaign spokesman", "description");
    "The city's transit authority" -> ("the city's transit authority", "organisation").
    """
    text = re.sub(r"\s+", " ", phrase.strip().strip(",.;:"))
    if is_institution(text):
        return organisation_name(text), "organisation"
    if text[:1].isupper() and _DETERMINER.match(text):
        text = text[:1].lower() + text[1:]
    return text, "description"
