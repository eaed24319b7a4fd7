"""``claimbot claims|history|ask``: reading the store, as text for people or JSON Lines for scripts."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.terminal import Bar, IndexBar, emit_json
from claims.errors import ConfigError, InputError
from claims.service import ClaimService
from claims.settings import Settings
from claims.store.views import (
    ClaimView,
    RevisionView,
    claim_to_json,
    revision_to_json,
)
from claims.wording import count


def display_zone(settings: Settings) -> ZoneInfo:
    """The time zone dates are shown in (``CLAIMBOT_TIMEZONE``)."""
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"Unknown time zone {settings.timezone!r} in CLAIMBOT_TIMEZONE (use a name such as "
            "Europe/Berlin)."
        ) from None


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


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if (args.question is None) == (args.batch is None):
        raise InputError("Give either a QUESTION or --batch FILE, not both or neither.")
    if args.question is not None and not args.question.strip():
        raise InputError("The question is empty; ask about a claim, for example: "
                         'claimbot ask "are tariffs taxes?"')
    questions = [args.question] if args.question is not None else _read_questions(Path(args.batch))
    service = ClaimService.open(settings)
    with IndexBar(enabled=not args.json) as building:
        service.load_index(progress=building.progress)
    with Bar(total=len(questions), desc="asking", unit="question",
             enabled=args.batch is not None and not args.json) as bar:
        for question, answers in zip(questions, service.find(questions, limit=args.limit), strict=True):
            bar.advance()
            offers = service.related(question, limit=args.limit) if not answers else []
            if args.json or args.batch is not None:
                bar.say(json.dumps({"question": question, "matches": [
                    {"claim": claim_to_json(v), "score": round(m.score, 4), "why": m.why}
                    for m, v in answers], "related": [
                    {"claim": claim_to_json(v), "why": m.why} for m, v in offers]},
                    ensure_ascii=False))
            elif not answers:
                print("Not sure. The closest claims I have:" if offers
                      else "No claim matches that question.")
                for m, v in offers:
                    print(f"#{v.id} {v.speaker or 'unknown speaker'}: {v.text}")
                    print(f"    why: {m.why}")
            else:
                for m, v in answers:
                    print(f"#{v.id} {v.speaker or 'unknown speaker'}: {v.text}")
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
