"""One analyser for claims and questions: what a term is, decided once for both sides.

A question matches a claim only through terms both sides agree on, so everything that turns text
into terms lives here and nowhere else: Unicode and quote folding, links, hashtags and handles,
camelCase ("#OpKKK", "OpKKK" and "op kkk" all reach ``op`` and ``kkk``), hyphens ("cease-fire",
"ceasefire", "cease fire"), possessives and contractions, dotted acronyms ("U.S."), numbers
("10,375", "30-day") and Snowball stems.

Words that were written capitalised in running text are remembered as names, and numbers as
numbers: the re-ranker compares the names and numbers of a question with a claim's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

KEEP_ONE_DIGIT = True
"""One-digit numbers stay index terms: measured on the first stage (BM25 order, MAP@5), dropping
them changed CheckThat! 2020 train by +0.0001 and 2021 train by -0.0006, so nothing justifies it."""

STOP_WORDS = frozenset(
    (
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
        "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below", "between",
        "both", "but", "by", "can", "cannot", "could", "couldn", "did", "didn", "do", "does", "doesn",
        "doing", "don", "down", "during", "each", "either", "else", "ever", "few", "for", "from",
        "further", "get", "gets", "got", "had", "hadn", "has", "hasn", "have", "haven", "having", "he",
        "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "if", "in",
        "into", "is", "isn", "it", "its", "itself", "just", "let", "me", "might", "more", "most",
        "much", "must", "mustn", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
        "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "per",
        "rather", "same", "shall", "shan", "she", "should", "shouldn", "so", "some", "such", "than",
        "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
        "this", "those", "through", "thus", "to", "too", "under", "until", "up", "upon",
        "very", "via", "was", "wasn", "we", "were", "weren", "what", "whatever", "when", "where",
        "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
        "without", "won", "would", "wouldn", "yet", "you", "your", "yours", "yourself", "yourselves",
        "s", "t", "d", "ll", "m", "re", "ve", "say", "says", "said", "saying", "tell", "tells", "told",
        "think", "thinks", "thought", "claim", "claims", "claimed", "know", "knows", "anything",
        "something", "thing", "things", "statement", "statements", "comment", "comments", "regarding",
        "please", "hey", "hi", "hello", "ok", "okay", "yes", "really", "actually", "want", "wants",
        "wanted", "going", "gonna"
    )
)
"""English function words plus the words every question uses ("what did X say about ...")."""

_STEMMER = snowballstemmer.stemmer("english")

_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_ACRONYM = re.compile(r"\b(?:[a-z]\.){2,}", re.IGNORECASE)
_US = re.compile(r"\bUS\b")  # capitals: the country, not the pronoun
_CONTRACTION = re.compile(r"'(?:s|t|re|ve|ll|d|m)\b", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_TOKEN = re.compile(r"[#@]?[^\W_]+(?:-[^\W_]+)*")
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u00ad": "",
    }
)  # fmt: skip


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem of one casefolded word (cached: vocabularies repeat a lot)."""
    return _STEMMER.stemWord(word)


def prepare(text: str) -> str:
    """Text with quotes, dashes, links, acronyms and contractions made uniform.

    Case is kept: camelCase and names are read from it later.
    """
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _URL.sub(" ", text)
    text = _US.sub("USA", _ACRONYM.sub(_acronym, text))
    text = _THOUSANDS.sub("", text)
    return _CONTRACTION.sub("", text)


def _acronym(m: re.Match[str]) -> str:
    letters = m.group(0).replace(".", "")
    return "USA" if letters.casefold() == "us" else letters  # "U.S." is not the pronoun "us"


@dataclass(frozen=True, slots=True)
class Word:
    """One word: its casefolded surface, its stem, and the stems of its parts.

    ``parts`` is set for words made of several (hyphens, camelCase, hashtags): "cease-fire" has the
    parts ``ceas`` and ``fire`` and the stem ``ceasefir``.
    """

    surface: str
    stem: str
    parts: tuple[str, ...] = ()
    name: bool = False  # written capitalised inside a sentence, or as a hashtag or handle
    number: bool = False

    @property
    def is_stop(self) -> bool:
        return self.surface in STOP_WORDS


@lru_cache(maxsize=4_096)
def words(text: str) -> tuple[Word, ...]:
    """The words of ``text``, stop words included (phrases and speaker names need them)."""
    prepared = prepare(text)
    out: list[Word] = []
    for m in _TOKEN.finditer(prepared):
        out.append(_word(m.group(0), _starts_sentence(prepared, m.start())))
    return tuple(out)


def _starts_sentence(text: str, at: int) -> bool:
    """Whether only spaces separate position ``at`` from the start or a sentence's end."""
    i = at - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in '.!?:;"\n'


@lru_cache(maxsize=300_000)
def _word(token: str, sentence_start: bool) -> Word:
    """One token as a ``Word`` (cached: most tokens of a collection are repeats)."""
    tagged = token[0] in "#@"
    raw = token[1:] if tagged else token
    pieces = [p for chunk in raw.split("-") for p in _CAMEL.split(chunk) if p]
    surface = raw.casefold()
    joined = "".join(p.casefold() for p in pieces)
    number = joined.isdigit()
    name = tagged or (not sentence_start and raw[:1].isupper() and surface not in STOP_WORDS)
    if len(pieces) > 1:
        parts = tuple(stem(p.casefold()) for p in pieces if p.casefold() not in STOP_WORDS)
        return Word(surface, stem(joined), parts, name, number)
    return Word(surface, stem(joined), (), name, number)


def is_term(term: str) -> bool:
    """Whether a stem is worth indexing: one-digit numbers are not (see ``KEEP_ONE_DIGIT``)."""
    return KEEP_ONE_DIGIT or len(term) > 1 or not term.isdigit()


def marked_index_terms(text: str) -> list[tuple[str, bool, bool]]:
    """Index terms of a stored text as ``(term, is_name, is_number)`` (see ``index_terms``)."""
    out: list[tuple[str, bool, bool]] = []
    for w in words(text):
        if w.parts:
            out.extend((p, w.name and not p.isdigit(), p.isdigit()) for p in w.parts if is_term(p))
            out.append((w.stem, w.name, False))
        elif not w.is_stop and is_term(w.stem):
            out.append((w.stem, w.name and not w.number, w.number))
    return out


def index_terms(text: str) -> list[str]:
    """Index terms of a stored text: content stems, plus both forms of compound words.

    "cease-fire" yields ``ceas``, ``fire`` and ``ceasefir`` so that questions saying "ceasefire",
    "cease-fire" or "cease fire" all reach it; "#AustralianFires" yields ``australian``, ``fire``
    and ``australianfir``.
    """
    out: list[str] = []
    for w in words(text):
        if w.parts:
            out.extend(p for p in w.parts if is_term(p))
            out.append(w.stem)
        elif not w.is_stop and is_term(w.stem):
            out.append(w.stem)
    return out


def content_stems(text: str) -> list[str]:
    """Content stems of a text, as a reader would see them (compound words kept whole)."""
    return [w.stem for w in words(text) if not w.is_stop]


def marked_terms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The names and the numbers of a text, as index terms (for comparing claim and question)."""
    names: set[str] = set()
    numbers: set[str] = set()
    for w in words(text):
        for term in w.parts or (w.stem,):
            if term.isdigit():
                numbers.add(term)
            elif w.name and not w.is_stop:
                names.add(term)
    return frozenset(names), frozenset(numbers)
