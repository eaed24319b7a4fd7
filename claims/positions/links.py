"""Linking a newly stored claim to its speaker's earlier claim on the same subject, flagging it when
it contradicts one (``claims.positions.compare``), and clearing a flag an admin finds wrong.

Runs inside the ingest's unit of work, once per speaker in the article: the speaker's earlier claims
are read once and compared with each new claim. "Earlier" means published earlier (the earliest
source's date), never a claim from the same article: two sentences of one report are one occasion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError
from claims.positions.compare import Comparison, Relation, compare
from claims.positions.rules import PositionRules
from claims.positions.terms import terms
from claims.store.history import Actor, record_revision
from claims.store.models import (
    ChangeKind,
    Claim,
    ClaimAppearance,
    ClaimStatus,
    PositionLink,
    Topic,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class _Said:
    """One claim of the speaker's record, as the rules need it."""

    id: int
    text: str
    topic_id: int | None
    said_at: datetime
    articles: frozenset[int]


def link_new_claims(*, session: Session, claim_ids: Iterable[int], catalog: Catalog) -> list[PositionLink]:
    """Give each new claim with a speaker its earlier claim on the same subject, if any."""
    rules = PositionRules.from_catalog(catalog)
    new = session.exec(select(Claim).where(col(Claim.id).in_(list(claim_ids)),
                                           col(Claim.speaker_id).is_not(None))).all()
    by_speaker: dict[int, list[Claim]] = defaultdict(list)
    for claim in new:
        by_speaker[claim.speaker_id].append(claim)  # type: ignore[index]
    fallback = session.exec(select(Topic.id).where(Topic.slug == catalog.fallback_topic)).first()
    links = []
    for speaker_id, claims in by_speaker.items():
        record = _record(session, speaker_id)
        mine = [record[c.id] for c in claims if c.id in record]
        for me in mine:
            if session.get(PositionLink, me.id) is None:
                link = _link(me, record.values(), rules=rules, fallback=fallback)
                if link is not None:
                    links.append(_write(session, me, speaker_id, *link))
        links.extend(_relink_later(session, mine, record, speaker_id, rules=rules, fallback=fallback))
    session.flush()
    return links


def _write(session: Session, me: _Said, speaker_id: int, found: _Said, comparison: Comparison,
           row: PositionLink | None = None) -> PositionLink:
    row = row or PositionLink(claim_id=me.id, earlier_id=found.id, speaker_id=speaker_id, said_at=me.said_at)
    row.earlier_id = found.id
    row.changed = comparison.relation is Relation.CHANGED
    row.reason = comparison.reason.value if comparison.reason else None
    row.detail = comparison.detail
    session.add(row)
    return row


def _relink_later(session: Session, new: list[_Said], record: dict[int, _Said], speaker_id: int, *,
                  rules: PositionRules, fallback: int | None) -> list[PositionLink]:
    """An archive ingested out of order: a new claim older than some stored ones may be what they
    follow, or what they contradict. Only the new claims are compared with each later one, so an old
    article costs (its claims x the speaker's later claims), never the whole record squared. A flag
    an admin cleared stays cleared."""
    if not new:
        return []
    oldest = min(n.said_at for n in new)
    new_ids = {n.id for n in new}
    written = []
    for later in record.values():
        if later.id in new_ids or later.said_at <= oldest:
            continue
        current = session.get(PositionLink, later.id)
        if current is not None and (current.changed or current.cleared_at is not None):
            continue
        candidates = [n for n in new if n.said_at < later.said_at and not (n.articles & later.articles)]
        link = _link(later, candidates, rules=rules, fallback=fallback)
        if link is None:
            continue
        found, comparison = link
        keep_current = (current is not None and comparison.relation is not Relation.CHANGED
                        and record.get(current.earlier_id, found).said_at >= found.said_at)
        if not keep_current:
            written.append(_write(session, later, speaker_id, found, comparison, current))
    return written


def _record(session: Session, speaker_id: int) -> dict[int, _Said]:
    """The speaker's live claims with when they were said (``Claim.said_at``, kept by
    ``claims.store.said``) and in which articles."""
    rows = session.execute(
        sa.select(col(Claim.id), col(Claim.text), col(Claim.topic_id), col(Claim.said_at),
                  col(ClaimAppearance.article_id))
        .join(ClaimAppearance, col(ClaimAppearance.claim_id) == Claim.id)
        .where(col(Claim.speaker_id) == speaker_id, col(Claim.status) == ClaimStatus.ACTIVE.value,
               col(Claim.said_at).is_not(None))
    ).all()
    said: dict[int, tuple[str, int | None, datetime, set[int]]] = {}
    for cid, text, topic_id, when, article_id in rows:
        said.setdefault(cid, (text, topic_id, when, set()))[3].add(article_id)
    return {cid: _Said(cid, t, tp, when, frozenset(arts)) for cid, (t, tp, when, arts) in said.items()}


def _link(me: _Said, record: Iterable[_Said], *, rules: PositionRules,
          fallback: int | None) -> tuple[_Said, Comparison] | None:
    """The most recent contradicted earlier claim, else the most recent related one."""
    earlier = sorted((s for s in record if s.said_at < me.said_at and not (s.articles & me.articles)),
                     key=lambda s: (s.said_at, s.id), reverse=True)
    related: tuple[_Said, Comparison] | None = None
    for other in earlier:
        comparison = compare(other.text, me.text, rules)
        if comparison.relation is Relation.CHANGED:
            return other, comparison
        same_topic = me.topic_id is not None and me.topic_id == other.topic_id and me.topic_id != fallback
        if related is None and (comparison.relation in {Relation.REPEATED, Relation.RELATED}
                                or (same_topic and _shares(me.text, other.text))):
            related = (other, comparison)
    return related


def _shares(a: str, b: str) -> bool:
    """One topic is one subject only with a content word in common: "elections" holds a speaker's
    remarks on polls and on turnout, which are no earlier word on each other."""
    return bool(terms(a).words & terms(b).words)


def clear_flag(*, session: Session, claim_id: int, reason: str | None, actor: Actor) -> PositionLink:
    """An admin's "this is no change of position": the flag goes, a revision records who and why."""
    link = session.get(PositionLink, claim_id)
    if link is None or not link.changed:
        raise NotFoundError(f"Claim #{claim_id} is not flagged as a changed position.")
    if link.cleared_at is not None:
        raise InvalidArgumentError(f"The flag on claim #{claim_id} was already cleared.")
    claim = session.get(Claim, claim_id)
    assert claim is not None
    link.cleared_at = utcnow()
    session.add(link)
    record_revision(session=session, claim=claim, change=ChangeKind.UNFLAGGED, actor=actor,
                    related_claim_id=link.earlier_id,
                    reason=reason or f"Not a change of position from claim #{link.earlier_id}.")
    session.add(claim)
    session.flush()
    return link
