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
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import exc as sa_exc

from bot import cli_changes, cli_semantic
from bot.terminal import Bar, IndexBar, emit_json
from claims.errors import ClaimbotError, ConfigError, InputError
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
from claims.store import archive
from claims.store.transfer import (
    export_record,
    read_records,
)
from claims.store.views import (
    ClaimView,
    RevisionView,
    claim_to_json,
    revision_to_json,
)
from claims.wording import count

log = logging.getLogger("claimbot")
DESCRIPTION = "claimbot: track who claimed what in the news, with every claim's full history."


def positive_int(value: str) -> int:
    """An argparse type for counts such as ``--limit``: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {number})")
    return number


def display_zone(settings: Settings) -> ZoneInfo:
    """The time zone dates are shown in (``CLAIMBOT_TIMEZONE``)."""
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"Unknown time zone {settings.timezone!r} in CLAIMBOT_TIMEZONE (use a name such as "
            "Europe/Berlin)."
        ) from None


# ---------------------------------------------------------------------------- db


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "upgrade":
        print(f"Database is at revision {ClaimService.upgrade_schema(settings)}.")
    else:
        current, head = ClaimService.schema_status(settings)
        print(f"current: {current or '(empty)'}  head: {head}")
    return 0


# ---------------------------------------------------------------------------- ingest


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
              f"({view.kind}, {view.verdict}, revision {view.revision}){_status_mark(view)}")
        print(f"    {view.text}")
        if src:
            when = src.published_at.date().isoformat() if src.published_at else "undated"
            print(f"    source: {src.title or src.url or 'untitled'} ({when})"
                  + (f" {src.url}" if src.url else ""))
    return 0


def _status_mark(view: ClaimView) -> str:
    """What ``claims --all`` adds to a claim that is no longer active."""
    if view.status == "merged":
        return f" [merged into #{view.merged_into_id}]"
    if view.status == "retracted":
        return " [retracted]"
    return ""


def _change(rev: RevisionView, view: ClaimView) -> str:
    """A revision's change, naming the other claim of a merge."""
    if rev.change == "merged" and rev.related_claim_id is not None:
        if view.merged_into_id == rev.related_claim_id:
            return f"merged into #{rev.related_claim_id}"
        return f"merged: absorbed duplicate #{rev.related_claim_id}"
    return rev.change


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    zone = display_zone(settings)
    view, revisions = ClaimService.open(settings).history(args.claim_id)
    if args.json:
        for rev in revisions:
            emit_json(revision_to_json(rev))
        return 0
    print(f"Claim #{view.id}{_status_mark(view)}: {count(len(revisions), 'revision')}, "
          f"times in {zone.key}")
    for rev in revisions:
        by = rev.admin_name or (f"admin {rev.admin_id}" if rev.admin_id else None)
        src = rev.source.title or rev.source.url if rev.source else None
        origin = f" by {by}" if by else (f" from {src}" if src else "")
        print(f"r{rev.revision} {rev.at.astimezone(zone):%Y-%m-%d %H:%M %Z} {_change(rev, view)}{origin}")
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
    questions = [args.question] if args.question is not None else _read_questions(Path(args.batch))
    service = ClaimService.open(settings)
    with IndexBar(enabled=not args.json) as building:
        service.load_index(progress=building.progress)
    with Bar(total=len(questions), desc="asking", unit="question",
             enabled=args.batch is not None and not args.json) as bar:
        for question, answers in zip(questions, service.find(questions, limit=args.limit), strict=True):
            bar.advance()
            if args.json or args.batch is not None:
                bar.say(json.dumps({"question": question, "matches": [
                    {"claim": claim_to_json(v), "score": round(m.score, 4), "why": m.why}
                    for m, v in answers]}, ensure_ascii=False))
            elif not answers:
                print("No claim matches that question.")
            else:
                for m, v in answers:
                    print(f"#{v.id} {v.speaker or 'unknown speaker'} ({m.score:.2f}): {v.text}")
                    print(f"    why: {m.why}")
    service.save_index()  # what this run caught up, the next one need not
    return 0


def _read_questions(path: Path) -> list[str]:
    """One question per line; blank lines are kept so the output lines up with the input."""
    if not path.is_file():
        raise InputError(f"File {path} does not exist.")
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"File {path} is not UTF-8 text.") from None


# ---------------------------------------------------------------------------- parser and main

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimbot", description=DESCRIPTION)
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
    p.add_argument("--limit", type=positive_int, default=None, help="at most this many claims")
    p.add_argument("--json", action="store_true", help="JSON Lines, one claim per line")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("history", help="a claim's revisions, oldest first")
    p.add_argument("claim_id", type=int, metavar="CLAIM_ID")
    p.add_argument("--json", action="store_true", help="JSON Lines, one revision per line")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("export", help="export claims as JSON Lines, ClaimReview JSON-LD or a full archive")
    p.add_argument("--format", choices=["jsonl", "claimreview", "archive"], default="jsonl",
                   help="jsonl: one claim per line; claimreview: schema.org JSON-LD for claims with a "
                        "verdict; archive: the whole store with every revision and source")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("ask", help="find the stored claims that answer a question")
    p.add_argument("question", nargs="?", metavar="QUESTION")
    p.add_argument("--batch", metavar="FILE", help="one question per line; JSON Lines out, in order")
    p.add_argument("--limit", type=positive_int, default=3, help="at most this many matches (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("import", help="import claims from a JSON Lines file, or restore an archive")
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

    cli_changes.add_commands(sub)
    cli_semantic.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``claimbot`` console script.

    Every failure ends as one sentence on stderr and exit status 1: errors users cause carry their
    own message, known database conditions get one of their own, and anything else (a bug) is one
    line that says to run with ``-v``, which logs the traceback.
    """
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
        print(f"error: {_settings_problem(exc)}", file=sys.stderr)
        return 1
    func: Command = args.func
    try:
        return func(args, settings)
    except BrokenPipeError:
        _discard_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = failure_sentence(exc)
        if message is None:
            log.debug("unexpected failure", exc_info=exc)
            message = f"unexpected {type(exc).__name__}; run with -v for details."
        elif not isinstance(exc, ClaimbotError):
            log.debug("failure", exc_info=exc)
        print(f"error: {message}", file=sys.stderr)
        return 1


def failure_sentence(exc: BaseException) -> str | None:
    """The sentence for a failure the CLI knows how to explain, or None for a bug."""
    if isinstance(exc, ClaimbotError):
        return str(exc)
    if isinstance(exc, sa_exc.OperationalError) and "locked" in str(exc.orig).lower():
        return ("The database is locked by another process (the bot or another claimbot command) "
                "and stayed locked; try again when it has finished.")
    if isinstance(exc, sa_exc.OperationalError):
        return f"The database could not be used ({_first_line(exc.orig)})."
    if isinstance(exc, sa_exc.DBAPIError):
        return f"The database refused the operation ({type(exc.orig).__name__}); nothing was changed."
    if isinstance(exc, RecursionError):
        return "The input is nested too deeply to read."
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or type(exc).__name__}."
    return None


def _settings_problem(exc: ValidationError) -> str:
    """The first invalid setting as one sentence, named as the environment variable that sets it
    (the value itself is never repeated: it may be a secret)."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "settings"
    msg = str(first["msg"]).removeprefix("Value error, ")
    return f"invalid setting CLAIMBOT_{where.upper()}: {msg}."


def _first_line(value: object) -> str:
    return str(value).strip().splitlines()[0][:200] if str(value).strip() else type(value).__name__


def _discard_stdout() -> None:
    """The reader went away (``claimbot chat | head``): point standard output at nothing, so the
    interpreter's last flush at exit cannot fail a second time with a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # no file descriptor behind stdout (embedded use): nothing will be flushed to it


if __name__ == "__main__":
    sys.exit(main())
