"""Editable reference data from ``config/``: topics with their keywords and known speakers.

Extraction files claims under these topics and resolves speakers through these aliases; matching uses
the same data to understand questions. Loaded once per process and passed around explicitly.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from claims.errors import ConfigError
from claims.ingest.phrases import PhraseRules, load_rules
from claims.settings import config_file


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
    return PositionWords(opposites=opposites, negations=negations)


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path.name} is not valid TOML: {exc}") from exc
