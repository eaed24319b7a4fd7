"""``claimbot db|export|import``: the store as a whole: its schema, everything out, everything in
(claims a line each, or a whole archive restored into an empty store)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot import cli_semantic
from bot.terminal import Bar, emit_json
from claims.service import ClaimService
from claims.service.types import RestoreReport
from claims.settings import Settings
from claims.wording import count


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "upgrade":
        print(f"Database is at revision {ClaimService.upgrade_schema(settings)}.")
    else:
        current, head = ClaimService.schema_status(settings)
        print(f"current: {current or '(empty)'}  head: {head}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    service = ClaimService.open(settings)
    if args.format == "claimreview":
        reviews = service.claim_reviews()  # before opening --output: a settings error leaves no file
        if not reviews:
            print("No claim has a verdict yet, so there is nothing to review: the export is an empty "
                  "list. Set verdicts with 'claimbot verdict' or /verdict.", file=sys.stderr)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "claimreview":
            json.dump(reviews, out, ensure_ascii=False, indent=2)
            out.write("\n")
        elif args.format == "archive":
            with service.archived() as rows:
                for row in rows:
                    emit_json(row, out)
        else:
            with service.exported_records() as records:
                for record in records:
                    emit_json(record, out)
    finally:
        if args.output:
            out.close()
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Claims, one per line, or a whole archive (recognised by its first line) into an empty store."""
    source = ClaimService.read_import(Path(args.file))
    service = ClaimService.open(settings)
    total, desc, unit = (source.rows, "restoring", "row") if source.archive else \
        (len(source.records), "importing", "claim")
    with Bar(total=total, desc=desc, unit=unit, enabled=not args.json) as bar:
        report = service.import_file(source, progress=bar.advance)
    cli_semantic.embed_after_import(service, enabled=not args.json)
    if args.json:
        emit_json(report.as_json())
    elif isinstance(report, RestoreReport):
        rows = ", ".join(count(n, _ROW_NAMES.get(name, name)) for name, n in report.rows.items())
        print(f"Restored the archive: {rows or 'nothing'}.")
    else:
        print(f"Imported {count(report.added, 'new claim')}, updated {report.updated:,}, "
              f"{report.unchanged:,} unchanged.")
    return 0


_ROW_NAMES = {"claimrevision": "revision", "claimappearance": "source appearance"}
