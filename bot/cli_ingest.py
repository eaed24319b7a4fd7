"""``claimbot ingest``: articles from files, URLs and feeds, each input on its own, so one that fails
is reported and the others still run."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import cli_semantic
from bot.terminal import Bar, emit_json
from claims.errors import InputError
from claims.ingest.pipeline import IngestReport
from claims.ingest.sources import (
    ArticleInput,
    FetchPolicy,
    fetch_articles,
    fetch_feed_articles,
    load_file,
    looks_like_feed,
)
from claims.service import ClaimService
from claims.settings import Settings
from claims.wording import count


def _sources(args: argparse.Namespace, policy: FetchPolicy
             ) -> Iterable[tuple[int, ArticleInput | InputError]]:
    """Each input's articles (a feed has several), numbered by the input they came from."""
    for number, item in enumerate(args.inputs):
        for article in _articles(item, args, policy):
            yield number, article


def _articles(item: str, args: argparse.Namespace, policy: FetchPolicy
              ) -> Iterable[ArticleInput | InputError]:
    """One input's articles; a failure is yielded as an error so the other inputs still run."""
    try:
        if item.startswith(("http://", "https://")):
            own = policy.trusting(item)  # the operator's own URL may be private; what it links to not
            if args.feed:
                yield from fetch_feed_articles(item, policy=own)
            else:  # a feed URL given without --feed is still read as a feed
                yield from fetch_articles(item, policy=own)
        elif args.feed or _is_feed_file(Path(item)):
            yield from fetch_feed_articles(item, policy=policy, raw=_read_file(Path(item)))
        else:
            yield load_file(Path(item), canonical_url=args.url)
    except InputError as exc:
        yield exc


def _read_file(path: Path) -> bytes:
    if not path.is_file():
        raise InputError(f"File {path} does not exist.")
    return path.read_bytes()


def _is_feed_file(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return looks_like_feed(fh.read(2048))


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if args.url and (len(args.inputs) != 1 or args.feed):
        raise InputError("--url names the canonical URL of one local file; give exactly one file.")
    published = _parse_cli_date(args.published) if args.published else None
    service = ClaimService.open(settings)
    # The operator's own URLs may be private (intranet pages, local feeds); what those pages link
    # to (feed entries, redirects to other hosts) follows CLAIMBOT_ALLOW_PRIVATE_URLS.
    policy = service.fetch_policy()
    failures = 0
    many = len(args.inputs) > 1 or args.feed
    previous = -1
    changed: list[int] = []
    with Bar(total=len(args.inputs), desc="ingesting", unit="article", enabled=many and not args.json) as bar:
        for number, item in _sources(args, policy):
            if number == previous:
                bar.grow()  # a feed: more articles than inputs
            previous = number
            try:
                if isinstance(item, InputError):
                    raise item
                if published and not item.published_at:
                    item = ArticleInput(**{**_fields(item), "published_at": published})
                report = service.ingest(item).report
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


def _fields(article: ArticleInput) -> dict[str, Any]:
    return {name: getattr(article, name) for name in ArticleInput.__slots__}  # type: ignore[attr-defined]


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
