"""Digest messages and the report of a /digest_now run.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from bot.render.claims import source_line, verdict
from bot.render.html import SAFE_LIMIT, esc, fmt_date, shorten, split_html, utf16_len
from bot.render.subscriptions import zone_of
from claims.follow.delivery import DeliveryReport, EnqueueReport
from claims.follow.digest.model import Digest, DigestItem
from claims.store.models import TargetKind
from claims.wording import count

DIGEST_TEXT_CHARS = 500
DIGEST_KINDS = {"changed_position": "🔄 Changed position", "new": "🆕 New", "revised": "✏️ Reworded",
                "verdict": "⚖️ Verdict changed",
                "retracted": "🚫 Retracted", "merged": "🔗 Merged",
                "removed": "📤 No longer in the article"}


def digest_messages(digest: Digest) -> list[str]:
    """A digest as Telegram HTML messages under the limit, cut between items (stored in the outbox).

    Dates are in the subscription's own time zone. Topic headings appear when the digest spans
    topics (a speaker's, or several subscriptions of one chat joined); a topic's own digest needs none.
    """
    tz = zone_of(digest.timezone)
    n = digest.count
    title = f"What changed: {esc(digest.label)}"
    header = f"<b>{title}</b> — {count(n, 'update')}"
    headings = len(digest.groups) > 1 or any(t.kind is not TargetKind.TOPIC for t in digest.targets)
    blocks: list[str] = []
    for group in digest.groups:
        for i, item in enumerate(group.items):
            body = digest_item(item, tz)
            if headings and i == 0:
                body = f"<b>▌{esc(group.topic_name or group.topic or 'No topic')}</b>\n\n{body}"
            blocks.append(body)
    return _pack(header, blocks, continued=f"<i>{title} (continued)</i>")


def digest_item(item: DigestItem, tz: ZoneInfo) -> str:
    """One claim's changes: what happened, who, before → after, verdict, source, commands."""
    kinds = " · ".join(DIGEST_KINDS[k] for k in item.kinds)
    lines = [f"{kinds} · #{item.claim_id} <b>{esc(item.speaker or 'Unknown speaker')}</b>"]
    if item.changed_from is not None:
        then = item.changed_from
        lines.append(f"<b>{esc(item.speaker or 'The speaker')} changed position.</b> Earlier, on "
                     f"{fmt_date(then.said_at, tz)}: “{esc(shorten(then.text, 200))}”"
                     f" (/claim {then.claim_id})")
    if item.text_before is not None:
        half = DIGEST_TEXT_CHARS * 2 // 3
        lines.append(f"Before: “{esc(shorten(item.text_before, half))}”")
        lines.append(f"After: “{esc(shorten(item.text, half))}”")
    else:
        lines.append(f"“{esc(shorten(item.text, DIGEST_TEXT_CHARS))}”")
    if item.verdict is not None:
        before = f"{verdict(item.verdict_before)} → " if item.verdict_before else ""
        lines.append(f"Verdict: {before}{verdict(item.verdict)}")
    if item.merged_into is not None:
        lines.append(f"Merged into #{item.merged_into} (/claim {item.merged_into})")
    if item.merged_from:
        lines.append("Now also stands for " + ", ".join(f"#{c}" for c in item.merged_from))
    if item.removed_from is not None:
        lines.append(f"No longer in the article: {source_line(item.removed_from, tz)}")
    if item.note:
        lines.append(f"Why: {esc(shorten(item.note, 300))}")
    if item.source is not None and item.source != item.removed_from:
        lines.append(f"Source: {source_line(item.source, tz)}")
    lines.append(f"/claim {item.claim_id} · /history {item.claim_id}")
    return "\n".join(lines)


def _pack(header: str, blocks: Iterable[str], *, continued: str, limit: int = SAFE_LIMIT) -> list[str]:
    """Blocks joined under ``limit`` per message, never cut inside a block unless it alone is too long."""
    room = limit - utf16_len(continued) - 2
    parts: list[str] = []
    current = header
    for block in blocks:
        for piece in split_html(block, room) if utf16_len(block) > room else [block]:
            if utf16_len(current) + 2 + utf16_len(piece) > limit:
                parts.append(current)
                current = continued
            current = f"{current}\n\n{piece}"
    parts.append(current)
    return parts


def digest_run(scope: str, queued: EnqueueReport, sent: DeliveryReport) -> str:
    """The reply to ``/digest_now``: what was checked, recorded and delivered."""
    lines = [f"<b>Digest run</b> for {esc(scope)}: {count(queued.due, 'active subscription')} checked."]
    if queued.digests:
        lines.append(f"{count(queued.digests, 'digest')} recorded ({count(queued.messages, 'message')}); "
                     f"{queued.empty:,} had nothing new.")
    else:
        lines.append("Nothing they follow changed: no digest to send.")
    lines.append(f"Delivered now: {count(sent.messages, 'message')} "
                 f"({count(sent.digests, 'digest')} complete).")
    if sent.messages + sent.failed < queued.messages:
        lines.append("The rest go out in the background (chats waiting out Telegram's limits, or taken "
                     "by another runner).")
    problems = [(sent.blocked, "chat blocked the bot (paused)", "chats blocked the bot (paused)"),
                (sent.not_found, "chat not found (paused)", "chats not found (paused)"),
                (sent.migrated, "group moved to a supergroup", "groups moved to a supergroup"),
                (sent.retry_after, "wait for Telegram's 429", "waits for Telegram's 429"),
                (sent.rejected, "message refused by Telegram", "messages refused by Telegram"),
                (sent.errors, "send error", "send errors")]
    if noted := [count(n, one, many) for n, one, many in problems if n]:
        lines.append("Also: " + "; ".join(noted) + ".")
    return "\n".join(lines)
