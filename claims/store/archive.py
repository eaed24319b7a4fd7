"""A full-fidelity archive of the claim store: every speaker, topic, article, claim, revision and
appearance, with their ids, as JSON Lines.

The claim-per-line export (``transfer``) is for exchanging claims with other tools and loses what
only this store has: the numbered history, every source of a claim, merges, article texts. The
archive keeps all of it, so a store can be moved (SQLite to PostgreSQL, one server to another)
and restored into an empty database exactly: export, restore, export again gives the same file.

Rows are written table by table in dependency order, each with every column of its table (so a
column added to the models later is archived without touching this file). Ids are kept, which is
why a restore needs an empty store: ``/claim 12`` links and digest watermarks stay valid.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from claims.errors import InputError
from claims.store.models import (
    Article,
    AwareDateTime,
    Claim,
    ClaimAppearance,
    ClaimRevision,
    Speaker,
    Topic,
)
from claims.store.said import refresh_said_at

FORMAT = "claimbot-archive"
VERSION = 1
BATCH = 2000

_MODELS = (Speaker, Topic, Article, Claim, ClaimRevision, ClaimAppearance)
"""Archived tables, parents before children."""
_DEFERRED = {"claim": ("merged_into_id",)}
"""Columns pointing at rows of their own table that may come later: set after all rows are in."""
_DERIVED = {"claim": ("said_at",)}
"""Columns computed from other rows: not archived (archives of every version read alike), computed
again after a restore."""


def _tables() -> dict[str, sa.Table]:
    tables: list[sa.Table] = [m.__table__ for m in _MODELS]  # type: ignore[union-attr]
    return {table.name: table for table in tables}


def header() -> dict[str, Any]:
    """The first line of every archive: what the file is (no timestamp, so exports compare equal)."""
    return {"format": FORMAT, "version": VERSION}


def is_archive_header(line: str) -> bool:
    """Whether a file's first line says it is an archive (so ``import`` knows which reader to use)."""
    try:
        first = json.loads(line)
    except ValueError:
        return False
    return isinstance(first, dict) and first.get("format") == FORMAT


# ---------------------------------------------------------------------------- export


def export_archive(*, session: Session, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """The archive as JSON-ready objects: the header, then one object per row, table by table."""
    yield header()
    for name, table in _tables().items():
        kept = [c for c in table.columns if c.name not in _DERIVED.get(name, ())]
        stmt = sa.select(*kept).order_by(*table.primary_key.columns).execution_options(yield_per=batch)
        for row in session.execute(stmt).mappings():
            yield {"table": name, "row": {key: _encode(value) for key, value in row.items()}}


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# ---------------------------------------------------------------------------- restore


@dataclass
class RestoreReport:
    """How many rows of each table a restore wrote."""

    rows: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, int]:
        return dict(self.rows)


def restore_archive(
    lines: Iterable[str], *, session: Session, progress: Callable[[int], None] | None = None
) -> RestoreReport:
    """Write an archive into an empty store, ids and all; the caller's session commits.

    Any bad line is an ``InputError`` naming it, and since the caller commits only on success,
    a bad archive restores nothing.
    """
    tables = _tables()
    _require_empty(session, tables)
    report = RestoreReport()
    conn = session.connection()
    pending: list[dict[str, Any]] = []
    deferred: list[dict[str, Any]] = []
    current: str | None = None
    lineno = 0

    def flush() -> None:
        if pending and current is not None:
            conn.execute(tables[current].insert(), pending)
            report.rows[current] = report.rows.get(current, 0) + len(pending)
            if progress:
                progress(len(pending))
            pending.clear()

    for lineno, line in enumerate(lines, start=1):
        if lineno == 1:
            _check_header(line)
            continue
        if not line.strip():
            continue
        name, row = _parse_row(line, lineno=lineno, tables=tables)
        if name != current:
            flush()
            current = name
        for column in _DEFERRED.get(name, ()):
            if row.get(column) is not None:
                deferred.append({"b_id": row["id"], "b_value": row[column], "b_table": name,
                                 "b_column": column})
                row[column] = None
        pending.append(row)
        if len(pending) >= BATCH:
            flush()
    if lineno == 0:
        raise InputError("The archive is empty.")
    flush()
    for item in deferred:
        table = tables[item["b_table"]]
        conn.execute(sa.update(table).where(table.c.id == item["b_id"])
                     .values({item["b_column"]: item["b_value"]}))
    refresh_said_at(session=session)
    _restart_sequences(session, tables)
    return report


def _require_empty(session: Session, tables: dict[str, sa.Table]) -> None:
    for name, table in tables.items():
        if session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            raise InputError(
                f"An archive restores into an empty database, and this one already has {name} rows; "
                "point CLAIMBOT_DATABASE_URL at a new database."
            )


def _check_header(line: str) -> None:
    try:
        first = json.loads(line)
    except ValueError:
        first = None
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise InputError("line 1: not a claimbot archive (no archive header).")
    if first.get("version") != VERSION:
        raise InputError(f"line 1: archive version {first.get('version')!r} is not one this claimbot "
                         f"reads (it reads version {VERSION}).")


def _parse_row(line: str, *, lineno: int, tables: dict[str, sa.Table]) -> tuple[str, dict[str, Any]]:
    where = f"line {lineno}"
    try:
        obj = json.loads(line)
    except ValueError:
        raise InputError(f"{where}: not valid JSON.") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("row"), dict):
        raise InputError(f"{where}: expected an object with 'table' and 'row'.")
    name = obj.get("table")
    if not isinstance(name, str) or name not in tables:
        raise InputError(f"{where}: unknown table {str(name)[:40]!r}.")
    table = tables[name]
    row = obj["row"]
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        raise InputError(f"{where}: {name} has no column {sorted(unknown)[0][:40]!r} "
                         "(was the archive made by a newer claimbot?).")
    return name, {column.name: _decode(row.get(column.name), column, where) for column in table.columns}


def _decode(value: Any, column: sa.Column[Any], where: str) -> Any:
    if value is None:
        if not column.nullable and not column.primary_key:
            raise InputError(f"{where}: '{column.name}' is required.")
        return None
    if isinstance(column.type, AwareDateTime):
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise InputError(f"{where}: '{column.name}' must be an ISO 8601 time with its offset.")
        return parsed
    expected = _python_type(column)
    wrong_bool = isinstance(value, bool) != (expected is bool)  # JSON true is no number here
    if expected is not None and (not isinstance(value, expected) or wrong_bool):
        raise InputError(f"{where}: '{column.name}' has the wrong type.")
    return value


def _python_type(column: sa.Column[Any]) -> type | tuple[type, ...] | None:
    try:
        python = column.type.python_type
    except NotImplementedError:
        return None  # JSON columns: stored as given
    return (int, float) if python is float else python


def _restart_sequences(session: Session, tables: dict[str, sa.Table]) -> None:
    """PostgreSQL hands out ids from sequences that explicit ids did not advance; move them on."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in tables:
        session.execute(sa.text(
            f"select setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
            f"coalesce((select max(id) from \"{name}\"), 0) + 1, false)"
        ))
