"""The ``claimbot`` command: a thin layer over ``claims/`` (and ``bot/`` for running the bot).

Every command builds the settings, opens the application service (``claims.service.ClaimService``,
the same one the bot uses), calls one of its methods and prints the result, as text for people or as
stable JSON (``--json``) for scripts. Errors a user can cause go to stderr
as one sentence with exit status 1; usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from pydantic import ValidationError
from tqdm import tqdm

from claims.errors import ClaimbotError, InputError
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
from claims.store.transfer import (
    claimreview_record,
    export_record,
    read_records,
)
from claims.store.views import (
    claim_to_json,
    revision_to_json,
)

log = logging.getLogger("claimbot")
T = TypeVar("T")


def progress(items: Iterable[T], *, total: int | None, enabled: bool, desc: str) -> Iterable[T]:
    """A progress bar on a terminal; nothing when piped or printing JSON."""
    if not enabled or not sys.stderr.isatty():
        return items
    return tqdm(items, total=total, desc=desc, unit="item", file=sys.stderr, leave=False)


def emit_json(obj: Any, out: IO[str] | None = None) -> None:
    print(json.dumps(obj, ensure_ascii=False, sort_keys=False), file=out or sys.stdout)


# ---------------------------------------------------------------------------- db


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "upgrade":
        print(f"Database is at revision {ClaimService.upgrade_schema(settings)}.")
    else:
        current, head = ClaimService.schema_status(settings)
        print(f"current: {current or '(empty)'}  head: {head}")
    return 0


# ---------------------------------------------------------------------------- ingest


def _sources(args: argparse.Namespace, policy: FetchPolicy) -> Iterable[ArticleInput | InputError]:
    for item in args.inputs:
        try:
            if item.startswith(("http://", "https://")):
                if args.feed:
                    yield from fetch_feed_articles(item, policy=policy)
                else:  # a feed URL given without --feed is still read as a feed
                    yield from fetch_articles(item, policy=policy)
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
    policy = service.fetch_policy(operator=True)  # the operator may read intranet pages and local feeds
    failures = 0
    reports: list[IngestReport] = []
    many = len(args.inputs) > 1 or args.feed
    for item in progress(_sources(args, policy), total=None, enabled=many and not args.json,
                         desc="ingesting"):
        if isinstance(item, InputError):
            failures += 1
            print(f"error: {item}", file=sys.stderr)
            continue
        if published and not item.published_at:
            item = ArticleInput(**{**_fields(item), "published_at": published})
        try:
            report = service.ingest(item).report
        except InputError as exc:
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        reports.append(report)
        if args.json:
            emit_json(report.as_json())
        else:
            print(_describe_report(report))
    return 1 if failures else 0


def _fields(article: ArticleInput) -> dict[str, Any]:
    return {name: getattr(article, name) for name in ArticleInput.__slots__}  # type: ignore[attr-defined]


def _describe_report(report: IngestReport) -> str:
    title = report.title or report.url or f"article {report.article_id}"
    if report.status.value == "unchanged":
        return f"{title}: unchanged ({len(report.unchanged)} claims already known)"
    parts = [f"{len(report.added)} new"]
    if report.revised:
        parts.append(f"{len(report.revised)} revised")
    if report.appeared:
        parts.append(f"{len(report.appeared)} already known from other sources")
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} unchanged")
    return f"{title} ({report.status.value}): " + ", ".join(parts) + " claims"


def _parse_cli_date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--published {value!r} is not an ISO 8601 date (2025-03-13).") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# ---------------------------------------------------------------------------- claims, history


def cmd_claims(args: argparse.Namespace, settings: Settings) -> int:
    views = ClaimService.open(settings).claims(topic=args.topic, speaker=args.speaker,
                                               include_inactive=args.all, limit=args.limit)
    if args.json:
        for view in views:
            emit_json(claim_to_json(view))
        return 0
    if not views:
        print("No claims yet." if not (args.topic or args.speaker) else "No claims match.")
    for view in views:
        src = view.first_source
        print(f"#{view.id} [{view.topic or '-'}] {view.speaker or 'unknown speaker'} "
              f"({view.kind}, {view.verdict}, revision {view.revision})")
        print(f"    {view.text}")
        if src:
            when = src.published_at.date().isoformat() if src.published_at else "undated"
            print(f"    source: {src.title or src.url or 'untitled'} ({when})"
                  + (f" {src.url}" if src.url else ""))
    return 0


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    _, revisions = ClaimService.open(settings).history(args.claim_id)
    if args.json:
        for rev in revisions:
            emit_json(revision_to_json(rev))
        return 0
    for rev in revisions:
        by = rev.admin_name or (f"admin {rev.admin_id}" if rev.admin_id else None)
        src = rev.source.title or rev.source.url if rev.source else None
        origin = f" by {by}" if by else (f" from {src}" if src else "")
        print(f"r{rev.revision} {rev.at:%Y-%m-%d %H:%M} {rev.change}{origin}")
        if rev.old_text is not None:
            print(f"    was: {rev.old_text}")
        if rev.change in {"created", "imported", "text", "edited"}:
            print(f"    now: {rev.text}")
        if rev.old_verdict is not None or rev.change == "verdict":
            print(f"    verdict: {rev.old_verdict} -> {rev.verdict}")
        if rev.reason:
            print(f"    why: {rev.reason}")
    return 0


# ---------------------------------------------------------------------------- export, import


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    service = ClaimService.open(settings)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "claimreview":
            with service.exported(verdict_only=True) as views:
                reviews = [claimreview_record(v) for v in views]
            json.dump(reviews, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            with service.exported() as views:
                for view in views:
                    emit_json(export_record(view), out)
    finally:
        if args.output:
            out.close()
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"File {path} does not exist.")
    with path.open(encoding="utf-8", errors="strict") as fh:
        try:
            records = read_records(fh)
        except UnicodeDecodeError:
            raise InputError(f"File {path} is not UTF-8 text; nothing was imported.") from None
    service = ClaimService.open(settings)
    bar = None
    if not args.json and sys.stderr.isatty():
        bar = tqdm(total=len(records), desc="importing", unit="claim", file=sys.stderr, leave=False)
    report = service.import_records(records, progress=bar.update if bar else None)
    if bar:
        bar.close()
    if args.json:
        emit_json(report.as_json())
    else:
        print(f"Imported {report.added} new claims, updated {report.updated}, "
              f"{report.unchanged} unchanged.")
    return 0


# ---------------------------------------------------------------------------- the Telegram bot


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.run import run_bot  # imported here: other commands need not load telegram

    secret = args.secret_token or (
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    )
    return run_bot(settings, webhook_url=args.webhook, listen=args.listen, port=args.port,
                   url_path=args.url_path, secret_token=secret, verbose=args.verbose)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_console

    return run_console(settings, use_database=args.use_database)


# ---------------------------------------------------------------------------- ask


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if (args.question is None) == (args.batch is None):
        raise InputError("Give either a QUESTION or --batch FILE, not both or neither.")
    if args.limit < 1:
        raise InputError("--limit must be at least 1.")
    questions = [args.question] if args.question is not None else _read_questions(Path(args.batch))
    service = ClaimService.open(settings)
    answered = service.find(
        progress(questions, total=len(questions), enabled=args.batch is not None and not args.json,
                 desc="asking"),
        limit=args.limit,
    )
    for question, answers in zip(questions, answered, strict=True):
        if args.json or args.batch is not None:
            emit_json({"question": question, "matches": [
                {"claim": claim_to_json(v), "score": round(m.score, 4), "why": m.why}
                for m, v in answers]})
        elif not answers:
            print("No claim matches that question.")
        else:
            for m, v in answers:
                print(f"#{v.id} {v.speaker or 'unknown speaker'} ({m.score:.2f}): {v.text}")
                print(f"    why: {m.why}")
    return 0


def _read_questions(path: Path) -> list[str]:
    """One question per line; blank lines are kept so the output lines up with the input."""
    if not path.is_file():
        raise InputError(f"File {path} does not exist.")
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"File {path} is not UTF-8 text.") from None


# ---------------------------------------------------------------------------- parser and main

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimbot", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("db", help="database schema: upgrade or show the current revision")
    p.add_argument("action", choices=["upgrade", "current"])
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("ingest", help="ingest articles from files, URLs or feeds")
    p.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    p.add_argument("--url", help="canonical URL of a local file (one file only)")
    p.add_argument("--feed", action="store_true", help="the inputs are RSS/Atom feeds")
    p.add_argument("--published", help="publication date for articles that do not state one")
    p.add_argument("--json", action="store_true", help="one JSON object per article")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("claims", help="list current claims")
    p.add_argument("--topic", help="topic slug or name")
    p.add_argument("--speaker", help="speaker name or alias")
    p.add_argument("--all", action="store_true", help="include retracted and merged claims")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--json", action="store_true", help="JSON Lines, one claim per line")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("history", help="a claim's revisions, oldest first")
    p.add_argument("claim_id", type=int, metavar="CLAIM_ID")
    p.add_argument("--json", action="store_true", help="JSON Lines, one revision per line")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("export", help="export claims as JSON Lines or ClaimReview JSON-LD")
    p.add_argument("--format", choices=["jsonl", "claimreview"], default="jsonl")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("ask", help="find the stored claims that answer a question")
    p.add_argument("question", nargs="?", metavar="QUESTION")
    p.add_argument("--batch", metavar="FILE", help="one question per line; JSON Lines out, in order")
    p.add_argument("--limit", type=int, default=3, help="at most this many matches (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("import", help="import claims from a JSON Lines file")
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("run", help="run the Telegram bot (long polling, or --webhook URL)")
    p.add_argument("--webhook", metavar="URL", help="public HTTPS URL Telegram posts updates to")
    p.add_argument("--listen", default="127.0.0.1", help="address the webhook server binds to")
    p.add_argument("--port", type=int, default=8443, help="port the webhook server listens on")
    p.add_argument("--url-path", help="local path of the webhook (default: the URL's path)")
    p.add_argument("--secret-token", default=None,
                   help="webhook secret header value (default: derived from the bot token)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("chat", help="try the bot offline in this terminal (no Telegram needed)")
    p.add_argument("--use-database", action="store_true",
                   help="use the configured database instead of a fresh one with the sample article")
    p.set_defaults(func=cmd_chat)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``claimbot`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # trafilatura logs every page it cannot parse; the CLI reports that as one clear error instead.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        print(f"error: invalid setting {where}: {first['msg']}", file=sys.stderr)
        return 1
    func: Command = args.func
    try:
        return func(args, settings)
    except ClaimbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
