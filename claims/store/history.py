"""Changing a claim: every change is a new numbered ``ClaimRevision``, never an in-place rewrite.

The claim row holds the current state for fast reads; its ``revision`` counter always equals the
number of its newest revision, and each revision keeps the before and after it changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from claims.errors import InvalidArgumentError, NotFoundError
from claims.normalize import clean_text, fingerprint, strip_nul
from claims.store.models import (
    ChangeKind,
    Claim,
    ClaimAppearance,
    ClaimRevision,
    ClaimStatus,
    Speaker,
    Subscription,
    TargetKind,
    Verdict,
    is_storable_id,
    utcnow,
)
from claims.store.said import refresh_said_at

MAX_CLAIM_CHARS = 4000
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change by hand (an admin); ingestion passes an article instead."""

    id: int | None
    name: str | None = None


def record_revision(
    *,
    session: Session,
    claim: Claim,
    change: ChangeKind,
    old_text: str | None = None,
    new_text: str | None = None,
    old_verdict: str | None = None,
    new_verdict: str | None = None,
    reason: str | None = None,
    article_id: int | None = None,
    actor: Actor | None = None,
    related_claim_id: int | None = None,
) -> ClaimRevision:
    """Append the next revision of ``claim`` and bump its counter; the claim must be flushed."""
    assert claim.id is not None, "flush the claim before recording its history"
    number = 1 if change is ChangeKind.CREATED or change is ChangeKind.IMPORTED else claim.revision + 1
    now = utcnow()
    rev = ClaimRevision(
        claim_id=claim.id,
        revision=number,
        change=change.value,
        old_text=old_text,
        new_text=new_text,
        old_verdict=old_verdict,
        new_verdict=new_verdict,
        reason=strip_nul(reason)[:MAX_NOTE_CHARS] if reason else None,
        article_id=article_id,
        admin_id=actor.id if actor else None,
        admin_name=actor.name[:200] if actor and actor.name else None,
        related_claim_id=related_claim_id,
        created_at=now,
    )
    claim.revision = number
    claim.updated_at = now
    session.add(claim)
    session.add(rev)
    return rev


def get_claim_row(*, session: Session, claim_id: int) -> Claim:
    """The claim with this id, or a ``NotFoundError`` that names the id."""
    claim = session.get(Claim, claim_id) if is_storable_id(claim_id) else None
    if claim is None:
        raise NotFoundError(f"There is no claim #{claim_id}.")
    return claim


def _require_active(claim: Claim) -> None:
    if claim.status == ClaimStatus.MERGED.value:
        raise InvalidArgumentError(
            f"Claim #{claim.id} was merged into #{claim.merged_into_id}; change that one instead."
        )


def edit_claim(
    *, session: Session, claim_id: int, text: str, actor: Actor, reason: str | None = None
) -> ClaimRevision:
    """Correct a claim's wording by hand (for example a mis-transcribed quote)."""
    claim = get_claim_row(session=session, claim_id=claim_id)
    _require_active(claim)
    new_text = clean_text(text)
    if not new_text:
        raise InvalidArgumentError("The new text is empty.")
    if len(new_text) > MAX_CLAIM_CHARS:
        raise InvalidArgumentError(f"The new text is longer than {MAX_CLAIM_CHARS} characters.")
    if new_text == claim.text:
        raise InvalidArgumentError(f"Claim #{claim_id} already has exactly that text.")
    old = claim.text
    claim.text = new_text
    speaker = claim_speaker_name(session=session, claim=claim)
    claim.fingerprint = fingerprint(speaker, new_text)
    return record_revision(
        session=session, claim=claim, change=ChangeKind.EDITED, old_text=old, new_text=new_text,
        reason=reason, actor=actor,
    )


def parse_verdict(value: str) -> Verdict:
    """A verdict from user input, with the allowed values in the error."""
    try:
        return Verdict(value.strip().lower())
    except ValueError:
        allowed = ", ".join(v.value for v in Verdict)
        raise InvalidArgumentError(f"Unknown verdict {value[:40]!r}; use one of: {allowed}.") from None


def set_verdict(
    *, session: Session, claim_id: int, verdict: str, actor: Actor, note: str | None = None
) -> ClaimRevision:
    """Record a fact-check verdict; the previous verdict stays in the history."""
    claim = get_claim_row(session=session, claim_id=claim_id)
    _require_active(claim)
    new = parse_verdict(verdict).value
    note = strip_nul(note)
    if new == claim.verdict and (note or None) == claim.verdict_note:
        raise InvalidArgumentError(f"Claim #{claim_id} already has the verdict {new}.")
    old = claim.verdict
    claim.verdict = new
    claim.verdict_note = (note or None) and note[:MAX_NOTE_CHARS]
    return record_revision(
        session=session, claim=claim, change=ChangeKind.VERDICT, old_verdict=old, new_verdict=new,
        reason=note, actor=actor,
    )


def retract_claim(
    *, session: Session, claim_id: int, actor: Actor, reason: str | None = None
) -> ClaimRevision:
    """Withdraw a claim (wrongly extracted or attributed); it stays on record, marked retracted."""
    claim = get_claim_row(session=session, claim_id=claim_id)
    _require_active(claim)
    if claim.status == ClaimStatus.RETRACTED.value:
        raise InvalidArgumentError(f"Claim #{claim_id} is already retracted.")
    claim.status = ClaimStatus.RETRACTED.value
    return record_revision(
        session=session, claim=claim, change=ChangeKind.RETRACTED, reason=reason, actor=actor
    )


def merge_claims(
    *, session: Session, claim_id: int, into_id: int, actor: Actor, reason: str | None = None
) -> ClaimRevision:
    """Fold a duplicate into another claim: its sources move over, it points to the survivor."""
    if claim_id == into_id:
        raise InvalidArgumentError("A claim cannot be merged into itself.")
    source = get_claim_row(session=session, claim_id=claim_id)
    target = get_claim_row(session=session, claim_id=into_id)
    _require_active(source)
    _require_active(target)
    known = set(
        session.exec(select(ClaimAppearance.article_id).where(ClaimAppearance.claim_id == into_id))
    )
    for app in session.exec(select(ClaimAppearance).where(ClaimAppearance.claim_id == claim_id)):
        if app.article_id not in known:
            session.add(
                ClaimAppearance(
                    claim_id=into_id, article_id=app.article_id, sentence_index=app.sentence_index,
                    sentence=app.sentence, start=app.start, end=app.end,
                    speaker_mention=app.speaker_mention, confidence=app.confidence,
                )
            )
    session.flush()
    refresh_said_at(session=session, claim_ids=[into_id])  # the survivor may now be older
    source.status = ClaimStatus.MERGED.value
    source.merged_into_id = into_id
    _move_followers(session=session, claim_id=claim_id, into_id=into_id)
    record_revision(
        session=session, claim=source, change=ChangeKind.MERGED, reason=reason, actor=actor,
        related_claim_id=into_id,
    )
    return record_revision(
        session=session, claim=target, change=ChangeKind.MERGED, reason=reason, actor=actor,
        related_claim_id=claim_id,
    )


def _move_followers(*, session: Session, claim_id: int, into_id: int) -> None:
    """Chats that followed the duplicate now follow the survivor (those that already did keep
    both: the duplicate's digest tells them once that it was merged, then falls silent)."""
    claim_kind = Subscription.target_kind == TargetKind.CLAIM.value
    already = set(session.exec(
        select(Subscription.chat_id).where(claim_kind, Subscription.target_id == into_id)
    ))
    for sub in session.exec(select(Subscription).where(claim_kind, Subscription.target_id == claim_id)):
        if sub.chat_id not in already:
            sub.target_id = into_id
            session.add(sub)


def claim_speaker_name(*, session: Session, claim: Claim) -> str | None:
    if claim.speaker_id is None:
        return None
    speaker = session.get(Speaker, claim.speaker_id)
    return speaker.name if speaker else None
