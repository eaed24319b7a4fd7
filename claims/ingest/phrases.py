"""Key phrases of a claim: the names and short noun phrases that could become a topic.

Topic discovery counts these across claims and articles; a phrase that recurs becomes a topic. Two
kinds are taken, without a tagger or a model, so that any language-neutral news text works:

* names: runs of capitalised words ("Time Warner", "Clinton Foundation", "Michigan"), with "of",
  "and" and "&" inside ("Federal Bureau of Investigation"), leading titles dropped; a single
  capitalised word that opens a sentence counts only if the text also capitalises it elsewhere;
* noun phrases: a proper adjective and its noun ("Russian hacking"), or two or three content words
  between stop words ("tax returns", "private email server").

The word lists that rule out generic phrases live in ``config/discovery.toml`` and are read with
the rest of the editable configuration (``claims.catalog.PhraseRules``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from claims.catalog import PhraseRules
from claims.store.nameforms import HONORIFICS, TITLES, name_key

_WORD = re.compile(r"(?:[A-Z]\.){2,}|[A-Za-zÀ-ÖØ-öø-ÿ][\w'’\-&]*|[.!?;:,\"“”()—–]")
_SENTENCE_END = frozenset({".", "!", "?", "\"", "“", "”", ":", ";", "(", ")", "—", "–"})
_CONNECTORS = frozenset({"of", "and", "&", "for", "de", "on"})
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
_CONTRACTION = re.compile(r"['’](?:re|ve|ll|d|m|s|t)$", re.IGNORECASE)
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ian|ese|ish|ic|i)$")


@lru_cache(maxsize=4)
def _generic_keys(names: frozenset[str]) -> frozenset[str]:
    """The configured generic names as phrase keys (computed once per rule set)."""
    return frozenset(phrase_key(n) for n in names)


def phrase_key(surface: str) -> str:
    """The comparison key of a phrase: ``name_key`` with a plural last word made singular."""
    key = name_key(surface)
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


def _keep(out: dict[str, str], surface: str, rules: PhraseRules) -> None:
    key = phrase_key(surface)
    if len(key) < 3 or key in _generic_keys(rules.generic_names) or len(key) > 200:
        return
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
            elif tokens[i] in _CONNECTORS and i + 1 < len(tokens) and _is_cap(tokens[i + 1]):
                run.extend(tokens[i : i + 2])
                i += 2
            else:
                break
        opens = start == 0 or (tokens[start - 1] in _SENTENCE_END
                                and _bare(tokens[start - 2] if start > 1 else "") not in HONORIFICS)
        organisation = _bare(run[-1]) in _ORGANISATION_HEADS  # "Justice Department" keeps "Justice"
        while run and ((_bare(run[0]) in TITLES and not organisation) or _bare(run[0]) in HONORIFICS
                       or _bare(run[0]) in _OPENERS):
            run.pop(0)
            opens = False
        while run and (run[-1] in _CONNECTORS or _bare(run[-1]) in _OPENERS):
            run.pop()
        if not run:
            continue
        if len(run) == 1:
            word = run[0]
            if (opens and word not in inside) or _bare(word) in rules.generic_words:
                continue
            if _DEMONYM.match(word.rstrip("s")) and i < len(tokens) and tokens[i][:1].islower():
                continue  # "Russian hacking" is a noun phrase, taken below
        found.append(" ".join(run).rstrip("’'").removesuffix("’s").removesuffix("'s"))
    return found


def _noun_phrases(tokens: list[str], rules: PhraseRules) -> list[str]:
    found: list[str] = []
    for i, tok in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        if _DEMONYM.match(tok) and nxt[:1].islower() and _content(nxt, rules):
            found.append(f"{tok} {nxt}")
    run: list[str] = []
    for tok in [*tokens, "."]:
        if tok[:1].islower() and _content(tok, rules):
            run.append(tok)
            continue
        if 2 <= len(run) <= 3:
            found.append(" ".join(run))
        elif len(run) > 3:
            found.extend(" ".join(run[j : j + 2]) for j in range(len(run) - 1))
        run = []
    return found


def _content(token: str, rules: PhraseRules) -> bool:
    word = _bare(token)
    return (len(word) > 2 and word not in rules.stop_words and word not in rules.generic_words
            and not word.endswith("ly") and "'" not in word and "’" not in word
            and not any(c.isdigit() for c in word))


def _bare(token: str) -> str:
    return token.strip(".,;:'’").casefold()
