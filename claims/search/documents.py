"""What the matcher indexes for one claim (``ClaimDoc``) and what it answers with (``Match``): the
two values that cross between the store, the matcher and its callers. ``ClaimDoc`` is defined
where the store builds it (``claims.store.claim_docs``), the layer below, so the store never
imports the matcher."""

from __future__ import annotations

from dataclasses import dataclass

from claims.store.claim_docs import ClaimDoc

__all__ = ["ClaimDoc", "Match"]


@dataclass(frozen=True, slots=True)
class Match:
    """One answer to a question."""

    claim_id: int
    score: float  # in [0, 1]
    why: str  # short explanation: which terms/speaker/topic matched
