"""A digest as plain text: messages under Telegram's length limit, cut between items.

Why it exists: the outbox needs a rendering when no other renderer is given, and logs and the
benchmark want one without markup; the bot's HTML renderer (``bot.render.digests``) is separate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from claims.follow.digest.model import Digest, DigestItem
from claims.wording import count

MESSAGE_LIMIT = 4096
ITEM_TEXT_CHARS = 700
"""Claim text in the plain-text rendering; the full text is a ``/claim ID`` away."""


def _short(text: str, limit: int = ITEM_TEXT_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def item_lines(item: DigestItem) -> list[str]:
    """One item as plain-text lines (no markup: the bot's HTML renderer is separate)."""
    who = f"{item.speaker}: " if item.speaker else ""
    lines: list[str] = []
    if item.new:
        lines.append(f"NEW #{item.claim_id} {who}“{_short(item.text)}”")
        if item.changed_from is not None:
            lines.append(f"  {item.speaker or 'The speaker'} CHANGED POSITION; earlier "
                         f"(#{item.changed_from.claim_id}): “{_short(item.changed_from.text, 200)}”")
    elif item.text_before is not None:
        lines.append(f"REVISED #{item.claim_id} {who}“{_short(item.text_before, ITEM_TEXT_CHARS // 2)}”"
                     f" -> “{_short(item.text, ITEM_TEXT_CHARS // 2)}”")
    else:
        lines.append(f"#{item.claim_id} {who}“{_short(item.text)}”")
    if item.verdict is not None:
        before = f"{item.verdict_before} -> " if item.verdict_before else ""
        lines.append(f"  Verdict: {before}{item.verdict}")
    if item.retracted:
        lines.append("  RETRACTED")
    if item.merged_into is not None:
        lines.append(f"  MERGED into #{item.merged_into}")
    if item.merged_from:
        lines.append("  Merged in: " + ", ".join(f"#{c}" for c in item.merged_from))
    if item.removed_from is not None:
        title = item.removed_from.title or item.removed_from.outlet or "the article"
        lines.append(f"  NO LONGER IN THE ARTICLE: {_short(title, 200)}"
                     + (f" {item.removed_from.url}" if item.removed_from.url else ""))
    if item.note:
        lines.append(f"  Note: {_short(item.note, 300)}")
    if item.source:
        title = item.source.title or item.source.outlet or "source"
        lines.append(f"  Source: {_short(title, 200)}" + (f" {item.source.url}" if item.source.url else ""))
    lines.append(f"  /claim {item.claim_id} · /history {item.claim_id}")
    return lines


def render_text(digest: Digest, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The digest as plain-text messages, each under ``limit`` characters, cut between items."""
    header = f"What changed: {digest.label} ({count(digest.count, 'update')})"
    blocks: list[str] = []
    for group in digest.groups:
        heading = f"[{group.topic_name or 'Other'}]"
        for n, item in enumerate(group.items):
            body = "\n".join(item_lines(item))
            blocks.append(f"\n{heading}\n{body}" if n == 0 else body)
    return list(_pack(header, blocks, limit))


def _pack(header: str, blocks: Iterable[str], limit: int) -> Iterator[str]:
    current = header
    for block in blocks:
        block = block if len(block) < limit - 20 else block[: limit - 21] + "…"
        if len(current) + 2 + len(block) > limit:
            yield current
            current = "(continued)"
        current = f"{current}\n\n{block}" if current else block
    yield current
