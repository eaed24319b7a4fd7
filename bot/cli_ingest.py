"""``claimbot ingest``: articles from files, URLs and feeds, each input on its own, so one that fails
is reported and the others still run."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import UTC, datetime

from bot import cli_semantic
from bot.terminal import Bar, emit_json
from claims.errors import InputError
from claims.service import ClaimService
from claims.service.types import ArticleInput, IngestReport
from claims.settings import Settings
from claims.wording import count


def _sources(args: argparse.Namespace, service: ClaimService
             ) -> Iterable[tuple[int, ArticleInput | InputError]]:
    """Each input's articles (a feed has several), numbered by the input they came from."""
    for number, item in enumerate(args.inputs):
        for article in service.articles_from(item, feed=args.feed, canonical_url=args.url):
            yield number, article


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if args.url and (len(args.inputs) != 1 or args.feed):
        raise InputError("--url names the canonical URL of one local file; give exactly one file.")
    published = _parse_cli_date(args.published) if args.published else None
    service = ClaimService.open(settings)
    failures = 0
    many = len(args.inputs) > 1 or args.feed
    previous = -1
    changed: list[int] = []
    with Bar(total=len(args.inputs), desc="ingesting", unit="article", enabled=many and not args.json) as bar:
        for number, item in _sources(args, service):
            if number == previous:
                bar.grow()  # a feed: more articles than inputs
            previous = number
            try:
                if isinstance(item, InputError):
                    raise item
                report = service.ingest(item, published_at=published).report
                changed += [*report.added, *report.revised]
            except InputError as exc:
                failures += 1
                bar.say(f"error: {exc}", error=True)
                continue
            finally:
                bar.advance()
            if args.json:
                emit_json(report.as_json())
            else:
                bar.say(_describe_report(report))
    cli_semantic.embed_after_ingest(service, changed, enabled=not args.json)
    return 1 if failures else 0


def _describe_report(report: IngestReport) -> str:
    title = report.title or report.url or f"article {report.article_id}"
    if report.status.value == "unchanged":
        return f"{title}: unchanged ({count(len(report.unchanged), 'claim')} already known)"
    parts = [count(len(report.added), "new claim")]
    if report.revised:
        parts.append(f"{len(report.revised):,} revised")
    if report.appeared:
        parts.append(f"{len(report.appeared):,} already known from other sources")
    if report.unchanged:
        parts.append(f"{len(report.unchanged):,} unchanged")
    return f"{title} ({report.status.value}): " + ", ".join(parts)


def _parse_cli_date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except ValueError:
        raise InputError(f"--published {value[:40]!r} is not an ISO 8601 date (2025-03-13).") from None
    except OverflowError:
        raise InputError(f"--published {value[:40]!r} is outside the dates claimbot can store.") from None
