"""``claimbot verdict|edit|retract|merge``: a fact-checking desk's changes from the terminal.

They go through the same ``ClaimService`` methods as the bot's admin commands, so each one is a
numbered revision with its author: ``--by NAME``, or else the operating-system user running the
command (a terminal has no Telegram account to name).
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from typing import Any

from bot.cli_args import claim_number
from bot.terminal import emit_json
from claims.errors import InputError
from claims.service import ClaimService
from claims.settings import Settings
from claims.store.history import Actor
from claims.store.views import ClaimView, claim_to_json

VERDICTS = ("accurate", "misleading", "false", "disputed", "unverified")


def actor(by: str | None) -> Actor:
    """Who makes the change: ``--by``, else the logged-in user; a terminal user has no Telegram id."""
    name = " ".join((by or "").split()) or _os_user()
    if not name:
        raise InputError("Cannot tell who is making this change; give --by NAME.")
    return Actor(id=None, name=name[:200])


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return ""


def _done(args: argparse.Namespace, what: str, view: ClaimView) -> int:
    if args.json:
        emit_json(claim_to_json(view))
        return 0
    print(f"{what} Claim #{view.id} is now at revision {view.revision} ({view.status}, {view.verdict}).")
    print(f"    {view.text}")
    return 0


def cmd_verdict(args: argparse.Namespace, settings: Settings) -> int:
    note = " ".join(args.note).strip() or None
    view = ClaimService.open(settings).set_verdict(args.claim_id, args.verdict, note=note,
                                                   actor=actor(args.by))
    return _done(args, "Verdict recorded.", view)


def cmd_edit(args: argparse.Namespace, settings: Settings) -> int:
    text = " ".join(args.text).strip()
    view = ClaimService.open(settings).edit(args.claim_id, text, actor=actor(args.by))
    return _done(args, "Edited.", view)


def cmd_retract(args: argparse.Namespace, settings: Settings) -> int:
    reason = " ".join(args.reason).strip() or None
    view = ClaimService.open(settings).retract(args.claim_id, reason=reason, actor=actor(args.by))
    return _done(args, "Retracted.", view)


def cmd_merge(args: argparse.Namespace, settings: Settings) -> int:
    view = ClaimService.open(settings).merge(args.claim_id, args.into_id, actor=actor(args.by))
    return _done(args, f"Merged #{args.claim_id} into #{args.into_id}.", view)


def add_commands(sub: Any) -> None:
    """Register the four commands on the ``claimbot`` parser's subcommands."""
    commands: list[tuple[str, str, Callable[[argparse.Namespace, Settings], int]]] = [
        ("verdict", "set a claim's verdict (recorded as a revision)", cmd_verdict),
        ("edit", "correct a claim's wording (recorded as a revision)", cmd_edit),
        ("retract", "retract a claim (recorded as a revision)", cmd_retract),
        ("merge", "merge a duplicate claim into another (recorded on both)", cmd_merge),
    ]
    for name, help_text, func in commands:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("claim_id", type=claim_number, metavar="CLAIM_ID")
        if name == "verdict":
            p.add_argument("verdict", choices=VERDICTS, metavar="VERDICT", help=" | ".join(VERDICTS))
            p.add_argument("note", nargs="*", metavar="NOTE", help="why (optional)")
        elif name == "edit":
            p.add_argument("text", nargs="+", metavar="TEXT", help="the corrected wording")
        elif name == "retract":
            p.add_argument("reason", nargs="*", metavar="REASON", help="why (optional)")
        else:
            p.add_argument("into_id", type=claim_number, metavar="INTO_ID", help="the claim that stays")
        p.add_argument("--by", metavar="NAME", help="who makes the change (default: your login name)")
        p.add_argument("--json", action="store_true", help="print the claim as JSON")
        p.set_defaults(func=func)
