"""Claim identity: deciding whether an extracted statement is new, known, or a changed known one.

The rules, in order, for each statement found in an article:
1. same speaker and same normalised words as a stored claim -> the same claim (an appearance);
2. the article is an updated version of one we had, and the statement is close to one that this
   article carried before -> that claim was reworded: a TEXT revision keeps the old wording;
3. same speaker and nearly the same words as a stored claim from another article -> the same claim
   reported elsewhere (an appearance, no new claim);
4. otherwise a new claim.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from claims.extract.attribution import ExtractedClaim
from claims.normalize import normalize_text
from claims.store.models import Claim as ClaimRow
from claims.store.models import ClaimStatus

#: An updated article's statement this close to its old one is a rewording, not a new claim.
REWORDED_MIN_SIMILARITY = 60.0
#: Another article's statement this close to a stored one is the same statement reported again.
SAME_STATEMENT_MIN_SIMILARITY = 90.0


def find_same_statement(
    *, session: Session, speaker_id: int | None, fingerprint: str, text: str
) -> ClaimRow | None:
    """Rules 1 and 3: the stored, live claim this statement is (exactly or nearly) a copy of."""
    live = ClaimRow.status != ClaimStatus.MERGED.value
    exact = session.exec(
        select(ClaimRow).where(ClaimRow.fingerprint == fingerprint, live).order_by(col(ClaimRow.id))
    ).first()
    if exact is not None:
        return exact
    if speaker_id is None:
        return None
    rows = session.exec(
        select(ClaimRow.id, ClaimRow.text).where(ClaimRow.speaker_id == speaker_id, live)
    ).all()
    if not rows:
        return None
    best = process.extractOne(
        normalize_text(text),
        {cid: normalize_text(t) for cid, t in rows},
        scorer=fuzz.ratio,
        score_cutoff=SAME_STATEMENT_MIN_SIMILARITY,
    )
    return session.get(ClaimRow, best[2]) if best else None


def find_reworded(
    *, candidates: list[ClaimRow], speaker_id: int | None, text: str
) -> ClaimRow | None:
    """Rule 2: among an updated article's earlier claims, the one this statement rewords."""
    pool = {c.id: normalize_text(c.text) for c in candidates if c.speaker_id == speaker_id}
    if not pool:
        return None
    best = process.extractOne(
        normalize_text(text), pool, scorer=fuzz.ratio, score_cutoff=REWORDED_MIN_SIMILARITY
    )
    if best is None:
        return None
    return next(c for c in candidates if c.id == best[2])


def statement_key(claim: ExtractedClaim) -> tuple[str, str]:
    """Two extractions from one article with this key are the same statement."""
    return ((claim.speaker or "").casefold(), normalize_text(claim.text))
