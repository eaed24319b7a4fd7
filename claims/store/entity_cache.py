"""Speakers and topics of one unit of work (an article, an import): resolved or created once.

Ingest and import both go through ``EntityCache`` so a name resolves the same way whichever door a
claim came in by: speakers through the learned aliases (``claims.store.mentions``), topics by slug
with the catalog's display name. ``claims.ingest.entities.ArticleEntities`` adds what only an
article has (topics assigned by keywords, context, discovery).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.store.mentions import SpeakerMention, resolve_mention
from claims.store.models import Article, Speaker, Topic, TopicKind


@dataclass
class EntityCache:
    """Speakers and topics looked up or created once per unit of work."""

    session: Session
    catalog: Catalog
    article: Article | None = None
    speakers: dict[tuple[str, str], Speaker | None] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)

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
