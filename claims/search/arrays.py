"""The array file: named numpy arrays and small JSON tables in one file, loaded back in well under
a second per 100k claims. The matcher's snapshot (``claims.search.snapshot``) and the claim vectors
(``claims.search.vectors``) are both written in it, each under its own magic bytes.

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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from claims.errors import ClaimbotError

FORMAT = 1
MAGIC = b"CLAIMIDX"
_PREFIX = struct.Struct("<8sIQI")
_ALIGN = 64
_CHUNK = 1 << 22


class SnapshotError(ClaimbotError):
    """A snapshot that cannot be used: rebuild the index from the store instead."""


def write_arrays(path: Path, arrays: Mapping[str, npt.NDArray[Any]], tables: Any, *, mark: int,
                 magic: bytes = MAGIC) -> None:
    """Write named arrays and JSON ``tables`` to ``path`` atomically in the snapshot layout (the
    semantic vectors use it too, under their own ``magic``)."""
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
            fh.write(_PREFIX.pack(magic, FORMAT, len(header), zlib.crc32(header)))
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


def read_arrays(path: Path, *, magic: bytes = MAGIC) -> tuple[dict[str, npt.NDArray[Any]], Any, int]:
    """The arrays (verified, then mapped copy-on-write), tables and mark ``write_arrays`` wrote."""
    header, start = read_header(path, magic=magic)
    size = path.stat().st_size
    if start + int(header["size"]) > size:
        raise SnapshotError(f"The index snapshot {path.name} is truncated.")
    return _verified_arrays(path, header["arrays"], start), header["tables"], int(header["mark"])


def read_header(path: Path, *, magic: bytes = MAGIC) -> tuple[dict[str, Any], int]:
    """The JSON header of a snapshot and where its arrays start (format checked)."""
    try:
        with path.open("rb") as fh:
            prefix = fh.read(_PREFIX.size)
            if len(prefix) < _PREFIX.size:
                raise SnapshotError(f"The index snapshot {path.name} is truncated.")
            found, version, length, crc = _PREFIX.unpack(prefix)
            if found != magic:
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
