"""Claims in and out in bulk: JSON Lines import and export, schema.org ClaimReview, and the
full-fidelity archive (``claims.store.transfer``, ``claimreview``, ``archive``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claims.errors import ConfigError, InputError
from claims.service.base import WRITE_BATCH_SECONDS
from claims.service.index import IndexUpkeep
from claims.store import archive, transfer
from claims.store.claimreview import ReviewSite, claimreview_record
from claims.store.views import ClaimView


@dataclass(frozen=True, slots=True)
class ImportFile:
    """A file ``claimbot import`` was given, read and recognised: claims a line each (``records``,
    all checked before anything is written), or a whole archive (restored as it is read)."""

    path: Path
    archive: bool
    records: list[transfer.ImportRecord] = field(default_factory=list)
    rows: int = 0  # archive rows (every line after the header)


def read_import(path: Path) -> ImportFile:
    """Read and check an import file without opening the store; an archive is recognised by its
    first line. A missing or non-UTF-8 file is an ``InputError``."""
    if not path.is_file():
        raise InputError(f"File {path} does not exist.")
    # utf-8-sig: a byte-order mark (Windows editors write one) is not part of the first line.
    with path.open(encoding="utf-8-sig", errors="strict") as fh:
        try:
            if archive.is_archive_header(fh.readline()):
                return ImportFile(path, archive=True, rows=_line_count(path) - 1)
            fh.seek(0)
            return ImportFile(path, archive=False, records=transfer.read_records(fh))
        except UnicodeDecodeError:
            raise InputError(f"File {path} is not UTF-8 text; nothing was imported.") from None


def _line_count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


class Transfer(IndexUpkeep):
    """Import, export and archives for ``ClaimService``."""

    read_import = staticmethod(read_import)

    def import_file(self, source: ImportFile, *, progress: Callable[[int], None] | None = None
                    ) -> transfer.ImportReport | archive.RestoreReport:
        """``claimbot import``: the claims of a file read by ``read_import``, or its archive
        restored into this (empty) store."""
        if not source.archive:
            return self.import_records(source.records, progress=progress)
        with source.path.open(encoding="utf-8-sig", errors="strict") as fh:
            try:
                return self.restore(fh, progress=progress)
            except UnicodeDecodeError:
                raise InputError(f"File {source.path} is not UTF-8 text; nothing was restored.") from None

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

    @contextmanager
    def exported_records(self, *, verdict_only: bool = False) -> Iterator[Iterator[dict[str, Any]]]:
        """Every claim as an import line (``claimbot export``), streamed inside one read session."""
        with self.exported(verdict_only=verdict_only) as views:
            yield (transfer.export_record(view) for view in views)

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
