"""Store-wide reads kept while the store has not changed: the front page's busiest topics and the
sitemap aggregate every live claim (a quarter of a second and more at 100,000 claims) to show what
changes only when claims do.

A kept value is reused while the store's version (its newest revision and newest admin change to
a speaker or topic) is the one it was read at, and for at most ``Settings.web_cache_seconds``, which
bounds what depends on the clock alone (a topic's "recent" window) and what leaves no revision.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class ReadMemo:
    """One kept value per name, with the version and time it was read at (thread-safe: pages call
    the service from worker threads)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Hashable, float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, name: str, *, version: Hashable, seconds: float, read: Callable[[], T]) -> T:
        """The value kept under ``name`` if read at ``version`` less than ``seconds`` ago, else
        ``read()`` (kept for next time). Two callers missing at once both read: no one waits."""
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(name)
        if kept is not None and kept[0] == version and now - kept[1] < seconds:
            return kept[2]  # type: ignore[no-any-return]
        value = read()
        with self._lock:
            self._kept[name] = (version, now, value)
        return value
