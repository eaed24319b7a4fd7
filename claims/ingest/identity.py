"""Claim identity: deciding whether an extracted statement is new, known, or a changed known one.

The rules, in order, for the statements found in an article:
1. same speaker and the same wording (``claims.canonical``: same numbers, same polarity, same
   names, the same words apart from punctuation, case and articles) as a stored, live claim -> that
   claim (an appearance; unchanged when this article already carried it);
2. the article is an updated version of one we had, and a statement is close to one this article
   carried before -> that claim was reworded, whatever changed (a number included): a TEXT revision
   keeps the old wording, so history shows 5 -> 50;
3. otherwise a new claim. Across articles, any difference in numbers, polarity, names or words
   makes a new claim: folding two different statements into one would lose one of them;
4. a claim the earlier version carried and the update no longer does is marked removed from it.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from claims.canonical import Wording, same_wording, wording
from claims.extract.attribution import ExtractedClaim
from claims.normalize import normalize_text
from claims.store.models import Claim as ClaimRow
from claims.store.models import ClaimStatus

#: An updated article's statement this close to its old one is a rewording, not a new claim.
REWORDED_MIN_SIMILARITY = 60.0


@lru_cache(maxsize=65_536)
def cached_wording(text: str) -> Wording:
    """``wording`` memoised: a speaker's stored claims are compared with every new statement."""
    return wording(text)


def find_same_statement(
    *, session: Session, speaker_id: int | None, fingerprint: str, text: str
) -> ClaimRow | None:
    """Rule 1: the stored, live claim that says exactly what ``text`` says, if any."""
    live = ClaimRow.status != ClaimStatus.MERGED.value
    mine = cached_wording(text)
    same_fp = session.exec(
        select(ClaimRow).where(ClaimRow.fingerprint == fingerprint, live).order_by(col(ClaimRow.id))
    ).all()
    for row in same_fp:
        if same_wording(mine, cached_wording(row.text)):
            return row
    if speaker_id is None:
        return None
    rows = session.exec(
        select(ClaimRow.id, ClaimRow.text)
        .where(ClaimRow.speaker_id == speaker_id, live)
        .order_by(col(ClaimRow.id))
    ).all()
    for cid, stored in rows:
        if cached_wording(stored).key == mine.key and same_wording(mine, cached_wording(stored)):
            return session.get(ClaimRow, cid)
    return None


def pair_rewordings(
    statements: list[tuple[int | None, str]], candidates: list[ClaimRow]
) -> dict[int, ClaimRow]:
    """Rule 2 for a whole update at once: statement index -> the earlier claim it rewords.

    Pairs are taken best first, so when an update keeps one sentence and changes its neighbour,
    each statement is paired with its own predecessor rather than whichever was read first.
    """
    scored: list[tuple[float, int, int]] = []
    for i, (speaker_id, text) in enumerate(statements):
        mine = normalize_text(text)
        for j, claim in enumerate(candidates):
            if claim.speaker_id != speaker_id:
                continue
            score = fuzz.ratio(mine, normalize_text(claim.text))
            if score >= REWORDED_MIN_SIMILARITY:
                scored.append((score, i, j))
    pairs: dict[int, ClaimRow] = {}
    taken: set[int] = set()
    for _score, i, j in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if i in pairs or j in taken:
            continue
        pairs[i] = candidates[j]
        taken.add(j)
    return pairs


def statement_key(claim: ExtractedClaim) -> tuple[str, str]:
    """Two extractions from one article with this key are the same statement."""
    return ((claim.speaker or "").casefold(), normalize_text(claim.text))
