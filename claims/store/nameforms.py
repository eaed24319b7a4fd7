"""How people's names are written: the forms a speaker is stored and found by.

An article names a person in full once ("Linda Okafor"), then by surname, honorific or title plus
surname ("Ms. Okafor", "Mayor Okafor") or a role ("the mayor"). Outlets prefix their own people
("Fox News's Ed Henry"). ``parse_name`` takes one such form apart so the store can keep every
alias and resolve later mentions; ``name_key`` is the one comparison key for names and aliases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from claims.errors import InvalidArgumentError
from claims.normalize import clean_text, normalize_text

HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lady", "lord"})
"""Courtesy words before a surname; ``Mrs``/``Ms``/``Miss`` also tell a person's gender."""
FEMALE_HONORIFICS = frozenset({"mrs", "ms", "miss", "dame", "lady"})
TITLES = frozenset({
    "president", "vice", "gov", "governor", "sen", "sens", "senator", "rep", "reps", "representative",
    "congressman", "congresswoman", "mayor", "secretary", "sec", "gen", "general", "adm", "admiral",
    "col", "colonel", "lt", "capt", "captain", "sgt", "judge", "justice", "chancellor", "prime",
    "minister", "speaker", "chairman", "chairwoman", "chair", "commissioner", "director", "ambassador",
    "attorney", "prof", "professor", "rev", "reverend", "pope", "king", "queen", "prince", "princess",
    "sheriff", "chief", "councilman", "councilwoman", "councillor",
    "deputy", "former", "the", "first", "candidate",
    "nominee", "premier", "envoy", "sheikh", "rabbi", "father", "pastor", "coach", "detective",
    "officer", "trooper", "sergeant", "lieutenant", "major", "state", "u.s.", "us",
})
"""Words that may stand before a name without being part of it ("Sen. Jeff Merkley")."""
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})
PARTICLES = frozenset({"de", "del", "della", "di", "da", "van", "von", "der", "den", "la", "le",
                       "bin", "ibn", "al", "el", "dos", "du", "st"})
ROLE_NOUNS = frozenset({
    "president", "secretary", "general", "senator", "governor", "mayor", "spokesman", "spokeswoman",
    "spokesperson", "chairman", "chairwoman", "chair", "director", "leader", "minister", "chief",
    "manager", "adviser", "advisor", "aide", "ambassador", "envoy", "nominee", "candidate", "attorney",
    "judge", "justice", "commissioner", "representative", "congressman", "congresswoman", "lawmaker",
    "strategist", "pollster", "founder", "ceo", "executive", "editor", "correspondent", "anchor",
    "host", "economist", "analyst", "professor", "surrogate", "officer", "sheriff", "chancellor",
    "premier", "king", "queen", "pope", "speaker", "head", "press", "prosecutor", "director-general",
    "secretary-general", "commander", "governor-elect", "president-elect", "whip", "treasurer",
})
"""Head nouns of role phrases ("NATO Secretary General", "the Russian leader")."""
_NOT_ROLE_START = frozenset({"speaking", "in", "at", "who", "what", "when", "while", "after", "before",
                             "during", "on", "with", "from", "by", "as", "he", "she", "they", "it"})
_POSSESSIVE = re.compile(r"^(?P<owner>.+?)(?:['’]s|(?<=s)['’])\s+(?P<rest>.+)$")
_TOKEN = re.compile(r"[^\s,]+")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


_JOINERS = frozenset("\u200c\u200d")
"""Zero-width (non-)joiners: they shape Persian and Indic names, so they stay between letters."""


def visible_name(text: str, *, limit: int, what: str) -> str:
    """A name an editor typed, fit to show: format characters (zero-width spaces, byte-order
    marks, direction overrides and isolates, which reorder or hide what surrounds them) dropped,
    spaces collapsed; ``InvalidArgumentError`` unless letters or digits remain to be seen.

    Renames and aliases of speakers and topics all come through here, so a name that displays as
    nothing ("\u200b", "!!!", a lone accent) cannot be given to anyone."""
    chars = clean_text(text)
    kept = []
    for i, ch in enumerate(chars):
        if unicodedata.category(ch) == "Cf" and not (
            ch in _JOINERS and 0 < i < len(chars) - 1 and chars[i - 1].isalpha() and chars[i + 1].isalpha()
        ):
            continue
        kept.append(ch)
    name = " ".join("".join(kept).split())[:limit].strip()
    if not any(unicodedata.category(ch)[0] in "LN" for ch in name):
        raise InvalidArgumentError(f"A {what} needs letters or digits one can see; give another name.")
    return name


def name_key(text: str) -> str:
    """The comparison key of a name or alias: case, accents, punctuation and a leading "the" ignored.

    "Mr. Trump", "mr trump" and "MR. TRUMP" share a key; so do "Zelenskyy" spelt with or without
    its accent marks, but not "Zelensky" and "Zelenskyy" (those are aliases).
    """
    text = unicodedata.normalize("NFKD", clean_text(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    key = normalize_text(text)
    return _LEADING_ARTICLE.sub("", key)


def _bare(token: str) -> str:
    return token.strip(".,;:").replace("’", "'").casefold()


@dataclass(frozen=True, slots=True)
class NameForm:
    """One written form of a speaker's name, taken apart.

    ``full`` is the name without titles, honorifics and outlet ("Ed Henry"); ``given`` the words
    before the surname (empty for "Mr. Henry"); ``surname`` the family name with its particles
    ("de Blasio"); ``prefix`` the title or honorific as written ("Mayor", "Mrs."); ``affiliation``
    the outlet or organisation of a possessive prefix ("Fox News" in "Fox News's Ed Henry").
    """

    written: str
    full: str
    given: tuple[str, ...]
    surname: str
    prefix: str | None = None
    affiliation: str | None = None
    suffix: str | None = None
    """A generational suffix ("Jr.", "III"): part of the full name, so a son is never his father."""

    @property
    def is_full(self) -> bool:
        """A given name and a surname: enough to tell this person from others."""
        return bool(self.given) and bool(self.surname)

    @property
    def short(self) -> str:
        """First given name and surname, without middle names or initials ("John Podesta")."""
        short = f"{self.given[0]} {self.surname}" if self.given else self.surname
        return f"{short} {self.suffix}" if self.suffix and self.given else short

    @property
    def female(self) -> bool | None:
        """What the honorific says about gender: True, False, or None when it says nothing."""
        if not self.prefix:
            return None
        word = _bare(self.prefix)
        if word in FEMALE_HONORIFICS:
            return True
        return False if word == "mr" else None


def parse_name(text: str) -> NameForm | None:
    """Take a person's name apart, or None when ``text`` does not look like a person's name.

    A name is one to five capitalised words (initials and particles allowed) after optional titles
    and honorifics, optionally preceded by a possessive owner: "Fox News's Ed Henry",
    "Sen. Jeff Merkley", "Mayor Okafor", "John D. Podesta", "Bill de Blasio", "Hochul".
    """
    written = " ".join(clean_text(text).split())
    if not written:
        return None
    affiliation = None
    body = written
    if m := _POSSESSIVE.match(written):
        owner, rest = m.group("owner").strip(), m.group("rest").strip()
        inner = parse_name(rest)
        if inner is not None and inner.is_full and owner[:1].isupper():
            return NameForm(
                written, inner.full, inner.given, inner.surname, inner.prefix, owner, inner.suffix
            )
        return None
    tokens = _TOKEN.findall(body)
    prefix: list[str] = []
    while tokens and (_bare(tokens[0]) in TITLES or _bare(tokens[0]) in HONORIFICS) and len(tokens) > 1:
        prefix.append(tokens.pop(0))
    suffixes: list[str] = []
    while tokens and _bare(tokens[-1]) in SUFFIXES:
        suffixes.insert(0, tokens.pop())
    if not tokens or len(tokens) > 5:
        return None
    for tok in tokens:
        word = tok.strip(".")
        if not word or not (word[:1].isupper() or _bare(tok) in PARTICLES):
            return None
        if any(ch.isdigit() for ch in word):
            return None
    if not tokens[0][:1].isupper():
        return None
    # The surname runs from the first particle before the last word ("de Blasio", "van der Berg").
    cut = len(tokens) - 1
    while cut > 0 and _bare(tokens[cut - 1]) in PARTICLES:
        cut -= 1
    given = tuple(tokens[:cut])
    surname = " ".join(tokens[cut:])
    if len(surname.strip(".")) < 2:
        return None
    honorific = next((p for p in reversed(prefix) if _bare(p) in HONORIFICS), None)
    title = " ".join(p for p in prefix if _bare(p) not in {"the", "former"}) or None
    suffix = " ".join(s for s in suffixes if _bare(s) not in {"phd", "md"}) or None
    return NameForm(
        written=written,
        full=" ".join([*tokens, suffix] if suffix else tokens),
        given=given,
        surname=surname,
        prefix=honorific or title,
        affiliation=affiliation,
        suffix=suffix,
    )


def is_role_phrase(text: str) -> bool:
    """A short description of an office or job ("NATO Secretary General", "the Russian leader").

    Used to keep only real roles as aliases: "speaking to a veterans group" is how someone spoke,
    not who they are.
    """
    words = [_bare(w) for w in _TOKEN.findall(clean_text(text))]
    if not words or len(words) > 7 or words[0] in _NOT_ROLE_START:
        return False
    if any(w.endswith("ing") and w not in {"king"} for w in words):
        return False
    return any(w in ROLE_NOUNS or w.rstrip("s") in ROLE_NOUNS for w in words)


def title_words(text: str | None) -> frozenset[str]:
    """The content words of a title or role, for comparing "Mayor" with "mayor of Springfield"."""
    if not text:
        return frozenset()
    return frozenset(w for w in name_key(text).split() if w not in {"the", "of", "a", "an", "former"})
