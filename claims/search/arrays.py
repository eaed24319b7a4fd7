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
import math
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
    """The arrays (verified, then mapped copy-on-write), tables and mark ``write_arrays`` wrote.

    Nothing in the file is trusted before it is checked: every length, shape and offset is bounded
    by the file's size, and any failure at all (a crafted header, an exhausted stack, a file that
    vanishes) is a ``SnapshotError``, so callers rebuild instead of stopping."""
    try:
        header, start = read_header(path, magic=magic)
        return _verified_arrays(path, header["arrays"], start), header["tables"], header["mark"]
    except SnapshotError:
        raise
    except Exception as exc:  # the file is untrusted input: whatever it provokes means "rebuild"
        raise SnapshotError(f"The index snapshot {path.name} is unreadable ({type(exc).__name__}).") from exc


def read_header(path: Path, *, magic: bytes = MAGIC) -> tuple[dict[str, Any], int]:
    """The JSON header of a snapshot, checked against the file's size, and where its arrays start."""
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
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
            if length > size - _PREFIX.size:  # a flipped bit here once asked for exabytes
                raise SnapshotError(f"The index snapshot {path.name} is corrupt (header length).")
            raw = fh.read(length)
    except FileNotFoundError as exc:
        raise SnapshotError(f"There is no index snapshot at {path}.") from exc
    except OSError as exc:
        raise SnapshotError(f"The index snapshot {path.name} cannot be read ({exc.strerror}).") from exc
    if len(raw) < length:
        raise SnapshotError(f"The index snapshot {path.name} is truncated.")
    if zlib.crc32(raw) != crc:
        raise SnapshotError(f"The index snapshot {path.name} is corrupt (header).")
    start = _aligned(_PREFIX.size + length)
    try:
        header = json.loads(raw)
        _check_header(header, arrays_room=size - start)
    except (ValueError, TypeError, RecursionError) as exc:
        raise SnapshotError(f"The index snapshot {path.name} is corrupt (bad header: {exc}).") from exc
    return header, start


_DTYPE_KINDS = "biuf"
"""Array element kinds a snapshot may hold: numbers and booleans (never objects or strings)."""
_MAX_DIMS = 4


def _check_header(header: Any, *, arrays_room: int) -> None:
    """Raise ``ValueError`` unless ``header`` has the shape ``write_arrays`` gives it and every array
    it describes lies inside the ``arrays_room`` bytes that follow it in the file."""
    if not isinstance(header, dict) or header.get("format") != FORMAT or "tables" not in header:
        raise ValueError("not a snapshot header")
    _count(header.get("mark"), "mark", upper=2**63)
    total = _count(header.get("size"), "size", upper=arrays_room + 1)
    entries = header.get("arrays")
    if not isinstance(entries, dict):
        raise ValueError("arrays is not a table")
    for name, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("dtype"), str):
            raise ValueError(f"{name}: no dtype")
        dtype = np.dtype(entry["dtype"])
        if dtype.kind not in _DTYPE_KINDS or dtype.itemsize > 16:
            raise ValueError(f"{name}: dtype {dtype.str} is not allowed")
        shape = entry.get("shape")
        if not isinstance(shape, list) or len(shape) > _MAX_DIMS:
            raise ValueError(f"{name}: bad shape")
        for dim in shape:  # each dim sane; their product is bounded by the room below (an empty
            _count(dim, f"{name} shape", upper=2**32)  # (0, 384) array takes no room at all)
        offset = _count(entry.get("offset"), f"{name} offset", upper=total + 1)
        _count(entry.get("crc"), f"{name} crc", upper=2**32)
        if offset + _nbytes(entry) > total:
            raise ValueError(f"{name} ends past the arrays")


def _count(value: Any, what: str, *, upper: int) -> int:
    """``value`` if it is a whole number in ``[0, upper)`` (not a bool, string or float)."""
    if type(value) is not int or not 0 <= value < upper:
        raise ValueError(f"{what} is out of range")
    return value


def _verified_arrays(
    path: Path, entries: dict[str, dict[str, Any]], start: int
) -> dict[str, npt.NDArray[Any]]:
    """Check every array's CRC with plain reads, then map them copy-on-write."""
    with path.open("rb") as fh:
        for name, entry in entries.items():
            if _crc(fh, start + entry["offset"], _nbytes(entry)) != entry["crc"]:
                raise SnapshotError(f"The index snapshot {path.name} is corrupt ({name}).")
    out: dict[str, npt.NDArray[Any]] = {}
    for name, entry in entries.items():
        dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
        if not _nbytes(entry):
            out[name] = np.zeros(shape, dtype)
            continue
        out[name] = np.memmap(path, dtype=dtype, mode="c", offset=start + entry["offset"], shape=shape)
    return out


def _crc(fh: BinaryIO, offset: int, nbytes: int) -> int | None:
    """The CRC-32 of ``nbytes`` at ``offset``; ``None`` when the file ends first (never equal to
    a recorded CRC, which the header check keeps a 32-bit count)."""
    fh.seek(offset)
    crc = 0
    left = nbytes
    while left:
        chunk = fh.read(min(_CHUNK, left))
        if not chunk:
            return None
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    return crc


def set_aside(path: Path) -> Path | None:
    """Move an unreadable snapshot or vector file out of the way (to ``<name>.bad``, replacing an
    older one) so that it is not read again at every start but stays for a post-mortem. ``None``
    if it could not be moved (gone already: another process moved or replaced it)."""
    aside = path.with_name(path.name + ".bad")
    try:
        os.replace(path, aside)
    except OSError:
        return None
    return aside


def _nbytes(entry: dict[str, Any]) -> int:
    """Bytes an array entry takes, in Python integers (a crafted shape cannot overflow them)."""
    return math.prod(int(d) for d in entry["shape"]) * np.dtype(entry["dtype"]).itemsize


def _bytes(array: npt.NDArray[Any]) -> memoryview:
    """The raw bytes of an array, without copying a contiguous one."""
    return np.ascontiguousarray(array).reshape(-1).view(np.uint8).data


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN
