"""Moving claims in and out: JSON Lines import and export, one claim per line.

Import is all-or-nothing: every line is validated first and a file with a bad line imports nothing,
so a fix-and-rerun never leaves half a file behind. New claims are written in bulk (100,000 lines in
well under a minute); known ones (same ``external_id``, or same speaker and words) are updated
through revisions like any other change.

Two other ways out live beside this one: ``archive`` (the whole store, history and all, for moving
or restoring it) and ``claimreview`` (schema.org ClaimReview for claims with a verdict).

The parts: ``records`` (reading and validating lines), ``importing`` (writing them to the store)
and ``exporting`` (claims out, a line each).
"""

from claims.store.transfer.exporting import export_record, iter_claims
from claims.store.transfer.importing import ImportReport, import_claims
from claims.store.transfer.records import ImportRecord, parse_record, read_records

__all__ = ["ImportRecord", "ImportReport", "export_record", "import_claims", "iter_claims", "parse_record",
           "read_records"]
