"""A small claim store built by hand for subscription, digest and delivery tests.

Claims are created and changed through the real history functions, so revisions are exactly what
ingestion and admins produce; no extraction is involved, which keeps these tests fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from claims.follow.digest.compute import SETTLE, compute_digests
from claims.follow.digest.model import Digest
from claims.follow.searches import Searcher
from claims.normalize import content_hash, fingerprint
from claims.store.aliases import add_alias, alias_kind
from claims.store.history import Actor, edit_claim, merge_claims, record_revision, retract_claim, set_verdict
from claims.store.models import (
    AliasKind,
    Article,
    ChangeKind,
    Claim,
    ClaimAppearance,
    ClaimRevision,
    Speaker,
    SpeakerKind,
    Subscription,
    Topic,
    utcnow,
)
from claims.store.nameforms import parse_name

ADMIN = Actor(id=1, name="admin")


def later(minutes: int = 5) -> datetime:
    """A "now" safely past the digest's settle window for revisions just written."""
    return utcnow() + timedelta(minutes=minutes)


@dataclass
class World:
    session: Session
    topics: dict[str, Topic] = field(default_factory=dict)
    speakers: dict[str, Speaker] = field(default_factory=dict)
    _articles: int = 0

    def topic(self, slug: str, name: str) -> Topic:
        row = Topic(slug=slug, name=name)
        self.session.add(row)
        self.session.flush()
        self.topics[slug] = row
        return row

    def speaker(self, name: str, *aliases: str) -> Speaker:
        row = Speaker(name=name)
        self.session.add(row)
        self.session.flush()
        for alias in (name, *aliases):
            store_alias(session=self.session, speaker=row, alias=alias)
        self.speakers[name] = row
        return row

    def article(self, title: str = "Story", url: str | None = None) -> Article:
        self._articles += 1
        url = url or f"https://news.example.com/{self._articles}"
        row = Article(url=url, canonical_url=url, title=title, outlet="Example News",
                      published_at=datetime(2025, 3, 13, tzinfo=UTC), content_hash=content_hash(url),
                      text=f"{title} body")
        self.session.add(row)
        self.session.flush()
        return row

    def claim(self, text: str, *, speaker: str | None = None, topic: str | None = None,
              article: Article | None = None) -> Claim:
        sp = self.speakers.get(speaker) if speaker else None
        tp = self.topics.get(topic) if topic else None
        row = Claim(speaker_id=sp.id if sp else None, topic_id=tp.id if tp else None, text=text,
                    fingerprint=fingerprint(speaker, text))
        self.session.add(row)
        self.session.flush()
        art = article or self.article(f"About {text[:20]}")
        record_revision(session=self.session, claim=row, change=ChangeKind.CREATED, new_text=text,
                        article_id=art.id)
        self.session.add(ClaimAppearance(claim_id=row.id, article_id=art.id, sentence=text, start=0,
                                         end=len(text)))
        self.session.flush()
        return row

    def edit(self, claim: Claim, text: str, reason: str | None = None) -> None:
        edit_claim(session=self.session, claim_id=claim.id, text=text, actor=ADMIN, reason=reason)
        self.session.flush()

    def verdict(self, claim: Claim, verdict: str, note: str | None = None) -> None:
        set_verdict(session=self.session, claim_id=claim.id, verdict=verdict, actor=ADMIN, note=note)
        self.session.flush()

    def retract(self, claim: Claim, reason: str | None = None) -> None:
        retract_claim(session=self.session, claim_id=claim.id, actor=ADMIN, reason=reason)
        self.session.flush()

    def merge(self, claim: Claim, into: Claim) -> None:
        merge_claims(session=self.session, claim_id=claim.id, into_id=into.id, actor=ADMIN)
        self.session.flush()

    def newest_revision(self) -> int:
        return max(self.session.exec(select(ClaimRevision.id)).all() or [0])

    def subscription(self, sub_id: int) -> Subscription:
        row = self.session.get(Subscription, sub_id)
        assert row is not None
        self.session.refresh(row)
        return row


def standard_world(session: Session) -> World:
    """Two topics, three speakers (two of them "Mark"), a few claims."""
    w = World(session)
    w.topic("greenland", "Greenland")
    w.topic("ceasefire", "Ukraine cease-fire")
    w.speaker("Donald Trump", "Trump", "President Trump")
    w.speaker("Mark Rutte", "Rutte")
    w.speaker("Mark Carney", "Carney")
    w.speaker("Mette Frederiksen", "Frederiksen")
    w.claim("Greenland is not for sale.", speaker="Mette Frederiksen", topic="greenland")
    w.claim("We need Greenland for national security.", speaker="Donald Trump", topic="greenland")
    w.claim("Talks on a cease-fire are going well.", speaker="Donald Trump", topic="ceasefire")
    session.commit()
    return w


def store_alias(*, session: Session, speaker: Speaker, alias: str, article_id: int | None = None) -> None:
    """Keep one more name for a speaker, classified against the speaker's own name (seed data)."""
    own = parse_name(speaker.name) if speaker.kind == SpeakerKind.PERSON.value else None
    add_alias(session, speaker, speaker.name, AliasKind.NAME, article_id)
    if own is not None and own.is_full:
        add_alias(session, speaker, own.surname, AliasKind.SURNAME, article_id)
    add_alias(session, speaker, alias, alias_kind(alias, own, speaker.name) or AliasKind.NAME, article_id)


def compute_digest(*, session: Session, subscription: Subscription, upto_revision_id: int | None = None,
                   now: datetime | None = None, settle: timedelta = SETTLE,
                   searcher: Searcher | None = None) -> Digest | None:
    """One subscription's digest (``compute_digests`` for one), or None when nothing it follows changed."""
    assert subscription.id is not None
    return compute_digests(session=session, subscriptions=[subscription], upto_revision_id=upto_revision_id,
                           now=now, settle=settle, searcher=searcher).get(subscription.id)
