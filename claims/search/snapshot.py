"""A persisted matcher: saved to one file, loaded back in well under a second per 100k claims.

Everything the matcher holds is flat arrays (postings, forward index, per-document columns) plus
small tables (vocabulary, speakers, topics), so a snapshot is those arrays laid end to end after a
JSON header, each aligned to 64 bytes. Loading maps the arrays from the file copy-on-write: nothing
is read until a question touches it, the operating system shares the pages between processes, and
changes after loading (``upsert``, ``remove``) stay private to the process.

Layout::

    b"CLAIMIDX" | format (u32) | header length (u64) | header CRC-32 (u32) | header (JSON) | arrays

The header records the format version, the caller's revision mark, the tables, and for each array
its dtype, shape, offset and CRC-32. A missing, old-format, truncated or corrupt file raises
``SnapshotError`` (one sentence, fit to log) and is never half-trusted: every checksum is verified
with plain reads before anything is mapped. Writing goes to a temporary file that replaces the old
snapshot only once it is complete.

Bump ``FORMAT`` whenever the analyser, the index fields or this layout change: an index built by
other rules must be rebuilt, not loaded.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import numpy.typing as npt

from claims.errors import ClaimbotError

if TYPE_CHECKING:
    from claims.catalog import Catalog
    from claims.search.match import Matcher

FORMAT = 1
MAGIC = b"CLAIMIDX"
_PREFIX = struct.Struct("<8sIQI")
_ALIGN = 64
_CHUNK = 1 << 22


class SnapshotError(ClaimbotError):
    """A snapshot that cannot be used: rebuild the index from the store instead."""


def save(matcher: Matcher, path: Path, *, mark: int) -> None:
    """Write ``matcher`` to ``path`` atomically, tagged with the revision ``mark`` it reflects."""
    arrays, tables = matcher.export_state()
    entries: dict[str, dict[str, Any]] = {}
    offset = 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        offset = _aligned(offset)
        entries[name] = {
            "dtype": array.dtype.str, "shape": list(array.shape), "offset": offset,
            "crc": zlib.crc32(_bytes(array)) if array.size else 0,
        }
        offset += array.nbytes
    header = json.dumps(
        {"format": FORMAT, "mark": int(mark), "tables": tables, "arrays": entries, "size": offset},
        separators=(",", ":"),
    ).encode("utf-8")
    start = _aligned(_PREFIX.size + len(header))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(_PREFIX.pack(MAGIC, FORMAT, len(header), zlib.crc32(header)))
            fh.write(header)
            fh.write(b"\0" * (start - _PREFIX.size - len(header)))
            written = 0
            for name, array in arrays.items():
                at = entries[name]["offset"]
                fh.write(b"\0" * (at - written))
                fh.write(_bytes(array))
                written = at + array.nbytes
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load(
    path: Path, *, catalog: Catalog, synonyms: Mapping[str, Sequence[str]] | None = None
) -> tuple[Matcher, int]:
    """The matcher saved at ``path`` and its revision mark; ``SnapshotError`` if unusable."""
    from claims.search.match import Matcher

    header, start = read_header(path)
    size = path.stat().st_size
    if start + int(header["size"]) > size:
        raise SnapshotError(f"The index snapshot {path.name} is truncated.")
    arrays = _verified_arrays(path, header["arrays"], start)
    try:
        matcher = Matcher.from_state(arrays, header["tables"], catalog=catalog, synonyms=synonyms)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise SnapshotError(f"The index snapshot {path.name} is inconsistent ({exc}).") from exc
    return matcher, int(header["mark"])


def read_header(path: Path) -> tuple[dict[str, Any], int]:
    """The JSON header of a snapshot and where its arrays start (format checked)."""
    try:
        with path.open("rb") as fh:
            prefix = fh.read(_PREFIX.size)
            if len(prefix) < _PREFIX.size:
                raise SnapshotError(f"The index snapshot {path.name} is truncated.")
            magic, version, length, crc = _PREFIX.unpack(prefix)
            if magic != MAGIC:
                raise SnapshotError(f"{path.name} is not an index snapshot.")
            if version != FORMAT:
                raise SnapshotError(
                    f"The index snapshot {path.name} has format {version}; this version reads "
                    f"format {FORMAT}."
                )
            raw = fh.read(length)
    except FileNotFoundError as exc:
        raise SnapshotError(f"There is no index snapshot at {path}.") from exc
    except OSError as exc:
        raise SnapshotError(f"The index snapshot {path.name} cannot be read ({exc.strerror}).") from exc
    if len(raw) < length:
        raise SnapshotError(f"The index snapshot {path.name} is truncated.")
    if zlib.crc32(raw) != crc:
        raise SnapshotError(f"The index snapshot {path.name} is corrupt (header).")
    try:
        header = json.loads(raw)
        if header.get("format") != FORMAT or not isinstance(header.get("arrays"), dict):
            raise ValueError("bad header")
    except ValueError as exc:
        raise SnapshotError(f"The index snapshot {path.name} is corrupt (bad header).") from exc
    return header, _aligned(_PREFIX.size + length)


def _verified_arrays(
    path: Path, entries: dict[str, dict[str, Any]], start: int
) -> dict[str, npt.NDArray[Any]]:
    """Check every array's CRC with plain reads, then map them copy-on-write."""
    with path.open("rb") as fh:
        for name, entry in entries.items():
            if _crc(fh, start + int(entry["offset"]), _nbytes(entry)) != int(entry["crc"]):
                raise SnapshotError(f"The index snapshot {path.name} is corrupt ({name}).")
    out: dict[str, npt.NDArray[Any]] = {}
    for name, entry in entries.items():
        dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
        if not _nbytes(entry):
            out[name] = np.zeros(shape, dtype)
            continue
        out[name] = np.memmap(path, dtype=dtype, mode="c", offset=start + int(entry["offset"]),
                              shape=shape)
    return out


def _crc(fh: BinaryIO, offset: int, nbytes: int) -> int:
    fh.seek(offset)
    crc = 0
    left = nbytes
    while left:
        chunk = fh.read(min(_CHUNK, left))
        if not chunk:
            return -1  # truncated
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    return crc


def _nbytes(entry: dict[str, Any]) -> int:
    return int(np.dtype(entry["dtype"]).itemsize * int(np.prod(entry["shape"], dtype=np.int64)))


def _bytes(array: npt.NDArray[Any]) -> memoryview:
    """The raw bytes of an array, without copying a contiguous one."""
    return np.ascontiguousarray(array).reshape(-1).view(np.uint8).data


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN
