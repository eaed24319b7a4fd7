"""Key phrases of a claim: the names and short noun phrases that could become a topic.

Topic discovery counts these across claims and articles; a phrase that recurs becomes a topic. Two
kinds are taken, without a tagger or a model, so that any language-neutral news text works:

* names: runs of capitalised words ("Time Warner", "Clinton Foundation", "Michigan"), with "of",
  "and" and "&" inside ("Federal Bureau of Investigation"), leading titles dropped; a single
  capitalised word that opens a sentence counts only if the text also capitalises it elsewhere;
* noun phrases: a proper adjective and its noun ("Russian hacking"), or two or three content words
  between stop words ("tax returns", "private email server").

Subjects are noun phrases, judged by simple morphology and the word before: a verb that opens a run
("to spend money", "officials expressed concerns", "raises questions") is dropped, as is a participle
that ends it; numbers and compounds of time words ("13-year-old") are no part of a subject; a name
does not run on into a weekday ("Obama on Tuesday"), is cut where a title stands inside it ("FBI
Director James Comey" is the FBI and a person), and a phrase headed by a role ("foreign minister")
is a speaker's description, not a subject.

The word lists that rule out generic phrases live in ``config/discovery.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.errors import ConfigError
from claims.settings import config_file
from claims.store.nameforms import HONORIFICS, ROLE_NOUNS, TITLES, name_key

_WORD = re.compile(r"(?:[A-Z]\.){2,}|\d[\w'’\-.,]*|[A-Za-zÀ-ÖØ-öø-ÿ][\w'’\-&]*|[.!?;:,\"“”()—–]")
_SENTENCE_END = frozenset({".", "!", "?", "\"", "“", "”", ":", ";", "(", ")", "—", "–"})
_CONNECTORS = frozenset({"of", "&", "for", "de", "on"})
"""Small words inside a name ("Bureau of Investigation"). Not "and": "Justice Department and FBI" is two."""
_OPENERS = frozenset({
    "the", "a", "an", "but", "and", "or", "so", "if", "when", "while", "as", "in", "on", "at", "for",
    "with", "that", "this", "these", "those", "there", "then", "we", "i", "he", "she", "it", "they",
    "you", "what", "why", "how", "who", "after", "before", "because", "although", "though", "yet",
    "still", "now", "even", "just", "also", "all", "some", "many", "most", "every", "each", "no", "not",
    "our", "my", "his", "her", "their", "its", "your", "one", "both", "like", "under", "from", "by",
    "to", "of", "about", "against", "during", "since", "until", "without", "instead", "here", "where",
    "according", "however", "several", "meanwhile", "despite", "asked", "said", "says", "yes",
})
"""Words that open a sentence in capitals without being part of a name ("But Time Warner ...")."""
_ORGANISATION_HEADS = frozenset({
    "department", "committee", "court", "council", "party", "foundation", "agency", "service",
    "commission", "house", "office", "administration", "bureau", "board", "university", "institute",
    "center", "centre", "association", "union", "bank", "fund", "group", "company", "corporation",
    "network", "ministry", "academy", "school", "club", "league", "alliance", "coalition", "caucus",
})
_TITLE_NOT_CUT = frozenset({"state", "the", "first", "u.s.", "us", "justice", "general", "major", "house",
                            "head", "press", "vice", "prime", "deputy", "former"})
"""Title words that, inside a name, belong to it ("Secretary of State", "Attorney General")."""
_STOPPED_HEADS = frozenset({"man", "woman", "men", "women", "people", "person", "official", "officials"})
"""Stop-word nouns for people: the words before them describe the people ("unarmed black man", "young
people"), they are not a subject of their own."""
_SINGLE_LETTERS = re.compile(r"\b\w(?: \w)+\b")
_CONTRACTION = re.compile(r"['’](?:re|ve|ll|d|m|s|t)$", re.IGNORECASE)
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ian|ese|ish|ic|i)$")


@dataclass(frozen=True)
class PhraseRules:
    """Words that make a phrase too generic to be a topic (from ``config/discovery.toml``)."""

    stop_words: frozenset[str] = frozenset()
    generic_names: frozenset[str] = frozenset()
    generic_words: frozenset[str] = frozenset()
    min_articles: int = 2
    min_claims: int = 3
    max_article_share: float = 0.15
    share_after_articles: int = 40
    article_subject_share: float = 0.1
    """Share of an article's claims one discovered topic needs to become the subject of the rest."""


def load_rules(config_dir: Path) -> PhraseRules:
    """Read ``discovery.toml`` (a missing file means the built-in defaults and no word lists)."""
    path = config_file(config_dir, "discovery.toml")
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        return PhraseRules()
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path.name} is not valid TOML: {exc}") from exc
    try:
        return _rules(tuple(doc.get("stop_words", ())), tuple(doc.get("generic_names", ())),
                      tuple(doc.get("generic_words", ())), int(doc.get("min_articles", 2)),
                      int(doc.get("min_claims", 3)), float(doc.get("max_article_share", 0.15)),
                      int(doc.get("share_after_articles", 40)),
                      float(doc.get("article_subject_share", 0.1)))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"config: malformed value in {path.name}: {exc}") from exc


@lru_cache(maxsize=4)
def _rules(stop: tuple[str, ...], names: tuple[str, ...], words: tuple[str, ...], min_articles: int,
           min_claims: int, share: float, after: int, subject_share: float) -> PhraseRules:
    return PhraseRules(
        stop_words=frozenset(w.casefold() for w in stop),
        generic_names=frozenset(phrase_key(n) for n in names),
        generic_words=frozenset(w.casefold() for w in words),
        min_articles=min_articles, min_claims=min_claims, max_article_share=share,
        share_after_articles=after, article_subject_share=subject_share,
    )


def phrase_key(surface: str) -> str:
    """The comparison key of a phrase: ``name_key`` with initials joined ("F.B.I." = "FBI") and a
    plural last word made singular."""
    key = _SINGLE_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), name_key(surface))  # "f b i"
    head, _, last = key.rpartition(" ")
    if len(last) > 4 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
        last = last[:-1]
    return f"{head} {last}".strip()


def key_phrases(text: str, rules: PhraseRules) -> dict[str, str]:
    """Candidate topic phrases in ``text``: key -> surface form as written (first seen)."""
    tokens = _WORD.findall(text)
    capitalised_inside = {
        t for i, t in enumerate(tokens) if i and tokens[i - 1] not in _SENTENCE_END and t[:1].isupper()
    }
    out: dict[str, str] = {}
    for surface in _names(tokens, capitalised_inside, rules):
        _keep(out, surface, rules)
    for surface in _noun_phrases(tokens, rules):
        _keep(out, surface, rules)
    return out


_PERSON_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|Det|Officer|Detective|Judge|Senator|"
    r"Governor|Congressman|Congresswoman|Mayor|Professor|Prof|Rev)\.?\s+((?:[A-Z][\w'’\-]+\s+)?[A-Z][\w'’\-]+)")
_PAIR = re.compile(r"(?<![\w.])([A-Z][a-z][\w'’\-]*)\s+(?:[A-Z]\.\s+)?([A-Z][a-z][\w'’\-]*)(?!\s+[A-Z])")


def name_words(text: str) -> frozenset[str]:
    """Single words an article uses as a person's first name or surname.

    A surname is the word after a personal title ("Mr. Pagliano", "Officer Betty Shelby"); or the
    last word of a two-word name whose last word the article also uses alone ("Terence Crutcher" ...
    "Crutcher said"), with the first word then a first name. Place names are left alone: "West
    Virginia" does not make "Virginia" a surname.
    """
    words: set[str] = set()
    for m in _PERSON_TITLE.finditer(text):
        parts = m.group(1).split()
        words.add(parts[-1].casefold())
        if len(parts) == 2:
            words.add(parts[0].casefold())
    pairs = [(m.group(1), m.group(2)) for m in _PAIR.finditer(text)]
    if pairs:
        seen = Counter(re.findall(r"(?<![\w’'])[A-Z][a-z][\w'’\-]*", text))
        in_names = Counter(w for pair in pairs for w in pair)
        for first, last in pairs:
            bare_first, bare_last = first.casefold(), last.casefold()
            if (bare_first in PLACE_QUALIFIERS or bare_last in _ORGANISATION_HEADS
                    or bare_first in _OPENERS or bare_first in TITLES or bare_first in HONORIFICS
                    or _DEMONYM.match(first)):
                continue
            if seen[last] > in_names[last]:  # the article also calls them by the last word alone
                words.update({bare_first, bare_last})
    return frozenset(name_key(w) for w in words)


def _keep(out: dict[str, str], surface: str, rules: PhraseRules) -> None:
    key = phrase_key(surface)
    if len(key) < 3 or key in rules.generic_names or len(key) > 200:
        return
    words = key.split()
    if words[-1] in ROLE_NOUNS and (len(words) == 1 or words[-2] not in _CONNECTORS):
        return  # a role ("foreign minister", "chief executive") is a speaker's, not a subject
    out.setdefault(key, surface)


def _is_cap(token: str) -> bool:
    if _CONTRACTION.search(token) and not token.endswith(("’s", "'s")):
        return False  # "We're", "I've"
    return (token[:1].isupper() and any(ch.islower() for ch in token)) or (
        len(token) > 1 and token.replace(".", "").replace("&", "").isupper()
    )


def _names(tokens: list[str], inside: set[str], rules: PhraseRules) -> list[str]:
    found: list[str] = []
    i = 0
    while i < len(tokens):
        if not _is_cap(tokens[i]):
            i += 1
            continue
        start = i
        run = [tokens[i]]
        i += 1
        while i < len(tokens):
            if _is_cap(tokens[i]):
                run.append(tokens[i])
                i += 1
            elif (tokens[i] in _CONNECTORS and i + 1 < len(tokens) and _is_cap(tokens[i + 1])
                  and phrase_key(tokens[i + 1]) not in rules.generic_names):  # not "Obama on Tuesday"
                run.extend(tokens[i : i + 2])
                i += 2
            else:
                break
        opens = start == 0 or (tokens[start - 1] in _SENTENCE_END
                                and _bare(tokens[start - 2] if start > 1 else "") not in HONORIFICS)
        for piece, first in _split_at_titles(run):
            name = _trim_name(piece)
            if name is None:
                continue
            if len(name) == 1:
                word = name[0]
                if ((opens and first and word == piece[0] and word not in inside)
                        or _bare(word) in rules.generic_words or _bare(word) in _ORGANISATION_HEADS):
                    continue  # a sentence opener, or a head word alone ("Union", "Department")
                if _DEMONYM.match(word.rstrip("s")) and i < len(tokens) and tokens[i][:1].islower():
                    continue  # "Russian hacking" is a noun phrase, taken below
            found.append(" ".join(name).rstrip("’'").removesuffix("’s").removesuffix("'s"))
    return found


def _split_at_titles(run: list[str]) -> list[tuple[list[str], bool]]:
    """A capitalised run cut where a title stands inside it: "FBI Director James Comey" is the FBI
    and a person, "White House Press Secretary Josh Earnest" the White House and a person. An
    organisation's own head word ("Department of Justice") ends a run, so it is not cut there."""
    pieces: list[tuple[list[str], bool]] = []
    start = 0
    for j in range(1, len(run) - 1):
        word = _bare(run[j])
        if (word in TITLES or word in ROLE_NOUNS) and word not in _TITLE_NOT_CUT and j > start:
            pieces.append((run[start:j], start == 0))
            start = j
    pieces.append((run[start:], start == 0))
    return pieces


def _trim_name(run: list[str]) -> list[str] | None:
    """A name without the titles, honorifics and sentence openers around it (None: nothing left)."""
    run = list(run)
    organisation = bool(run) and _bare(run[-1]) in _ORGANISATION_HEADS  # "Justice Department"
    while run and (((_bare(run[0]) in TITLES or _bare(run[0]) in ROLE_NOUNS) and not organisation)
                   or _bare(run[0]) in HONORIFICS or _bare(run[0]) in _OPENERS):
        run.pop(0)
    while run and (run[-1] in _CONNECTORS or _bare(run[-1]) in _OPENERS
                   or (len(run) > 1 and (_bare(run[-1]) in ROLE_NOUNS or _bare(run[-1]) in TITLES)
                       and run[-2] not in _CONNECTORS)):
        run.pop()
    return run or None


def _noun_phrases(tokens: list[str], rules: PhraseRules) -> list[str]:
    found: list[str] = []
    for i, tok in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        if _DEMONYM.match(tok) and nxt[:1].islower() and _content(nxt, rules):
            found.append(f"{tok} {nxt}")
    run: list[str] = []
    before = ""
    for i, tok in enumerate([*tokens, "."]):
        if tok[:1].islower() and _content(tok, rules):
            if not run:
                before = tokens[i - 1].strip(".,;:") if i else ""
            run.append(tok)
            continue
        if not (run and tok in _STOPPED_HEADS):  # "unarmed black man": modifiers of a vague head
            found.extend(_noun_runs(run, before))
        run = []
    return found


def _noun_runs(run: list[str], before: str) -> list[str]:
    """The noun phrases in a run of content words: a verb that opens it ("expressed concerns",
    "to spend money") and a participle that ends it ("the emails released") are not part of them."""
    if len(run) >= 2 and _verb_before(run[0], before, run[1]):
        run = run[1:]
    while run and _bare(run[-1]).endswith("ed") and len(run[-1]) > 4:
        run = run[:-1]
    if 2 <= len(run) <= 3:
        return [" ".join(run)]
    if len(run) > 3:
        return [" ".join(run[j : j + 2]) for j in range(len(run) - 1)]
    return []


def _content(token: str, rules: PhraseRules) -> bool:
    """A word that can be part of a subject: not a function, vague or time word, an adverb or a
    number, nor a compound of one ("year-old", "so-called", "long-term")."""
    word = _bare(token)
    return (len(word) > 2 and word not in rules.stop_words and word not in rules.generic_words
            and not word.endswith("ly") and "'" not in word and "’" not in word
            and not any(c.isdigit() for c in word)
            and not any(part in rules.stop_words for part in word.split("-")))


def _bare(token: str) -> str:
    return token.strip(".,;:'’").casefold()


# ---------------------------------------------------------------------------- verbs by form and place

_DETERMINERS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "our", "my",
    "your", "of", "about", "on", "over", "with", "for", "from", "by", "into", "any", "some", "no",
    "more", "new", "other", "such", "all", "many", "few", "several", "against", "amid", "after",
})
"""Words after which the next word starts a noun phrase ("the hacked emails", "of classified
information")."""
_VERB_CUES = frozenset({
    "to", "will", "would", "can", "could", "should", "must", "may", "might", "shall", "did", "does",
    "do", "has", "have", "had", "not", "never", "he", "she", "they", "we", "i", "you", "who", "it",
    "didn't", "don't", "doesn't", "won't", "can't",
    "wouldn't", "couldn't", "hasn't", "haven't", "hadn't", "isn't", "wasn't", "weren't", "aren't",
})
"""Words after which the next word is a verb ("to spend money", "she expressed concerns")."""
PLACE_QUALIFIERS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern",
                               "western", "central", "new", "upper", "lower", "greater", "great", "old"})
"""Words that make another place of a place's name ("West Virginia", "New Mexico")."""
_VERB_LINKS = frozenset({"and", "but", "also", "already", "just", "then", "recently", "later", "once"})
"""Words after which a past form is a verb ("and expressed concern")."""
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "am"})


def verb_led(key: str, text: str) -> bool:
    """Whether a phrase opens with a verb ("expressed concerns", "spend money"), judged from the
    word's form and from what stands before the phrase wherever ``text`` uses it."""
    words = key.split()
    if len(words) < 2:
        return False
    pattern = re.compile(r"\b" + r"\W+".join(re.escape(w) for w in words) + r"\b", re.IGNORECASE)
    votes = []
    for m in pattern.finditer(text):
        before = re.findall(r"[\w'’]+", text[max(0, m.start() - 40) : m.start()])
        votes.append(_verb_before(words[0], before[-1] if before else "", words[1]))
    if not votes:
        return _verb_before(words[0], "", words[1])
    return sum(votes) * 2 > len(votes)


def _verb_before(word: str, before: str, after: str) -> bool:
    """Whether ``word``, standing after ``before`` (as written) and before ``after``, is a verb.

    After "to", a modal, an auxiliary or a pronoun it is; after a determiner or a possessive it is
    not. A past form (-ed) is a verb after a name or a plural noun ("Clinton expressed concerns",
    "officials raised questions") and an adjective elsewhere ("sent classified information"); a
    present form before a plural is a verb ("raises questions"); an -ing form only after "is"."""
    word = word.casefold()
    bare = before.replace("’", "'").casefold()
    if bare in _VERB_CUES:
        return True
    if bare in _DETERMINERS or bare.endswith("'s") or bare.endswith("s'"):
        return False
    if word.endswith("ing"):
        return bare in _BE
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return before[:1].isupper() or _plural(bare) or bare in _VERB_LINKS
    return len(word) > 3 and _plural(word) and _plural(after.casefold())


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))
