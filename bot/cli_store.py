"""``claimbot db|export|import``: the store as a whole: its schema, everything out, everything in
(claims a line each, or a whole archive restored into an empty store)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot import cli_semantic
from bot.terminal import Bar, emit_json
from claims.errors import InputError
from claims.service import ClaimService
from claims.settings import Settings
from claims.store import archive
from claims.store.transfer import (
    export_record,
    read_records,
)
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
            with service.exported() as views:
                for view in views:
                    emit_json(export_record(view), out)
    finally:
        if args.output:
            out.close()
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Claims, one per line, or a whole archive (recognised by its first line) into an empty store."""
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"File {path} does not exist.")
    # utf-8-sig: a byte-order mark (Windows editors write one) is not part of the first line.
    with path.open(encoding="utf-8-sig", errors="strict") as fh:
        try:
            if archive.is_archive_header(fh.readline()):
                return _restore(path, args, settings)
            fh.seek(0)
            records = read_records(fh)
        except UnicodeDecodeError:
            raise InputError(f"File {path} is not UTF-8 text; nothing was imported.") from None
    service = ClaimService.open(settings)
    with Bar(total=len(records), desc="importing", unit="claim", enabled=not args.json) as bar:
        report = service.import_records(records, progress=bar.advance)
    cli_semantic.embed_after_import(service, enabled=not args.json)
    if args.json:
        emit_json(report.as_json())
    else:
        print(f"Imported {count(report.added, 'new claim')}, updated {report.updated:,}, "
              f"{report.unchanged:,} unchanged.")
    return 0


def _restore(path: Path, args: argparse.Namespace, settings: Settings) -> int:
    service = ClaimService.open(settings)
    with path.open(encoding="utf-8-sig", errors="strict") as fh, \
            Bar(total=_line_count(path) - 1, desc="restoring", unit="row", enabled=not args.json) as bar:
        try:
            report = service.restore(fh, progress=bar.advance)
        except UnicodeDecodeError:
            raise InputError(f"File {path} is not UTF-8 text; nothing was restored.") from None
    cli_semantic.embed_after_import(service, enabled=not args.json)
    if args.json:
        emit_json(report.as_json())
    else:
        rows = ", ".join(count(n, _ROW_NAMES.get(name, name)) for name, n in report.rows.items())
        print(f"Restored the archive: {rows or 'nothing'}.")
    return 0


_ROW_NAMES = {"claimrevision": "revision", "claimappearance": "source appearance"}


def _line_count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)
