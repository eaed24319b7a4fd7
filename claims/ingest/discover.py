"""Topic discovery: names and phrases that recur across claims and articles become topics.

Each new claim's key phrases (``claims.ingest.phrases``) are recorded as sightings. After an article,
a phrase seen in enough claims from enough articles becomes a discovered topic with a readable name
(its most frequent written form), and every claim it was seen in is filed under it, earlier ones
included. Phrases that name a known person (speakers are followed as speakers), that a configured
topic already covers, or that occur in too large a share of all articles are not topics; nor is a
single word the article uses as someone's first name or surname ("Crutcher" beside "Terence
Crutcher"). A hidden topic is never rediscovered; a merged one sends its phrase's claims to the topic
that absorbed it.

One subject, one topic: a phrase that names the subject of a topic already there (another spelling,
its initials, a sub-phrase with the same head: ``same_subject``) files its claims under that topic and
is recorded as a hidden alias merged into it. After an article, its claims that name no discovered
topic are filed under the one most of its claims name (``file_by_article``): a quote rarely names
its subject, its article does, and this gives claims of a crowded topic ("Elections") a specific one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlmodel import Session, col, func, select

from claims.catalog import Catalog, PhraseRules, TopicEntry
from claims.ingest.phrases import key_phrases, name_words, phrase_key
from claims.ingest.subjects import SubjectIndex
from claims.store.models import (
    AliasKind,
    Article,
    Claim,
    ClaimAppearance,
    ClaimStatus,
    ClaimTopic,
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
    _keys: SubjectIndex | None = None
    _names_of: tuple[int | None, frozenset[str]] | None = None

    @property
    def rules(self) -> PhraseRules:
        return self.catalog.discovery

    def observe(self, claim: Claim, texts: Iterable[str], article_id: int | None,
                article_text: str = "") -> list[Topic]:
        """Record a claim's key phrases; returns the discovered topics it now belongs to.

        ``article_text`` tells which single words the article uses as people's names ("Crutcher"
        after "Terence Crutcher"): those are never topics of their own."""
        phrases: dict[str, str] = {}
        for text in texts:
            for key, surface in key_phrases(text or "", self.rules).items():
                phrases.setdefault(key, surface)
        names = self._name_words(article_id, article_text)
        excluded = self._excluded(phrases)
        phrases = {k: s for k, s in phrases.items() if k not in excluded and k not in names}
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

    def promote(self, *, current_article: int | None = None) -> list[Topic]:
        """Turn the phrases seen in this unit of work that now recur enough into topics.

        Earlier articles the new topics were seen in are filed again (``_refile``);
        ``current_article``, whose claims the caller files next, is left to the caller.

        A phrase naming the same subject as a topic already there (``same_subject``: a spelling, a
        sub-phrase, initials) files its claims under that topic instead of becoming its twin; of
        several new phrases for one subject, the one seen in most claims names the topic.
        """
        rules = self.rules
        created: list[Topic] = []
        total_articles: int | None = None
        ready: list[tuple[int, str]] = []
        for key in sorted(self.seen):
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
            ready.append((claims, key))
        touched: set[int] = set()
        for _, key in sorted(ready, key=lambda r: (-r[0], len(r[1]), r[1])):
            twin = self._twin_of(key)
            topic = self._alias(key, twin) if twin is not None else self._create(key)
            if twin is None:
                created.append(topic)
            for claim, article_id in self.session.exec(
                select(Claim, PhraseSighting.article_id)
                .join(PhraseSighting, col(PhraseSighting.claim_id) == Claim.id)
                .where(PhraseSighting.key == key)
            ):
                link_topic(session=self.session, claim=claim, topic=topic, fallback_id=self.fallback_id)
                if article_id is not None:
                    touched.add(article_id)
        self.session.flush()
        self._refile(touched - {current_article} if current_article is not None else touched)
        return created

    def _refile(self, article_ids: Iterable[int]) -> None:
        """File earlier articles' claims under a subject that became a topic only now.

        ``file_by_article`` runs when an article is ingested, against the topics there are then; a
        topic promoted later (its phrase needed more articles) reaches the claims that name it, and
        here also the quotes of those articles that name nothing, as if it had existed from the
        start: the order articles arrive in must not decide where a claim is filed."""
        for article_id in sorted(article_ids):
            article = self.session.get(Article, article_id)
            claims = self.session.exec(
                select(Claim).join(ClaimAppearance, col(ClaimAppearance.claim_id) == Claim.id)
                .where(ClaimAppearance.article_id == article_id, Claim.status == ClaimStatus.ACTIVE.value)
            ).all()
            self.file_by_article(claims, article.text if article is not None else "")

    def file_by_article(self, claims: Iterable[Claim], article_text: str = "") -> Topic | None:
        """File an article's claims that name no discovered topic under the article's subject.

        A short quote ("We're not going to stop") rarely names its subject; the article it came from
        usually has one, and an editor files the quote there. The article's subject is the discovered
        topic that most of its claims name (two or more, and at least ``article_subject_share`` of
        them); between equals, the one more of its paragraphs mention. Counting paragraphs first
        was tried on PolNeAR: it favoured the places a story passes through ("Florida" for a story
        about black voters).
        """
        claims = [c for c in claims if c.id is not None]
        if not claims:
            return None
        ids = [c.id for c in claims]
        filed: dict[int, set[int]] = {}
        visible = col(Topic.hidden).is_(False)
        for cid, tid in self.session.exec(
            select(Claim.id, Claim.topic_id).join(Topic, col(Topic.id) == Claim.topic_id)
            .where(col(Claim.id).in_(ids), Topic.kind == TopicKind.DISCOVERED.value, visible)
        ):
            if cid is not None and tid is not None:
                filed.setdefault(tid, set()).add(cid)
        for cid, tid in self.session.exec(
            select(ClaimTopic.claim_id, ClaimTopic.topic_id).join(Topic, col(Topic.id) == ClaimTopic.topic_id)
            .where(col(ClaimTopic.claim_id).in_(ids), Topic.kind == TopicKind.DISCOVERED.value, visible)
        ):
            filed.setdefault(tid, set()).add(cid)
        named = {tid: members for tid, members in filed.items()
                 if len(members) >= 2 and len(members) >= self.rules.article_subject_share * len(claims)}
        if not named:
            return None
        mentions = self._paragraph_mentions(article_text, set(named))
        best = max(named, key=lambda tid: (len(named[tid]), mentions.get(tid, 0), -tid))
        topic = self.session.get(Topic, best)
        if topic is None:
            return None
        anything = set().union(*filed.values())
        for claim in claims:
            if claim.id not in anything:
                link_topic(session=self.session, claim=claim, topic=topic, fallback_id=self.fallback_id)
        self.session.flush()
        return topic

    def _paragraph_mentions(self, text: str, topic_ids: set[int]) -> dict[int, int]:
        """How many paragraphs of ``text`` mention each of these topics (by any of its phrases)."""
        out: dict[int, int] = {}
        for paragraph in text.split("\n"):
            hit = set()
            for key in key_phrases(paragraph, self.rules):
                topic = self._topic_for(key)
                if topic is not None and topic.id in topic_ids:
                    hit.add(topic.id)
            for tid in hit:
                out[tid] = out.get(tid, 0) + 1
        return out

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
        if topic is None:
            topic = self._twin_of(key)
        hops = 0
        while topic is not None and topic.merged_into_id is not None and hops < 10:
            topic = self.session.get(Topic, topic.merged_into_id)
            hops += 1
        result = topic if topic is not None and not topic.hidden else None
        self._known[key] = result
        return result

    def _twin_of(self, key: str) -> Topic | None:
        """The visible discovered topic that names the same subject as ``key``, if any."""
        if self._keys is None:
            self._keys = SubjectIndex()
            for t in self.session.exec(
                select(Topic).where(Topic.kind == TopicKind.DISCOVERED.value, col(Topic.hidden).is_(False),
                                    col(Topic.key).is_not(None))):
                if t.key and t.id is not None:
                    self._keys.add(t.key, t.id)
        found = self._keys.find(key)
        return self.session.get(Topic, found) if found is not None else None

    def _alias(self, key: str, topic: Topic) -> Topic:
        """Record ``key`` as another phrase for ``topic``: a hidden topic merged into it, as an
        editor's merge would leave, so later sightings follow it there."""
        alias = Topic(slug=unique_slug(self.session, f"{topic.slug} {key}"), name=topic.name,
                      kind=TopicKind.DISCOVERED.value, key=key, hidden=True, merged_into_id=topic.id)
        self.session.add(alias)
        self.session.flush()
        self._known[key] = topic
        return topic

    def _name_words(self, article_id: int | None, text: str) -> frozenset[str]:
        if not text:
            return frozenset()
        if self._names_of is None or self._names_of[0] != article_id:
            self._names_of = (article_id, name_words(text))
        return self._names_of[1]

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
        if self._keys is not None and topic.id is not None:
            self._keys.add(key, topic.id)
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
