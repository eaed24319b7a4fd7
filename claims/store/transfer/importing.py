"""Folding validated records into the store: new claims written in bulk (100,000 lines in well under
a minute), known ones (same ``external_id``, or same speaker and words) updated through revisions
like any other change."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col

from claims.catalog import Catalog
from claims.normalize import content_hash, fingerprint
from claims.store.entity_cache import EntityCache
from claims.store.history import record_revision
from claims.store.models import (
    Article,
    ChangeKind,
    Claim,
    ClaimAppearance,
    ClaimRevision,
    ClaimStatus,
    Verdict,
    utcnow,
)
from claims.store.said import refresh_said_at
from claims.store.transfer.records import ImportRecord

BATCH = 1000


PENDING = -1  # id placeholder for a claim queued for the next bulk insert


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    claim_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


def import_claims(
    records: Iterable[ImportRecord],
    *,
    session: Session,
    catalog: Catalog,
    progress: Callable[[int], None] | None = None,
    commit_every: float | None = None,
) -> ImportReport:
    """Fold records into the store: new claims in bulk, known ones through revisions.

    ``commit_every`` (seconds) commits the work so far that often, so a long import beside a
    running bot holds SQLite's single write lock only briefly at a time; every line has already
    been validated, and re-running a half-done import skips what it already stored.
    """
    last_commit = time.monotonic()

    def maybe_commit() -> None:
        nonlocal last_commit
        if commit_every is not None and time.monotonic() - last_commit >= commit_every:
            session.commit()
            last_commit = time.monotonic()

    report = ImportReport()
    by_external: dict[str, int] = {}
    by_fingerprint: dict[str, int] = {}
    # What a known claim looks like now, so unchanged lines cost no query at all.
    state: dict[int, tuple[str, str, str | None]] = {}
    rows = session.execute(
        sa.select(col(Claim.id), col(Claim.external_id), col(Claim.fingerprint), col(Claim.text),
                  col(Claim.verdict))
        .order_by(col(Claim.id).desc())
    )
    for cid, ext, fp, text, verdict in rows:
        if ext:
            by_external[ext] = cid
        by_fingerprint[fp] = cid
        state[cid] = (text, verdict, ext)
    articles: dict[str, int] = {}
    for url, title, text, aid in session.execute(
        sa.select(col(Article.canonical_url), col(Article.title), col(Article.text), col(Article.id))
        .where(sa.or_(col(Article.canonical_url).is_not(None), col(Article.text) == ""))
    ):
        key = url if url is not None else _title_key(title) if title and not text else None
        if key is not None:
            articles.setdefault(key, aid)
    cache = EntityCache(session=session, catalog=catalog)
    pending: list[tuple[ImportRecord, str]] = []

    def flush() -> None:
        if not pending:
            return
        ids = _bulk_insert(pending, session=session, cache=cache, articles=articles, report=report)
        for (rec, fp), cid in zip(pending, ids, strict=True):
            by_fingerprint[fp] = cid
            if rec.external_id:
                by_external[rec.external_id] = cid
            state[cid] = (rec.text, rec.verdict or Verdict.UNVERIFIED.value, rec.external_id)
        if progress:
            progress(len(pending))
        pending.clear()
        maybe_commit()

    for rec in records:
        speaker = cache.speaker(rec.speaker)
        fp = fingerprint(speaker.name if speaker else None, rec.text)
        known = by_external.get(rec.external_id) if rec.external_id else None
        if known is None:
            known = by_fingerprint.get(fp)
        if known == PENDING:  # an earlier line of this very file: write it first, then compare
            flush()
            known = by_external.get(rec.external_id) if rec.external_id else None
            known = known if known is not None else by_fingerprint[fp]
        if known is not None:
            if _same(state[known], rec):
                report.unchanged += 1
                report.claim_ids.append(known)
            else:
                _update_known(known, rec, fp=fp, session=session, report=report)
                state[known] = (rec.text, rec.verdict or state[known][1], rec.external_id)
                maybe_commit()
            if progress:
                progress(1)
            continue
        if rec.external_id:
            by_external[rec.external_id] = PENDING
        by_fingerprint[fp] = PENDING
        pending.append((rec, fp))
        if len(pending) >= BATCH:
            flush()
    flush()
    return report


def _bulk_insert(
    batch: list[tuple[ImportRecord, str]],
    *,
    session: Session,
    cache: EntityCache,
    articles: dict[str, int],
    report: ImportReport,
) -> list[int]:
    """New claims with their first revision and source, a few statements per batch.

    Core inserts on the session's connection: the ORM's bulk path is many times slower here.
    """
    conn = session.connection()
    now = utcnow()
    new_sources = {
        key: r for r, _ in batch if (key := _source_key(r)) is not None and key not in articles
    }
    if new_sources:
        rows = [
            {
                "url": rec.source_url, "canonical_url": rec.source_url, "title": rec.title,
                "published_at": rec.published_at, "fetched_at": now,
                "content_hash": content_hash(""), "text": "", "version": 1,
            }
            for rec in new_sources.values()
        ]
        result = conn.execute(_table(Article).insert().returning(
            _table(Article).c.id, sort_by_parameter_order=True), rows)
        for key, (aid,) in zip(new_sources, result.all(), strict=True):
            articles[key] = aid
    claim_rows = []
    for rec, fp in batch:
        speaker = cache.speaker(rec.speaker)
        topic = cache.topic(rec.topic)
        claim_rows.append(
            {
                "speaker_id": speaker.id if speaker else None,
                "topic_id": topic.id if topic else None,
                "text": rec.text, "quote": rec.quote, "kind": rec.kind,
                "verdict": rec.verdict or Verdict.UNVERIFIED.value, "verdict_note": None,
                "status": ClaimStatus.ACTIVE.value, "merged_into_id": None, "revision": 1,
                "fingerprint": fp, "external_id": rec.external_id, "context": rec.context,
                "resolved_text": None, "created_at": now, "updated_at": now,
            }
        )
    result = conn.execute(_table(Claim).insert().returning(
        _table(Claim).c.id, sort_by_parameter_order=True), claim_rows)
    ids = [cid for (cid,) in result.all()]
    revisions, appearances = [], []
    for (rec, _), cid in zip(batch, ids, strict=True):
        key = _source_key(rec)
        article_id = articles.get(key) if key is not None else None
        revisions.append(
            {
                "claim_id": cid, "revision": 1, "change": ChangeKind.IMPORTED.value,
                "old_text": None, "new_text": rec.text, "old_verdict": None,
                "new_verdict": rec.verdict, "reason": None, "article_id": article_id,
                "admin_id": None, "admin_name": None, "related_claim_id": None, "created_at": now,
            }
        )
        if article_id is not None:
            appearances.append(
                {
                    "claim_id": cid, "article_id": article_id, "sentence_index": 0,
                    "sentence": rec.quote or rec.text, "start": 0, "end": 0,
                    "speaker_mention": rec.speaker, "confidence": 1.0, "created_at": now,
                }
            )
    conn.execute(_table(ClaimRevision).insert(), revisions)
    if appearances:
        conn.execute(_table(ClaimAppearance).insert(), appearances)
        refresh_said_at(session=session, claim_ids=[a["claim_id"] for a in appearances])
    report.added += len(ids)
    report.claim_ids.extend(ids)
    return ids


def _title_key(title: str) -> str:
    return f"\x00title:{title}"


def _source_key(rec: ImportRecord) -> str | None:
    """Which stored source a record points to: its URL, or for a source known only by its title
    (fact-check archives often have no URL per claim), a URL-less source of that title."""
    if rec.source_url:
        return rec.source_url
    return _title_key(rec.title) if rec.title else None


def _same(current: tuple[str, str, str | None], rec: ImportRecord) -> bool:
    text, verdict, external_id = current
    return (
        text == rec.text
        and (rec.verdict is None or rec.verdict == verdict)
        and (rec.external_id is None or external_id is not None)
    )


def _table(model: type) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _update_known(
    claim_id: int, rec: ImportRecord, *, fp: str, session: Session, report: ImportReport
) -> None:
    """A record for a claim we have: new wording or verdict become revisions, else nothing."""
    claim = session.get(Claim, claim_id)
    assert claim is not None
    changed = False
    if claim.text != rec.text:
        old = claim.text
        claim.text, claim.fingerprint, claim.quote = rec.text, fp, rec.quote or claim.quote
        record_revision(session=session, claim=claim, change=ChangeKind.TEXT, old_text=old,
                        new_text=rec.text, reason="Imported")
        changed = True
    if rec.verdict and rec.verdict != claim.verdict:
        old_verdict = claim.verdict
        claim.verdict = rec.verdict
        record_revision(session=session, claim=claim, change=ChangeKind.VERDICT,
                        old_verdict=old_verdict, new_verdict=rec.verdict, reason="Imported")
        changed = True
    if rec.external_id and claim.external_id is None:
        claim.external_id = rec.external_id
        session.add(claim)
    session.flush()
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1
    report.claim_ids.append(claim_id)
