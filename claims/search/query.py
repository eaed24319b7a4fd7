"""Query understanding: turn what a user typed into weighted index terms, speakers and topics.

Users type quickly and in their own words: "cease fire" for "ceasefire", "truce" for a claim filed
under cease-fire, "waht did trmup say about grenland", "Zelenskyy", or a pasted tweet with links
and a signature. Terms come from the one analyser (``claims.search.analyse``) that also indexes
claims; this module adds what only questions need: synonyms, typo correction against the index
vocabulary, speakers (from the catalog and from the claims indexed) and the "what did <speaker>
say about <topic>" form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from claims.catalog import Catalog
from claims.search.analyse import STOP_WORDS, content_stems, is_term, marked_terms, stem, words
from claims.search.spelling import (
    CORRECTED_WEIGHT,
    CORRECTED_WEIGHT_2,
    MAX_MISSPELT_DF,
    MIN_CORRECTED_CHARS,
    RARE_RATIO,
    earned_distance,
    max_edits,
    misspelt_stop_word,
)
from claims.store.nameforms import ROLE_NOUNS

MAX_QUESTION_CHARS = 2_000
"""Longer input is cut: nobody asks a 10,000-character question, and scoring it would be slow."""
MAX_CORRECTED = 12
"""Typo correction applies to questions of up to this many terms."""
MAX_CONCEPTS = 48
"""At most this many query terms are scored (pasted tweets are long; questions are not)."""

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

QUERY_TF = False
"""A word repeated in a question counts once. Measured on the first stage (BM25 order, MAP@5):
counting repeats changed CheckThat! 2020 train by +0.0000 and 2021 train by +0.0004, which does
not pay for letting "Greenland Greenland Greenland" outweigh the rest of a question."""
HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "president", "secretary", "the", "sir", "lady"})


class Vocabulary(Protocol):
    """What query understanding needs from the index: document frequencies and near spellings."""

    def term_df(self, term: str) -> int: ...

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
    count: int = 1  # times the question says it
    guessed: set[str] = field(default_factory=set)  # alternatives that are guesses (spellings)
    given_name: bool = False
    """A first name of a person the question names whose surname alone names them in this store
    ("Mark" of Mark Rutte, not "Bill" of Bill Clinton): a claim with the surname does not lack it."""

    @property
    def term(self) -> str:
        """The term as typed (the first alternative)."""
        return next(iter(self.alts))

    def add(self, term: str, weight: float, *, guess: bool = False) -> None:
        if weight > self.alts.get(term, 0.0):
            self.alts[term] = weight
            if guess:
                self.guessed.add(term)
            else:
                self.guessed.discard(term)

    def typed(self, term: str) -> bool:
        """Whether matching ``term`` is evidence the question gives, not a guess of ours."""
        return term not in self.guessed


@dataclass(slots=True)
class Query:
    """A parsed question: concepts to score, speakers and topics it mentions, and the text."""

    concepts: list[Concept]
    text: str  # content stems (corrected), for fuzzy comparison with claims
    speakers: tuple[str, ...] = ()  # canonical speaker keys mentioned anywhere
    subject: str | None = None  # the speaker whose statements are asked for (a filter)
    topics: tuple[str, ...] = ()  # topic keys mentioned
    notes: list[str] = field(default_factory=list)  # corrections made, for explanations
    names: frozenset[str] = frozenset()  # stems of words written as names
    numbers: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.concepts and self.subject is None

    def weighted_terms(self) -> dict[str, float]:
        """Index terms to retrieve with, each at its best weight among the concepts."""
        out: dict[str, float] = {}
        for concept in self.concepts:
            tf = concept.count if QUERY_TF else 1
            for term, weight in concept.alts.items():
                if weight * tf > out.get(term, 0.0):
                    out[term] = weight * tf
        return out


def _group(word: str) -> bool:
    """Whether a name's last word is a plural role noun ("Republican senators", "Democratic
    leaders"): a group written with capitals, whose last word names no one, so "the senator" in a
    question never resolves to it."""
    return word.endswith("s") and word[:-1] in ROLE_NOUNS


def speaker_key(name: str) -> str:
    """How speakers are compared: casefolded, whitespace collapsed."""
    return " ".join(name.casefold().split())


def topic_key(name: str) -> str:
    """A topic known only by its display name ("Arctic security") is keyed by its words."""
    return "-".join(w.surface for w in words(name)) or name.casefold()


class QueryParser:
    """Parses questions against a catalog, synonyms, the speakers indexed and the index vocabulary.

    Phrase tables (speaker aliases, topic keywords, synonyms) grow as claims are indexed; the
    vocabulary is consulted at parse time so that corrections follow the index as claims come
    and go.
    """

    def __init__(self, catalog: Catalog, synonyms: Mapping[str, Sequence[str]] | None) -> None:
        self._catalog = catalog
        self._aliases: dict[tuple[str, ...], str] = {}
        self._fuzzy_names: dict[str, str] = {}  # one-word name -> key (typo-tolerant lookup)
        self._surnames: dict[str, set[str]] = {}  # last word of a full name -> keys
        self._alias_words: dict[str, set[str]] = {}  # key -> every word of its aliases
        self._speaker_names: dict[str, str] = {}  # key -> display name
        self._known_aliases: dict[str, set[str]] = {}  # key -> aliases registered
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
        """Register a speaker (from the catalog or an indexed claim); returns its key.

        Besides the name and aliases, the surname of a name of two words or more names the
        speaker while no other registered speaker shares it ("Podesta" for John Podesta).
        Descriptions (written lowercase) are keyed but not registered as names.
        """
        entry = self._catalog.speaker_by_alias(name)
        key = speaker_key(entry.name if entry else name)
        if entry is None and name[:1].islower():
            # A description ("the governor", "a top Trump adviser") is many people across articles:
            # its words are labels of its claims, never a name a question resolves to.
            self._speaker_names.setdefault(key, name)
            return key
        known = self._known_aliases.setdefault(key, set())
        new = [a for a in (name, *aliases) if a not in known]
        if not new:
            return key
        known.update(new)
        self._speaker_names.setdefault(key, entry.name if entry else name)
        for alias in new:
            surfaces = tuple(w.surface for w in words(alias))
            self._alias_words.setdefault(key, set()).update(surfaces)
            core = tuple(s for s in surfaces if s not in HONORIFICS)
            for phrase in (surfaces, core):
                if phrase:
                    self._aliases.setdefault(phrase, key)
            if len(core) == 1 and len(core[0]) >= 4:
                self._fuzzy_names.setdefault(core[0], key)
            elif len(core) >= 2 and len(core[-1]) >= 3 and core[-1] not in STOP_WORDS \
                    and not _group(core[-1]):
                self._add_surname(core[-1], key)
        return key

    def _add_surname(self, surname: str, key: str) -> None:
        owners = self._surnames.setdefault(surname, set())
        owners.add(key)
        if len(owners) == 1:
            if len(surname) >= 4:
                self._fuzzy_names.setdefault(surname, key)
        elif self._fuzzy_names.get(surname) in owners and (surname,) not in self._aliases:
            del self._fuzzy_names[surname]  # now ambiguous, and nobody's explicit alias

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
        text = question[:MAX_QUESTION_CHARS]
        ws = [w for w in words(text) if w.parts or is_term(w.stem)]
        if not ws:
            return Query([], "")
        surfaces = [w.surface for w in ws]
        spans = self._speaker_spans(surfaces, vocab)
        subject = self._subject(spans, surfaces)
        speaker_at = {i: key for start, end, key in spans for i in range(start, end)}
        short = len(ws) <= 2 * MAX_CORRECTED  # in pasted text, unknown words are names, not typos

        concepts: list[Concept] = []
        i = 0
        while i < len(ws) and len(concepts) < MAX_CONCEPTS:
            w = ws[i]
            if (w.is_stop and not w.parts) or (
                short and i not in speaker_at and not vocab.term_df(w.stem)
                and misspelt_stop_word(w.surface)
            ):
                i += 1
                continue
            nxt = ws[i + 1] if i + 1 < len(ws) else None
            if nxt is not None and not w.parts and not nxt.parts and not nxt.is_stop:
                joined = stem(w.surface + nxt.surface)  # "cease fire" -> ceasefir
                shared = vocab.term_df(joined)  # merge only where the joined form is the usual one
                if shared and shared >= min(vocab.term_df(w.stem), vocab.term_df(nxt.stem)):
                    concepts.append(Concept(f"{w.surface} {nxt.surface}", {joined: 1.0}))
                    i += 2
                    continue
            if w.parts and not vocab.term_df(w.stem):
                for part in w.parts:  # "Russia-Ukraine", "#AustralianFires": the parts are the terms
                    if is_term(part):
                        concepts.append(Concept(part, {part: 1.0}, speaker_at.get(i)))
            else:
                concepts.append(Concept(w.surface, {w.stem: 1.0}, speaker_at.get(i)))
            i += 1

        self._mark_given_names(concepts, spans, surfaces)
        unique: dict[str, Concept] = {}
        for concept in concepts:
            seen = unique.get(concept.term)
            if seen is None:
                unique[concept.term] = concept
            else:
                seen.count += 1
        concepts = list(unique.values())
        self._expand_synonyms(concepts)
        notes: list[str] = []
        if len(concepts) <= MAX_CORRECTED:
            for concept in concepts:
                self._correct(concept, vocab, notes)
        stems = [_as_known(c, vocab) for c in concepts]  # "grenland" asks about Greenland
        names, numbers = marked_terms(text)
        return Query(
            concepts=concepts,
            text=" ".join(stems),
            speakers=tuple(dict.fromkeys(key for _, _, key in spans)),
            subject=subject,
            topics=self._topics_in(stems),
            notes=notes,
            names=names,
            numbers=numbers,
        )

    def _speaker_spans(self, surfaces: list[str], vocab: Vocabulary) -> list[tuple[int, int, str]]:
        """Word spans that name a known speaker, longest alias first, typos tolerated."""
        spans: list[tuple[int, int, str]] = []
        i = 0
        while i < len(surfaces):
            for n in (4, 3, 2, 1):
                key = self._aliases.get(tuple(surfaces[i : i + n]))
                if key is None and n == 1:
                    owners = self._surnames.get(surfaces[i])
                    key = next(iter(owners)) if owners and len(owners) == 1 else None
                if key is not None:
                    spans.append((i, i + n, key))
                    i += n
                    break
            else:
                key = self._fuzzy_speaker(surfaces[i], vocab)
                if key is not None:  # "Steve Witkof": widen over the speaker's other words
                    known = self._alias_words.get(key, set())
                    start = i
                    while start > 0 and surfaces[start - 1] in known:
                        start -= 1
                    if spans and spans[-1][1] > start:
                        start = i
                    spans.append((start, i + 1, key))
                i += 1
        return spans

    def _fuzzy_speaker(self, word: str, vocab: Vocabulary) -> str | None:
        """A misspelt one-word name: close by similarity, or one edit from a name when the
        word itself is unknown to the index ("trmup")."""
        if len(word) < 5 or word in STOP_WORDS or not self._fuzzy_names:
            return None
        hit = process.extractOne(word, self._fuzzy_names.keys(), scorer=fuzz.ratio, score_cutoff=83)
        if hit is not None:
            return self._fuzzy_names[hit[0]]
        if vocab.term_df(stem(word)):
            return None
        near = process.extractOne(
            word, self._fuzzy_names.keys(), scorer=OSA.distance, score_cutoff=1  # type: ignore[arg-type]
        )
        return self._fuzzy_names[near[0]] if near is not None else None

    def _mark_given_names(self, concepts: list[Concept], spans: list[tuple[int, int, str]],
                          surfaces: list[str]) -> None:
        """Mark the first names of people named in full whose surname is theirs alone here."""
        given: set[tuple[str, str]] = set()
        for start, end, key in spans:
            end = min(end, len(surfaces))  # an alias met at the question's end may be shorter
            if end - start >= 2 and self._surnames.get(surfaces[end - 1]) == {key}:
                given.update((surface, key) for surface in surfaces[start:end - 1])
        for concept in concepts:
            if concept.speaker is not None and (concept.surface, concept.speaker) in given:
                concept.given_name = True

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
            asks = before[-1:] in (["did"], ["does"], ["has"]) or (
                before[-1:] and misspelt_stop_word(before[-1]) and before[-1][:1] == "d"
            )
            if asks and (end == len(surfaces) or any(s in SAY_VERBS for s in surfaces[end:end + 3])):
                return key  # "did Rutte say", "what does Trump think", but not "has Ukraine lost"
            if surfaces[end : end + 1] == ["on"] and any(s in SAY_VERBS for s in before):
                return key
        return None

    def _expand_synonyms(self, concepts: list[Concept]) -> None:
        stems = [c.term for c in concepts]
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
        """Add the nearest known spelling of a term the index lacks, when the correction is earned.

        A correction is a guess, so it must be likely: the typed word is unknown to the store (or
        nearly so, beside a frequent near spelling), it is long enough that few real words lie
        within the allowed edits (``spelling.max_edits``, a doubled letter counting once), and a
        substituted letter leads only to a long word the store uses more than once
        (``spelling.earned_distance``), so that "banana" never becomes "balance" nor "grapes"
        "grope". The corrected term weighs less than a typed one and is marked as guessed:
        it never makes an answer on its own.
        """
        term = concept.term
        if term.isdigit() or len(concept.surface) < MIN_CORRECTED_CHARS:
            return
        typed_df = vocab.term_df(term)
        if typed_df > MAX_MISSPELT_DF:
            return
        best = None
        for candidate, _ in vocab.near(term, max_edits(term) + 1):
            df = vocab.term_df(candidate)
            distance = earned_distance(term, candidate, df)
            if distance is None or df < RARE_RATIO * typed_df:
                continue
            rank = (distance, -df)
            if best is None or rank < best[0]:
                best = (rank, candidate)
        if best is None:
            return
        (distance, _), candidate = best
        concept.add(candidate, CORRECTED_WEIGHT if distance == 1 else CORRECTED_WEIGHT_2, guess=True)
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
    typed = concept.term
    if vocab.term_df(typed):
        return typed
    known = [(w, t) for t, w in concept.alts.items() if t != typed and vocab.term_df(t)]
    return max(known)[1] if known else typed
