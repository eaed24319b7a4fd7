"""Finding the speaker phrase next to a speech verb, and telling what kind of phrase it is.

Why it exists: a speaker is written before the verb ("Mr. Trump said"), after it ("said Carsten
Brzeski, an economist"), as a clause's subject that a participle borrows ("Hours later, the mayor
..., saying"), or behind an appositive ("Mayor Karen Whitfield, who pushed for the funding,").
Each of those is cut out of the text here and classified as a name, a role, a pronoun or a generic
source (:class:`Mention`); the article's registry (:mod:`claims.extract.registry`) then resolves it.
"""

from __future__ import annotations

import itertools
import re

from claims.extract.descriptions import ORG_DESCRIPTORS as _ORG_DESCRIPTORS
from claims.extract.descriptions import is_institution, owner_like, split_possessive
from claims.extract.names import (
    CAP_SEQ,
    GENERIC_HEADS,
    INDEFINITE,
    NAME_WORD,
    POSSESSIVE,
    SPACES,
    TITLE_WORDS,
    looks_like_name,
    norm_word,
)
from claims.extract.speakers import Mention

_AUXILIARIES = frozenset(
    [
        "is", "are", "was", "were", "has", "have", "had", "will", "would", "be", "been", "being",
        "do", "does", "did", "can", "could", "not",
    ]
)  # fmt: skip
_CONJUNCTIONS = frozenset(["and", "but", "or", "nor", "then", "also", "so", "yet"])


_TRAILING_ADVERBIAL = re.compile(
    r"(?:,?\s+(?:has|have|had|also|previously|later|earlier|repeatedly|then|would|will|could|"
    r"might|may|must|should|can|once|again|already|just|recently|reportedly|initially|quickly|"
    r"separately|privately|publicly|flatly|simply|never|not|did|does|do|is|was|were|are|been|"
    r"being|too|first|only|now|today|yesterday|tonight|himself|herself|themselves|itself|"
    r"(?:on\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?:\s+(?:night|morning|afternoon|"
    r"evening))?|last\s+(?:week|month|year|night)|this\s+(?:week|month|year)|in\s+a\s+statement|"
    r"in\s+an\s+interview|on\s+(?:Twitter|X|Facebook))\s*)+$"
)
_CLAUSE_BOUNDARY = re.compile(
    r"(?:,\s+|\s+[—–]\s+|;\s+|:\s+|\(|\)|\s+(?:that|and|but|as|while|when|because|after|before|"
    r"if|although|though|where|since|whom|which|so)\s+|[“”\"])"
)
_PRONOUN_RE = re.compile(r"^(?:he|she|they|it|we|i|you)$", re.IGNORECASE)
_DET = re.compile(
    r"^(?:the|a|an|another|one|two|three|several|many|some|most|other|both|all|two|his|her|their|"
    r"its)\s",
    re.IGNORECASE,
)
_NAME_AT_END = re.compile(rf"((?:{NAME_WORD})(?:{SPACES}(?:[a-z]{{1,4}}{SPACES})*{NAME_WORD})*)$")
_FRONTED = frozenset(
    [
        "after", "before", "when", "while", "despite", "speaking", "asked", "in", "on", "at",
        "during", "for", "with", "without", "as", "since", "instead", "later", "earlier", "hours",
        "days", "weeks", "months", "years", "minutes", "meanwhile", "still", "however", "but", "and",
        "so", "yet", "also", "then", "now", "last", "this", "sitting", "standing", "according",
        "addressing", "responding", "writing", "appearing", "visiting", "unlike", "like", "even",
        "under", "amid", "following",
    ]
)  # fmt: skip



_FUNCTION_WORDS = frozenset(
    [
        "who", "whom", "whose", "which", "that", "what", "where", "when", "while", "why", "how",
        "with", "and", "or", "but", "nor", "of", "for", "to", "by", "from", "in", "on", "at", "as",
        "if", "because", "since", "into", "about", "than", "including", "the", "a", "an", "his",
        "her", "their", "its", "our", "my", "your", "this", "these", "those", "even", "also", "too",
        "then", "further", "again", "often", "said", "says", "say", "told", "added", "is", "was",
    ]
)  # fmt: skip
"""Words a speaker phrase never ends with; most of them never begin one either."""
_DETERMINER_START = frozenset(
    [
        "the", "a", "an", "his", "her", "their", "its", "our", "this", "these", "those", "some",
        "several", "many", "most", "other", "another", "both", "all", "two", "three", "four", "five",
        "one", "few", "each", "every", "no", "more", "nearly", "about", "roughly", "only", "senior",
        "top", "former", "federal", "local", "state", "u.s.", "western", "european", "american",
    ]
)  # fmt: skip
_SUBORDINATORS = frozenset(
    ["who", "which", "that", "with", "including", "when", "while", "if", "as", "because", "since",
     "after", "before", "although", "though", "whether", "unless", "until"]
)  # fmt: skip
"""Capitalised at a sentence start, these still open a clause, not a name ("When PolitiFact")."""
_COORDINATED_VERB = re.compile(
    r"\s(?:and|or)\s+(?:[a-z]+ed|made|took|gave|found|got|had|did|went|came|saw|said|told|won|lost|"
    r"ran|left|held|kept|met|paid|put|sent|spent)\b"
)
"""A second verb joined to the phrase: "found fault and made recommendations" is a clause."""
_DISCOURSE_MARKERS = re.compile(
    r"^(?:(?:but|and|yet|so|even|because|still|also|then|now|or|nor|though|although|once|unless|"
    r"whether|indeed|instead|meanwhile|however|perhaps|maybe)\s+)+",
    re.IGNORECASE,
)
"""Words that link a sentence to the one before and never belong to a speaker's noun phrase."""
_PREPOSITIONS = frozenset(
    ["in", "on", "for", "of", "at", "from", "with", "by", "to", "into", "about", "after", "before",
     "during", "under", "over", "through", "since", "until", "without", "among", "between"]
)  # fmt: skip
_PRONOUN_TAGS = frozenset(["all", "both", "too", "also", "still", "themselves", "himself", "herself"])
_QUANTIFIER_WORDS = frozenset(
    ["one", "some", "many", "most", "both", "all", "several", "each", "few", "none", "others", "another"]
)
"""Capitalised at a sentence start, these open a noun phrase ("One of the men"), never a name."""
_PERSONAL = frozenset(["he", "she", "they", "it", "we", "i", "you", "he’s", "she’s", "he's", "she's"])


def _fragment(words: list[str]) -> bool:
    """A run of words that cannot name or describe a speaker: "who", "Republican who", "a strong
    leader and", "with the", "going on to", "which he", "in a box", "my father often".

    A speaker phrase is a noun phrase: it ends with its head noun (never a function word or
    adverb), and a lower-case one opens with a determiner or a plain noun, never with a
    preposition, a relative word or a participle, and holds no pronoun of its own.
    """
    low = [norm_word(w) for w in words]
    if low[-1] in _FUNCTION_WORDS or (low[-1].endswith("ly") and words[-1][:1].islower()):
        return True  # a noun phrase ends with its noun, never a function word or an adverb
    if any(w.endswith(("n’t", "n't")) for w in low):
        return True  # "his aides haven't": a verb group, not a noun phrase
    first = low[0]
    if any(w in _PERSONAL for w in low[1:]):
        return True  # "a few minutes later they", "Many spoke about how much they": a clause
    if words[0][:1].isupper() and first not in _SUBORDINATORS:
        return False
    if len(low) == 1:
        return first in _FUNCTION_WORDS or first in _PERSONAL or first.endswith(("ly", "ing"))
    if first in _FUNCTION_WORDS and first not in _DETERMINER_START:
        return True
    if first.endswith("ing") and first not in ("king",):
        return True
    return any(w in _PERSONAL for w in low[1:])


def classify(phrase: str, start: int, role: str | None = None) -> Mention | None:
    """Turn a speaker phrase into a :class:`Mention`, or None if it cannot be a speaker."""
    stripped = phrase.strip(" ,")
    marker = _DISCOURSE_MARKERS.match(stripped)
    phrase = stripped[marker.end() :] if marker else stripped
    if not phrase:
        return None
    start += marker.end() if marker else 0
    end = start + len(phrase)
    words = phrase.split()
    if len(words) > 1 and norm_word(words[0]) in _PERSONAL:
        if all(norm_word(w) in _PRONOUN_TAGS for w in words[1:]):
            return Mention(words[0], start, start + len(words[0]), "pronoun", role)  # "they all"
        return None  # "he cleared Mexican airspace": a clause, not a speaker
    if norm_word(words[0]) in _PREPOSITIONS:
        return None  # "In recent years", "On Trump", "For someone": a prepositional phrase
    if len(words) == 1 and norm_word(phrase) in _QUANTIFIER_WORDS:
        return None  # "Others said", "some say": who is not said, and no name stands for them
    if _PRONOUN_RE.match(phrase):
        if phrase.lower() in ("you", "i", "we"):
            return None  # the interviewer or the author, not a source
        return Mention(phrase, start, end, "pronoun", role)
    if len(words) > 12 or _fragment(words):
        return None
    if any(_name_then_verb(prev, w) for prev, w in itertools.pairwise(words)):
        return None  # "Sanders highlighted polls": a name and its verb, not a speaker
    # "a spokesperson for the Colorado Department of Human Services" -> the organisation
    m = re.match(
        r"^(?:an?|the)\s+(?:\w+\s+){0,2}(?:spokes(?:man|woman|person)|representative|statement|"
        r"official)\s+(?:for|from|of|at)\s+(?:the\s+)?(.+)$",
        phrase,
        re.IGNORECASE,
    )
    if m and looks_like_name(m.group(1)):
        return Mention(phrase, start, end, "name", "organisation", key=m.group(1))
    owner, rest = split_possessive(phrase)
    if owner is not None and owner_like(owner) and _common_noun_phrase(rest):
        # "Trump's campaign", "Clinton's spokesman": the owner's organisation or people.
        if norm_word(rest.split()[-1]) in _ORG_DESCRIPTORS or is_institution(rest):
            return Mention(phrase, start, end, "name", "organisation", key=phrase)
        return Mention(phrase, start, end, "generic", role)
    if owner is not None and owner_like(owner) and looks_like_name(rest):
        if is_institution(rest):  # "Britain's Treasury"
            return Mention(phrase, start, end, "name", "organisation", key=phrase)
        # "Fox News's Ed Henry": the person speaks; the outlet is their affiliation.
        at = start + phrase.index(rest, len(owner))
        return Mention(rest, at, end, "name", role, affiliation=owner)
    if looks_like_name(phrase):
        return Mention(phrase, start, end, "name", role)
    m = _NAME_AT_END.search(phrase)
    if m and m.start() > 0 and looks_like_name(m.group(1)):
        descriptor = phrase[: m.start()].strip()
        if descriptor.split()[-1] not in ("of", "for", "to", "with", "by", "from", "at", "in", "on"):
            if norm_word(descriptor.split()[-1]) in _ORG_DESCRIPTORS:
                return Mention(phrase, start, end, "name", "organisation", key=m.group(1))
            return Mention(phrase, start, end, "name", role or descriptor or None, key=m.group(1))
    if words[0].lower() in _CONJUNCTIONS or _COORDINATED_VERB.search(phrase):
        return None  # "fault and made useful recommendations": a verb phrase, not a speaker
    if _POST_MODIFIER.search(phrase) and _group(phrase):
        return Mention(phrase, start, end, "generic", role)  # "Staff for the House committee"
    if len(words) > 6 or any(w.lower() in _AUXILIARIES for w in words):
        return None  # a clause, not a noun phrase
    if norm_word(words[-1]) in GENERIC_HEADS and norm_word(words[-1]).endswith("s"):
        return Mention(phrase, start, end, "generic", role)
    if _DET.match(phrase) or phrase[0].islower():
        head = norm_word(words[-1])
        if (head in GENERIC_HEADS and head.endswith("s")) or words[0].lower() in INDEFINITE:
            return Mention(phrase, start, end, "generic", role)
        return Mention(phrase, start, end, "role", role)
    if len(words) <= 3 and norm_word(words[-1]) in GENERIC_HEADS:
        return Mention(phrase, start, end, "generic", role)
    if _group(phrase):
        return Mention(phrase, start, end, "generic", role)
    return None


def _name_then_verb(prev: str, word: str) -> bool:
    """ "Sanders highlighted": a name followed by a past-tense verb ("The elected" is no name)."""
    bare = norm_word(prev)
    return (
        word.endswith("ed")
        and word.islower()
        and prev[:1].isupper()
        and bare not in _DETERMINER_START
        and bare not in _FUNCTION_WORDS
    )


_POST_MODIFIER = re.compile(
    r"\s+(?:with|of|in|from|at|on|for|across|inside|within|outside|close\s+to|familiar\s+with|"
    r"briefed\s+on|affected\s+by|involved\s+in)\s"
)


_PERSON_HEADS = frozenset(["person", "staff", "staffer", "someone", "individual", "employee", "worker"])


def _common_noun_phrase(phrase: str) -> bool:
    """ "campaign", "top aides", "press secretary": lower-case words only, a noun at the end."""
    words = phrase.split()
    return 1 <= len(words) <= 3 and all(w.islower() for w in words) and not _fragment(words)


def _group(phrase: str) -> bool:
    """A group of people written as a plural noun phrase: "Clinton defenders", "People with
    knowledge of the talks", "insiders in the next two states".

    The subject of a speech verb that is a plural common noun (its head, before any prepositional
    post-modifier, ends in -s and is lower case or opens the phrase) names who spoke, unnamed.
    """
    post = _POST_MODIFIER.search(phrase)
    head = phrase[: post.start()] if post else phrase
    words = head.split()
    if not 1 <= len(words) <= 4:
        return False
    last = norm_word(words[-1])
    plural = len(last) >= 4 and last.endswith("s") and not last.endswith(("ss", "us", "is", "’s", "'s"))
    if not plural and last not in GENERIC_HEADS and last not in _PERSON_HEADS:
        return False
    if not (words[-1].islower() or len(words) == 1):
        return False
    return not any(norm_word(w) in _AUXILIARIES or norm_word(w) in _PERSONAL for w in words)


def subject_before(text: str, lo: int, hi: int) -> Mention | None:
    """The speaker phrase that ends right before a speech verb at ``hi`` ("Mr. Trump said")."""
    region = text[lo:hi]
    m = _TRAILING_ADVERBIAL.search(region)
    if m:
        region = region[: m.start()]
    region = region.rstrip()
    if not region:
        return None
    if region.endswith(","):
        return _appositive_subject(text, lo, region[:-1])
    cut = 0
    cuts = [0]
    for b in _CLAUSE_BOUNDARY.finditer(region):
        cut = b.end()
        cuts.append(b.start())
        cuts.append(cut)
    tail = region[cut:]
    if (
        len(cuts) >= 3
        and region[cuts[-2] : cut].strip() == "and"
        and tail[:1].islower()
        and not _DET.match(tail)
        and not norm_word(tail.split()[-1]).endswith("s")
    ):
        # "the former secretary of state and current Democratic presidential nominee": one
        # person described twice, the determiner shared.
        cut = cuts[-4] if len(cuts) >= 5 else 0
        tail = region[cut : cuts[-2]]
    stripped = tail.lstrip()
    offset = lo + cut + (len(tail) - len(stripped))
    stripped = re.sub(
        r"^(?:(?:But|And|So|Yet|Now|Then|While|When|Although|Though|If|As|Because|Since|After|"
        r"Before|Even\s+as|Even\s+though|Still)\s+)+",
        "",
        stripped,
        flags=re.IGNORECASE,
    )
    offset = lo + len(region) - len(stripped)
    restrictive = _RESTRICTIVE.match(stripped)
    if restrictive is not None:
        # "Voters who have listened to his speeches said": the head before the relative clause.
        head = classify(restrictive.group(1), offset)
        if head is not None and head.form != "pronoun":
            return head
    relative = _RELATIVE_END.search(stripped)
    if relative is not None:
        # "said Beck, who said ...", "a Republican who says ...": the relative pronoun's
        # antecedent is the speaker.
        return _antecedent(text, lo, offset + relative.start())
    return classify(stripped, offset)


_RESTRICTIVE = re.compile(r"^((?:[\w’'.-]+\s+){0,3}?[\w’'.-]+)\s+(?:who|that)\s+(?:\w+\s+){1,8}?\w+$")
"""A subject with a restrictive relative clause and no comma: "voters who have listened to him"."""
_RELATIVE_END = re.compile(
    r"(?:^|\s)(who|that)(?:\s+(?:(?:in|on|at|during|after|before|for|since|over|last|this)\s+[^,]{1,30}|"
    r"also|previously|recently|once|later|earlier|now|then|often|repeatedly))?$",
    re.IGNORECASE,
)


_LAST_NOUN_PHRASE = re.compile(
    r"^.*(?:^|\s)((?:the|a|an|his|her|their|its|some|many|other)\s+[^,;]{1,60})$", re.IGNORECASE
)
"""The last determiner-led noun phrase of a region ("... written by a former state employee")."""


_THING_OF_NAME = re.compile(
    rf"^(?:the|a|an|his|her|their|its)\s+(\w+)\s+of\s+({NAME_WORD}(?:{SPACES}{NAME_WORD})*)$"
)


_KIN = frozenset(
    ["daughter", "son", "wife", "husband", "mother", "brother", "sister", "friend", "widow", "widower",
     "child", "children", "family", "niece", "nephew", "cousin", "grandson", "granddaughter", "partner",
     "colleague", "boss", "employee", "employees", "staff", "team", "campaign", "parents", "friends"]
)  # fmt: skip
"""Heads that are people (or stand for them) even before "of NAME": "the daughter of Bill Clinton, who"."""


def _antecedent(text: str, lo: int, hi: int) -> Mention | None:
    """The noun phrase a relative pronoun at ``hi`` refers back to, if it can be a speaker."""
    region = text[lo:hi].rstrip()
    comma = region.endswith(",")
    region = region.rstrip(" ,")
    if not region:
        return None
    np = _LAST_NOUN_PHRASE.search(region)
    thing_of = _THING_OF_NAME.match(np.group(1)) if np is not None else None
    if np is not None and thing_of and norm_word(thing_of.group(1)) not in GENERIC_HEADS | TITLE_WORDS | _KIN:
        # "the tone of Cruz, who has called ...": "who" is the person, not "the tone".
        return classify(thing_of.group(2), lo + np.start(1) + thing_of.start(2))
    if np is not None and not looks_like_name(np.group(1)):
        before = region[: np.start(1)].rstrip()
        name = _NAME_AT_END.search(before[:-1].rstrip()) if before.endswith(",") else None
        if name and looks_like_name(name.group(1)):
            # "Will Hurd, a Republican who said ...": the appositive's head names the speaker.
            return classify(name.group(1), lo + name.start(1), role=np.group(1))
        return classify(np.group(1), lo + np.start(1))
    name = _NAME_AT_END.search(region)
    if name and looks_like_name(name.group(1)):
        return classify(name.group(1), lo + name.start(1))
    if comma:
        return subject_before(text, lo, lo + len(region))
    cut = 0
    for b in _CLAUSE_BOUNDARY.finditer(region):
        cut = b.end()
    tail = region[cut:].strip()
    np = _LAST_NOUN_PHRASE.search(tail)
    phrase = np.group(1) if np is not None else tail
    if not phrase:
        return None
    return classify(phrase, lo + cut + region[cut:].index(phrase))


def _appositive_subject(text: str, lo: int, region: str) -> Mention | None:
    """ "Mayor Karen Whitfield, who pushed for the funding," or "Greenland's premier, Mute Egede,"."""
    parts = [(mm.start(), mm.group(0)) for mm in re.finditer(r"[^,]+", region)]
    if len(parts) < 2:
        return None
    app_at, app = parts[-1]
    head_at, head = parts[-2]
    # "Jillian Chase, 27, a Tinder user in New York," - skip ages and pick the name.
    for cand_at, cand in reversed(parts[:-1]):
        c = cand.strip()
        if re.fullmatch(r"\d{1,3}", c):
            continue
        if looks_like_name(c) and norm_word(c.split()[0]) not in _FRONTED:
            head_at, head = cand_at, cand
            break
    app_s = app.strip()
    head_s = head.strip()
    head_first = head_s.split()[0].lower() if head_s else ""
    if looks_like_name(app_s) and (
        _DET.match(head_s) or (head_s and head_s[0].islower()) or "’s " in head_s or "'s " in head_s
    ):
        return classify(app_s, lo + app_at + app.index(app_s), role=head_s)
    if head_first in _FRONTED and len(parts) >= 3:
        head_at, head = parts[-3]
        head_s = head.strip()
    inner = subject_before(text, lo + head_at, lo + head_at + len(head))
    if inner is None:
        return None
    role = app_s if (_DET.match(app_s) or app_s[:1].islower()) else None
    if role and role.startswith(("who ", "which ", "where ", "whose ")):
        role = None
    if role and inner.role is None:
        return Mention(inner.text, inner.start, inner.end, inner.form, role, inner.key, inner.affiliation)
    return inner


_AFTER_PHRASE = re.compile(
    r"\s*((?:[^,.;:()“”\"]|(?<=\b[A-Z])\.(?=\s+[A-Z])|(?<=\b(?:Mr|Ms|Dr|Jr|Sr|St|Lt))\.|"
    r"(?<=\b(?:Mrs|Sen|Rep|Gov|Gen|Col|Sgt|Adm|Rev))\.|(?<=\b(?:Capt|Prof))\.)+)"
)
"""The phrase after an inverted verb, up to punctuation; initials and "Mr." do not end it."""


def subject_after(text: str, lo: int, hi: int) -> Mention | None:
    """The speaker phrase after an inverted verb ("..., said Carsten Brzeski, an economist")."""
    region = text[lo:hi]
    m = _AFTER_PHRASE.match(region)
    if not m:
        return None
    phrase = m.group(1).strip()
    words = phrase.split()
    if not words or words[0].lower() in ("that", "he", "she", "they", "it", "we", "i"):
        return None
    cut = re.search(r"\s+(?:in|on|at|during|after|before|to|of|from|who|which)\s", phrase)
    if cut:
        phrase = phrase[: cut.start()]
    else:
        # The phrase must end the clause ("said Carsten Brzeski." / "said the official,").
        if not re.match(r"\s*(?:[,.;]|$)", region[m.end() :]):
            return None
    role = None
    rest = region[m.end() :]
    rm = re.match(r",\s*([^,.;]+)", rest)
    if rm:
        role = rm.group(1).strip()
    start = lo + region.index(phrase) if phrase in region else lo
    if role and looks_like_name(role.title()) and not looks_like_name(phrase) and rm:
        # "said the company's chief executive, John Ferriola" -> the name, with the role
        name = rm.group(1).strip()
        if looks_like_name(name):
            return classify(name, lo + m.end() + rm.start(1), phrase)
    mention = classify(phrase, start, role)
    if mention is None or mention.form == "pronoun":
        return None
    if mention.form != "name" and len(phrase.split()) > 5:
        return None  # a clause ("the election would come up"), not a speaker
    return mention


def clause_subject(text: str, lo: int, hi: int) -> Mention | None:
    """The subject at the start of a clause: skips fronted phrases ("Hours later, ...")."""
    region = text[lo:hi]
    parts = [(mm.start(), mm.group(0)) for mm in re.finditer(r"[^,—;]+", region)]
    for i, (at, part) in enumerate(parts):
        s = part.strip()
        if not s:
            continue
        first = s.split()[0]
        if norm_word(first) in _FRONTED:
            continue
        if s.startswith(("“", '"', "‘")):
            return None
        s = re.sub(r"^(?:But|And|So|Yet|Then)\s+", "", s)
        start = lo + at + part.index(s)
        words = s.split()
        if _PRONOUN_RE.match(words[0]):
            return classify(words[0], start)
        m = CAP_SEQ.match(s)
        if m and norm_word(m.group(0)) in _QUANTIFIER_WORDS:
            # "One of the men, Jessie Elkins, 70, ...": the appositive names the subject.
            nxt = parts[i + 1][1].strip() if i + 1 < len(parts) else ""
            if looks_like_name(nxt):
                return classify(nxt, lo + parts[i + 1][0] + parts[i + 1][1].index(nxt))
            return None
        if m:
            seq = m.group(0)
            if POSSESSIVE.search(seq.split()[-1]) and i + 1 < len(parts):
                nxt = parts[i + 1][1].strip()
                if looks_like_name(nxt):
                    return classify(nxt, lo + parts[i + 1][0] + parts[i + 1][1].index(nxt), s.lower())
                return None
            if POSSESSIVE.search(seq):
                return None
            if looks_like_name(seq):
                return classify(seq, start)
        dm = re.match(
            r"^((?:the|a|an)\s+(?:[\w’'.-]+\s+){0,3}?[\w’'.-]+)(?=\s+(?:has|have|had|is|was|"
            r"were|are|said|says|told|also|\w+ed)\b)",
            s,
            re.IGNORECASE,
        )
        if dm:
            return classify(dm.group(1), start)
        return None
    return None
