"""What the ``claimbot`` command prints besides its results: JSON lines and progress bars.

A progress bar goes to standard error, and only on a terminal. When standard output is the same
terminal, result lines printed while the bar runs would land on the bar's line, so they are held
and printed, in order, once the bar is gone.
"""

from __future__ import annotations

import json
import sys
from types import TracebackType
from typing import IO, Any

from tqdm import tqdm


def emit_json(obj: Any, out: IO[str] | None = None) -> None:
    """One JSON object on one line (non-ASCII kept readable)."""
    print(json.dumps(obj, ensure_ascii=False, sort_keys=False), file=out or sys.stdout)


class Bar:
    """A progress bar with a real total, or nothing when not on a terminal or not ``enabled``."""

    def __init__(self, *, total: int, desc: str, unit: str, enabled: bool = True) -> None:
        self._bar: tqdm[Any] | None = None
        if enabled and sys.stderr.isatty():
            # mininterval=0: steps are whole articles or batches, so every one is worth showing.
            self._bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False,
                             mininterval=0, dynamic_ncols=True)
        self._held: list[tuple[str, bool]] = []

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def grow(self, n: int = 1) -> None:
        """More work than first counted (a feed turned out to hold several articles)."""
        if self._bar is not None and self._bar.total is not None:
            self._bar.total += n
            self._bar.refresh()

    def say(self, text: str, *, error: bool = False) -> None:
        """Print a result (or, with ``error``, a message to standard error) without breaking the bar."""
        stream_is_tty = sys.stderr.isatty() if error else sys.stdout.isatty()
        if self._bar is not None and stream_is_tty:
            self._held.append((text, error))
        else:
            print(text, file=sys.stderr if error else sys.stdout)

    def close(self) -> None:
        """Remove the bar, then print what was held while it ran."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        for text, error in self._held:
            print(text, file=sys.stderr if error else sys.stdout)
        self._held.clear()


class IndexBar:
    """The bar for rebuilding the index, which appears only if the index has to be rebuilt (its
    snapshot is missing or unusable) and learns its total from the first report."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar: Bar | None = None
        self._done = 0

    def __enter__(self) -> IndexBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.close()

    def progress(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = Bar(total=total, desc="building the index", unit="claim", enabled=self.enabled)
        self._bar.advance(done - self._done)
        self._done = done
