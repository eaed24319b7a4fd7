"""The ``claimbot`` command: a thin layer over ``claims/`` (and ``bot/`` for running the bot).

Every command builds the settings, opens the application service (``claims.service.ClaimService``,
the same one the bot uses), calls one of its methods and prints the result, as text for people or as
stable JSON (``--json``) for scripts. Errors a user can cause go to stderr
as one sentence with exit status 1; usage errors exit with 2.

This module builds the parser and runs one command; the commands live by group: ``cli_read``
(claims, history, ask), ``cli_ingest``, ``cli_store`` (db, export, import), ``cli_changes`` (the
desk's changes), ``cli_timeline`` (timeline, changes) and ``cli_semantic``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from bot import cli_changes, cli_semantic
from bot.cli_args import claim_number, positive_int, whole_number
from bot.cli_ingest import cmd_ingest
from bot.cli_read import cmd_ask, cmd_claims, cmd_history
from bot.cli_store import cmd_db, cmd_export, cmd_import
from bot.cli_timeline import cmd_changes, cmd_timeline
from claims.errors import ClaimbotError, ConfigError
from claims.service import ClaimService
from claims.settings import Settings

log = logging.getLogger("claimbot")
DESCRIPTION = "claimbot: track who claimed what in the news, with every claim's full history."


Command = Callable[[argparse.Namespace, Settings], int]


# ---------------------------------------------------------------------------- the Telegram bot


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.run import run_bot  # imported here: other commands need not load telegram

    secret = args.secret_token or (
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    )
    if args.web:
        from bot.web.serve import run_bot_and_web

        if not args.webhook:
            raise ConfigError("--web serves the webhook and the pages together: give --webhook URL too.")
        return run_bot_and_web(settings, webhook_url=args.webhook, listen=args.listen, port=args.port,
                               url_path=args.url_path, secret_token=secret,
                               forwarded_allow_ips=args.forwarded_allow_ips, verbose=args.verbose)
    return run_bot(settings, webhook_url=args.webhook, listen=args.listen, port=args.port,
                   url_path=args.url_path, secret_token=secret, verbose=args.verbose)


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web.serve import serve_web  # imported here: other commands need not load the web stack

    return serve_web(settings, host=args.host, port=args.port, forwarded_allow_ips=args.forwarded_allow_ips,
                     verbose=args.verbose)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_console

    return run_console(settings, use_database=args.use_database)


# ---------------------------------------------------------------------------- parser and main


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
    p.add_argument("claim_id", type=claim_number, metavar="CLAIM_ID")
    p.add_argument("--json", action="store_true", help="JSON Lines, one revision per line")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("timeline", help="a speaker's claims in the order they were made")
    p.add_argument("speaker", nargs="+", metavar="SPEAKER", help="name, surname, alias or role")
    p.add_argument("--topic", help="only this topic (slug or name)")
    p.add_argument("--about", metavar="PHRASE", help="only claims that mention this phrase")
    p.add_argument("--limit", type=positive_int, default=None, help="at most this many claims")
    p.add_argument("--json", action="store_true", help="JSON Lines, one claim per line, oldest first")
    p.set_defaults(func=cmd_timeline)

    p = sub.add_parser("changes", help="recent changes of position, the most recent first")
    p.add_argument("--limit", type=positive_int, default=20, help="at most this many (default 20)")
    p.add_argument("--json", action="store_true", help="JSON Lines, one change per line")
    p.set_defaults(func=cmd_changes)

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
    p.add_argument("--port", type=whole_number(1, 65535), default=8443,
                   help="port the webhook server listens on")
    p.add_argument("--url-path", help="local path of the webhook (default: the URL's path)")
    p.add_argument("--secret-token", default=None,
                   help="webhook secret header value (default: derived from the bot token)")
    p.add_argument("--web", action="store_true",
                   help="serve the fact-check pages and the desk beside the webhook, on the same port")
    p.add_argument("--forwarded-allow-ips", default="127.0.0.1", metavar="IPS",
                   help="proxies trusted for X-Forwarded-For/-Proto with --web (default 127.0.0.1)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("web", help="serve the public fact-check pages and the desk")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    p.add_argument("--forwarded-allow-ips", default="127.0.0.1", metavar="IPS",
                   help="proxies trusted for X-Forwarded-For/-Proto (default 127.0.0.1)")
    p.set_defaults(func=cmd_web)

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
    settings.apply_umask()
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
    if (problem := ClaimService.database_problem(exc)) is not None:
        return problem
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
