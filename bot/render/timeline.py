"""Timelines (``/timeline``) and changes of position (``/changes``) as the bot shows them."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.codec import ButtonKind, CallbackCodec
from bot.render.html import esc, fmt_date, shorten
from claims.service.positions import PositionChange, Timeline, TimelineEntry
from claims.wording import count

ENTRY_CHARS = 280
"""A claim's words in a timeline line; /claim ID shows them all."""
SCOPE_BASE = 1_000_000
"""A timeline page button carries speaker and topic as one number: speaker * base + topic."""


def timeline(tl: Timeline, tz: ZoneInfo) -> str:
    """A speaker's claims in the order they were made, grouped by subject, changes marked."""
    subject = f" on {esc(tl.topic or tl.about or '')}" if (tl.topic or tl.about) else ""
    if not tl.total:
        return f"I have no claims by <b>{esc(tl.speaker)}</b>{subject}."
    head = f"<b>{esc(tl.speaker)}</b> over time{subject}: {count(tl.total, 'claim')}"
    if tl.changed:
        head += f", {count(tl.changed, 'change')} of position"
    first, last = tl.offset + 1, tl.offset + len(tl.entries)
    lines = [head + (f" (showing {first}–{last})" if tl.total > len(tl.entries) else "")]
    for group in tl.groups:
        lines.append(f"\n<b>{esc(group.topic_name or 'Other subjects')}</b>")
        lines.extend(_entry(e, tz) for e in group.entries)
    return "\n".join(lines)


def _entry(e: TimelineEntry, tz: ZoneInfo) -> str:
    words = esc(shorten(e.text, ENTRY_CHARS))
    said = f"“{words}”" if e.kind == "direct" else f"<i>reported:</i> {words}"
    line = f"{fmt_date(e.said_at, tz)} · {said} · /claim {e.claim_id}"
    if e.earlier and e.earlier.changed:
        then = fmt_date(e.earlier.said_at, tz)
        line += f"\n   🔄 <b>changed position</b> from {then} (/claim {e.earlier.claim_id})"
    return line


def timeline_scope(tl: Timeline) -> int | None:
    """Speaker and topic in one button number; None for a timeline narrowed by a free phrase (it
    does not fit in a button) or ids too large to page."""
    if tl.about is not None or tl.speaker_id >= SCOPE_BASE or (tl.topic_id or 0) >= SCOPE_BASE:
        return None
    return tl.speaker_id * SCOPE_BASE + (tl.topic_id or 0)


def timeline_unscope(scope: int) -> tuple[int, int | None]:
    """The speaker and topic (None: all topics) a page button carries."""
    speaker_id, topic_id = divmod(scope, SCOPE_BASE)
    return speaker_id, topic_id or None


def timeline_keyboard(tl: Timeline, scope: int | None, codec: CallbackCodec, *,
                      per_page: int) -> InlineKeyboardMarkup | None:
    """Earlier / Later buttons; a timeline narrowed by a free phrase is not paged (the phrase does
    not fit in a button), its text says how many claims it holds."""
    if scope is None:
        return None
    page = tl.offset // per_page
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀ Earlier", callback_data=codec.encode(ButtonKind.TIMELINE, scope,
                                                                               page - 1)))
    if tl.has_more:
        row.append(InlineKeyboardButton("Later ▶", callback_data=codec.encode(ButtonKind.TIMELINE, scope,
                                                                             page + 1)))
    return InlineKeyboardMarkup([row]) if row else None


def changes(items: Sequence[PositionChange], total: int, tz: ZoneInfo, *, offset: int = 0) -> str:
    """``/changes``: recent changes of position, each with what was said before."""
    if not total:
        return "No changes of position on record."
    lines = [f"<b>Changes of position</b>: {count(total, 'change')}, the most recent first"]
    for c in items:
        lines.append(
            f"\n<b>{esc(c.speaker or 'Unknown speaker')}</b> · {fmt_date(c.said_at, tz)}"
            f" · /claim {c.claim_id}\n"
            f"Now: “{esc(shorten(c.text, ENTRY_CHARS))}”\n"
            f"Earlier, on {fmt_date(c.earlier.said_at, tz)}: “{esc(shorten(c.earlier.text, ENTRY_CHARS))}”"
            f" (/claim {c.earlier.claim_id})")
    if offset + len(items) < total:
        lines.append(f"\n… {count(total - offset - len(items), 'more change')}")
    return "\n".join(lines)


def changes_keyboard(total: int, offset: int, shown: int, codec: CallbackCodec, *,
                     per_page: int) -> InlineKeyboardMarkup | None:
    page = offset // per_page
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀ Newer",
                                        callback_data=codec.encode(ButtonKind.CHANGES, 0, page - 1)))
    if offset + shown < total:
        row.append(InlineKeyboardButton("Older ▶",
                                        callback_data=codec.encode(ButtonKind.CHANGES, 0, page + 1)))
    return InlineKeyboardMarkup([row]) if row else None


def unflagged(claim_id: int, earlier_id: int) -> str:
    return (f"Cleared the changed-position flag on claim #{claim_id} (earlier: #{earlier_id}). "
            f"The change is recorded in /history {claim_id}.")
