"""Speakers and topics of one unit of work (an article, an import): resolved or created once.

Ingest and import both go through ``EntityCache`` so a name resolves the same way whichever door a
claim came in by: speakers through the learned aliases (``claims.store.speakers``), topics through
the catalog's keywords (``claims.extract.topics``) and discovery (``claims.ingest.discover``).
For an article, the cache also keeps each claim's context and further topics, and after the article
promotes the phrases that now recur into topics (``finish``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.extract.attribution import ExtractedClaim
from claims.extract.topics import TopicAssignment, classifier_for
from claims.ingest.discover import TopicDiscovery
from claims.normalize import clean_text
from claims.store.mentions import SpeakerMention, resolve_mention
from claims.store.models import Article, Claim, Speaker, Topic, TopicKind
from claims.store.topics import link_topic

MAX_CONTEXT = 1000


@dataclass
class EntityCache:
    """Speakers and topics looked up or created once per unit of work."""

    session: Session
    catalog: Catalog
    article: Article | None = None
    speakers: dict[tuple[str, str], Speaker | None] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    _assigned: dict[tuple[int, int], TopicAssignment] = field(default_factory=dict)
    _discovery: TopicDiscovery | None = None
    _claims: list[Claim] = field(default_factory=list)

    # -- speakers ------------------------------------------------------------------------------

    def speaker(
        self,
        name: str | None,
        *,
        kind: str = "person",
        role: str | None = None,
        aliases: tuple[str, ...] = (),
        affiliation: str | None = None,
    ) -> Speaker | None:
        """The stored speaker a name stands for here: found through learned aliases, else created."""
        if not name or not name.strip():
            return None
        key = (name.strip().casefold(), kind)
        if key not in self.speakers or aliases or role or affiliation:
            mention = SpeakerMention(
                name=name, kind=kind, role=role, aliases=aliases, affiliation=affiliation,
                article_id=self.article.id if self.article else None,
                article_text=self.article.text if self.article else None,
            )
            self.speakers[key] = resolve_mention(session=self.session, mention=mention,
                                                 catalog=self.catalog)
        return self.speakers[key]

    def speaker_of(self, found: ExtractedClaim) -> Speaker | None:
        """The speaker of an extracted claim, learning every alias and role the article used."""
        return self.speaker(found.speaker, kind=found.speaker_kind, role=found.speaker_role,
                            aliases=tuple(found.speaker_aliases), affiliation=found.speaker_affiliation)

    # -- topics --------------------------------------------------------------------------------

    def topic(self, slug: str | None) -> Topic | None:
        """The stored topic for a slug, created with the catalog's display name on first sight."""
        if not slug:
            return None
        slug = slug.strip().lower()[:100]
        if slug in self.topics:
            return self.topics[slug]
        row = self.session.exec(select(Topic).where(Topic.slug == slug)).first()
        if row is None:
            configured = self.catalog.topic(slug) is not None or slug == self.catalog.fallback_topic
            row = Topic(slug=slug, name=self.catalog.topic_name(slug)[:200],
                        kind=(TopicKind.CONFIGURED if configured else TopicKind.IMPORTED).value)
            self.session.add(row)
            self.session.flush()
        self.topics[slug] = row
        return row

    def main_topic(self, found: ExtractedClaim) -> Topic | None:
        """The main topic of an extracted claim (its further topics are filed by ``claim_seen``)."""
        return self.topic(self._assignment(found).main)

    def _assignment(self, found: ExtractedClaim) -> TopicAssignment:
        key = (found.start, found.end)
        if key not in self._assigned:
            classifier = classifier_for(self.catalog)
            article = self.article.text if self.article else ""
            sentence = found.sentence
            if found.speaker_role:  # the speaker's description is not what they spoke about
                sentence = re.sub(re.escape(found.speaker_role), " ", sentence, flags=re.IGNORECASE)
            found_context = (found.context,) if found.context else ()
            got = classifier.assign(found.text, sentence, found_context, (), article, from_article=False)
            main = got.main
            if (main is None and found.topic and found.topic != classifier.fallback
                    and classifier.supported(found.topic, article)):
                main = found.topic  # the extractor looked at the paragraph around the claim
            main = main or classifier.article_topic(article) or classifier.fallback
            self._assigned[key] = TopicAssignment(main, tuple(t for t in got.further if t != main))
        return self._assigned[key]

    # -- claims of an article --------------------------------------------------------------------

    def claim_seen(self, claim: Claim, found: ExtractedClaim) -> None:
        """Keep what this article tells about a claim: context, further topics, key phrases."""
        context = found.context  # the extractor picked what helps (claims.extract.context)
        if context and not claim.context:
            claim.context = clean_text(context)[:MAX_CONTEXT]
        if found.resolved_text:
            claim.resolved_text = clean_text(found.resolved_text)[:4000]
        self.session.add(claim)
        fallback = self.topic(self.catalog.fallback_topic)
        fallback_id = fallback.id if fallback else None
        for slug in self._assignment(found).further:
            topic = self.topic(slug)
            if topic is not None:
                link_topic(session=self.session, claim=claim, topic=topic, fallback_id=fallback_id)
        discovery = self._discoverer(fallback_id)
        # The context is what the claim is about as much as its own sentence ("Asked about Time
        # Warner, she said ...").
        discovery.observe(claim, (found.text, found.sentence, found.context or ""),
                          self.article.id if self.article else None,
                          self.article.text if self.article else "")
        self._claims.append(claim)

    def finish(self) -> list[Topic]:
        """After the article: phrases that now recur enough become topics (returned), and the
        article's claims that name no discovered topic are filed under the article's subject."""
        if self._discovery is None:
            return []
        created = self._discovery.promote()
        self._discovery.file_by_article(self._claims, self.article.text if self.article else "")
        return created

    def _discoverer(self, fallback_id: int | None) -> TopicDiscovery:
        if self._discovery is None:
            self._discovery = TopicDiscovery(session=self.session, catalog=self.catalog,
                                             fallback_id=fallback_id)
        return self._discovery
