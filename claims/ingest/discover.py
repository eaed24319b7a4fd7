"""Topic discovery: names and phrases that recur across claims and articles become topics.

Each new claim's key phrases (``claims.ingest.phrases``) are recorded as sightings. After an article,
a phrase seen in enough claims from enough articles becomes a discovered topic with a readable name
(its most frequent written form), and every claim it was seen in is filed under it, earlier ones
included. Phrases that name a known person (speakers are followed as speakers), that a configured
topic already covers, or that occur in too large a share of all articles are not topics. A hidden
topic is never rediscovered; a merged one sends its phrase's claims to the topic that absorbed it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlmodel import Session, col, func, select

from claims.catalog import Catalog, PhraseRules, TopicEntry
from claims.ingest.phrases import key_phrases, phrase_key
from claims.store.models import (
    AliasKind,
    Claim,
    PhraseSighting,
    Speaker,
    SpeakerAlias,
    SpeakerKind,
    Topic,
    TopicKind,
)
from claims.store.topics import link_topic, unique_slug


@dataclass
class TopicDiscovery:
    """Sightings and promotions for one unit of work (one article)."""

    session: Session
    catalog: Catalog
    fallback_id: int | None = None
    seen: dict[str, str] = field(default_factory=dict)
    _known: dict[str, Topic | None] = field(default_factory=dict)

    @property
    def rules(self) -> PhraseRules:
        return self.catalog.discovery

    def observe(self, claim: Claim, texts: Iterable[str], article_id: int | None) -> list[Topic]:
        """Record a claim's key phrases; returns the discovered topics it now belongs to."""
        phrases: dict[str, str] = {}
        for text in texts:
            for key, surface in key_phrases(text or "", self.rules).items():
                phrases.setdefault(key, surface)
        phrases = {k: s for k, s in phrases.items() if k not in self._excluded(phrases)}
        if not phrases or claim.id is None:
            return []
        had = set(self.session.exec(
            select(PhraseSighting.key).where(PhraseSighting.claim_id == claim.id,
                                             col(PhraseSighting.key).in_(list(phrases)))
        ))
        for key, surface in phrases.items():
            if key not in had:
                self.session.add(PhraseSighting(key=key, surface=surface[:200], claim_id=claim.id,
                                                article_id=article_id))
            self.seen.setdefault(key, surface)
        self.session.flush()
        linked = []
        for key in phrases:
            topic = self._topic_for(key)
            if topic is not None and link_topic(session=self.session, claim=claim, topic=topic,
                                                fallback_id=self.fallback_id):
                linked.append(topic)
        return linked

    def promote(self) -> list[Topic]:
        """Turn the phrases seen in this unit of work that now recur enough into topics."""
        rules = self.rules
        created: list[Topic] = []
        total_articles: int | None = None
        for key in sorted(self.seen):
            if self._topic_for(key) is not None or self._known.get(key) is not None:
                continue
            if self._has_topic_row(key) or self._excluded({key: key}):
                continue  # a topic already, or a person who has spoken since it was first seen
            claims, articles = self.session.exec(
                select(func.count(func.distinct(PhraseSighting.claim_id)),
                       func.count(func.distinct(PhraseSighting.article_id)))
                .where(PhraseSighting.key == key)
            ).one()
            if claims < rules.min_claims or articles < rules.min_articles:
                continue
            if total_articles is None:
                total_articles = int(self.session.exec(
                    select(func.count(func.distinct(PhraseSighting.article_id)))).one())
            if (total_articles >= rules.share_after_articles
                    and articles / total_articles > rules.max_article_share):
                continue
            topic = self._create(key)
            created.append(topic)
            for claim in self.session.exec(
                select(Claim).join(PhraseSighting, col(PhraseSighting.claim_id) == Claim.id)
                .where(PhraseSighting.key == key)
            ):
                link_topic(session=self.session, claim=claim, topic=topic, fallback_id=self.fallback_id)
        self.session.flush()
        return created

    # -- helpers -------------------------------------------------------------------------------

    def _excluded(self, phrases: dict[str, str]) -> set[str]:
        """Phrases that are a known person's name, or a configured topic's keyword or name."""
        keys = list(phrases)
        out = {k for k in keys if k in _configured_keys(self.catalog) or k in _seed_people(self.catalog)}
        people = set(self.session.exec(
            select(SpeakerAlias.key).join(Speaker, col(Speaker.id) == SpeakerAlias.speaker_id)
            .where(col(SpeakerAlias.key).in_(keys), Speaker.kind == SpeakerKind.PERSON.value,
                   col(SpeakerAlias.kind).in_([AliasKind.NAME.value, AliasKind.SURNAME.value,
                                               AliasKind.HONORIFIC.value, AliasKind.ADMIN.value]))
        ))
        out |= people
        for key in keys:
            if " " not in key and key not in out and self._first_name(key):
                out.add(key)
        return out

    def _first_name(self, word: str) -> bool:
        """A person's first name ("Hillary"): a name, but not a subject of its own."""
        return self.session.exec(
            select(SpeakerAlias.id).join(Speaker, col(Speaker.id) == SpeakerAlias.speaker_id)
            .where(col(SpeakerAlias.key).startswith(word + " "), SpeakerAlias.kind == AliasKind.NAME.value,
                   Speaker.kind == SpeakerKind.PERSON.value)
        ).first() is not None

    def _topic_for(self, key: str) -> Topic | None:
        """The visible topic a phrase files claims under (following merges), if it has one."""
        if key in self._known:
            return self._known[key]
        topic = self.session.exec(select(Topic).where(Topic.key == key)).first()
        hops = 0
        while topic is not None and topic.merged_into_id is not None and hops < 10:
            topic = self.session.get(Topic, topic.merged_into_id)
            hops += 1
        result = topic if topic is not None and not topic.hidden else None
        self._known[key] = result
        return result

    def _has_topic_row(self, key: str) -> bool:
        return self.session.exec(select(Topic.id).where(Topic.key == key)).first() is not None

    def _create(self, key: str) -> Topic:
        surfaces = Counter(self.session.exec(select(PhraseSighting.surface).where(PhraseSighting.key == key)))
        surface = max(surfaces.items(), key=lambda kv: (kv[1], kv[0][:1].isupper(), kv[0]))[0]
        name = surface[:1].upper() + surface[1:]
        topic = Topic(slug=unique_slug(self.session, name), name=name[:200],
                      kind=TopicKind.DISCOVERED.value, key=key)
        self.session.add(topic)
        self.session.flush()
        self._known[key] = topic
        return topic


@lru_cache(maxsize=8)
def _seed_people(catalog: Catalog) -> frozenset[str]:
    """The names and aliases of the people in ``config/speakers.toml`` (even before they speak)."""
    return frozenset(
        phrase_key(name) for s in catalog.speakers if s.kind == SpeakerKind.PERSON.value
        for name in (s.name, *s.aliases)
    )


def _configured_keys(catalog: Catalog) -> frozenset[str]:
    return _configured(catalog.topics, catalog.fallback_topic)


@lru_cache(maxsize=8)
def _configured(topics: tuple[TopicEntry, ...], fallback: str) -> frozenset[str]:
    """Every configured topic's slug, name and strong keywords as phrase keys."""
    return frozenset(
        phrase_key(k)
        for t in topics
        for k in (t.slug.replace("-", " "), t.name, *t.keywords)
        if k not in t.weak
    ) | {phrase_key(fallback)}
