"""``claimbot semantic backfill|status``, and the embedding pass after ``ingest`` and ``import``.

Semantic matching needs the optional extra (``pip install "claimbot[semantic]"``). These commands
go through ``ClaimService`` like every other: the backfill embeds every live claim that has no
current vector, in batches with a progress bar, saving the vector file every 30 s, so an
interrupted backfill (Ctrl-C, a crash) resumes where it stopped. A running bot picks the saved
vectors up instead of computing them itself.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterable
from typing import Any

from bot.cli_args import whole_number
from bot.terminal import Bar, emit_json
from claims.errors import ClaimbotError
from claims.search.semantic import FillReport
from claims.service import ClaimService
from claims.settings import Settings
from claims.wording import count

log = logging.getLogger("claimbot")


def add_commands(sub: Any) -> None:
    p = sub.add_parser("semantic", help="semantic matching (the optional extra): backfill or status")
    p.add_argument("action", choices=["backfill", "status"],
                   help="backfill: embed every claim that has no vector yet (resumable); "
                        "status: how many claims have vectors")
    p.add_argument("--batch", type=whole_number(1, 4096), default=64,
                   help="claims embedded at once (default 64)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_semantic)


def cmd_semantic(args: argparse.Namespace, settings: Settings) -> int:
    service = ClaimService.open(settings)
    if args.action == "status":
        return _status(service, as_json=args.json)
    report = _embed(service, lambda bar: service.semantic_backfill(
        progress=bar.advance, started=bar.grow, batch=args.batch), enabled=not args.json)
    if args.json:
        emit_json({"embedded": report.embedded, "adopted": report.adopted, "pending": report.pending})
    else:
        print(f"Embedded {count(report.embedded, 'claim')}"
              + (f" ({report.adopted:,} already computed by another process)" if report.adopted else "")
              + ("." if not report.pending else f"; {report.pending:,} still waiting."))
    return 0


def _status(service: ClaimService, *, as_json: bool) -> int:
    status = service.semantic_status()
    if as_json:
        emit_json({"model": status.model, "enabled": status.enabled,
                   "extra_installed": status.extra_installed,
                   "vectors_file": str(status.path) if status.path else None,
                   "claims": status.claims, "with_vectors": status.with_vectors})
        return 0
    state = ("off (CLAIMBOT_SEMANTIC_MODEL=off)" if not status.enabled
             else "unavailable: install the extra, pip install \"claimbot[semantic]\""
             if not status.extra_installed else "on")
    print(f"Semantic matching: {state}; model {status.model}.")
    print(f"Vectors: {status.with_vectors:,} of {count(status.claims, 'live claim')}"
          f" in {status.path or 'memory only (in-memory database)'}.")
    if status.problem:
        print(f"The vector file cannot be used: {status.problem}")
    return 0


def embed_after_ingest(service: ClaimService, claim_ids: Iterable[int], *, enabled: bool) -> None:
    """Vectors for the claims an ingest added or revised (nothing without the extra)."""
    ids = list(dict.fromkeys(claim_ids))
    if ids and service.semantic_encoder() is not None:
        _embed_quietly(service, lambda bar: service.embed_claims(ids, progress=bar.advance),
                       total=len(ids), enabled=enabled)


def embed_after_import(service: ClaimService, *, enabled: bool) -> None:
    """Vectors for every claim that lacks one after an import or restore (nothing without the extra)."""
    if service.semantic_encoder() is not None:
        _embed_quietly(service, lambda bar: service.semantic_backfill(progress=bar.advance,
                                                                      started=bar.grow),
                       total=0, enabled=enabled)


def _embed(service: ClaimService, run: Any, *, total: int = 0, enabled: bool = True) -> FillReport:
    with Bar(total=total, desc="embedding", unit="claim", enabled=enabled) as bar:
        report: FillReport = run(bar)
    return report


def _embed_quietly(service: ClaimService, run: Any, *, total: int, enabled: bool) -> None:
    """The articles or claims are stored already: a failure to embed them is a warning, and the
    next backfill (or the running bot) computes the vectors instead."""
    try:
        _embed(service, run, total=total, enabled=enabled)
    except ClaimbotError as exc:
        log.warning("Claim vectors were not computed (%s) Run `claimbot semantic backfill` later.", exc)
