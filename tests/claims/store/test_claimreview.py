"""ClaimReview export against schema.org ClaimReview as Google documents it: every required and
recommended property, for claims with a verdict only; publisher and claim pages from the settings."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from claims.catalog import Catalog
from claims.errors import ConfigError
from claims.samples import samples
from claims.service import ClaimService
from claims.settings import Settings
from claims.store.history import Actor

TEMPLATE = "https://factcheck.example.org/claims/{id}"
REQUIRED = {"claimReviewed", "reviewRating", "url"}
RECOMMENDED = {"author", "datePublished", "itemReviewed"}
CLAIM_RECOMMENDED = {"author", "datePublished", "appearance", "firstAppearance"}
RATING_REQUIRED = {"alternateName"}
RATING_RECOMMENDED = {"bestRating", "worstRating", "ratingValue", "name"}


def _service(engine: Engine, catalog: Catalog, **settings: object) -> ClaimService:
    return ClaimService(Settings(database_url=str(engine.url), **settings), engine, catalog)  # type: ignore[arg-type]


def _judged(service: ClaimService) -> dict[int, str]:
    for item in samples():
        service.ingest(item.article())
    verdicts = {}
    for view, verdict in zip(service.claims(limit=4), ["false", "accurate", "misleading", "disputed"],
                             strict=True):
        service.set_verdict(view.id, verdict, note=f"Checked: {verdict}.", actor=Actor(None, "Desk"))
        verdicts[view.id] = verdict
    return verdicts


def test_every_required_and_recommended_property(sqlite_engine: Engine, catalog: Catalog) -> None:
    service = _service(sqlite_engine, catalog, claim_url_template=TEMPLATE,
                       claimreview_publisher="Example Fact Check",
                       claimreview_publisher_url="https://factcheck.example.org")
    verdicts = _judged(service)
    reviews = service.claim_reviews()
    json.dumps(reviews)  # plain JSON
    assert len(reviews) == len(verdicts)  # only claims with a verdict
    for review in reviews:
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert review.keys() >= REQUIRED | RECOMMENDED
        claim_id = int(review["url"].rsplit("/", 1)[1])
        assert review["url"] == TEMPLATE.format(id=claim_id) and claim_id in verdicts
        assert review["claimReviewed"] == service.claim(claim_id).text
        date.fromisoformat(review["datePublished"])
        assert review["author"] == {"@type": "Organization", "name": "Example Fact Check",
                                    "url": "https://factcheck.example.org"}
        item = review["itemReviewed"]
        assert item["@type"] == "Claim" and item.keys() >= CLAIM_RECOMMENDED
        assert item["author"]["@type"] in {"Person", "Organization"} and item["author"]["name"]
        date.fromisoformat(item["datePublished"])
        assert item["firstAppearance"] == item["appearance"][0]
        for page in item["appearance"]:
            assert page["@type"] == "CreativeWork" and page["url"].startswith("https://")
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and rating.keys() >= RATING_REQUIRED | RATING_RECOMMENDED
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert rating["alternateName"].lower() == verdicts[claim_id]
        assert review["reviewBody"] == f"Checked: {verdicts[claim_id]}."


def test_nothing_judged_means_no_reviews_and_no_template_means_a_clear_error(
    sqlite_engine: Engine, catalog: Catalog
) -> None:
    assert _service(sqlite_engine, catalog, claim_url_template=TEMPLATE).claim_reviews() == []
    with pytest.raises(ConfigError, match="claim_url_template"):
        _service(sqlite_engine, catalog).claim_reviews()
    for bad in ({"claim_url_template": "https://x.example/claims"},
                {"claim_url_template": "ftp://x.example/{id}"},
                {"claimreview_publisher_url": "factcheck.example.org"}):
        with pytest.raises(ValidationError):
            Settings(**bad)  # type: ignore[arg-type]
