"""schema.org ClaimReview for claims with a verdict: what search engines and fact-check tools read.

Google documents which properties it needs (``claimReviewed``, ``reviewRating`` with an
``alternateName``, and ``url``, the page of the fact check) and which it recommends (the review's
``author`` and ``datePublished``; the claim's ``author``, ``datePublished``, ``appearance`` and
``firstAppearance``; the rating's numbers and ``name``). Every record carries all of them that the
store knows; the publisher and the claim pages come from the settings (``ReviewSite``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claims.store.models import Verdict
from claims.store.views import ClaimView

RATINGS = {
    Verdict.ACCURATE.value: (5, "Accurate"),
    Verdict.DISPUTED.value: (3, "Disputed"),
    Verdict.MISLEADING.value: (2, "Misleading"),
    Verdict.FALSE.value: (1, "False"),
}
"""Each verdict as a number on a 1 (false) to 5 (accurate) scale, and the words search shows."""


@dataclass(frozen=True, slots=True)
class ReviewSite:
    """Who publishes the fact checks, and the page of each claim (``{id}`` is its number)."""

    publisher: str
    publisher_url: str | None
    claim_url_template: str

    def claim_url(self, claim_id: int) -> str:
        return self.claim_url_template.replace("{id}", str(claim_id))


def claimreview_record(view: ClaimView, *, site: ReviewSite, speaker_kind: str = "person"
                       ) -> dict[str, Any]:
    """A ClaimReview for a claim with a verdict; ``speaker_kind`` is "person" or "organisation"."""
    value, label = RATINGS[view.verdict]
    claim: dict[str, Any] = {"@type": "Claim"}
    if view.speaker:
        who = "Organization" if speaker_kind == "organisation" else "Person"
        claim["author"] = {"@type": who, "name": view.speaker}
    # when it was said: its earliest source's date, else (no source gives one) when it was recorded
    claim["datePublished"] = view.said_at.date().isoformat()
    pages = [{"@type": "CreativeWork", "url": s.url} for s in view.sources if s.url]
    if pages:
        claim["firstAppearance"] = pages[0]  # sources are oldest first
        claim["appearance"] = pages
    author: dict[str, Any] = {"@type": "Organization", "name": site.publisher}
    if site.publisher_url:
        author["url"] = site.publisher_url
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": site.claim_url(view.id),
        "claimReviewed": view.text,
        "datePublished": view.updated_at.date().isoformat(),
        "author": author,
        "itemReviewed": claim,
        "reviewRating": {
            "@type": "Rating", "ratingValue": value, "bestRating": 5, "worstRating": 1,
            "alternateName": label, "name": label,
        },
    }
    if view.verdict_note:
        review["reviewBody"] = view.verdict_note
    return review
