"""Texts of the editorial features: /topics by activity, and admins' speaker and topic changes."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.html import esc
from claims.service.editorial import EditorialResult
from claims.store.topics import TopicActivity

TOPICS_SHOWN = 40


def topics_list(items: Sequence[TopicActivity], *, shown: int = TOPICS_SHOWN) -> str:
    """``/topics``: the most active topics lately first, with recent and total claim counts."""
    if not items:
        return "No topics yet: no claims have been ingested."
    lines = [f"<b>Topics</b>, most active lately first ({len(items)})"]
    for item in items[:shown]:
        total = f"{item.claims} claim{'s' * (item.claims != 1)}"
        recent = f", {item.recent_claims} in the last 30 days" if item.recent_claims else ""
        lines.append(f"• {esc(item.name)} — {total}{recent} · /claims {esc(item.slug)}")
    if len(items) > shown:
        lines.append(f"… and {len(items) - shown} quieter topics: /claims NAME finds any of them.")
    return "\n".join(lines)


def editorial_done(result: EditorialResult) -> str:
    """The reply to ``/speaker ...`` and ``/topic ...``."""
    return f"✅ {esc(result.message)}"
