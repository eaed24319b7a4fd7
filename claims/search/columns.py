"""A growable typed column: a numpy array with spare capacity, appended to one value at a time.

The index and the matcher keep one value per document or per posting in these, so a million
documents cost a few flat arrays instead of a million Python objects, and a snapshot can hand
memory-mapped arrays straight back (``Column.of``) without copying them until something is added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt


class Column:
    """A numpy array that grows by doubling; ``data`` may hold unused capacity past ``len``."""

    __slots__ = ("_n", "data")

    def __init__(self, dtype: Any, initial: Iterable[Any] = ()) -> None:
        self.data: npt.NDArray[Any] = np.array(list(initial), dtype=dtype)
        self._n = len(self.data)

    @classmethod
    def of(cls, values: npt.NDArray[Any]) -> Column:
        """Wrap an existing array (memory-mapped or not) without copying it."""
        column = cls.__new__(cls)
        column.data = values
        column._n = len(values)
        return column

    def __len__(self) -> int:
        return self._n

    def view(self) -> npt.NDArray[Any]:
        """The values, without the spare capacity (a view, not a copy)."""
        return self.data[: self._n]

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        if need > len(self.data):
            grown = np.empty(max(need, 2 * len(self.data), 16), dtype=self.data.dtype)
            grown[: self._n] = self.data[: self._n]
            self.data = grown

    def append(self, value: Any) -> None:
        self._reserve(1)
        self.data[self._n] = value
        self._n += 1

    def extend(self, values: Iterable[Any]) -> None:
        chunk = np.fromiter(values, dtype=self.data.dtype)
        self._reserve(len(chunk))
        self.data[self._n : self._n + len(chunk)] = chunk
        self._n += len(chunk)
