"""How people's names are written in news text: the words around and inside a name.

Why it exists: the article's name registry (:mod:`claims.extract.registry`) and the speaker-phrase
finder (:mod:`claims.extract.speaker_phrases`) must agree on what a name is. A capitalised run
("President Vladimir V. Putin of Russia") splits into titles, an honorific, the name proper and an
"of X" part; particles ("von der", "bin") belong to names, sentence-opening words ("The",
"Despite") never do, and the honorific says the gender a later pronoun must match.
"""

from __future__ import annotations

import re

from claims.extract.descriptions import ORG_HEADS as _ORG_HEADS

HONORIFICS = {
    "mr": "male", "mrs": "female", "ms": "female", "miss": "female", "dr": None, "sir": "male",
    "dame": "female", "lord": "male", "lady": "female", "prof": None, "rev": None,
}  # fmt: skip
TITLE_WORDS = frozenset(
    [
        "president", "vice", "former", "prime", "minister", "secretary", "general", "chancellor",
        "senator", "sen", "rep", "representative", "congressman", "congresswoman", "gov", "governor",
        "mayor", "councilmember", "councilman", "councilwoman", "councillor", "alderman", "judge", "justice",
        "chief", "deputy", "attorney", "speaker", "leader", "majority", "minority", "chairman",
        "chairwoman", "chair", "director", "commissioner", "ambassador", "envoy", "king", "queen",
        "prince", "princess", "pope", "gen", "adm", "lt", "col", "sgt", "capt", "cmdr", "maj",
        "premier", "spokesman", "spokeswoman", "spokesperson", "foreign", "finance", "defense",
        "defence", "commerce", "trade", "treasury", "interior", "health", "labor", "homeland",
        "energy", "education", "agriculture", "transportation", "press", "candidate", "nominee",
        "sheriff", "ceo", "executive", "founder", "president-elect", "professor", "strategist",
        "adviser", "advisor", "aide", "lawyer", "official", "officer", "economist", "analyst",
        "superintendent", "inspector", "commander", "admiral", "colonel", "general", "lieutenant",
        "sergeant", "captain", "major", "archbishop", "bishop", "cardinal", "rabbi", "imam",
        "sheikh", "crown", "emir", "sultan", "pastor", "father", "coach", "manager", "host",
        "anchor", "correspondent", "editor", "columnist",
    ]
)  # fmt: skip
PARTICLES = frozenset(
    [
        "von", "van", "der", "den", "de", "da", "del", "della", "di", "du", "la", "le", "bin", "ibn",
        "al", "el", "dos", "das", "ter", "ten",
    ]
)  # fmt: skip
# Capitalised words that begin sentences or name things, never a person speaking.
STOP_WORDS = frozenset(
    [
        "the", "a", "an", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we",
        "i", "you", "his", "her", "their", "our", "my", "your", "in", "on", "at", "by", "for",
        "from", "with", "without", "of", "to", "as", "after", "before", "when", "while", "since",
        "during", "despite", "though", "although", "if", "but", "and", "or", "nor", "so", "yet",
        "also", "then", "now", "still", "however", "meanwhile", "instead", "later", "earlier",
        "hours", "days", "weeks", "months", "years", "minutes", "today", "yesterday", "tomorrow",
        "tonight", "last", "next", "some", "many", "most", "several", "few", "all", "both", "each",
        "every", "other", "another", "such", "no", "not", "there", "here", "what", "which", "who",
        "whom", "whose", "where", "why", "how", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "asked", "speaking", "according",
        "sitting", "standing", "writing", "talking", "meeting", "under", "over", "about", "around",
        "against", "among", "between", "into", "through", "until", "amid", "unlike", "like", "even",
        "just", "only", "again", "more", "less", "much", "because", "unless", "whether", "once",
        "don’t", "don't", "doesn’t", "doesn't", "here", "why",
    ]
)  # fmt: skip
GENERIC_HEADS = frozenset(
    [
        "source", "sources", "official", "officials", "spokesman", "spokeswoman", "spokesperson",
        "spokespeople", "aide", "aides", "analyst", "analysts", "economist", "economists", "expert",
        "experts", "critic", "critics", "resident", "residents", "people", "witness", "witnesses",
        "observer", "observers", "lawmaker", "lawmakers", "leader", "leaders", "supporter",
        "supporters", "opponent", "opponents", "voter", "voters", "advocate", "advocates", "member",
        "members", "diplomat", "diplomats", "investigator", "investigators", "prosecutor",
        "prosecutors", "researcher", "researchers", "report", "reports", "study", "studies", "poll",
        "polls", "survey", "surveys", "data", "figures", "statement", "document", "documents",
        "memo", "letter", "filing", "filings", "others", "many", "some", "several", "advisers",
        "advisors", "adviser", "confidants", "strategists", "allies", "associates", "organizers",
        "activists", "scientists", "historians", "groups", "authorities", "lawyers", "attorneys",
        "supporters", "insiders", "operatives", "staffers", "donors", "backers", "polls",
        "pollsters", "republicans", "democrats", "conservatives", "liberals",
    ]
)  # fmt: skip
INDEFINITE = frozenset(
    ["a", "an", "some", "several", "many", "two", "three", "four", "most", "other", "others"]
)
PRONOUNS = {"he": "male", "she": "female", "they": None, "it": None, "we": None, "i": None}

_ABBREVIATIONS = (
    "Gov|Sen|Rep|Gen|Col|Sgt|Capt|Cmdr|Maj|Adm|Prof|Rev|Supt|Calif|Mass|Conn|Penn|Wash|Mich|Minn|"
    "Ariz|Okla|Tenn|Colo|Wyo|Wis|Neb|Nev|Mont|Fla|Ala|Ark|Ill|Ind|Kan|Miss|Ore|Tex|Sept|Corp|Inc|"
    "Bros|Ltd"
)
NAME_WORD = rf"(?:(?:{_ABBREVIATIONS}|[A-ZÀ-ÖØ-Þ][a-z]{{0,2}})\.|[A-ZÀ-ÖØ-Þ][\w’'\-]*)"
"""A capitalised word (Latin-1 capitals too: Émile). Only an abbreviation or an initial keeps its
full stop ("Gov.", "Jr.", "J."): a full stop after a longer word ends the sentence, so "Hillary
Clinton. Late in the day" is never one name."""
SPACES = r"[ \t\u00a0]+"  # spaces within a line: a name never runs across a line break
CAP_SEQ = re.compile(
    rf"{NAME_WORD}(?:{SPACES}(?:(?:{'|'.join(sorted(PARTICLES))}){SPACES})*{NAME_WORD}"
    rf"|{SPACES}(?:of|on|for){SPACES}(?:the{SPACES})?{NAME_WORD})*"
)
POSSESSIVE = re.compile(r"[’']s?$")


def norm_word(word: str) -> str:
    """A word as the word lists hold it: lower-case, without the punctuation around it."""
    return word.strip(".,’'").lower()


def split_seq(words: list[str]) -> tuple[list[str], str | None, list[str], list[str]]:
    """Split a capitalised run into (title words, honorific, name words, 'of X' words)."""
    # Leading stop words ("The", "Despite", "But") never belong to a name.
    while words and norm_word(words[0]) in STOP_WORDS:
        words = words[1:]
    of_part: list[str] = []
    for i, w in enumerate(words):
        if w in ("of", "on", "for") and i > 0:
            head = words[:i]
            titled = any(norm_word(x) in TITLE_WORDS for x in head)
            if titled and not any(norm_word(x) in _ORG_HEADS for x in head):
                of_part = words[i + 1 :]
                words = head
                if all(norm_word(x) in TITLE_WORDS or norm_word(x) in HONORIFICS for x in head):
                    # "Secretary of State Marco Rubio": the name follows the office's "of" part.
                    of_part, named = _office_and_name(of_part)
                    words = head + named
            break
    honorific = None
    last_title = -1
    for i, w in enumerate(words):
        n = norm_word(w)
        if n in HONORIFICS and w[0].isupper():
            honorific = n
            last_title = i
        elif n in TITLE_WORDS and (i + 1 < len(words)):
            last_title = i
    titles = [w for w in words[: last_title + 1] if norm_word(w) not in HONORIFICS]
    name = words[last_title + 1 :]
    if name and len(name[-1]) > 3 and name[-1].endswith(".") and name[-1] not in ("Jr.", "Sr."):
        name = [*name[:-1], name[-1].rstrip(".")]  # the sentence's full stop, not an initial
    return titles, honorific, name, of_part


def _office_and_name(words: list[str]) -> tuple[list[str], list[str]]:
    """Split "State Marco Rubio" (after "Secretary of") into the office's words and the name.

    A name is its last two words, three with a middle initial ("Joseph R. Biden"); the office keeps
    at least one word. Too short a run is all office ("Secretary of State").
    """
    size = 3 if len(words) >= 4 and re.fullmatch(r"[A-Z]\.", words[-2]) else 2
    if words and words[-1] in ("Jr.", "Sr.", "Jr", "Sr", "II", "III"):
        size += 1
    if len(words) <= size:
        return words, []
    return words[:-size], words[-size:]


def looks_like_name(phrase: str) -> bool:
    """A short run of capitalised words (with particles and initials), not a sentence start."""
    words = phrase.split()
    if not 1 <= len(words) <= 8 or norm_word(words[0]) in STOP_WORDS:
        return False
    return all(w[0].isupper() or w.lower() in PARTICLES or w in ("of", "for") for w in words)

