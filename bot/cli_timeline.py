"""``claimbot timeline|changes``: what a speaker said over time, and recent changes of position, as
text for people or JSON Lines for scripts."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from bot.cli_read import display_zone
from bot.terminal import emit_json
from claims.service import ClaimService
from claims.service.positions import PositionChange, Timeline, TimelineEntry
from claims.settings import Settings
from claims.store.positions import Earlier
from claims.wording import count


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    tl = ClaimService.open(settings).timeline(" ".join(args.speaker), topic=args.topic, about=args.about,
                                              limit=args.limit)
    if args.json:
        for entry in tl.entries:
            emit_json(timeline_entry_json(tl, entry))
        return 0
    zone = display_zone(settings)
    subject = f" on {tl.topic or tl.about}" if (tl.topic or tl.about) else ""
    if not tl.total:
        print(f"No claims by {tl.speaker}{subject}.")
        return 0
    changed = f", {count(tl.changed, 'change')} of position" if tl.changed else ""
    print(f"{tl.speaker} over time{subject}: {count(tl.total, 'claim')}{changed}")
    for group in tl.groups:
        print(f"\n{group.topic_name or 'Other subjects'}")
        for e in group.entries:
            print(f"  {_day(e.said_at, zone)}  #{e.claim_id}  {e.text}")
            if e.source:
                print(f"      source: {e.source.title or e.source.url or 'untitled'}"
                      + (f" {e.source.url}" if e.source.url else ""))
            if e.earlier and e.earlier.changed:
                print(f"      CHANGED POSITION from #{e.earlier.claim_id} ({_day(e.earlier.said_at, zone)}): "
                      f"{e.earlier.text}")
    if tl.has_more:
        print(f"\n… {count(tl.total - len(tl.entries), 'more claim')} (raise --limit)")
    return 0


def cmd_changes(args: argparse.Namespace, settings: Settings) -> int:
    items, total = ClaimService.open(settings).position_changes(limit=args.limit)
    if args.json:
        for c in items:
            emit_json(change_json(c))
        return 0
    if not total:
        print("No changes of position on record.")
        return 0
    zone = display_zone(settings)
    print(f"{count(total, 'change')} of position, the most recent first")
    for c in items:
        print(f"\n#{c.claim_id} {c.speaker or 'unknown speaker'} ({_day(c.said_at, zone)}): {c.text}")
        print(f"    earlier #{c.earlier.claim_id} ({_day(c.earlier.said_at, zone)}): {c.earlier.text}")
    return 0


def timeline_entry_json(tl: Timeline, e: TimelineEntry) -> dict[str, Any]:
    """One timeline entry (stable shape, documented in the README)."""
    return {
        "id": e.claim_id, "speaker": tl.speaker, "topic": e.topic, "said_at": e.said_at.isoformat(),
        "text": e.text, "kind": e.kind,
        "source": ({"url": e.source.url, "title": e.source.title} if e.source else None),
        "earlier": _earlier_json(e.earlier),
    }


def change_json(c: PositionChange) -> dict[str, Any]:
    return {"id": c.claim_id, "speaker": c.speaker, "said_at": c.said_at.isoformat(), "text": c.text,
            "earlier": _earlier_json(c.earlier)}


def _earlier_json(e: Earlier | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"id": e.claim_id, "text": e.text, "said_at": e.said_at.isoformat(), "changed": e.changed,
            "detail": e.detail}


def _day(when: datetime, zone: Any) -> str:
    return when.astimezone(zone).date().isoformat()
