"""A persisted matcher: its flat arrays and tables saved to one file in the array-file layout
(``claims.search.arrays``), tagged with the revision mark it reflects, and loaded back mapped
copy-on-write. The claim vectors (semantic extra) go to their own file with the same mark.

This sits above ``claims.search.match``: the matcher only exports and imports its state, so the
matcher, the vectors and the file format never import each other in a loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from claims.catalog import Catalog
from claims.search.arrays import SnapshotError, read_arrays, write_arrays
from claims.search.match import Matcher


def save(matcher: Matcher, path: Path, *, mark: int) -> None:
    """Write ``matcher`` to ``path`` atomically, tagged with the revision ``mark`` it reflects
    (``load`` reads it back); its claim vectors, if any, are saved to their own file."""
    arrays, tables = matcher.export_state()
    write_arrays(path, arrays, tables, mark=mark)
    if matcher.semantic is not None:
        matcher.semantic.save(mark=mark)


def load(
    path: Path, *, catalog: Catalog, synonyms: Mapping[str, Sequence[str]] | None = None
) -> tuple[Matcher, int]:
    """The matcher saved at ``path`` and its revision mark.

    Raises ``SnapshotError`` when the file is missing, of another format version, truncated or
    corrupt: rebuild from the store then. The loaded matcher takes ``upsert`` and ``remove`` like
    a built one."""
    arrays, tables, mark = read_arrays(path)
    try:
        matcher = Matcher.from_state(arrays, tables, catalog=catalog, synonyms=synonyms)
    except Exception as exc:  # tables that passed the checksum yet do not fit together
        raise SnapshotError(
            f"The index snapshot {path.name} is inconsistent ({type(exc).__name__}: {exc})."[:300]
        ) from exc
    return matcher, mark
