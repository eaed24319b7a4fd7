"""Speakers and topics of one article: ``ArticleEntities``, the store's ``EntityCache`` plus what
only an article has.

Ingest and import both resolve names through ``claims.store.entity_cache.EntityCache``, so a name
resolves the same way whichever door a claim came in by. For an article this adds topics through
the catalog's keywords (``claims.extract.topics``) and discovery (``claims.ingest.discover``), keeps
each claim's context and further topics, and after the article promotes the phrases that now recur
into topics (``finish``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from claims.extract.attribution import ExtractedClaim
from claims.extract.topics import TopicAssignment, classifier_for
from claims.ingest.discover import TopicDiscovery
from claims.normalize import clean_text
from claims.store.entity_cache import EntityCache
from claims.store.models import Claim, Speaker, Topic
from claims.store.topics import link_topic

MAX_CONTEXT = 1000


@dataclass
class ArticleEntities(EntityCache):
    """The entity cache of one article: speakers as the extractor found them, topics as the
    catalog's keywords assign them, and what the article tells about each claim."""

    _assigned: dict[tuple[int, int], TopicAssignment] = field(default_factory=dict)
    _discovery: TopicDiscovery | None = None
    _claims: list[Claim] = field(default_factory=list)

    def speaker_of(self, found: ExtractedClaim) -> Speaker | None:
        """The speaker of an extracted claim, learning every alias and role the article used."""
        return self.speaker(found.speaker, kind=found.speaker_kind, role=found.speaker_role,
                            aliases=tuple(found.speaker_aliases), affiliation=found.speaker_affiliation)

    # -- topics --------------------------------------------------------------------------------

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
        created = self._discovery.promote(current_article=self.article.id if self.article else None)
        self._discovery.file_by_article(self._claims, self.article.text if self.article else "")
        return created

    def _discoverer(self, fallback_id: int | None) -> TopicDiscovery:
        if self._discovery is None:
            self._discovery = TopicDiscovery(session=self.session, catalog=self.catalog,
                                             fallback_id=fallback_id)
        return self._discovery
