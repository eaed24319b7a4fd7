"""Finding one extracted claim by a phrase it contains: the lookup every extraction test makes."""

from __future__ import annotations

from claims.extract.attribution import ExtractedClaim
from claims.normalize import normalize_text


def find_claim(claims: list[ExtractedClaim], phrase: str) -> ExtractedClaim:
    """The first claim whose text contains ``phrase`` (normalised), or a failure listing them all."""
    key = normalize_text(phrase)
    hits = [c for c in claims if key in normalize_text(c.text)]
    assert hits, f"no claim contains {phrase!r}; got {[c.text for c in claims]}"
    return hits[0]
