"""Query understanding: turn what a user typed into weighted index terms, speakers and topics.

Users type quickly and in their own words: curly quotes, "cease fire" for "ceasefire", "truce" for a
claim filed under cease-fire, "grenland", "Zelenskyy", or a pasted tweet with links and a signature.
Indexing and questions share the same analyser below, so both sides agree on what a term is; the
query side then adds what only questions need: synonyms, typo correction against the index
vocabulary, speaker aliases and the "what did <speaker> say about <topic>" form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from claims.catalog import Catalog

MAX_QUESTION_CHARS = 2_000
"""Longer input is cut: nobody asks a 10,000-character question, and scoring it would be slow."""
MAX_CORRECTED = 12
"""Typo correction applies to questions of up to this many terms."""
MAX_CONCEPTS = 48
"""At most this many query terms are scored (pasted tweets are long; questions are not)."""

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
        "this", "those", "though", "through", "thus", "to", "too", "under", "until", "up", "upon",
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

SAY_VERBS = frozenset(
    (
        "say", "says", "said", "saying", "think", "thinks", "thought", "claim", "claims", "claimed",
        "tell", "tells", "told", "believe", "believes", "believed", "mean", "meant", "argue", "argued",
        "argues", "state", "stated", "states", "comment", "commented", "view", "views", "stance",
        "position", "opinion", "respond", "responded", "react", "reacted", "promise", "promised",
        "predict", "predicted", "warn", "warned"
    )
)
"""Verbs that make the speaker just before them the subject of the question (a hard filter)."""

_STEMMER = snowballstemmer.stemmer("english")

_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_TAG = re.compile(r"[#@](\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
_ACRONYM = re.compile(r"\b(?:[a-z]\.){2,}", re.IGNORECASE)
_US = re.compile(r"\bUS\b")  # capitals: the country, not the pronoun
_CONTRACTION = re.compile(r"'(?:s|t|re|ve|ll|d|m)\b")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
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


def normalize(text: str) -> str:
    """Casefolded text with quotes, dashes, links, hashtags and dotted acronyms made uniform."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _URL.sub(" ", text)
    text = _TAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    text = _US.sub("usa", _ACRONYM.sub(_acronym, text))
    return _CONTRACTION.sub("", text.casefold())


def _acronym(m: re.Match[str]) -> str:
    letters = m.group(0).replace(".", "").casefold()
    return "usa" if letters == "us" else letters  # "U.S." must not become the pronoun "us"


@dataclass(frozen=True, slots=True)
class Word:
    """One word of normalised text: its surface form, its stem, and the stems of hyphen parts."""

    surface: str
    stem: str
    parts: tuple[str, ...] = ()  # stems of "cease" and "fire" for "cease-fire"

    @property
    def is_stop(self) -> bool:
        return self.surface in STOP_WORDS


def words(text: str) -> list[Word]:
    """The words of ``text`` after :func:`normalize`, stop words included (phrases need them)."""
    out: list[Word] = []
    for token in _WORD.findall(normalize(text)):
        if "-" in token:
            pieces = [p for p in token.split("-") if p]
            joined = "".join(pieces)
            parts = tuple(stem(p) for p in pieces if p not in STOP_WORDS)
            out.append(Word(token, stem(joined), parts))
        else:
            out.append(Word(token, stem(token)))
    return out


def index_terms(text: str) -> list[str]:
    """Index terms of a stored text: stems of content words, plus both forms of hyphenated words.

    "cease-fire" yields ``ceasefir``, ``ceas`` and ``fire`` so that questions saying "ceasefire",
    "cease-fire" or "cease fire" all reach it.
    """
    out: list[str] = []
    for w in words(text):
        if w.parts:
            out.extend(w.parts)
            out.append(w.stem)
        elif not w.is_stop:
            out.append(w.stem)
    return out


def content_stems(text: str) -> list[str]:
    """Content stems of a text, as a reader would see them (hyphenated words kept whole)."""
    return [w.stem for w in words(text) if not w.is_stop]


class Vocabulary(Protocol):
    """What query understanding needs from the index: document frequencies and near spellings."""

    def df(self, term: str) -> int: ...

    def near(self, term: str, max_distance: int) -> list[tuple[str, int]]: ...


@dataclass(slots=True)
class Concept:
    """One thing the user asked about, with the index terms that stand for it and their weights.

    A document earns the concept once, through its best alternative: "truce" matched through
    ``ceasefir`` counts as one matched concept, not two.
    """

    surface: str
    alts: dict[str, float]
    speaker: str | None = None  # canonical speaker key when this word names a speaker

    def add(self, term: str, weight: float) -> None:
        if weight > self.alts.get(term, 0.0):
            self.alts[term] = weight


@dataclass(slots=True)
class Query:
    """A parsed question: concepts to score, speakers and topics it mentions, and the text."""

    concepts: list[Concept]
    text: str  # normalised content words, for fuzzy comparison with claims
    speakers: tuple[str, ...] = ()  # canonical speaker keys mentioned anywhere
    subject: str | None = None  # the speaker whose statements are asked for (a filter)
    topics: tuple[str, ...] = ()  # topic slugs mentioned
    notes: list[str] = field(default_factory=list)  # corrections made, for explanations

    @property
    def empty(self) -> bool:
        return not self.concepts and self.subject is None


def speaker_key(name: str) -> str:
    """How speakers are compared: casefolded, whitespace collapsed."""
    return " ".join(name.casefold().split())


class QueryParser:
    """Parses questions against a catalog, synonyms and the live index vocabulary.

    Phrase tables (speaker aliases, topic keywords, synonyms) are built once; the vocabulary is
    consulted at parse time so that corrections follow the index as claims come and go.
    """

    def __init__(self, catalog: Catalog, synonyms: Mapping[str, Sequence[str]] | None) -> None:
        self._catalog = catalog
        self._aliases: dict[tuple[str, ...], str] = {}
        self._alias_names: dict[str, str] = {}  # single-word alias surface -> key (fuzzy match)
        self._alias_words: dict[str, set[str]] = {}  # key -> every word of its aliases
        self._speaker_names: dict[str, str] = {}  # key -> display name
        role_count: dict[str, int] = {}
        for entry in catalog.speakers:
            for role in entry.roles:
                role_count[role.casefold()] = role_count.get(role.casefold(), 0) + 1
        for entry in catalog.speakers:
            # A role of two words or more that only one speaker holds names them ("Danish prime
            # minister"); a bare "president" does not.
            roles = [r for r in entry.roles if " " in r.strip() and role_count[r.casefold()] == 1]
            self.add_speaker(entry.name, (*entry.aliases, *roles))
        self._topics: dict[tuple[str, ...], str] = {}
        self._topic_names: dict[str, str] = {}
        for topic in catalog.topics:
            self.add_topic(topic.slug, topic.name, topic.keywords)
        self._synonyms: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for head, equivalents in (synonyms or {}).items():
            self._add_synonym_group([head, *equivalents])

    # -- phrase tables -------------------------------------------------------------------------

    def add_speaker(self, name: str, aliases: Iterable[str] = ()) -> str:
        """Register a speaker (from the catalog or a stored claim); returns its key."""
        entry = self._catalog.speaker_by_alias(name)
        key = speaker_key(entry.name if entry else name)
        if key in self._speaker_names and not aliases:
            return key
        self._speaker_names.setdefault(key, entry.name if entry else name)
        for alias in (name, *aliases):
            surfaces = tuple(w.surface for w in words(alias))
            self._alias_words.setdefault(key, set()).update(surfaces)
            honorific = {"mr", "mrs", "ms", "dr", "president", "secretary", "the"}
            core = tuple(s for s in surfaces if s not in honorific)
            for phrase in (surfaces, core):
                if phrase:
                    self._aliases.setdefault(phrase, key)
            if len(core) == 1 and len(core[0]) >= 4:
                self._alias_names.setdefault(core[0], key)
        return key

    def speaker_name(self, key: str) -> str:
        return self._speaker_names.get(key, key)

    def add_topic(self, slug: str, name: str | None, keywords: Iterable[str] = ()) -> None:
        """Register a topic's name and keywords as phrases that reveal it in a question."""
        if name:
            self._topic_names.setdefault(slug, name)
        for phrase in (slug.replace("-", " "), name or "", *keywords):
            stems = tuple(content_stems(phrase))
            if stems:
                self._topics.setdefault(stems, slug)

    def topic_name(self, slug: str) -> str:
        return self._topic_names.get(slug, slug)

    def _add_synonym_group(self, phrases: Sequence[str]) -> None:
        forms = [tuple(content_stems(p)) for p in phrases]
        forms = list(dict.fromkeys(f for f in forms if f))
        for form in forms:
            bucket = self._synonyms.setdefault(form, [])
            bucket.extend(other for other in forms if other != form and other not in bucket)

    # -- parsing -------------------------------------------------------------------------------

    def parse(self, question: str, vocab: Vocabulary) -> Query:
        """Parse one question. Never raises on text; returns an empty query for noise."""
        ws = words(question[:MAX_QUESTION_CHARS])
        if not ws:
            return Query([], "")
        surfaces = [w.surface for w in ws]
        spans = self._speaker_spans(surfaces)
        subject = self._subject(spans, surfaces)
        speaker_at = {i: key for start, end, key in spans for i in range(start, end)}

        concepts: list[Concept] = []
        notes: list[str] = []
        i = 0
        while i < len(ws) and len(concepts) < MAX_CONCEPTS:
            w = ws[i]
            if w.is_stop and not w.parts:
                i += 1
                continue
            nxt = ws[i + 1] if i + 1 < len(ws) else None
            if nxt is not None and not w.parts and not nxt.parts and not nxt.is_stop:
                joined = stem(w.surface + nxt.surface)  # "cease fire" -> ceasefir
                shared = vocab.df(joined)  # merge only where the joined form is the usual one
                if shared and shared >= min(vocab.df(w.stem), vocab.df(nxt.stem)):
                    concepts.append(Concept(f"{w.surface} {nxt.surface}", {joined: 1.0}))
                    i += 2
                    continue
            if w.parts and not vocab.df(w.stem):
                for part in w.parts:  # "Russia-Ukraine": the parts are the terms
                    concepts.append(Concept(part, {part: 1.0}, speaker_at.get(i)))
            elif not w.is_stop or w.parts:
                concepts.append(Concept(w.surface, {w.stem: 1.0}, speaker_at.get(i)))
            i += 1

        unique: dict[str, Concept] = {}
        for concept in concepts:  # a word said twice is still asked about once
            unique.setdefault(next(iter(concept.alts)), concept)
        concepts = list(unique.values())
        self._expand_synonyms(concepts)
        if len(concepts) <= MAX_CORRECTED:  # in pasted text, unknown words are names, not typos
            for concept in concepts:
                self._correct(concept, vocab, notes)
        stems = [_as_known(c, vocab) for c in concepts]  # "grenland" asks about Greenland
        topics = self._topics_in(stems)
        return Query(
            concepts=concepts,
            text=" ".join(stems),
            speakers=tuple(dict.fromkeys(key for _, _, key in spans)),
            subject=subject,
            topics=topics,
            notes=notes,
        )

    def _speaker_spans(self, surfaces: list[str]) -> list[tuple[int, int, str]]:
        """Word spans that name a known speaker, longest alias first, typos tolerated."""
        spans: list[tuple[int, int, str]] = []
        i = 0
        while i < len(surfaces):
            for n in (4, 3, 2, 1):
                key = self._aliases.get(tuple(surfaces[i : i + n]))
                if key is not None:
                    spans.append((i, i + n, key))
                    i += n
                    break
            else:
                word = surfaces[i]
                if len(word) >= 5 and word not in STOP_WORDS and self._alias_names:
                    hit = process.extractOne(
                        word, self._alias_names.keys(), scorer=fuzz.ratio, score_cutoff=83
                    )
                    if hit is not None:  # "Steve Witkof": widen over the speaker's other words
                        key = self._alias_names[hit[0]]
                        known = self._alias_words.get(key, set())
                        start = i
                        while start > 0 and surfaces[start - 1] in known:
                            start -= 1
                        if spans and spans[-1][1] > start:
                            start = i
                        spans.append((start, i + 1, key))
                i += 1
        return spans

    @staticmethod
    def _subject(spans: list[tuple[int, int, str]], surfaces: list[str]) -> str | None:
        """The speaker right before a verb of saying ("did Zelensky say", "Rutte's view")."""
        for start, _, key in spans:
            if surfaces[max(0, start - 2) : start] == ["according", "to"]:
                return key
        for start, end, key in spans:
            after = surfaces[end : end + 2]
            before = surfaces[max(0, start - 3) : start]
            if any(s in SAY_VERBS for s in after[:1]) or (
                len(after) == 2 and after[0] in {"really", "ever", "just", "actually", "once"}
                and after[1] in SAY_VERBS
            ):
                return key
            if before[-1:] in (["did"], ["does"], ["has"]):
                return key
            if surfaces[end : end + 1] == ["on"] and any(s in SAY_VERBS for s in before):
                return key
        return None

    def _expand_synonyms(self, concepts: list[Concept]) -> None:
        stems = [next(iter(c.alts)) for c in concepts]
        for n in (3, 2, 1):
            for i in range(len(stems) - n + 1):
                others = self._synonyms.get(tuple(stems[i : i + n]))
                if not others:
                    continue
                head = concepts[i]
                for other in others:
                    weight = 0.9 if len(other) == 1 else 0.6
                    for term in other:
                        head.add(term, weight)

    @staticmethod
    def _correct(concept: Concept, vocab: Vocabulary, notes: list[str]) -> None:
        """Replace a term the index has never seen by its nearest known spelling, if close."""
        term = next(iter(concept.alts))
        if vocab.df(term) or term.isdigit() or len(term) < MIN_CORRECTED_CHARS:
            return
        max_distance = 1 if len(term) <= 5 else 2
        best = None
        for candidate, distance in vocab.near(term, max_distance):
            rank = (distance, -vocab.df(candidate))
            if best is None or rank < best[0]:
                best = (rank, candidate)
        if best is None:
            return
        (distance, _), candidate = best
        concept.add(candidate, 0.85 if distance == 1 else 0.7)
        notes.append(f"{concept.surface}→{candidate}")

    def _topics_in(self, stems: list[str]) -> tuple[str, ...]:
        found: list[str] = []
        for n in (3, 2, 1):
            for i in range(len(stems) - n + 1):
                slug = self._topics.get(tuple(stems[i : i + n]))
                if slug is not None and slug not in found:
                    found.append(slug)
        return tuple(found)


def _as_known(concept: Concept, vocab: Vocabulary) -> str:
    """The concept's word as typed, or its correction when the typed word is unknown."""
    typed = next(iter(concept.alts))
    if vocab.df(typed):
        return typed
    known = [(w, t) for t, w in concept.alts.items() if t != typed and vocab.df(t)]
    return max(known)[1] if known else typed


MIN_CORRECTED_CHARS = 5
"""Shorter words are left as typed: one edit turns most short English words into other words
("safe" into "sale", "hart" into "hard"), so correcting them invents matches."""


def near_terms(
    term: str, candidates: Iterable[str], max_distance: int, limit: int = 8
) -> list[tuple[str, int]]:
    """Known terms within ``max_distance`` edits (transpositions count once) of ``term``."""
    # rapidfuzz's stubs type scorers as similarities; a distance scorer is fine at run time.
    hits = process.extract(
        term, candidates, scorer=OSA.distance, score_cutoff=max_distance, limit=limit,  # type: ignore[arg-type]
    )
    return [(hit[0], int(hit[1])) for hit in hits]
