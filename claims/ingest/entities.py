"""Speakers and topics of one unit of work (an article, an import): looked up or created once.

Ingest and import both go through ``EntityCache`` so a name resolves the same way whichever door a
claim came in by.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.store.models import Speaker, Topic


@dataclass
class EntityCache:
    """Speakers and topics looked up or created once per unit of work."""

    session: Session
    catalog: Catalog
    speakers: dict[str, Speaker] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)

    def speaker(self, name: str | None, *, kind: str = "person", role: str | None = None
                ) -> Speaker | None:
        """The stored speaker for a canonical name, created (with catalog aliases) on first sight."""
        if not name:
            return None
        entry = self.catalog.speaker_by_alias(name)
        canonical = entry.name if entry else name.strip()[:300]
        key = canonical.casefold()
        if key in self.speakers:
            return self.speakers[key]
        row = self.session.exec(select(Speaker).where(Speaker.name == canonical)).first()
        if row is None:
            row = Speaker(
                name=canonical,
                kind=entry.kind if entry else kind,
                role=(entry.roles[0] if entry and entry.roles else role),
                aliases=list(entry.aliases) if entry else [],
            )
            self.session.add(row)
            self.session.flush()
        self.speakers[key] = row
        return row

    def topic(self, slug: str | None) -> Topic | None:
        """The stored topic for a slug, created with the catalog's display name on first sight."""
        if not slug:
            return None
        slug = slug.strip().lower()[:100]
        if slug in self.topics:
            return self.topics[slug]
        row = self.session.exec(select(Topic).where(Topic.slug == slug)).first()
        if row is None:
            row = Topic(slug=slug, name=self.catalog.topic_name(slug)[:200])
            self.session.add(row)
            self.session.flush()
        self.topics[slug] = row
        return row
