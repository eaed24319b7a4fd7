"""Editable reference data from ``config/``: topics with their keywords, known speakers, and the
word lists topic discovery ignores.

Extraction files claims under these topics and resolves speakers through these aliases; matching uses
the same data to understand questions. Loaded once per process and passed around explicitly.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from claims.errors import ConfigError
from claims.settings import config_file


@dataclass(frozen=True)
class PhraseRules:
    """Words that make a phrase too generic to be a topic (from ``config/discovery.toml``)."""

    stop_words: frozenset[str] = frozenset()
    generic_names: frozenset[str] = frozenset()
    """As configured; ``claims.ingest.phrases`` compares them by phrase key."""
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
        generic_names=frozenset(names),
        generic_words=frozenset(w.casefold() for w in words),
        min_articles=min_articles, min_claims=min_claims, max_article_share=share,
        share_after_articles=after, article_subject_share=subject_share,
    )


@dataclass(frozen=True, slots=True)
class TopicEntry:
    """A topic claims can be filed under."""

    slug: str
    name: str
    keywords: tuple[str, ...]
    weak: tuple[str, ...] = ()
    """Keywords that support the topic but never establish it alone ("Russia" for the Ukraine war)."""


@dataclass(frozen=True, slots=True)
class SpeakerEntry:
    """A known person or organisation, with every name it goes by."""

    name: str
    kind: str = "person"
    gender: str | None = None
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PositionWords:
    """``positions.toml`` as written: opposite word pairs and phrases that deny without "not"
    (``claims.positions.rules`` reads them into rules)."""

    opposites: tuple[tuple[str, str], ...] = ()
    negations: tuple[tuple[str, str], ...] = ()
    stances: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = ()
    """Stance axes: ``(axis, ((side, words), ...))``, in file order."""
    same: tuple[tuple[str, ...], ...] = ()
    """Groups of words that name one thing for the same-subject test."""


@dataclass(frozen=True)
class Catalog:
    """Topics and speakers, with case-insensitive lookups built once."""

    topics: tuple[TopicEntry, ...]
    speakers: tuple[SpeakerEntry, ...]
    fallback_topic: str = "general"
    discovery: PhraseRules = field(default_factory=PhraseRules)
    """What topic discovery counts and ignores (``discovery.toml``)."""
    positions: PositionWords = field(default_factory=PositionWords)
    """What makes a claim a changed position (``positions.toml``)."""
    _alias_index: dict[str, SpeakerEntry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = self._alias_index
        for speaker in self.speakers:
            for alias in (speaker.name, *speaker.aliases):
                index.setdefault(alias.casefold(), speaker)

    def speaker_by_alias(self, name: str) -> SpeakerEntry | None:
        """The known speaker a name (any alias or spelling, any case) stands for."""
        return self._alias_index.get(name.strip().casefold())

    def topic(self, slug: str) -> TopicEntry | None:
        """The topic with this slug, if configured."""
        return next((t for t in self.topics if t.slug == slug), None)

    def topic_name(self, slug: str | None) -> str:
        """A display name for a slug, falling back to the slug itself."""
        if slug is None:
            return self.fallback_topic
        entry = self.topic(slug)
        return entry.name if entry else slug


def load_catalog(config_dir: Path) -> Catalog:
    """Read ``topics.toml`` and ``speakers.toml``; a malformed file is a clear ``ConfigError``."""
    topics_doc = _read_toml(config_file(config_dir, "topics.toml"))
    speakers_doc = _read_toml(config_file(config_dir, "speakers.toml"))
    try:
        topics = tuple(
            TopicEntry(slug=t["slug"], name=t.get("name", t["slug"]), keywords=tuple(t["keywords"]),
                       weak=tuple(t.get("weak", [])))
            for t in topics_doc.get("topic", [])
        )
        speakers = tuple(
            SpeakerEntry(
                name=s["name"],
                kind=s.get("kind", "person"),
                gender=s.get("gender"),
                aliases=tuple(s.get("aliases", [])),
                roles=tuple(s.get("roles", [])),
            )
            for s in speakers_doc.get("speaker", [])
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"config: missing or malformed field {exc} in topics or speakers") from exc
    return Catalog(
        topics=topics,
        speakers=speakers,
        fallback_topic=topics_doc.get("fallback", "general"),
        discovery=load_rules(config_dir),
        positions=_position_words(_read_toml(config_file(config_dir, "positions.toml"))),
    )


def _position_words(doc: dict) -> PositionWords:
    try:
        opposites = tuple((str(a), str(b)) for a, b in doc.get("opposites", []))
        negations = tuple((str(k), str(v)) for k, v in doc.get("negations", {}).items())
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"config: positions.toml: opposites are pairs of words ({exc})") from exc
    try:
        stances = tuple((str(axis), tuple((str(side), tuple(str(w) for w in words))
                                          for side, words in sides.items()))
                        for axis, sides in doc.get("stances", {}).items())
        same = tuple(tuple(str(w) for w in group) for group in doc.get("same", {}).get("groups", []))
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"config: positions.toml: [stances.<axis>] maps sides to word lists and "
                          f"[same] groups are lists of words ({exc})") from exc
    return PositionWords(opposites=opposites, negations=negations, stances=stances, same=same)


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path.name} is not valid TOML: {exc}") from exc
