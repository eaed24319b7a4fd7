"""The feed list and feed changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.render.html import esc, fmt_date, link, shorten
from claims.service.types import FeedStatus, FeedView
from claims.wording import count


def feeds_list(feeds: Sequence[FeedView], tz: ZoneInfo) -> str:
    """``/feeds``: each feed with its state and when it was last polled."""
    if not feeds:
        return "No feeds yet. Add one with /feeds add URL (an RSS or Atom feed)."
    lines = [f"<b>Feeds</b> ({count(len(feeds), 'feed')})"]
    for feed in feeds:
        state = "⚠️ failing" if feed.status is FeedStatus.FAILING else "ok"
        polled = (f"last polled {fmt_date(feed.last_polled_at, tz, time=True)}" if feed.last_polled_at
                  else "not polled yet")
        lines.append(f"#{feed.id} {link(feed.url, shorten(feed.title or feed.url, 80))} — {state}, {polled}")
        if feed.last_error:
            lines.append(f"    last error: {esc(shorten(feed.last_error, 200))}")
    lines.append("\n/feeds add URL · /feeds remove ID")
    return "\n".join(lines)


def feed_added(feed: FeedView) -> str:
    return (f"Added feed #{feed.id}: {link(feed.url, shorten(feed.title or feed.url, 120))}. "
            "It is polled now and then regularly; new articles flow into digests.")


def feed_removed(feed: FeedView) -> str:
    return (f"Removed feed #{feed.id} ({esc(shorten(feed.title or feed.url, 120))}). "
            "What it brought in stays.")
