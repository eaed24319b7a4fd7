"""Claims in and out in bulk: JSON Lines import and export, schema.org ClaimReview, and the
full-fidelity archive (``claims.store.transfer``, ``claimreview``, ``archive``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from claims.errors import ConfigError
from claims.service.base import WRITE_BATCH_SECONDS
from claims.service.index import IndexUpkeep
from claims.store import archive, transfer
from claims.store.claimreview import ReviewSite, claimreview_record
from claims.store.views import ClaimView


class Transfer(IndexUpkeep):
    """Import, export and archives for ``ClaimService``."""

    def import_records(self, records: Iterable[transfer.ImportRecord], *,
                       progress: Callable[[int], None] | None = None) -> transfer.ImportReport:
        with self.session() as session:
            report = transfer.import_claims(records, session=session, catalog=self.catalog,
                                            progress=progress, commit_every=WRITE_BATCH_SECONDS)
        self.catch_up()
        return report

    @contextmanager
    def exported(self, *, verdict_only: bool = False) -> Iterator[Iterator[ClaimView]]:
        """Every claim, streamed in batches inside one read session."""
        with self.session() as session:
            yield transfer.iter_claims(session=session, verdict_only=verdict_only)

    def claim_reviews(self) -> list[dict[str, Any]]:
        """schema.org ClaimReview for every live claim with a verdict (empty: none has one yet)."""
        site = self.review_site()
        with self.exported(verdict_only=True) as views:
            return [claimreview_record(v, site=site, speaker_kind=self._speaker_kind(v.speaker))
                    for v in views]

    def review_site(self) -> ReviewSite:
        """Publisher and claim pages for ClaimReview, refused when the settings do not say them."""
        s = self.settings
        template = s.claim_page_template()
        if not template:
            raise ConfigError(
                "ClaimReview needs the address of each claim's fact-check page: set "
                "claim_url_template (CLAIMBOT_CLAIM_URL_TEMPLATE), for example "
                "https://factcheck.example.org/claims/{id}, or web_base_url (CLAIMBOT_WEB_BASE_URL) "
                "to use the pages of claimbot web."
            )
        return ReviewSite(publisher=s.claimreview_publisher, publisher_url=s.claimreview_publisher_url,
                          claim_url_template=template)

    def _speaker_kind(self, name: str | None) -> str:
        known = self.catalog.speaker_by_alias(name) if name else None
        return known.kind if known else "person"

    @contextmanager
    def archived(self) -> Iterator[Iterator[dict[str, Any]]]:
        """The whole store as archive lines (``export --format archive``), in one read session."""
        with self.session() as session:
            yield archive.export_archive(session=session)

    def restore(self, lines: Iterable[str], *,
                progress: Callable[[int], None] | None = None) -> archive.RestoreReport:
        """An archive into this (empty) store, all or nothing, then indexed."""
        with self.session() as session:
            report = archive.restore_archive(lines, session=session, progress=progress)
        self.catch_up()
        return report
